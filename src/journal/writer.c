/* Appending to the journal with group commit. Records are gathered in memory
 * and handed to the kernel with one write at every call start (the engine
 * starts the next call right after handling an answer, so a killed process
 * loses at most the outcomes of the answer being handled), at every commit
 * and periodic tick, and past 64 KiB; they are made durable with one
 * fdatasync per group, before each non-idempotent call, and at the end.
 * The writer also keeps the settled state (which rows are final or sent)
 * so that, once the segment is big enough, a commit can compact: a fresh
 * segment starting with a snapshot of that state replaces the file. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/file_io.h"
#include "frame.h"
#include "header.h"
#include "keys.h"
#include "reader.h"
#include "replay.h"
#include "snapshot.h"

#define WRITE_THRESHOLD (64u * 1024u) /* gathered bytes that are written at once */
/* Positions of the latest outcomes, slot = row % RECENT_POSITIONS, so a
 * snapshot can say where the manifest may be sought (192 KB). */
#define RECENT_POSITIONS 8192u

struct journal {
	int fd;
	char path[4096];
	struct journal_header header;
	struct journal_options options;
	uint32_t job_tag;
	struct strbuf payload;
	struct strbuf unwritten; /* framed records not yet handed to the kernel */
	uint64_t file_length;    /* bytes of complete records in the file */
	bool write_failed;       /* a write failed: the file was cut back, nothing more goes in */
	unsigned unsynced;       /* records made since the last commit */
	int64_t oldest_unsynced_ms; /* monotonic time of the first of them */
	struct journal_counters counters;
	char directory[4096];
	struct journal_replay state; /* rows final and sent so far, counts: the next snapshot */
	struct manifest_position *recent;
	uint64_t generation;       /* of the current segment */
	uint64_t compact_at_bytes; /* segment length that triggers the next compaction */
	struct keys_writer keys;   /* OUT/duplicate-keys, once journal_keys_start ran */
};

static struct journal *journal_new(const char *directory, const char *path,
                                   const struct journal_options *options)
{
	struct journal *journal = calloc(1, sizeof(*journal));
	if (!journal)
		return NULL;
	journal->recent = calloc(RECENT_POSITIONS, sizeof(*journal->recent));
	if (!journal->recent) {
		free(journal);
		return NULL;
	}
	journal->fd = -1;
	keys_writer_init(&journal->keys);
	snprintf(journal->path, sizeof(journal->path), "%s", path);
	snprintf(journal->directory, sizeof(journal->directory), "%s", directory);
	if (options)
		journal->options = *options;
	if (!journal->options.group_records)
		journal->options.group_records = 1024;
	if (journal->options.group_interval_ms <= 0)
		journal->options.group_interval_ms = 100;
	if (!journal->options.segment_bytes)
		journal->options.segment_bytes = JOURNAL_DEFAULT_SEGMENT_BYTES;
	journal->compact_at_bytes = journal->options.segment_bytes;
	strbuf_init(&journal->payload, FRAME_MAX_PAYLOAD);
	strbuf_init(&journal->unwritten, FRAME_MAX_PAYLOAD + FRAME_OVERHEAD + WRITE_THRESHOLD);
	return journal;
}

static void journal_free(struct journal *journal)
{
	if (!journal)
		return;
	if (journal->fd >= 0)
		close(journal->fd);
	journal_header_release(&journal->header);
	journal_replay_release(&journal->state);
	keys_writer_release(&journal->keys);
	free(journal->recent);
	strbuf_release(&journal->payload);
	strbuf_release(&journal->unwritten);
	free(journal);
}

/* Hands the gathered records to the kernel. A failed write (disk full) is
 * cut back to the last complete record, so the file never holds half a
 * record followed by whole ones, and the journal takes nothing more.
 * Returns 0 or -1. */
