/* Writing the audit trail: each record is chained to the previous one,
 * compressed with a sync flush and written at once (a killed process leaves
 * it readable), and every commit ends the gzip member and fdatasyncs, so a
 * crash at any instant leaves complete members plus at most one truncated
 * one, which the next audit_open repairs. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/clock.h"
#include "common/file_io.h"
#include "members.h"
#include "record.h"
#include "redact.h"

#define OUT_CHUNK   (64u * 1024u)
#define TAIL_WINDOW (8u * 1024u * 1024u)
/* fast compression: the trail is written on the engine's loop, where each
 * millisecond counts, and it still shrinks JSON several times */
#define AUDIT_COMPRESSION_LEVEL 1

struct audit_writer {
	int fd;
	char path[4096];
	char job_id[64];
	char operation[64];
	struct redactor redactor;
	z_stream stream;
	bool stream_ready, member_open, unsynced;
	bool write_failed;    /* a write failed: cut back to a record's end, nothing more goes in */
	uint64_t file_length; /* bytes in the file, all written by complete calls */
	unsigned char *out;
	struct strbuf line;
	char prev[AUDIT_HASH_HEX];
	uint64_t next_sequence;
	uint64_t records_written, commits;
	struct audit_counts counts; /* the job's, all runs */
};

/* Runs deflate with flush until it is done, writing what it produces. */
static int deflate_and_write(struct audit_writer *writer, int flush, struct error *error)
{
	if (writer->write_failed)
		return error_set(error,
		                 "audit trail '%s' takes no more records after a failed write",
		                 writer->path);
	/* a failed write is cut back to here, the end of the previous record
	 * (a sync-flush point): the file stays readable up to it, and the next
	 * audit_open repairs the unfinished member */
	uint64_t start = writer->file_length;
	for (;;) {
		writer->stream.next_out = writer->out;
		writer->stream.avail_out = OUT_CHUNK;
		int status = deflate(&writer->stream, flush);
		if (status == Z_STREAM_ERROR)
			return error_set(error, "cannot compress audit trail '%s'", writer->path);
		size_t produced = OUT_CHUNK - writer->stream.avail_out;
		if (produced && file_write_all(writer->fd, writer->out, produced)) {
			int cause = errno;
			file_storage_note(writer->path, cause);
			/* the compressor has taken input whose output is lost */
			writer->write_failed = true;
			if (ftruncate(writer->fd, (off_t)start) != 0) {
				/* then the next audit_open drops the torn member end */
			}
			return error_set(error, "cannot write audit trail '%s': %s", writer->path,
			                 strerror(cause));
		}
		writer->file_length += produced;
		if (produced)
			writer->unsynced = true;
		if (flush == Z_FINISH ? status == Z_STREAM_END : writer->stream.avail_out != 0)
			return 0;
	}
}

/* Chains, compresses and writes the line held in writer->line. */
static int append_line(struct audit_writer *writer, struct error *error)
{
	audit_sha256_hex(writer->line.data, writer->line.length, writer->prev);
	if (strbuf_append_char(&writer->line, '\n'))
		return error_set(error, "audit record too big");
	if (!writer->member_open) {
		deflateReset(&writer->stream);
		writer->member_open = true;
	}
	writer->stream.next_in = (unsigned char *)writer->line.data;
	writer->stream.avail_in = (uInt)writer->line.length;
	if (deflate_and_write(writer, Z_SYNC_FLUSH, error))
		return -1;
	writer->next_sequence++;
	writer->records_written++;
	return 0;
}

int audit_commit(struct audit_writer *writer, struct error *error)
{
	if (writer->member_open) {
		if (deflate_and_write(writer, Z_FINISH, error))
			return -1;
		writer->member_open = false;
	}
	if (!writer->unsynced)
		return 0;
	if (writer->write_failed)
		return error_set(error,
		                 "audit trail '%s' takes no more records after a failed write",
		                 writer->path);
	if (fdatasync(writer->fd) != 0) {
		int cause = errno;
		file_storage_note(writer->path, cause);
		writer->write_failed = true;
		return error_set(error, "cannot sync audit trail '%s': %s", writer->path,
		                 strerror(cause));
	}
	writer->unsynced = false;
	writer->commits++;
	return 0;
}

/* What reopening an existing trail learns: the last record and the complete
 * records of a truncated last member. */
