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

int audit_read_members_from(const char *path, uint64_t start, const struct member_visitor *visitor,
                            struct member_result *result, struct error *error)
{
	int status = -1;
	memset(result, 0, sizeof(*result));
	unsigned char *in = malloc(CHUNK), *out = malloc(CHUNK);
	struct strbuf pending;
	strbuf_init(&pending, AUDIT_MAX_RECORD);
	z_stream stream;
	memset(&stream, 0, sizeof(stream));
	bool stream_ready = false;
	FILE *file = fopen(path, "rb");
	if (!file) {
		error_set(error, "cannot open audit trail '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!in || !out || inflateInit2(&stream, 15 + 16) != Z_OK) {
		error_set(error, "out of memory reading audit trail '%s'", path);
		goto out;
	}
	stream_ready = true;
	fseeko(file, 0, SEEK_END);
	result->file_bytes = (uint64_t)ftello(file);
	if (start > result->file_bytes || fseeko(file, (off_t)start, SEEK_SET) != 0) {
		error_set(error, "cannot read audit trail '%s' at byte offset %llu", path,
		          (unsigned long long)start);
		goto out;
	}
	uint64_t read_bytes = start, member_offset = start;
	result->complete_end = start;
	bool in_member = false;
	for (;;) {
		if (stream.avail_in == 0) {
			size_t count = fread(in, 1, CHUNK, file);
			if (count == 0) {
				if (ferror(file)) {
					error_set(error, "cannot read audit trail '%s': %s", path,
					          strerror(errno));
					goto out;
				}
				break;
			}
			read_bytes += count;
			stream.next_in = in;
			stream.avail_in = (uInt)count;
		}
		if (!in_member) {
			in_member = true;
			member_offset = read_bytes - stream.avail_in;
			inflateReset(&stream);
		}
		stream.next_out = out;
		stream.avail_out = CHUNK;
		int inflated = inflate(&stream, Z_NO_FLUSH);
		int fed = feed_lines(&pending, out, CHUNK - stream.avail_out, member_offset,
		                     visitor, error);
		if (fed == -1)
			goto out;
		if (fed == 1) {
			result->stopped = true;
			status = 0;
			goto out;
		}
		if (fed == -2) {
			result->damaged = true;
			result->damage_offset = member_offset;
			snprintf(result->problem, sizeof(result->problem),
			         "a record longer than %u bytes", AUDIT_MAX_RECORD);
			break;
		}
		if (inflated == Z_STREAM_END) {
			in_member = false;
			result->members++;
			result->complete_end = member_offset + stream.total_in;
			if (visitor->member_end)
				visitor->member_end(visitor->context, member_offset,
				                    result->complete_end);
		} else if (inflated != Z_OK && inflated != Z_BUF_ERROR) {
			result->damaged = true;
			result->damage_offset = member_offset;
			snprintf(result->problem, sizeof(result->problem), "%s",
			         stream.msg ? stream.msg : "invalid compressed data");
			break;
		}
	}
	if (!result->damaged && in_member) {
		result->truncated = true;
		result->damage_offset = member_offset;
		snprintf(result->problem, sizeof(result->problem), "the file ends inside it");
	}
	result->partial_bytes = pending.length;
	if (result->damaged)
		result->damage_followed =
		    complete_member_after(file, result->damage_offset, result->file_bytes, in, out);
	status = 0;
out:
	if (stream_ready)
		inflateEnd(&stream);
	if (file)
		fclose(file);
	strbuf_release(&pending);
	free(in);
	free(out);
	return status;
}