static int write_gathered(struct journal *journal, struct error *error)
{
	if (journal->write_failed)
		return error_set(error,
		                 "checkpoint '%s' takes no more records after a failed write",
		                 journal->path);
	if (journal->unwritten.length == 0)
		return 0;
	if (file_write_all(journal->fd, journal->unwritten.data, journal->unwritten.length)) {
		int cause = errno;
		file_storage_note(journal->path, cause);
		journal->write_failed = true;
		if (ftruncate(journal->fd, (off_t)journal->file_length) != 0) {
			/* the torn tail is then dropped by the next resume */
		}
		return error_set(error, "cannot write checkpoint '%s': %s", journal->path,
		                 strerror(cause));
	}
	journal->file_length += journal->unwritten.length;
	strbuf_reset(&journal->unwritten);
	return 0;
}

/* Frames the payload buffer as one record and gathers it. Returns 0 or -1. */
static int add_record(struct journal *journal, enum frame_type type, struct error *error)
{
	size_t before = journal->unwritten.length;
	if (frame_encode(&journal->unwritten, type, journal->job_tag, journal->payload.data,
	                 journal->payload.length)) {
		journal->unwritten.length = before;
		return error_set(error, "checkpoint record too big (%zu bytes)",
		                 journal->payload.length);
	}
	if (journal->unsynced++ == 0)
		journal->oldest_unsynced_ms = clock_monotonic_ms();
	journal->counters.records++;
	journal->counters.bytes += journal->unwritten.length - before;
	return journal->unwritten.length >= WRITE_THRESHOLD ? write_gathered(journal, error) : 0;
}

