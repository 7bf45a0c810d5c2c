/* Reads a journal through a sliding window of the file (memory bounded by
 * the largest frame, never by the file) and applies the torn-tail rule: bad
 * bytes with no valid frame after them are a torn tail; bad bytes followed
 * by a valid frame are damage and refused with their offset. */
#include "reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "header.h"
#include "snapshot.h"

#define WINDOW_SIZE (1u << 20)

struct window {
	int fd;
	uint64_t file_size;
	unsigned char *buffer;
	size_t capacity;
	uint64_t start;
	size_t length;
};

enum probe { PROBE_VALID, PROBE_INCOMPLETE, PROBE_BAD, PROBE_IO_ERROR };

int journal_path(const char *directory, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, JOURNAL_FILE_NAME);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* Returns the bytes [offset, offset + length) of the file (borrowed until the
 * next call), or NULL when they are past the end or cannot be read. */
static const unsigned char *window_at(struct window *window, uint64_t offset, size_t length)
{
	if (offset > window->file_size || length > window->file_size - offset)
		return NULL;
	if (offset >= window->start && offset + length <= window->start + window->length)
		return window->buffer + (offset - window->start);
	size_t wanted = length > WINDOW_SIZE ? length : WINDOW_SIZE;
	if (wanted > window->capacity) {
		unsigned char *grown = realloc(window->buffer, wanted);
		if (!grown)
			return NULL;
		window->buffer = grown;
		window->capacity = wanted;
	}
	size_t filled = 0;
	while (filled < wanted && offset + filled < window->file_size) {
		ssize_t count = pread(window->fd, window->buffer + filled, wanted - filled,
		                      (off_t)(offset + filled));
		if (count < 0 && errno == EINTR)
			continue;
		if (count <= 0)
			break;
		filled += (size_t)count;
	}
	window->start = offset;
	window->length = filled;
	return filled >= length ? window->buffer : NULL;
}

/* Classifies the bytes at offset as a complete frame with a good CRC, an
 * incomplete one (the file ends inside it) or garbage. */
static enum probe probe_frame(struct window *window, uint64_t offset, uint32_t *length,
                              uint8_t *type, uint32_t *tag)
{
	if (window->file_size - offset < FRAME_HEAD_LENGTH)
		return PROBE_INCOMPLETE;
	const unsigned char *head = window_at(window, offset, FRAME_HEAD_LENGTH);
	if (!head)
		return PROBE_IO_ERROR;
	frame_decode_head(head, length, type, tag);
	if (*length > FRAME_MAX_PAYLOAD || *type < FRAME_HEADER || *type > FRAME_TYPE_LAST)
		return PROBE_BAD;
	if (window->file_size - offset < (uint64_t)FRAME_OVERHEAD + *length)
		return PROBE_INCOMPLETE;
	const unsigned char *frame = window_at(window, offset, FRAME_OVERHEAD + *length);
	if (!frame)
		return PROBE_IO_ERROR;
	return frame_crc_ok(frame, *length) ? PROBE_VALID : PROBE_BAD;
}

/* Looks for any complete, CRC-valid frame after offset; returns its offset or 0. */
static uint64_t find_valid_frame_after(struct window *window, uint64_t offset)
{
	for (uint64_t candidate = offset + 1; candidate + FRAME_OVERHEAD <= window->file_size;
	     candidate++) {
		uint32_t length, tag;
		uint8_t type;
		if (probe_frame(window, candidate, &length, &type, &tag) == PROBE_VALID)
			return candidate;
	}
	return 0;
}

struct decoded {
	struct manifest_position *positions;
	size_t position_capacity;
};

static int decode_call(struct decoded *decoded, struct frame_cursor *cursor,
                       struct journal_call *call)
{
	call->call_id = frame_get_u64(cursor);
	call->attempt = frame_get_u32(cursor);
	call->started_at_ms = (int64_t)frame_get_u64(cursor);
	uint32_t count = frame_get_u32(cursor);
	if (cursor->overrun || (uint64_t)count * 24u != cursor->length - cursor->position)
		return -1;
	if (count > decoded->position_capacity) {
		struct manifest_position *grown =
		    realloc(decoded->positions, count * sizeof(*grown));
		if (!grown)
			return -1;
		decoded->positions = grown;
		decoded->position_capacity = count;
	}
	for (uint32_t index = 0; index < count; index++) {
		decoded->positions[index].row = frame_get_u64(cursor);
		decoded->positions[index].offset = frame_get_u64(cursor);
		decoded->positions[index].line = frame_get_u64(cursor);
		if (decoded->positions[index].row == 0 ||
		    decoded->positions[index].row > JOURNAL_MAX_ROWS)
			return -1;
	}
	call->row_count = count;
	call->rows = decoded->positions;
	return 0;
}

