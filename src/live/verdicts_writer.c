/* Writing the verdicts file pair (verdicts.h), in format version 2
 * (verdicts_internal.h): every block's CRCs and the whole job's undo counts
 * are gathered while the rows go by. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/little_endian.h"
#include "live/verdicts.h"
#include "live/verdicts_internal.h"

/* What the index keeps of one block of rows. */
struct block_entry {
	uint64_t notes_offset;
	uint32_t bytes_crc, notes_crc;
};

struct live_verdicts_writer {
	FILE *bytes, *notes;
	char bytes_path[4200], notes_path[4200];
	char bytes_final[4200], notes_final[4200];
	uint64_t job_tag;
	uint64_t rows;         /* rows recorded so far */
	uint64_t notes_length; /* bytes written to the notes */
	uint64_t undo_lines, undo_missing;
	struct block_entry *blocks; /* each block begun */
	size_t block_count, block_capacity;
};

struct live_verdicts_writer *live_verdicts_writer_open(const char *directory, uint64_t job_tag,
                                                       struct error *error)
{
	struct live_verdicts_writer *writer = calloc(1, sizeof(*writer));
	if (!writer) {
		error_set(error, "out of memory");
		return NULL;
	}
	writer->job_tag = job_tag;
	if (verdicts_path(writer->bytes_final, sizeof(writer->bytes_final), directory,
	                  LIVE_VERDICTS_FILE, "") < 0 ||
	    verdicts_path(writer->bytes_path, sizeof(writer->bytes_path), directory,
	                  LIVE_VERDICTS_FILE, ".tmp") < 0 ||
	    verdicts_path(writer->notes_final, sizeof(writer->notes_final), directory,
	                  LIVE_VERDICT_NOTES_FILE, "") < 0 ||
	    verdicts_path(writer->notes_path, sizeof(writer->notes_path), directory,
	                  LIVE_VERDICT_NOTES_FILE, ".tmp") < 0) {
		error_set(error, "snapshot directory name too long: %s", directory);
		free(writer);
		return NULL;
	}
	writer->bytes = fopen(writer->bytes_path, "wb");
	writer->notes = writer->bytes ? fopen(writer->notes_path, "wb") : NULL;
	if (!writer->notes) {
		int cause = errno;
		file_storage_note(writer->bytes ? writer->notes_path : writer->bytes_path, cause);
		error_set(error, "cannot write %s: %s",
		          writer->bytes ? writer->notes_path : writer->bytes_path, strerror(cause));
		live_verdicts_writer_abort(writer);
		return NULL;
	}
	return writer;
}

/* Begins every block that starts at or before row (its notes start here). */
static int blocks_through(struct live_verdicts_writer *writer, uint64_t row)
{
	while ((uint64_t)writer->block_count * VERDICTS_BLOCK_ROWS < row) {
		if (writer->block_count == writer->block_capacity) {
			size_t capacity = writer->block_capacity ? writer->block_capacity * 2 : 256;
			struct block_entry *bigger =
			    realloc(writer->blocks, capacity * sizeof(*bigger));
			if (!bigger)
				return -1;
			writer->blocks = bigger;
			writer->block_capacity = capacity;
		}
		writer->blocks[writer->block_count++] = (struct block_entry){
		    writer->notes_length, verdicts_crc_start(), verdicts_crc_start()};
	}
	return 0;
}

static struct block_entry *block_of(struct live_verdicts_writer *writer, uint64_t row)
{
	return &writer->blocks[(row - 1) / VERDICTS_BLOCK_ROWS];
}

/* Writes row's byte (its block begun). */
static int write_code(struct live_verdicts_writer *writer, uint64_t row, uint8_t code)
{
	struct block_entry *block = block_of(writer, row);
	block->bytes_crc = verdicts_crc_add(block->bytes_crc, &code, 1);
	return fputc(code, writer->bytes) == EOF ? -1 : 0;
}

static int write_notes(struct live_verdicts_writer *writer, struct block_entry *block,
                       const void *bytes, size_t length)
{
	block->notes_crc = verdicts_crc_add(block->notes_crc, bytes, length);
	writer->notes_length += length;
	return fwrite(bytes, 1, length, writer->notes) == length ? 0 : -1;
}

static size_t capped(const char *text)
{
	size_t length = text ? strlen(text) : 0;
	return length > VERDICTS_TEXT_MAX ? VERDICTS_TEXT_MAX : length;
}

static int write_note(struct live_verdicts_writer *writer, uint64_t row,
                      const struct live_verdict_note *note)
{
	struct block_entry *block = block_of(writer, row);
	const char *texts[3] = {note->device_name, note->current, note->message};
	unsigned char head[VERDICTS_NOTE_HEAD];
	little_endian_put(head, row, 8);
	for (size_t index = 0; index < 3; index++)
		little_endian_put(head + 8 + 2 * index, capped(texts[index]), 2);
	if (write_notes(writer, block, head, sizeof(head)) < 0)
		return -1;
	for (size_t index = 0; index < 3; index++)
		if (capped(texts[index]) &&
		    write_notes(writer, block, texts[index], capped(texts[index])) < 0)
			return -1;
	return 0;
}