struct recovery {
	struct strbuf last_line;
	struct strbuf member_lines; /* lines of the member being read, newline-terminated */
	uint64_t lines;
	bool have_first;
	char first_job_id[64];
	/* as they stood at the end of the last complete member (its CRC checked) */
	struct strbuf complete_last_line;
	uint64_t complete_lines;
};

/* Notes the job id of the file's first record (its start record). */
static void note_first_line(struct recovery *recovery, const char *line, size_t length)
{
	json_t *first = json_loadb(line, length, 0, NULL);
	const char *job = json_string_value(json_object_get(first, "job_id"));
	snprintf(recovery->first_job_id, sizeof(recovery->first_job_id), "%s", job ? job : "");
	json_decref(first);
	recovery->have_first = true;
}

static int read_first_line(void *context, const char *line, size_t length, uint64_t member_offset,
                           struct error *error)
{
	(void)member_offset;
	(void)error;
	note_first_line(context, line, length);
	return 1;
}

static int recover_line(void *context, const char *line, size_t length, uint64_t member_offset,
                        struct error *error)
{
	(void)member_offset;
	struct recovery *recovery = context;
	if (recovery->lines++ == 0 && !recovery->have_first)
		note_first_line(recovery, line, length);
	strbuf_reset(&recovery->last_line);
	if (strbuf_append(&recovery->last_line, line, length) ||
	    strbuf_append(&recovery->member_lines, line, length) ||
	    strbuf_append_char(&recovery->member_lines, '\n'))
		return error_set(error, "out of memory reading the audit trail");
	return 0;
}

static void recover_member_end(void *context, uint64_t member_offset, uint64_t end_offset)
{
	(void)member_offset;
	(void)end_offset;
	struct recovery *recovery = context;
	strbuf_reset(&recovery->member_lines);
	strbuf_reset(&recovery->complete_last_line);
	/* cannot fail: both buffers have the same cap */
	(void)strbuf_append(&recovery->complete_last_line, recovery->last_line.data,
	                    recovery->last_line.length);
	recovery->complete_lines = recovery->lines;
}

/* True when line is the audit record that follows the one hashed to prev
 * (its "prev" is that hash; its seq the next one when *sequence >= 0). */
static bool chains_on(const char *line, size_t length, const char *prev, int64_t *sequence)
{
	json_t *record = json_loadb(line, length, 0, NULL);
	json_t *number = json_object_get(record, "seq");
	const char *link = json_string_value(json_object_get(record, "prev"));
	bool chained = json_is_integer(number) && link && strcmp(link, prev) == 0 &&
	               json_is_string(json_object_get(record, "kind")) &&
	               (*sequence < 0 || json_integer_value(number) == *sequence + 1);
	if (chained)
		*sequence = (int64_t)json_integer_value(number);
	json_decref(record);
	return chained;
}

/* The lines of an unfinished member were inflated without its CRC: after a
 * power cut, a write lost or torn in the middle of it leaves bytes that may
 * still inflate into lines. Keeps only the prefix that chains on from the
 * last complete member (or the genesis), so garbage never becomes a record
 * the rest of the trail is chained to. */
static void keep_chained_lines(struct recovery *recovery, const char *job_id)
{
	if (!recovery->member_lines.length)
		return; /* nothing inflated from it: nothing to doubt */
	char prev[AUDIT_HASH_HEX];
	int64_t sequence = -1;
	if (recovery->complete_lines) {
		audit_sha256_hex(recovery->complete_last_line.data,
		                 recovery->complete_last_line.length, prev);
		json_t *last = json_loadb(recovery->complete_last_line.data,
		                          recovery->complete_last_line.length, 0, NULL);
		json_t *number = json_object_get(last, "seq");
		if (json_is_integer(number))
			sequence = (int64_t)json_integer_value(number);
		json_decref(last);
	} else {
		/* the file's first record: chained to the genesis of the job it
		 * names (another job's trail is refused below, not dropped here) */
		json_t *first = json_loadb(recovery->member_lines.data,
		                           strcspn(recovery->member_lines.data, "\n"), 0, NULL);
		const char *named = json_string_value(json_object_get(first, "job_id"));
		audit_genesis(named ? named : job_id, prev);
		json_decref(first);
	}
	struct strbuf *lines = &recovery->member_lines;
	size_t kept = 0, kept_lines = 0, last_start = 0;
	while (kept < lines->length) {
		const char *line = lines->data + kept;
		const char *newline = memchr(line, '\n', lines->length - kept);
		size_t length = newline ? (size_t)(newline - line) : lines->length - kept;
		if (!chains_on(line, length, prev, &sequence))
			break;
		audit_sha256_hex(line, length, prev);
		last_start = kept;
		kept += length + 1;
		kept_lines++;
	}
	if (kept < lines->length)
		fprintf(
		    stderr,
		    "lattigo-batch: warning: audit trail: %llu record(s) of the unfinished last "
		    "member do not chain on (lost or torn writes); dropping them\n",
		    (unsigned long long)(recovery->lines - recovery->complete_lines - kept_lines));
	lines->length = kept;
	if (lines->data)
		lines->data[kept] = '\0';
	recovery->lines = recovery->complete_lines + kept_lines;
	strbuf_reset(&recovery->last_line);
	if (kept_lines)
		(void)strbuf_append(&recovery->last_line, lines->data + last_start,
		                    kept - 1 - last_start);
	else
		(void)strbuf_append(&recovery->last_line, recovery->complete_last_line.data,
		                    recovery->complete_last_line.length);
	if (!recovery->complete_lines) {
		/* the first record of the file was in that member */
		recovery->have_first = false;
		recovery->first_job_id[0] = '\0';
		if (kept_lines)
			note_first_line(recovery, lines->data, strcspn(lines->data, "\n"));
	}
}