static int decode_outcome(struct frame_cursor *cursor, struct manifest_position *position,
                          struct row_outcome *outcome)
{
	position->row = frame_get_u64(cursor);
	position->offset = frame_get_u64(cursor);
	position->line = frame_get_u64(cursor);
	uint8_t status = frame_get_u8(cursor);
	outcome->http_status = (int)(int32_t)frame_get_u32(cursor);
	outcome->attempts = frame_get_u32(cursor);
	outcome->finished_at_ms = (int64_t)frame_get_u64(cursor);
	uint16_t message_length = frame_get_u16(cursor);
	const unsigned char *message = frame_get_bytes(cursor, message_length);
	if (cursor->overrun || cursor->position != cursor->length || !row_status_is_final(status) ||
	    message_length >= sizeof(outcome->message) || position->row == 0 ||
	    position->row > JOURNAL_MAX_ROWS)
		return -1;
	outcome->status = (enum row_status)status;
	memcpy(outcome->message, message, message_length);
	outcome->message[message_length] = '\0';
	return 0;
}

/* Hands one frame's record to the visitor. Returns 0, -1 (visitor stopped,
 * error filled) or -2 (the payload does not decode). */
static int dispatch(struct decoded *decoded, uint8_t type, const unsigned char *payload,
                    uint32_t length, const struct journal_visitor *visitor,
                    struct journal_read_result *result, struct error *error)
{
	struct frame_cursor cursor;
	frame_cursor_init(&cursor, payload, length);
	const struct journal_visitor none = {0};
	if (!visitor)
		visitor = &none;
	switch ((enum frame_type)type) {
	case FRAME_CALL_STARTED: {
		struct journal_call call;
		if (decode_call(decoded, &cursor, &call))
			return -2;
		result->last_record_ms = call.started_at_ms;
		return visitor->call_started ? visitor->call_started(visitor->context, &call, error)
		                             : 0;
	}
	case FRAME_ROW_OUTCOME: {
		struct manifest_position position;
		struct row_outcome outcome;
		if (decode_outcome(&cursor, &position, &outcome))
			return -2;
		if (outcome.finished_at_ms > result->last_record_ms)
			result->last_record_ms = outcome.finished_at_ms;
		return visitor->row_outcome
		           ? visitor->row_outcome(visitor->context, &position, &outcome, error)
		           : 0;
	}
	case FRAME_ROW_TOTAL: {
		uint64_t rows = frame_get_u64(&cursor);
		if (cursor.overrun || cursor.position != length)
			return -2;
		return visitor->row_total ? visitor->row_total(visitor->context, rows, error) : 0;
	}
	case FRAME_JOB_FINISHED: {
		int64_t finished = (int64_t)frame_get_u64(&cursor);
		if (cursor.overrun || cursor.position != length)
			return -2;
		result->last_record_ms = finished;
		return visitor->job_finished
		           ? visitor->job_finished(visitor->context, finished, error)
		           : 0;
	}
	case FRAME_SNAPSHOT: {
		/* only as the first record after the header of a compacted segment */
		if (result->records != 1 || !result->compacted)
			return -2;
		struct journal_replay state;
		struct journal_snapshot snapshot;
		if (snapshot_decode(payload, length, &state, &snapshot)) {
			journal_replay_release(&state);
			return -2;
		}
		result->generation = snapshot.generation;
		int status =
		    visitor->snapshot ? visitor->snapshot(visitor->context, &snapshot, error) : 0;
		journal_replay_release(&state);
		return status;
	}
	case FRAME_HEADER:
		return -2; /* a second header is never written */
	}
	return -2;
}