int live_verdicts_writer_add(struct live_verdicts_writer *writer, uint64_t row, uint8_t code,
                             const struct live_verdict_note *note, struct error *error)
{
	if (row <= writer->rows)
		return error_set(error, "verdict of row %llu recorded out of order",
		                 (unsigned long long)row);
	int result = blocks_through(writer, row);
	for (; result == 0 && writer->rows + 1 < row; writer->rows++)
		result = write_code(writer, writer->rows + 1, LIVE_VERDICT_NONE);
	if (note && code != LIVE_VERDICT_NONE)
		code |= LIVE_VERDICT_NOTED;
	if (result == 0 && note && code != LIVE_VERDICT_NONE)
		result = write_note(writer, row, note);
	if (result == 0)
		result = write_code(writer, row, code);
	if (result < 0) {
		file_storage_note(writer->bytes_path, errno);
		return error_set(error, "cannot write %s: %s", writer->bytes_path,
		                 errno ? strerror(errno) : "out of memory");
	}
	/* an invalid row's byte has every bit set and counts for nothing */
	if (code != LIVE_VERDICT_NONE) {
		writer->undo_lines += (code & LIVE_VERDICT_UNDO_LINE) != 0;
		writer->undo_missing += (code & LIVE_VERDICT_UNDO_MISSING) != 0;
	}
	writer->rows = row;
	return 0;
}

/* Flushes, syncs and closes *stream. */
static int close_synced(FILE **stream)
{
	int result = fflush(*stream) == 0 && fsync(fileno(*stream)) == 0 ? 0 : -1;
	if (fclose(*stream) != 0)
		result = -1;
	*stream = NULL;
	return result;
}

/* Appends the block index, the undo counts and the trailer to the bytes. */
static int write_tail(struct live_verdicts_writer *writer)
{
	uint32_t index_crc = verdicts_crc_start();
	for (size_t block = 0; block < writer->block_count; block++) {
		unsigned char entry[VERDICTS_ENTRY_LENGTH];
		little_endian_put(entry, writer->blocks[block].notes_offset, 8);
		little_endian_put(entry + 8, writer->blocks[block].bytes_crc, 4);
		little_endian_put(entry + 12, writer->blocks[block].notes_crc, 4);
		index_crc = verdicts_crc_add(index_crc, entry, sizeof(entry));
		if (fwrite(entry, 1, sizeof(entry), writer->bytes) != sizeof(entry))
			return -1;
	}
	unsigned char counts[VERDICTS_COUNTS_LENGTH];
	little_endian_put(counts, writer->undo_lines, 8);
	little_endian_put(counts + 8, writer->undo_missing, 8);
	index_crc = verdicts_crc_add(index_crc, counts, sizeof(counts));
	unsigned char trailer[VERDICTS_TRAILER_LENGTH];
	memcpy(trailer, VERDICTS_TRAILER_MAGIC, 8);
	little_endian_put(trailer + 8, VERDICTS_VERSION_BLOCKS, 4);
	little_endian_put(trailer + 12, VERDICTS_BLOCK_ROWS, 4);
	little_endian_put(trailer + 16, writer->rows, 8);
	little_endian_put(trailer + 24, writer->notes_length, 8);
	little_endian_put(trailer + 32, writer->job_tag, 8);
	little_endian_put(trailer + 40, index_crc, 4);
	little_endian_put(trailer + 44, 0, 4);
	little_endian_put(trailer + 48, verdicts_crc_add(verdicts_crc_start(), trailer, 48), 4);
	return fwrite(counts, 1, sizeof(counts), writer->bytes) == sizeof(counts) &&
	               fwrite(trailer, 1, sizeof(trailer), writer->bytes) == sizeof(trailer)
	           ? 0
	           : -1;
}

int live_verdicts_writer_commit(struct live_verdicts_writer *writer, struct error *error)
{
	int result = blocks_through(writer, writer->rows);
	if (result == 0)
		result = write_tail(writer);
	/* the notes first: a verdicts file that exists has its notes complete */
	const char *failed = writer->notes_path;
	if (result == 0 && close_synced(&writer->notes) == 0 &&
	    rename(writer->notes_path, writer->notes_final) == 0) {
		failed = writer->bytes_path;
		if (close_synced(&writer->bytes) == 0 &&
		    rename(writer->bytes_path, writer->bytes_final) == 0 &&
		    file_sync_directory_of(writer->bytes_final) == 0)
			failed = NULL;
	}
	if (failed) {
		int cause = errno;
		file_storage_note(failed, cause);
		error_set(error, "cannot write %s: %s", failed,
		          cause ? strerror(cause) : "out of memory");
		live_verdicts_writer_abort(writer);
		return -1;
	}
	free(writer->blocks);
	free(writer);
	return 0;
}

void live_verdicts_writer_abort(struct live_verdicts_writer *writer)
{
	if (!writer)
		return;
	if (writer->bytes)
		fclose(writer->bytes);
	if (writer->notes)
		fclose(writer->notes);
	unlink(writer->bytes_path);
	unlink(writer->notes_path);
	free(writer->blocks);
	free(writer);
}