/* Continues an existing trail: cuts a truncated last member, rewrites its
 * complete records as a proper member, and takes the chain from the last one.
 * A long trail is read from its last complete member on (found within the
 * last TAIL_WINDOW bytes), so a resume does not inflate the whole history;
 * checking all of it is `audit verify`'s job. */
static int continue_trail(struct audit_writer *writer, struct error *error)
{
	int status = -1;
	struct recovery recovery = {0};
	strbuf_init(&recovery.last_line, AUDIT_MAX_RECORD);
	strbuf_init(&recovery.member_lines, (size_t)1 << 30);
	strbuf_init(&recovery.complete_last_line, AUDIT_MAX_RECORD);
	struct member_visitor visitor = {
	    .context = &recovery, .line = recover_line, .member_end = recover_member_end};
	struct member_result result;
	uint64_t tail_start = 0;
	struct stat info;
	if (fstat(writer->fd, &info) == 0 && (uint64_t)info.st_size > TAIL_WINDOW &&
	    audit_find_last_member(writer->path, TAIL_WINDOW, &tail_start) == 0) {
		struct member_visitor first = {.context = &recovery, .line = read_first_line};
		if (audit_read_members(writer->path, &first, &result, error))
			goto out;
	} else {
		tail_start = 0;
	}
	if (audit_read_members_from(writer->path, tail_start, &visitor, &result, error))
		goto out;
	if (result.damaged && result.damage_followed) {
		error_set(error,
		          "audit trail '%s' is damaged at byte offset %llu (%s) and complete "
		          "members follow; move it aside to continue the job",
		          writer->path, (unsigned long long)result.damage_offset, result.problem);
		goto out;
	}
	bool unfinished =
	    result.truncated || result.damaged || result.complete_end < result.file_bytes;
	if (unfinished)
		keep_chained_lines(&recovery, writer->job_id);
	if (recovery.lines && strcmp(recovery.first_job_id, writer->job_id) != 0) {
		error_set(error, "audit trail '%s' belongs to another job (%s)", writer->path,
		          recovery.first_job_id);
		goto out;
	}
	if (unfinished) {
		fprintf(stderr,
		        "lattigo-batch: warning: audit trail '%s': the last gzip member (byte "
		        "offset %llu) is incomplete (%s); rewriting its complete records\n",
		        writer->path, (unsigned long long)result.complete_end, result.problem);
		if (ftruncate(writer->fd, (off_t)result.complete_end) != 0) {
			file_storage_note(writer->path, errno);
			error_set(error, "cannot truncate audit trail '%s': %s", writer->path,
			          strerror(errno));
			goto out;
		}
		writer->file_length = result.complete_end;
		writer->unsynced = true;
		if (recovery.member_lines.length) {
			deflateReset(&writer->stream);
			writer->member_open = true;
			writer->stream.next_in = (unsigned char *)recovery.member_lines.data;
			writer->stream.avail_in = (uInt)recovery.member_lines.length;
			if (deflate_and_write(writer, Z_SYNC_FLUSH, error))
				goto out;
		}
	}
	if (recovery.lines == 0) {
		audit_genesis(writer->job_id, writer->prev);
		writer->next_sequence = 0;
		status = 0;
		goto out;
	}
	/* a trail written before records carried counts is counted once */
	if (!audit_counts_of_record(recovery.last_line.data, recovery.last_line.length,
	                            &writer->counts) &&
	    audit_count_exchanges(writer->path, &writer->counts, error))
		goto out;
	json_t *last = json_loadb(recovery.last_line.data, recovery.last_line.length, 0, NULL);
	json_t *sequence = json_object_get(last, "seq");
	writer->next_sequence =
	    json_is_integer(sequence) ? (uint64_t)json_integer_value(sequence) + 1 : recovery.lines;
	json_decref(last);
	audit_sha256_hex(recovery.last_line.data, recovery.last_line.length, writer->prev);
	status = 0;
out:
	strbuf_release(&recovery.last_line);
	strbuf_release(&recovery.member_lines);
	strbuf_release(&recovery.complete_last_line);
	return status;
}

