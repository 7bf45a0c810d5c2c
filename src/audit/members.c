/* The audit file reader: inflates member after member (zlib checks each
 * member's CRC32 and length), splits the text into lines, and classifies an
 * early end as a truncated member and bad data as damage. */
#include "members.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "audit.h"
#include "common/strbuf.h"

#define CHUNK (64u * 1024u)

/* True when a whole, valid gzip member starts at offset. */
static bool member_complete_at(FILE *file, uint64_t offset, unsigned char *in, unsigned char *out)
{
	z_stream stream;
	memset(&stream, 0, sizeof(stream));
	if (inflateInit2(&stream, 15 + 16) != Z_OK)
		return false;
	bool complete = false;
	if (fseeko(file, (off_t)offset, SEEK_SET) == 0) {
		int status = Z_OK;
		while (status == Z_OK) {
			if (stream.avail_in == 0) {
				size_t count = fread(in, 1, CHUNK, file);
				if (count == 0)
					break;
				stream.next_in = in;
				stream.avail_in = (uInt)count;
			}
			stream.next_out = out;
			stream.avail_out = CHUNK;
			status = inflate(&stream, Z_NO_FLUSH);
			if (status == Z_BUF_ERROR && stream.avail_in == 0)
				status = Z_OK;
		}
		complete = status == Z_STREAM_END;
	}
	inflateEnd(&stream);
	return complete;
}

/* Searches for a gzip member header after offset that starts a complete member. */
static bool complete_member_after(FILE *file, uint64_t offset, uint64_t file_bytes,
                                  unsigned char *in, unsigned char *out)
{
	unsigned char probe[3];
	for (uint64_t candidate = offset + 1; candidate + 18 <= file_bytes; candidate++) {
		if (fseeko(file, (off_t)candidate, SEEK_SET) != 0 || fread(probe, 1, 3, file) != 3)
			return false;
		if (probe[0] == 0x1f && probe[1] == 0x8b && probe[2] == 8 &&
		    member_complete_at(file, candidate, in, out))
			return true;
	}
	return false;
}

/* Splits produced text into lines for the visitor. Returns 0, 1 (the visitor
 * has seen enough), -1 (stop with an error), -2 (line too long). */
static int feed_lines(struct strbuf *pending, const unsigned char *data, size_t length,
                      uint64_t member_offset, const struct member_visitor *visitor,
                      struct error *error)
{
	while (length > 0) {
		const unsigned char *newline = memchr(data, '\n', length);
		size_t part = newline ? (size_t)(newline - data) : length;
		if (strbuf_append(pending, data, part))
			return -2;
		if (!newline)
			return 0;
		int seen = visitor->line ? visitor->line(visitor->context, strbuf_text(pending),
		                                         pending->length, member_offset, error)
		                         : 0;
		strbuf_reset(pending);
		if (seen)
			return seen > 0 ? 1 : -1;
		data += part + 1;
		length -= part + 1;
	}
	return 0;
}

int audit_find_last_member(const char *path, uint64_t window, uint64_t *offset)
{
	int status = -1;
	unsigned char *in = malloc(CHUNK), *out = malloc(CHUNK), *tail = NULL;
	FILE *file = fopen(path, "rb");
	if (!file || !in || !out || fseeko(file, 0, SEEK_END) != 0)
		goto out;
	uint64_t size = (uint64_t)ftello(file);
	uint64_t start = size > window ? size - window : 0;
	size_t length = (size_t)(size - start);
	tail = malloc(length + 1);
	if (!tail || fseeko(file, (off_t)start, SEEK_SET) != 0 ||
	    fread(tail, 1, length, file) != length)
		goto out;
	/* the last member that inflates completely (CRC and length checked) is a
	 * real boundary: three magic bytes inside compressed data would not be */
	for (size_t position = length >= 3 ? length - 2 : 0; position-- > 0;) {
		if (tail[position] != 0x1f || tail[position + 1] != 0x8b || tail[position + 2] != 8)
			continue;
		if (member_complete_at(file, start + position, in, out)) {
			*offset = start + position;
			status = 0;
			break;
		}
	}
out:
	if (file)
		fclose(file);
	free(tail);
	free(in);
	free(out);
	return status;
}

int audit_read_members(const char *path, const struct member_visitor *visitor,
                       struct member_result *result, struct error *error)
{
	return audit_read_members_from(path, 0, visitor, result, error);
}

/* One pass over the members of an audit file, from a byte offset on. */
struct member_reader {
	const char *path;
	const struct member_visitor *visitor;
	struct member_result *result;
	struct error *error;
	FILE *file;
	unsigned char *in, *out;
	struct strbuf pending; /* the line being assembled */
	z_stream stream;
	bool stream_ready;
	bool in_member;
	uint64_t read_bytes;    /* file offset up to which input was read */
	uint64_t member_offset; /* where the member being inflated starts */
};

enum pass_end {
	PASS_FAILED = -1, /* error set */
	PASS_AT_END = 0,  /* the end of the file or damage: the result says which */
	PASS_STOPPED = 1, /* the visitor has seen enough */
};

