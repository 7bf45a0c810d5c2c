/* The verdicts file pair (verdicts.h). verdicts: one byte a row, then the
 * block index (the notes' offset of each block of BLOCK_ROWS rows, u64),
 * then the trailer. verdict-notes: per noted row, its number (u64), three
 * string lengths (u16) and the strings. Integers little-endian. */
#include "live/verdicts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/file_io.h"
#include "common/little_endian.h"

#define BLOCK_ROWS     4096u
#define TRAILER_MAGIC  "LTGVRDT\n"
#define FORMAT_VERSION 1u
/* magic, version, block rows, rows, notes length, job tag, 3 CRCs */
#define TRAILER_LENGTH (8 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 4)
#define NOTE_HEAD      (8 + 2 + 2 + 2)
#define TEXT_MAX       UINT16_MAX

static uint32_t crc_add(uint32_t crc, const void *bytes, size_t length)
{
	const unsigned char *at = bytes;
	while (length > 0) {
		uInt step = length > (1u << 30) ? 1u << 30 : (uInt)length;
		crc = (uint32_t)crc32(crc, at, step);
		at += step;
		length -= step;
	}
	return crc;
}

static int path_of(char *out, size_t size, const char *directory, const char *name,
                   const char *suffix)
{
	int written = snprintf(out, size, "%s/%s%s", directory, name, suffix);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* --- writing --- */

struct live_verdicts_writer {
	FILE *bytes, *notes;
	char bytes_path[4200], notes_path[4200];
	char bytes_final[4200], notes_final[4200];
	uint64_t job_tag;
	uint64_t rows;         /* rows recorded so far */
	uint64_t notes_length; /* bytes written to the notes */
	uint32_t bytes_crc, notes_crc;
	uint64_t *index; /* notes offset of each block begun */
	size_t index_count, index_capacity;
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
	writer->bytes_crc = writer->notes_crc = (uint32_t)crc32(0L, Z_NULL, 0);
	if (path_of(writer->bytes_final, sizeof(writer->bytes_final), directory, LIVE_VERDICTS_FILE,
	            "") < 0 ||
	    path_of(writer->bytes_path, sizeof(writer->bytes_path), directory, LIVE_VERDICTS_FILE,
	            ".tmp") < 0 ||
	    path_of(writer->notes_final, sizeof(writer->notes_final), directory,
	            LIVE_VERDICT_NOTES_FILE, "") < 0 ||
	    path_of(writer->notes_path, sizeof(writer->notes_path), directory,
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

static int write_bytes(struct live_verdicts_writer *writer, const void *bytes, size_t length)
{
	writer->bytes_crc = crc_add(writer->bytes_crc, bytes, length);
	return fwrite(bytes, 1, length, writer->bytes) == length ? 0 : -1;
}

static int write_notes(struct live_verdicts_writer *writer, const void *bytes, size_t length)
{
	writer->notes_crc = crc_add(writer->notes_crc, bytes, length);
	writer->notes_length += length;
	return fwrite(bytes, 1, length, writer->notes) == length ? 0 : -1;
}

/* Records where every block that starts at or before row begins in the notes. */
static int index_through(struct live_verdicts_writer *writer, uint64_t row)
{
	while ((uint64_t)writer->index_count * BLOCK_ROWS < row) {
		if (writer->index_count == writer->index_capacity) {
			size_t capacity = writer->index_capacity ? writer->index_capacity * 2 : 256;
			uint64_t *bigger = realloc(writer->index, capacity * sizeof(*bigger));
			if (!bigger)
				return -1;
			writer->index = bigger;
			writer->index_capacity = capacity;
		}
		writer->index[writer->index_count++] = writer->notes_length;
	}
	return 0;
}

static size_t capped(const char *text)
{
	size_t length = text ? strlen(text) : 0;
	return length > TEXT_MAX ? TEXT_MAX : length;
}

static int write_note(struct live_verdicts_writer *writer, uint64_t row,
                      const struct live_verdict_note *note)
{
	const char *texts[3] = {note->device_name, note->current, note->message};
	unsigned char head[NOTE_HEAD];
	little_endian_put(head, row, 8);
	for (size_t index = 0; index < 3; index++)
		little_endian_put(head + 8 + 2 * index, capped(texts[index]), 2);
	if (write_notes(writer, head, sizeof(head)) < 0)
		return -1;
	for (size_t index = 0; index < 3; index++)
		if (capped(texts[index]) &&
		    write_notes(writer, texts[index], capped(texts[index])) < 0)
			return -1;
	return 0;
}

int live_verdicts_writer_add(struct live_verdicts_writer *writer, uint64_t row, uint8_t code,
                             const struct live_verdict_note *note, struct error *error)
{
	if (row <= writer->rows)
		return error_set(error, "verdict of row %llu recorded out of order",
		                 (unsigned long long)row);
	static const unsigned char none = LIVE_VERDICT_NONE;
	int result = index_through(writer, row);
	for (; result == 0 && writer->rows + 1 < row; writer->rows++)
		result = write_bytes(writer, &none, 1);
	if (note && code != LIVE_VERDICT_NONE)
		code |= LIVE_VERDICT_NOTED;
	if (result == 0 && note && code != LIVE_VERDICT_NONE)
		result = write_note(writer, row, note);
	if (result == 0)
		result = write_bytes(writer, &code, 1);
	if (result < 0) {
		file_storage_note(writer->bytes_path, errno);
		return error_set(error, "cannot write %s: %s", writer->bytes_path,
		                 errno ? strerror(errno) : "out of memory");
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

int live_verdicts_writer_commit(struct live_verdicts_writer *writer, struct error *error)
{
	int result = index_through(writer, writer->rows);
	for (size_t block = 0; result == 0 && block < writer->index_count; block++) {
		unsigned char offset[8];
		little_endian_put(offset, writer->index[block], 8);
		result = write_bytes(writer, offset, sizeof(offset));
	}
	unsigned char trailer[TRAILER_LENGTH];
	memcpy(trailer, TRAILER_MAGIC, 8);
	little_endian_put(trailer + 8, FORMAT_VERSION, 4);
	little_endian_put(trailer + 12, BLOCK_ROWS, 4);
	little_endian_put(trailer + 16, writer->rows, 8);
	little_endian_put(trailer + 24, writer->notes_length, 8);
	little_endian_put(trailer + 32, writer->job_tag, 8);
	little_endian_put(trailer + 40, writer->bytes_crc, 4);
	little_endian_put(trailer + 44, writer->notes_crc, 4);
	little_endian_put(trailer + 48, crc_add((uint32_t)crc32(0L, Z_NULL, 0), trailer, 48), 4);
	if (result == 0 && fwrite(trailer, 1, sizeof(trailer), writer->bytes) != sizeof(trailer))
		result = -1;
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
	free(writer->index);
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
	free(writer->index);
	free(writer);
}

/* --- reading --- */

struct live_verdicts {
	const unsigned char *bytes; /* mapped: one a row, then the block index, then the trailer */
	size_t length;              /* of the mapping */
	uint64_t rows, blocks, notes_length;
	FILE *notes;
	uint64_t floor;  /* every note of a row <= floor is behind the read position */
	bool positioned; /* the read position is known (floor valid) */
	bool loaded;     /* the note of loaded_row is in text */
	uint64_t loaded_row;
	size_t lengths[3];
	char *text; /* the loaded note's three strings, each NUL-terminated */
};

/* Maps path whole, read-only, into *out (*length bytes): a resume reads
 * the bytes of the rows after the final prefix and the block index, and the
 * CRC below reads every page once from the page cache, without a copy into
 * memory of its own (10 MB at 10,000,000 rows). The file is replaced by
 * rename, never rewritten in place, and the job directory is locked: the
 * mapped bytes do not change under the reader. Returns 0 or -1. */
static int map_whole(const char *path, const unsigned char **out, size_t *length)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat status;
	if (fd < 0)
		return -1;
	if (fstat(fd, &status) != 0 || status.st_size < TRAILER_LENGTH ||
	    (uint64_t)status.st_size > SIZE_MAX) {
		close(fd);
		return -1;
	}
	size_t size = (size_t)status.st_size;
	int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE; /* the CRC reads every page: map them in one call */
#endif
	void *mapped = mmap(NULL, size, PROT_READ, flags, fd, 0);
	close(fd);
	if (mapped == MAP_FAILED)
		return -1;
	*out = mapped;
	*length = size;
	return 0;
}

/* The CRC32 of stream's first length bytes (the whole of it), or false. */
static bool stream_crc(FILE *stream, uint64_t length, uint32_t *crc)
{
	unsigned char buffer[1 << 14];
	uint64_t left = length;
	*crc = (uint32_t)crc32(0L, Z_NULL, 0);
	while (left > 0) {
		size_t want = left < sizeof(buffer) ? (size_t)left : sizeof(buffer);
		if (fread(buffer, 1, want, stream) != want)
			return false;
		*crc = crc_add(*crc, buffer, want);
		left -= want;
	}
	return fgetc(stream) == EOF;
}

int live_verdicts_open(const char *directory, uint64_t job_tag, struct live_verdicts **out,
                       struct error *error)
{
	char path[4200];
	*out = NULL;
	struct live_verdicts *verdicts = calloc(1, sizeof(*verdicts));
	if (!verdicts || path_of(path, sizeof(path), directory, LIVE_VERDICTS_FILE, "") < 0) {
		free(verdicts);
		error_set(error, "cannot read the preflight's verdicts in %s", directory);
		return 1;
	}
	const char *why = "absent or unreadable";
	if (!(verdicts->text = malloc(3u * (TEXT_MAX + 1u))) ||
	    map_whole(path, &verdicts->bytes, &verdicts->length) < 0)
		goto refuse;
	size_t length = verdicts->length;
	const unsigned char *trailer = verdicts->bytes + length - TRAILER_LENGTH;
	why = "torn or damaged";
	if (memcmp(trailer, TRAILER_MAGIC, 8) != 0 ||
	    little_endian_get(trailer + 8, 4) != FORMAT_VERSION ||
	    little_endian_get(trailer + 12, 4) != BLOCK_ROWS ||
	    little_endian_get(trailer + 48, 4) !=
	        crc_add((uint32_t)crc32(0L, Z_NULL, 0), trailer, 48))
		goto refuse;
	verdicts->rows = little_endian_get(trailer + 16, 8);
	verdicts->notes_length = little_endian_get(trailer + 24, 8);
	verdicts->blocks = (verdicts->rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
	if (verdicts->rows > length || verdicts->blocks > length / 8 ||
	    verdicts->rows + verdicts->blocks * 8 + TRAILER_LENGTH != length ||
	    little_endian_get(trailer + 40, 4) !=
	        crc_add((uint32_t)crc32(0L, Z_NULL, 0), verdicts->bytes, length - TRAILER_LENGTH))
		goto refuse;
	why = "another job's";
	if (little_endian_get(trailer + 32, 8) != job_tag)
		goto refuse;
	why = "their notes are torn or damaged";
	uint32_t notes_crc;
	if (path_of(path, sizeof(path), directory, LIVE_VERDICT_NOTES_FILE, "") < 0 ||
	    !(verdicts->notes = fopen(path, "rb")) ||
	    !stream_crc(verdicts->notes, verdicts->notes_length, &notes_crc) ||
	    notes_crc != little_endian_get(trailer + 44, 4))
		goto refuse;
	*out = verdicts;
	return 0;
refuse:
	error_set(error, "the preflight's verdicts in %s are %s", directory, why);
	live_verdicts_free(verdicts);
	return 1;
}

void live_verdicts_free(struct live_verdicts *verdicts)
{
	if (!verdicts)
		return;
	if (verdicts->notes)
		fclose(verdicts->notes);
	if (verdicts->bytes)
		munmap((void *)(uintptr_t)verdicts->bytes, verdicts->length);
	free(verdicts->text);
	free(verdicts);
}

uint64_t live_verdicts_rows(const struct live_verdicts *verdicts)
{
	return verdicts->rows;
}

uint8_t live_verdicts_code(const struct live_verdicts *verdicts, uint64_t row)
{
	return row >= 1 && row <= verdicts->rows ? verdicts->bytes[row - 1] : LIVE_VERDICT_NONE;
}

#define BYTES_ONES 0x0101010101010101ull
#define BYTES_LOW7 0x7F7F7F7F7F7F7F7Full
#define BYTES_HIGH 0x8080808080808080ull

/* The high bit of each byte of word set where that byte is not
 * LIVE_VERDICT_NONE (0xFF): the classified rows among eight. */
static uint64_t classified_lanes(uint64_t word)
{
	uint64_t inverse = ~word; /* a byte of it is zero where word's is 0xFF */
	return (((inverse & BYTES_LOW7) + BYTES_LOW7) | inverse) & BYTES_HIGH;
}

/* The sum of the eight byte lanes of lanes (each at most 255). */
static uint64_t lane_sum(uint64_t lanes)
{
	uint64_t pairs = (lanes & 0x00FF00FF00FF00FFull) + (lanes >> 8 & 0x00FF00FF00FF00FFull);
	return (pairs * 0x0001000100010001ull) >> 48;
}

void live_verdicts_count_undo(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                              uint64_t *lines, uint64_t *missing)
{
	if (last > verdicts->rows)
		last = verdicts->rows;
	if (first < 1)
		first = 1;
	uint64_t line_count = 0, missing_count = 0;
	const unsigned char *at = verdicts->bytes + first - 1;
	uint64_t left = last >= first ? last - first + 1 : 0;
	/* eight rows a word: a byte lane of the accumulators counts one row in
	 * eight, emptied before it can pass 255 */
	while (left >= 8) {
		uint64_t line_lanes = 0, missing_lanes = 0;
		for (unsigned step = 0; step < 255 && left >= 8; step++, at += 8, left -= 8) {
			uint64_t word = little_endian_get64(at);
			uint64_t classified = classified_lanes(word);
			/* bit 6 (an undo line) and bit 7 (a value undo cannot restore) of
			 * each classified byte, moved to bit 0 of its lane */
			line_lanes += ((word << 1) & classified) >> 7;
			missing_lanes += (word & classified) >> 7;
		}
		line_count += lane_sum(line_lanes);
		missing_count += lane_sum(missing_lanes);
	}
	for (; left > 0; left--, at++) {
		uint8_t code = *at;
		/* an invalid row's byte has every bit set and counts for nothing */
		bool classified = code != LIVE_VERDICT_NONE;
		line_count += classified && (code & LIVE_VERDICT_UNDO_LINE);
		missing_count += classified && (code & LIVE_VERDICT_UNDO_MISSING);
	}
	*lines += line_count;
	*missing += missing_count;
}

void live_verdicts_tally(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                         live_verdicts_final_fn *final, void *context,
                         struct live_verdicts_tally *tally)
{
	if (last > verdicts->rows)
		last = verdicts->rows;
	for (uint64_t row = first < 1 ? 1 : first; row <= last;) {
		uint64_t end = last - row < 64 ? last + 1 : row + 64;
		uint64_t settled = final ? final(context, row) : 0;
		for (; row < end; row++, settled >>= 1) {
			uint8_t code = verdicts->bytes[row - 1];
			if (code == LIVE_VERDICT_NONE || (settled & 1))
				continue;
			tally->kinds[code & LIVE_VERDICT_KIND_MASK]++;
			if ((code & LIVE_VERDICT_UNKNOWN_NAME) && tally->unknown_name++ == 0)
				tally->first_unknown = row;
		}
	}
}

/* Reads the next note into the reader. Returns 1, 0 at the end, -1 damaged. */
static int next_note(struct live_verdicts *verdicts)
{
	unsigned char head[NOTE_HEAD];
	size_t got = fread(head, 1, sizeof(head), verdicts->notes);
	if (got == 0 && feof(verdicts->notes))
		return 0;
	if (got != sizeof(head))
		return -1;
	for (size_t index = 0; index < 3; index++)
		verdicts->lengths[index] = (size_t)little_endian_get(head + 8 + 2 * index, 2);
	char *at = verdicts->text;
	for (size_t index = 0; index < 3; index++) {
		size_t length = verdicts->lengths[index];
		if (length && fread(at, 1, length, verdicts->notes) != length)
			return -1;
		at[length] = '\0';
		at += length + 1;
	}
	verdicts->loaded_row = little_endian_get(head, 8);
	verdicts->loaded = true;
	return 1;
}

int live_verdicts_note(struct live_verdicts *verdicts, uint64_t row, struct live_verdict_note *note,
                       struct error *error)
{
	uint8_t code = live_verdicts_code(verdicts, row);
	if (code == LIVE_VERDICT_NONE || !(code & LIVE_VERDICT_NOTED))
		return 0;
	bool current = verdicts->loaded && verdicts->loaded_row == row;
	/* behind the read position, or more than two blocks ahead: seek */
	if (!current && (!verdicts->positioned || row <= verdicts->floor ||
	                 row - verdicts->floor > 2u * BLOCK_ROWS)) {
		uint64_t block = (row - 1) / BLOCK_ROWS;
		const unsigned char *offset = verdicts->bytes + verdicts->rows + block * 8;
		if (fseeko(verdicts->notes, (off_t)little_endian_get(offset, 8), SEEK_SET) != 0)
			return error_set(error, "cannot read the preflight's verdict notes: %s",
			                 strerror(errno));
		verdicts->floor = block * BLOCK_ROWS;
		verdicts->positioned = true;
		verdicts->loaded = false;
	}
	while (!current) {
		if (!verdicts->loaded) {
			int got = next_note(verdicts);
			if (got <= 0) {
				verdicts->positioned = false;
				return error_set(
				    error, "the preflight's verdict notes have no note of row %llu",
				    (unsigned long long)row);
			}
		}
		if (verdicts->loaded_row == row)
			break;
		if (verdicts->loaded_row > row) {
			verdicts->positioned = false;
			return error_set(error,
			                 "the preflight's verdict notes have no note of row %llu",
			                 (unsigned long long)row);
		}
		verdicts->floor = verdicts->loaded_row;
		verdicts->loaded = false;
	}
	const char *at = verdicts->text;
	note->device_name = at;
	at += verdicts->lengths[0] + 1;
	note->current = at;
	at += verdicts->lengths[1] + 1;
	note->message = at;
	return 1;
}