static int read_header(struct window *window, const char *path, struct journal_read_result *result,
                       struct error *error)
{
	const unsigned char *magic = window_at(window, 0, JOURNAL_MAGIC_LENGTH);
	bool compacted = magic && memcmp(magic, JOURNAL_SEGMENT_MAGIC, JOURNAL_MAGIC_LENGTH) == 0;
	uint32_t length, tag;
	uint8_t type;
	if (!magic || (!compacted && memcmp(magic, JOURNAL_MAGIC, JOURNAL_MAGIC_LENGTH) != 0)) {
		/* a power cut while the checkpoint was being created can keep its
		 * header but not its first bytes: that is our file, damaged, and the
		 * user needs to hear where rather than that it is someone else's */
		if (magic &&
		    probe_frame(window, JOURNAL_MAGIC_LENGTH, &length, &type, &tag) ==
		        PROBE_VALID &&
		    type == FRAME_HEADER)
			return error_set(
			    error, "checkpoint '%s' is damaged at byte offset 0 (its format mark)",
			    path);
		return error_set(error, "'%s' is not a lattigo-batch checkpoint", path);
	}
	result->compacted = compacted;
	if (probe_frame(window, JOURNAL_MAGIC_LENGTH, &length, &type, &tag) != PROBE_VALID ||
	    type != FRAME_HEADER)
		return error_set(error, "checkpoint '%s' is damaged at byte offset %u (its header)",
		                 path, JOURNAL_MAGIC_LENGTH);
	const unsigned char *frame =
	    window_at(window, JOURNAL_MAGIC_LENGTH, FRAME_OVERHEAD + length);
	if (!frame || header_decode(frame + FRAME_HEAD_LENGTH, length, &result->header, error) != 0)
		return error_set(error, "checkpoint '%s' has an unreadable header", path);
	if (tag != frame_job_tag(result->header.job_id))
		return error_set(error, "checkpoint '%s' is damaged at byte offset %u (its header)",
		                 path, JOURNAL_MAGIC_LENGTH);
	result->records = 1;
	result->valid_bytes = JOURNAL_MAGIC_LENGTH + FRAME_OVERHEAD + (uint64_t)length;
	result->last_record_ms = result->header.created_at_ms;
	return 0;
}

static int read_path(const char *path, uint64_t skip, const struct journal_visitor *visitor,
                     struct journal_read_result *result, struct error *error)
{
	int status = -1;
	struct window window = {.fd = -1};
	struct decoded decoded = {0};
	memset(result, 0, sizeof(*result));
	window.fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat info;
	if (window.fd < 0 || fstat(window.fd, &info) != 0) {
		error_set(error, "cannot open checkpoint '%s': %s", path, strerror(errno));
		goto out;
	}
	window.file_size = (uint64_t)info.st_size;
	result->file_bytes = window.file_size;
	if (read_header(&window, path, result, error))
		goto out;
	uint32_t job_tag = frame_job_tag(result->header.job_id);
	uint64_t offset = result->valid_bytes;
	uint64_t after_header = offset;
	if (skip) {
		offset = find_valid_frame_after(&window, skip);
		if (!offset)
			offset = window.file_size; /* nothing after the damage */
		result->valid_bytes = offset;
		result->records++; /* the snapshot slot: later frames are not taken for one */
	}
	while (offset < window.file_size) {
		uint32_t length, tag;
		uint8_t type;
		enum probe probe = probe_frame(&window, offset, &length, &type, &tag);
		if (probe == PROBE_IO_ERROR) {
			error_set(error, "cannot read checkpoint '%s' at byte offset %" PRIu64,
			          path, offset);
			goto out;
		}
		if (probe != PROBE_VALID) {
			uint64_t next = find_valid_frame_after(&window, offset);
			/* the first record of a compacted segment is its snapshot */
			result->snapshot_damaged =
			    offset == after_header && !skip && result->compacted;
			result->damage_offset = offset;
			if (next) {
				error_set(error,
				          "checkpoint '%s' is damaged at byte offset %" PRIu64
				          " (valid records follow at byte offset %" PRIu64 ")",
				          path, offset, next);
				goto out;
			}
			result->tail_torn = true;
			if (!result->snapshot_damaged)
				result->damage_offset = 0;
			break;
		}
		if (tag != job_tag) {
			error_set(error,
			          "checkpoint '%s': the record at byte offset %" PRIu64
			          " belongs to another job",
			          path, offset);
			goto out;
		}
		if (offset == after_header && !skip && result->compacted &&
		    type != FRAME_SNAPSHOT) {
			result->snapshot_damaged = true;
			result->damage_offset = offset;
			error_set(error,
			          "checkpoint '%s' is damaged at byte offset %" PRIu64
			          " (its snapshot)",
			          path, offset);
			goto out;
		}
		const unsigned char *frame = window_at(&window, offset, FRAME_OVERHEAD + length);
		int dispatched = frame ? dispatch(&decoded, type, frame + FRAME_HEAD_LENGTH, length,
		                                  visitor, result, error)
		                       : -2;
		if (dispatched == -1)
			goto out;
		if (dispatched == -2) {
			error_set(error,
			          "checkpoint '%s' has a malformed record at byte offset %" PRIu64,
			          path, offset);
			goto out;
		}
		offset += FRAME_OVERHEAD + (uint64_t)length;
		result->valid_bytes = offset;
		result->records++;
	}
	status = 0;
out:
	if (window.fd >= 0)
		close(window.fd);
	free(window.buffer);
	free(decoded.positions);
	return status;
}