static void writer_free(struct audit_writer *writer)
{
	if (!writer)
		return;
	if (writer->fd >= 0)
		close(writer->fd);
	if (writer->stream_ready)
		deflateEnd(&writer->stream);
	redactor_release(&writer->redactor);
	strbuf_release(&writer->line);
	free(writer->out);
	free(writer);
}

struct audit_writer *audit_open(const char *path, const char *job_id, const char *operation,
                                const struct audit_secrets *secrets, struct error *error)
{
	struct audit_writer *writer = calloc(1, sizeof(*writer));
	if (!writer) {
		error_set(error, "out of memory");
		return NULL;
	}
	writer->fd = -1;
	snprintf(writer->path, sizeof(writer->path), "%s", path);
	snprintf(writer->job_id, sizeof(writer->job_id), "%s", job_id ? job_id : "");
	snprintf(writer->operation, sizeof(writer->operation), "%s", operation ? operation : "");
	strbuf_init(&writer->line, AUDIT_MAX_RECORD);
	writer->out = malloc(OUT_CHUNK);
	if (!writer->out || redactor_init(&writer->redactor, secrets) ||
	    deflateInit2(&writer->stream, AUDIT_COMPRESSION_LEVEL, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK) {
		error_set(error, "out of memory");
		goto fail;
	}
	writer->stream_ready = true;
	struct stat info;
	bool existing = stat(path, &info) == 0 && info.st_size > 0;
	writer->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (writer->fd < 0) {
		file_storage_note(path, errno);
		error_set(error, "cannot open audit trail '%s': %s", path, strerror(errno));
		goto fail;
	}
	writer->file_length = existing ? (uint64_t)info.st_size : 0;
	if (existing) {
		if (continue_trail(writer, error))
			goto fail;
	} else {
		audit_genesis(writer->job_id, writer->prev);
	}
	strbuf_reset(&writer->line);
	const char *kind = writer->next_sequence == 0 ? "start" : "resume";
	if (audit_format_marker(kind, writer->next_sequence, writer->prev, writer->job_id,
	                        writer->operation, clock_wall_ms(), &writer->counts,
	                        &writer->line) ||
	    append_line(writer, error) || audit_commit(writer, error))
		goto fail;
	if (!existing) {
		/* the new file's directory entry must survive a crash too */
		file_sync_directory_of(path);
	}
	return writer;
fail:
	writer_free(writer);
	return NULL;
}

int audit_record_exchange(struct audit_writer *writer, const struct exchange *exchange,
                          struct error *error)
{
	strbuf_reset(&writer->line);
	struct audit_counts counts = writer->counts;
	audit_counts_add(&counts, exchange->attempt, exchange->http_status);
	if (audit_format_exchange(exchange, writer->next_sequence, writer->prev, &counts,
	                          &writer->redactor, &writer->line))
		return error_set(error, "cannot format audit record %llu",
		                 (unsigned long long)writer->next_sequence);
	if (append_line(writer, error))
		return -1;
	writer->counts = counts;
	return 0;
}

void audit_job_counts(const struct audit_writer *writer, struct audit_counts *counts)
{
	*counts = writer->counts;
}

uint64_t audit_records_written(const struct audit_writer *writer)
{
	return writer->records_written;
}

int audit_close(struct audit_writer *writer, struct error *error)
{
	if (!writer)
		return 0;
	int status = audit_commit(writer, error);
	writer_free(writer);
	return status;
}