static void mark_damaged(struct member_result *result, uint64_t offset, const char *problem)
{
	result->damaged = true;
	result->damage_offset = offset;
	snprintf(result->problem, sizeof(result->problem), "%s", problem);
}

/* Opens the file positioned at start, with an inflater ready. Returns 0, or -1 with error. */
static int reader_open(struct member_reader *reader, uint64_t start)
{
	const char *path = reader->path;
	reader->in = malloc(CHUNK);
	reader->out = malloc(CHUNK);
	strbuf_init(&reader->pending, AUDIT_MAX_RECORD);
	reader->file = fopen(path, "rb");
	if (!reader->file)
		return error_set(reader->error, "cannot open audit trail '%s': %s", path,
		                 strerror(errno));
	if (!reader->in || !reader->out || inflateInit2(&reader->stream, 15 + 16) != Z_OK)
		return error_set(reader->error, "out of memory reading audit trail '%s'", path);
	reader->stream_ready = true;
	fseeko(reader->file, 0, SEEK_END);
	reader->result->file_bytes = (uint64_t)ftello(reader->file);
	if (start > reader->result->file_bytes || fseeko(reader->file, (off_t)start, SEEK_SET) != 0)
		return error_set(reader->error, "cannot read audit trail '%s' at byte offset %llu",
		                 path, (unsigned long long)start);
	reader->read_bytes = reader->member_offset = start;
	reader->result->complete_end = start;
	return 0;
}

static void reader_close(struct member_reader *reader)
{
	if (reader->stream_ready)
		inflateEnd(&reader->stream);
	if (reader->file)
		fclose(reader->file);
	strbuf_release(&reader->pending);
	free(reader->in);
	free(reader->out);
}

/* Gives the inflater more input when it has none. Returns 1 when it has
 * input, 0 at the end of the file, -1 on a read error (error set). */
static int refill(struct member_reader *reader)
{
	z_stream *stream = &reader->stream;
	if (stream->avail_in > 0)
		return 1;
	size_t count = fread(reader->in, 1, CHUNK, reader->file);
	if (count == 0) {
		if (ferror(reader->file))
			return error_set(reader->error, "cannot read audit trail '%s': %s",
			                 reader->path, strerror(errno));
		return 0;
	}
	reader->read_bytes += count;
	stream->next_in = reader->in;
	stream->avail_in = (uInt)count;
	return 1;
}

/* Inflates member after member, handing their lines to the visitor, until
 * the end of the file, damage, an error or the visitor's stop. */
static enum pass_end read_members(struct member_reader *reader)
{
	z_stream *stream = &reader->stream;
	struct member_result *result = reader->result;
	for (;;) {
		int more = refill(reader);
		if (more <= 0)
			return more < 0 ? PASS_FAILED : PASS_AT_END;
		if (!reader->in_member) {
			reader->in_member = true;
			reader->member_offset = reader->read_bytes - stream->avail_in;
			inflateReset(stream);
		}
		stream->next_out = reader->out;
		stream->avail_out = CHUNK;
		int inflated = inflate(stream, Z_NO_FLUSH);
		int fed = feed_lines(&reader->pending, reader->out, CHUNK - stream->avail_out,
		                     reader->member_offset, reader->visitor, reader->error);
		if (fed == -1)
			return PASS_FAILED;
		if (fed == 1)
			return PASS_STOPPED;
		if (fed == -2) {
			char problem[64];
			snprintf(problem, sizeof(problem), "a record longer than %u bytes",
			         AUDIT_MAX_RECORD);
			mark_damaged(result, reader->member_offset, problem);
			return PASS_AT_END;
		}
		if (inflated == Z_STREAM_END) {
			reader->in_member = false;
			result->members++;
			result->complete_end = reader->member_offset + stream->total_in;
			if (reader->visitor->member_end)
				reader->visitor->member_end(reader->visitor->context,
				                            reader->member_offset,
				                            result->complete_end);
		} else if (inflated != Z_OK && inflated != Z_BUF_ERROR) {
			mark_damaged(result, reader->member_offset,
			             stream->msg ? stream->msg : "invalid compressed data");
			return PASS_AT_END;
		}
	}
}

int audit_read_members_from(const char *path, uint64_t start, const struct member_visitor *visitor,
                            struct member_result *result, struct error *error)
{
	memset(result, 0, sizeof(*result));
	struct member_reader reader;
	memset(&reader, 0, sizeof(reader));
	reader.path = path;
	reader.visitor = visitor;
	reader.result = result;
	reader.error = error;
	enum pass_end end = reader_open(&reader, start) < 0 ? PASS_FAILED : read_members(&reader);
	result->stopped = end == PASS_STOPPED;
	if (end == PASS_AT_END) {
		/* an end without damage inside a member: the file was cut short */
		if (!result->damaged && reader.in_member) {
			result->truncated = true;
			result->damage_offset = reader.member_offset;
			snprintf(result->problem, sizeof(result->problem),
			         "the file ends inside it");
		}
		result->partial_bytes = reader.pending.length;
		if (result->damaged)
			result->damage_followed =
			    complete_member_after(reader.file, result->damage_offset,
			                          result->file_bytes, reader.in, reader.out);
	}
	reader_close(&reader);
	return end == PASS_FAILED ? -1 : 0;
}