int journal_read_path(const char *path, const struct journal_visitor *visitor,
                      struct journal_read_result *result, struct error *error)
{
	return read_path(path, 0, visitor, result, error);
}

static int segment_path(const char *directory, const char *name, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, name);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* True when DIRECTORY holds a previous segment other than path: the job was
 * compacted, so the current segment must start with a whole snapshot. */
static bool has_previous_segment(const char *directory, const char *path)
{
	char previous[4096];
	struct stat current_info, previous_info;
	return segment_path(directory, JOURNAL_PREVIOUS_NAME, previous, sizeof(previous)) == 0 &&
	       stat(previous, &previous_info) == 0 && stat(path, &current_info) == 0 &&
	       previous_info.st_ino != current_info.st_ino;
}

/* The current segment's snapshot is damaged (a compaction publishes a
 * segment only after syncing it, so this is not a crash's doing): the state
 * it held is rebuilt from the previous segment, then the current segment's
 * records after the damaged snapshot are read. Returns 0, or -1 with error
 * (the original complaint when there is no previous segment). */
static int replay_with_fallback(const char *directory, const char *path,
                                const struct journal_visitor *visitor,
                                struct journal_read_result *result, struct error *error)
{
	char previous[4096];
	uint64_t damaged = result->damage_offset;
	if (!has_previous_segment(directory, path) ||
	    segment_path(directory, JOURNAL_PREVIOUS_NAME, previous, sizeof(previous)))
		return -1;
	struct journal_read_result before;
	struct error before_error;
	error_clear(&before_error);
	if (journal_read_path(previous, visitor, &before, &before_error) || before.tail_torn ||
	    before.snapshot_damaged || before.header.job_id != result->header.job_id) {
		journal_header_release(&before.header);
		return -1; /* error keeps the complaint about the current segment */
	}
	journal_header_release(&before.header);
	char complaint[sizeof(error->message)];
	snprintf(complaint, sizeof(complaint), "%s", error->message);
	error_clear(error);
	journal_header_release(&result->header);
	if (read_path(path, damaged, visitor, result, error))
		return -1;
	fprintf(stderr,
	        "lattigo-batch: warning: %s; its state was rebuilt from '%s' and the records "
	        "after it\n",
	        complaint, previous);
	result->used_fallback = true;
	return 0;
}

int journal_read(const char *directory, const struct journal_visitor *visitor,
                 struct journal_read_result *result, struct error *error)
{
	char path[4096];
	if (journal_path(directory, path, sizeof(path)))
		return error_set(error, "job directory name '%s' is too long", directory);
	int status = journal_read_path(path, visitor, result, error);
	if (!result->snapshot_damaged)
		return status;
	/* a compacted segment was published whole: an incomplete snapshot is
	 * damage, not a crash's torn tail */
	if (status == 0)
		error_set(error,
		          "checkpoint '%s' is damaged at byte offset %" PRIu64 " (its snapshot)",
		          path, result->damage_offset);
	return replay_with_fallback(directory, path, visitor, result, error);
}

int journal_read_header(const char *directory, struct journal_header *header, struct error *error)
{
	char path[4096];
	struct window window = {.fd = -1};
	struct journal_read_result result = {0};
	int status = -1;
	if (journal_path(directory, path, sizeof(path))) {
		error_set(error, "job directory name '%s' is too long", directory);
		goto out;
	}
	window.fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat info;
	if (window.fd < 0 || fstat(window.fd, &info) != 0) {
		error_set(error, "cannot open checkpoint '%s': %s", path, strerror(errno));
		goto out;
	}
	window.file_size = (uint64_t)info.st_size;
	if (read_header(&window, path, &result, error))
		goto out;
	*header = result.header;
	result.header.options_json = NULL;
	status = 0;
out:
	journal_header_release(&result.header);
	if (window.fd >= 0)
		close(window.fd);
	free(window.buffer);
	return status;
}