static int join_name(const struct journal *journal, const char *name, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", journal->directory, name);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* Fails a compaction step on path: a full or failing disk stops the job
 * like any other write of the job directory. Returns -1. */
static int compaction_failed(struct journal *journal, const char *what, const char *path,
                             struct error *error)
{
	int cause = errno;
	file_storage_note(path, cause);
	(void)journal;
	return error_set(error, "cannot %s '%s' (checkpoint compaction): %s", what, path,
	                 strerror(cause));
}

/* Writes the first bytes of a segment of generation (magic, header,
 * snapshot of the current state) into out. Returns 0, or -1 when the
 * snapshot does not fit a record. */
static int segment_start(struct journal *journal, uint64_t generation, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_reset(&journal->payload);
	if (strbuf_append(out, JOURNAL_SEGMENT_MAGIC, JOURNAL_MAGIC_LENGTH) != STRBUF_OK ||
	    header_encode(&journal->header, &journal->payload) ||
	    frame_encode(out, FRAME_HEADER, journal->job_tag, journal->payload.data,
	                 journal->payload.length))
		return -1;
	uint64_t prefix = replay_final_prefix(&journal->state);
	const struct manifest_position *recent = &journal->recent[prefix % RECENT_POSITIONS];
	journal->state.resume_from_known = prefix > 0 && recent->row == prefix;
	if (journal->state.resume_from_known)
		journal->state.resume_from = *recent;
	strbuf_reset(&journal->payload);
	if (snapshot_encode(&journal->state, generation, prefix,
	                    replay_highest_row(&journal->state, false), &journal->payload) ||
	    frame_encode(out, FRAME_SNAPSHOT, journal->job_tag, journal->payload.data,
	                 journal->payload.length))
		return -1;
	return 0;
}

/* Compaction, as a database checkpoints its write-ahead log. Everything
 * recorded is already durable (this runs right after a commit). In order:
 *   1. before_snapshot: the outcome store is synced (it keeps the outcomes
 *      of the rows the snapshot holds final);
 *   2. checkpoint.new = magic, header, snapshot; fsync;
 *   3. the current segment is kept as checkpoint.prev (a hard link; an older
 *      one is removed first): the fallback when this snapshot is damaged;
 *   4. rename checkpoint.new over checkpoint; fsync of the directory.
 * A crash anywhere leaves checkpoint whole, old or new (rename is atomic);
 * a leftover checkpoint.new is removed by the next resume. Returns 0 or -1. */
static int compact(struct journal *journal, struct error *error)
{
	char next[4096], previous[4096];
	if (join_name(journal, JOURNAL_NEXT_NAME, next, sizeof(next)) ||
	    join_name(journal, JOURNAL_PREVIOUS_NAME, previous, sizeof(previous)))
		return 0; /* a path that does not fit: keep the segment as it is */
	if (journal->options.before_snapshot &&
	    journal->options.before_snapshot(journal->options.commit_context, error))
		return -1;
	/* the keys the snapshot vouches for are on disk before it is published;
	 * without a keys file being written (not started yet, or failed) the
	 * snapshot vouches for none: an older mark with this snapshot's seek
	 * point would skip rows whose keys the file lacks */
	if (keys_writer_sync(&journal->keys, &journal->state.keys, error))
		return -1;
	struct strbuf start;
	strbuf_init(&start, FRAME_MAX_PAYLOAD + 4096);
	if (segment_start(journal, journal->generation + 1, &start)) {
		/* a state too scattered for one record: try again at twice the size */
		strbuf_release(&start);
		journal->compact_at_bytes = journal->file_length * 2;
		return 0;
	}
	int fd = -1;
	if (unlink(next) != 0 && errno != ENOENT)
		goto fail_next;
	fd = open(next, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || file_write_all(fd, start.data, start.length) || fsync(fd) != 0)
		goto fail_next;
	close(fd);
	fd = -1;
	if (unlink(previous) != 0 && errno != ENOENT) {
		compaction_failed(journal, "remove", previous, error);
		goto fail;
	}
	/* without hard links (some file systems) there is no fallback segment */
	if (link(journal->path, previous) != 0 && errno != EPERM && errno != ENOTSUP) {
		compaction_failed(journal, "link", previous, error);
		goto fail;
	}
	if (rename(next, journal->path) != 0) {
		compaction_failed(journal, "rename", next, error);
		goto fail;
	}
	if (file_sync_directory_of(journal->path) != 0) {
		compaction_failed(journal, "sync the directory of", journal->path, error);
		journal->write_failed = true;
		strbuf_release(&start);
		return -1;
	}
	/* reopened by name: the old descriptor still points to checkpoint.prev */
	close(journal->fd);
	journal->fd = open(journal->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (journal->fd < 0) {
		compaction_failed(journal, "open", journal->path, error);
		journal->write_failed = true;
		strbuf_release(&start);
		return -1;
	}
	journal->generation++;
	journal->file_length = start.length;
	journal->compact_at_bytes = journal->options.segment_bytes;
	if (journal->compact_at_bytes < start.length * 2)
		journal->compact_at_bytes =
		    start.length * 2; /* a big snapshot: compact less often */
	journal->counters.compactions++;
	journal->counters.fsyncs += 2;
	journal->counters.bytes += start.length;
	strbuf_release(&start);
	return 0;
fail_next:
	compaction_failed(journal, "write", next, error);
	if (fd >= 0)
		close(fd);
fail:
	unlink(next);
	strbuf_release(&start);
	return -1;
}

int journal_commit(struct journal *journal, struct error *error)
{
	if (write_gathered(journal, error))
		return -1;
	if (journal->options.before_commit &&
	    journal->options.before_commit(journal->options.commit_context, error))
		return -1;
	if (journal->unsynced == 0)
		return 0;
	if (fdatasync(journal->fd) != 0) {
		/* after a failed sync the kernel may have dropped the dirty pages:
		 * nothing written since the last commit can be trusted, so nothing
		 * more goes in (the resume reads back what is really there) */
		int cause = errno;
		file_storage_note(journal->path, cause);
		journal->write_failed = true;
		return error_set(error, "cannot sync checkpoint '%s': %s", journal->path,
		                 strerror(cause));
	}
	journal->unsynced = 0;
	journal->counters.commits++;
	journal->counters.fsyncs++;
	if (journal->file_length >= journal->compact_at_bytes && !journal->state.job_finished)
		return compact(journal, error);
	return 0;
}

static bool commit_due(const struct journal *journal)
{
	return journal->unsynced >= journal->options.group_records ||
	       (journal->unsynced > 0 && clock_monotonic_ms() - journal->oldest_unsynced_ms >=
	                                     journal->options.group_interval_ms);
}

/* After each record: commits when the group is due. */
static int commit_when_due(struct journal *journal, struct error *error)
{
	return commit_due(journal) ? journal_commit(journal, error) : 0;
}

int journal_commit_if_due(struct journal *journal, struct error *error)
{
	/* a periodic tick: whatever is gathered goes to the kernel in any case */
	return commit_due(journal) ? journal_commit(journal, error)
	                           : write_gathered(journal, error);
}

static uint64_t random_job_id(void)
{
	uint64_t value = 0;
	if (getrandom(&value, sizeof(value), 0) != (ssize_t)sizeof(value))
		value = (uint64_t)clock_wall_ms() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	/* tag 0 would make an all-zero region look like this job's frames */
	if (frame_job_tag(value) == 0)
		value |= 1;
	return value;
}

struct journal *journal_create(const char *directory, struct journal_header *header,
                               const struct journal_options *options, struct error *error)
{
	char path[4096];
	char creating[4096];
	struct journal *journal = NULL;
	bool created = false;
	if (journal_path(directory, path, sizeof(path))) {
		error_set(error, "job directory name '%s' is too long", directory);
		goto fail;
	}
	journal = journal_new(directory, path, options);
	if (!journal) {
		error_set(error, "out of memory");
		goto fail;
	}
	header->format_version = JOURNAL_FORMAT_VERSION;
	header->job_id = random_job_id();
	header->created_at_ms = clock_wall_ms();
	journal->job_tag = frame_job_tag(header->job_id);
	journal->header = *header;
	journal->header.options_json = strdup(header->options_json ? header->options_json : "{}");
	if (!journal->header.options_json || header_encode(header, &journal->payload)) {
		error_set(error,
		          "cannot encode the checkpoint header (options must be a JSON object)");
		goto fail;
	}
	if (snprintf(creating, sizeof(creating), "%s/%s", directory, JOURNAL_CREATING_NAME) >=
	    (int)sizeof(creating)) {
		error_set(error, "job directory name '%s' is too long", directory);
		goto fail;
	}
	/* O_TRUNC: what a creation cut short left here never took the name */
	journal->fd = open(creating, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (journal->fd < 0) {
		file_storage_note(creating, errno);
		error_set(error, "cannot create checkpoint '%s': %s", creating, strerror(errno));
		goto fail;
	}
	created = true;
	if (file_write_all(journal->fd, JOURNAL_MAGIC, JOURNAL_MAGIC_LENGTH)) {
		file_storage_note(creating, errno);
		error_set(error, "cannot write checkpoint '%s': %s", creating, strerror(errno));
		goto fail;
	}
	journal->counters.bytes += JOURNAL_MAGIC_LENGTH;
	journal->file_length = JOURNAL_MAGIC_LENGTH;
	if (add_record(journal, FRAME_HEADER, error) || write_gathered(journal, error))
		goto fail;
	if (fsync(journal->fd) != 0) {
		file_storage_note(creating, errno);
		error_set(error, "cannot sync checkpoint '%s': %s", creating, strerror(errno));
		goto fail;
	}
	/* link, not rename: like O_EXCL, it never replaces a checkpoint already there */
	if (link(creating, path) != 0) {
		file_storage_note(path, errno);
		error_set(error, "cannot create checkpoint '%s': %s", path, strerror(errno));
		goto fail;
	}
	unlink(creating);
	created = false;
	/* appends go through the checkpoint's own name from here on, so that
	 * whatever follows the file by name (the crash tests' recorder) sees them */
	close(journal->fd);
	journal->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (journal->fd < 0) {
		file_storage_note(path, errno);
		error_set(error, "cannot open checkpoint '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (file_sync_directory_of(path) != 0) {
		file_storage_note(path, errno);
		error_set(error, "cannot sync checkpoint '%s': %s", path, strerror(errno));
		goto fail;
	}
	journal->unsynced = 0;
	journal->counters.fsyncs++;
	journal->counters.commits++;
	return journal;
fail:
	/* a checkpoint still being created holds no rows: leave nothing a next
	 * run could take for a job */
	if (created)
		unlink(creating);
	journal_free(journal);
	return NULL;
}

struct journal *journal_resume(const char *directory, const struct journal_options *options,
                               const struct journal_visitor *visitor, struct journal_header *header,
                               struct journal_replay *replay, struct error *error)
{
	char path[4096];
	struct journal *journal = NULL;
	struct journal_read_result result;
	memset(&result, 0, sizeof(result));
	memset(replay, 0, sizeof(*replay));
	memset(header, 0, sizeof(*header));
	if (journal_path(directory, path, sizeof(path))) {
		error_set(error, "job directory name '%s' is too long", directory);
		goto fail;
	}
	if (replay_directory(directory, visitor, &result, replay, true, error))
		goto fail;
	journal = journal_new(directory, path, options);
	if (!journal || replay_copy(&journal->state, replay)) {
		error_set(error, "out of memory");
		goto fail;
	}
	journal->generation = result.used_fallback ? replay->generation + 1 : result.generation;
	replay->generation = journal->generation;
	/* a compaction interrupted before its rename: the old segment is whole */
	char next[4096];
	if (join_name(journal, JOURNAL_NEXT_NAME, next, sizeof(next)) == 0)
		unlink(next);
	journal->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (journal->fd < 0) {
		error_set(error, "cannot open checkpoint '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (result.tail_torn) {
		/* the bytes after the last valid record were never durable: a crash
		 * interrupted their write; cut them so new records follow valid ones */
		fprintf(stderr,
		        "lattigo-batch: warning: checkpoint '%s': dropping %" PRIu64
		        " bytes of an incomplete record at its end (byte offset %" PRIu64 ")\n",
		        path, result.file_bytes - result.valid_bytes, result.valid_bytes);
		if (ftruncate(journal->fd, (off_t)result.valid_bytes) != 0 ||
		    fsync(journal->fd) != 0) {
			file_storage_note(path, errno);
			error_set(error, "cannot truncate checkpoint '%s': %s", path,
			          strerror(errno));
			goto fail;
		}
		journal->counters.fsyncs++;
	}
	journal->file_length = result.valid_bytes;
	journal->job_tag = frame_job_tag(result.header.job_id);
	journal->header = result.header;
	*header = result.header;
	header->options_json = strdup(result.header.options_json);
	result.header.options_json = NULL;
	if (!header->options_json) {
		error_set(error, "out of memory");
		goto fail;
	}
	/* the snapshot was damaged: a fresh segment with a whole one, before
	 * anything is appended after the damage */
	if (result.used_fallback && compact(journal, error))
		goto fail;
	return journal;
fail:
	journal_header_release(&result.header);
	journal_replay_release(replay);
	journal_free(journal);
	return NULL;
}

int journal_call_started(struct journal *journal, uint64_t call_id, unsigned attempt,
                         const struct record *const *records, size_t count, bool durable,
                         struct error *error)
{
	struct strbuf *payload = &journal->payload;
	strbuf_reset(payload);
	if (count > UINT32_MAX)
		return error_set(error, "too many rows in one call");
	frame_put_u64(payload, call_id);
	frame_put_u32(payload, attempt);
	frame_put_u64(payload, (uint64_t)clock_wall_ms());
	frame_put_u32(payload, (uint32_t)count);
	for (size_t index = 0; index < count; index++) {
		frame_put_u64(payload, records[index]->row);
		frame_put_u64(payload, records[index]->offset);
		frame_put_u64(payload, records[index]->line);
		if (replay_note_sent(&journal->state, records[index]->row, error))
			return -1;
	}
	journal->state.calls++;
	if (attempt > 1)
		journal->state.retries++;
	if (call_id > journal->state.highest_call_id)
		journal->state.highest_call_id = call_id;
	if (add_record(journal, FRAME_CALL_STARTED, error) || write_gathered(journal, error))
		return -1;
	return durable ? journal_commit(journal, error) : commit_when_due(journal, error);
}

int journal_row_outcome(struct journal *journal, const struct manifest_position *position,
                        const struct row_outcome *outcome, struct error *error)
{
	if (position->row == 0 || position->row > JOURNAL_MAX_ROWS)
		return error_set(error, "row %" PRIu64 " is out of range for the checkpoint",
		                 position->row);
	if (!row_status_is_final(outcome->status))
		return error_set(error, "row %" PRIu64 " has no final status to record",
		                 position->row);
	struct strbuf *payload = &journal->payload;
	strbuf_reset(payload);
	size_t message_length = strnlen(outcome->message, sizeof(outcome->message) - 1);
	frame_put_u64(payload, position->row);
	frame_put_u64(payload, position->offset);
	frame_put_u64(payload, position->line);
	frame_put_u8(payload, (uint8_t)outcome->status);
	frame_put_u32(payload, (uint32_t)outcome->http_status);
	frame_put_u32(payload, outcome->attempts);
	frame_put_u64(payload, (uint64_t)outcome->finished_at_ms);
	frame_put_u16(payload, (uint16_t)message_length);
	strbuf_append(payload, outcome->message, message_length);
	if (add_record(journal, FRAME_ROW_OUTCOME, error) ||
	    replay_note_outcome(&journal->state, position->row, outcome->status, error))
		return -1;
	journal->recent[position->row % RECENT_POSITIONS] = *position;
	return commit_when_due(journal, error);
}

int journal_row_finished(struct journal *journal, const struct record *record,
                         const struct row_outcome *outcome, struct error *error)
{
	struct manifest_position position = {
	    .offset = record->offset, .row = record->row, .line = record->line};
	return journal_row_outcome(journal, &position, outcome, error);
}

int journal_row_total(struct journal *journal, uint64_t rows, struct error *error)
{
	strbuf_reset(&journal->payload);
	frame_put_u64(&journal->payload, rows);
	if (add_record(journal, FRAME_ROW_TOTAL, error) || write_gathered(journal, error))
		return -1;
	journal->state.row_total = rows;
	return commit_when_due(journal, error);
}

int journal_job_finished(struct journal *journal, struct error *error)
{
	strbuf_reset(&journal->payload);
	frame_put_u64(&journal->payload, (uint64_t)clock_wall_ms());
	if (add_record(journal, FRAME_JOB_FINISHED, error))
		return -1;
	journal->state.job_finished = true;
	return journal_commit(journal, error);
}

int journal_keys_start(struct journal *journal, uint64_t seed, uint32_t scheme,
                       const struct journal_keys_mark *mark, struct error *error)
{
	if (mark && !mark->known)
		mark = NULL;
	/* the mark a snapshot keeps is the one of the latest sync, never an older one */
	memset(&journal->state.keys, 0, sizeof(journal->state.keys));
	return keys_writer_start(&journal->keys, journal->directory, journal->job_tag, seed, scheme,
	                         mark, error);
}

int journal_keys_claim(struct journal *journal, uint64_t manifest_row, uint64_t shown_row,
                       const uint64_t *fingerprints, size_t count, struct error *error)
{
	return keys_writer_claim(&journal->keys, manifest_row, shown_row, fingerprints, count,
	                         error);
}

const struct journal_header *journal_get_header(const struct journal *journal)
{
	return &journal->header;
}

void journal_get_counters(const struct journal *journal, struct journal_counters *counters)
{
	*counters = journal->counters;
}

int journal_close(struct journal *journal, struct error *error)
{
	if (!journal)
		return 0;
	int status = journal_commit(journal, error);
	journal_free(journal);
	return status;
}
