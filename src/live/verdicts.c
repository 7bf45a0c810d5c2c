/* Reading the verdicts file pair (verdicts.h; the format in
 * verdicts_internal.h). Version 2: the trailer, the block index and the undo
 * counts are checked when the pair is opened, each block's bytes and notes
 * when first used (the reader keeps which blocks checked out). Version 1:
 * both files are checked whole when opened. */
#include "live/verdicts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/little_endian.h"
#include "live/verdicts_internal.h"

#define BLOCK_ROWS VERDICTS_BLOCK_ROWS

/* What is known of a block's bytes or notes. */
enum block_state { BLOCK_UNCHECKED, BLOCK_GOOD, BLOCK_DAMAGED };

struct live_verdicts {
	const unsigned char *bytes; /* the verdicts file, mapped: one byte a row first */
	size_t length;              /* of the mapping */
	uint64_t rows, blocks, notes_length;
	uint64_t *notes_offsets; /* blocks + 1: where each block's notes start, then the end */
	uint32_t *bytes_crcs, *notes_crcs; /* version 2: each block's CRCs */
	/* enum block_state of each block's bytes and notes (written by const
	 * readers too: checking a block changes what is known, not the verdicts) */
	unsigned char *bytes_state, *notes_state;
	bool undo_known; /* version 2: the undo counts below were recorded */
	uint64_t undo_lines, undo_missing;
	FILE *notes;
	uint64_t floor;  /* every note of a row <= floor is behind the read position */
	bool positioned; /* the read position is known (floor valid) */
	bool loaded;     /* the note of loaded_row is in text */
	uint64_t loaded_row;
	size_t lengths[3];
	char *text; /* the loaded note's three strings, each NUL-terminated */
};

/* Maps path whole, read-only, into *out (*length bytes): a resume reads
 * the bytes of the rows after the final prefix and the block index, no copy
 * of the rest (10 MB at 10,000,000 rows). The file is replaced by rename,
 * never rewritten in place, and the job directory is locked: the mapped
 * bytes do not change under the reader. Returns 0 or -1. */
static int map_whole(const char *path, const unsigned char **out, size_t *length)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat status;
	if (fd < 0)
		return -1;
	if (fstat(fd, &status) != 0 || status.st_size < VERDICTS_TRAILER_LENGTH ||
	    (uint64_t)status.st_size > SIZE_MAX) {
		close(fd);
		return -1;
	}
	size_t size = (size_t)status.st_size;
	void *mapped = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (mapped == MAP_FAILED)
		return -1;
	*out = mapped;
	*length = size;
	return 0;
}

/* The CRC32 of length bytes of stream from offset (pread: the stream's own
 * position and buffer are left alone), or false when they cannot be read. */
static bool region_crc(FILE *stream, uint64_t offset, uint64_t length, uint32_t *crc)
{
	unsigned char buffer[1 << 14];
	*crc = verdicts_crc_start();
	while (length > 0) {
		size_t want = length < sizeof(buffer) ? (size_t)length : sizeof(buffer);
		ssize_t got = pread(fileno(stream), buffer, want, (off_t)offset);
		if (got <= 0)
			return false;
		*crc = verdicts_crc_add(*crc, buffer, (size_t)got);
		offset += (uint64_t)got;
		length -= (uint64_t)got;
	}
	return true;
}

/* Version 1: both files checked whole, every block known good. Returns NULL
 * or why the pair is refused. */
static const char *open_whole(struct live_verdicts *verdicts, const unsigned char *trailer)
{
	if (verdicts->rows + verdicts->blocks * 8 + VERDICTS_TRAILER_LENGTH != verdicts->length ||
	    little_endian_get(trailer + 40, 4) !=
	        verdicts_crc_add(verdicts_crc_start(), verdicts->bytes,
	                         verdicts->length - VERDICTS_TRAILER_LENGTH))
		return "torn or damaged";
	for (uint64_t block = 0; block < verdicts->blocks; block++)
		verdicts->notes_offsets[block] =
		    little_endian_get(verdicts->bytes + verdicts->rows + block * 8, 8);
	uint32_t crc;
	if (!region_crc(verdicts->notes, 0, verdicts->notes_length, &crc) ||
	    crc != little_endian_get(trailer + 44, 4))
		return "their notes are torn or damaged";
	memset(verdicts->bytes_state, BLOCK_GOOD, (size_t)verdicts->blocks);
	memset(verdicts->notes_state, BLOCK_GOOD, (size_t)verdicts->blocks);
	return NULL;
}

/* Version 2: the index and counts checked now, the blocks when used.
 * Returns NULL or why the pair is refused. */
static const char *open_blocks(struct live_verdicts *verdicts, const unsigned char *trailer)
{
	uint64_t index_length = verdicts->blocks * VERDICTS_ENTRY_LENGTH + VERDICTS_COUNTS_LENGTH;
	const unsigned char *index = verdicts->bytes + verdicts->rows;
	if (verdicts->rows + index_length + VERDICTS_TRAILER_LENGTH != verdicts->length ||
	    little_endian_get(trailer + 40, 4) !=
	        verdicts_crc_add(verdicts_crc_start(), index, (size_t)index_length))
		return "torn or damaged";
	verdicts->bytes_crcs = malloc((size_t)verdicts->blocks * sizeof(uint32_t) + 1);
	verdicts->notes_crcs = malloc((size_t)verdicts->blocks * sizeof(uint32_t) + 1);
	if (!verdicts->bytes_crcs || !verdicts->notes_crcs)
		return "too large for memory";
	for (uint64_t block = 0; block < verdicts->blocks; block++) {
		const unsigned char *entry = index + block * VERDICTS_ENTRY_LENGTH;
		verdicts->notes_offsets[block] = little_endian_get(entry, 8);
		verdicts->bytes_crcs[block] = (uint32_t)little_endian_get(entry + 8, 4);
		verdicts->notes_crcs[block] = (uint32_t)little_endian_get(entry + 12, 4);
	}
	const unsigned char *counts = index + verdicts->blocks * VERDICTS_ENTRY_LENGTH;
	verdicts->undo_lines = little_endian_get(counts, 8);
	verdicts->undo_missing = little_endian_get(counts + 8, 8);
	verdicts->undo_known = true;
	return NULL;
}

int live_verdicts_open(const char *directory, uint64_t job_tag, struct live_verdicts **out,
                       struct error *error)
{
	char path[4200];
	*out = NULL;
	struct live_verdicts *verdicts = calloc(1, sizeof(*verdicts));
	if (!verdicts || verdicts_path(path, sizeof(path), directory, LIVE_VERDICTS_FILE, "") < 0) {
		free(verdicts);
		error_set(error, "cannot read the preflight's verdicts in %s", directory);
		return 1;
	}
	const char *why = "absent or unreadable";
	if (!(verdicts->text = malloc(3u * (VERDICTS_TEXT_MAX + 1u))) ||
	    map_whole(path, &verdicts->bytes, &verdicts->length) < 0)
		goto refuse;
	size_t length = verdicts->length;
	const unsigned char *trailer = verdicts->bytes + length - VERDICTS_TRAILER_LENGTH;
	why = "torn or damaged";
	uint64_t version = little_endian_get(trailer + 8, 4);
	if (memcmp(trailer, VERDICTS_TRAILER_MAGIC, 8) != 0 ||
	    little_endian_get(trailer + 48, 4) !=
	        verdicts_crc_add(verdicts_crc_start(), trailer, 48))
		goto refuse;
	why = "of an unknown format version (written by a newer lattigo-batch)";
	if ((version != VERDICTS_VERSION_WHOLE && version != VERDICTS_VERSION_BLOCKS) ||
	    little_endian_get(trailer + 12, 4) != BLOCK_ROWS)
		goto refuse;
	why = "torn or damaged";
	verdicts->rows = little_endian_get(trailer + 16, 8);
	verdicts->notes_length = little_endian_get(trailer + 24, 8);
	verdicts->blocks = (verdicts->rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
	if (verdicts->rows > length || verdicts->blocks > length / 8)
		goto refuse;
	why = "another job's";
	if (little_endian_get(trailer + 32, 8) != job_tag)
		goto refuse;
	why = "too large for memory";
	size_t blocks = (size_t)verdicts->blocks;
	if (!(verdicts->notes_offsets = malloc((blocks + 1) * sizeof(uint64_t))) ||
	    !(verdicts->bytes_state = calloc(blocks + 1, 1)) ||
	    !(verdicts->notes_state = calloc(blocks + 1, 1)))
		goto refuse;
	why = "their notes are absent or unreadable";
	if (verdicts_path(path, sizeof(path), directory, LIVE_VERDICT_NOTES_FILE, "") < 0 ||
	    !(verdicts->notes = fopen(path, "rb")))
		goto refuse;
	/* notes cut short or grown are torn: said now, not when a block is read */
	why = "their notes are torn or damaged";
	struct stat status;
	if (fstat(fileno(verdicts->notes), &status) != 0 ||
	    (uint64_t)status.st_size != verdicts->notes_length)
		goto refuse;
	why = version == VERDICTS_VERSION_WHOLE ? open_whole(verdicts, trailer)
	                                        : open_blocks(verdicts, trailer);
	if (why)
		goto refuse;
	verdicts->notes_offsets[blocks] = verdicts->notes_length;
	for (size_t block = 0; block < blocks; block++)
		if (verdicts->notes_offsets[block] > verdicts->notes_offsets[block + 1]) {
			why = "their notes are torn or damaged";
			goto refuse;
		}
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
	free(verdicts->notes_offsets);
	free(verdicts->bytes_crcs);
	free(verdicts->notes_crcs);
	free(verdicts->bytes_state);
	free(verdicts->notes_state);
	free(verdicts->text);
	free(verdicts);
}

uint64_t live_verdicts_rows(const struct live_verdicts *verdicts)
{
	return verdicts->rows;
}

/* The first row of block and the count of its rows. */
static uint64_t block_rows(const struct live_verdicts *verdicts, uint64_t block, uint64_t *first)
{
	*first = block * BLOCK_ROWS + 1;
	uint64_t left = verdicts->rows - block * BLOCK_ROWS;
	return left < BLOCK_ROWS ? left : BLOCK_ROWS;
}

/* Whether block's bytes match their CRC, checked the first time asked. */
static bool bytes_good(const struct live_verdicts *verdicts, uint64_t block)
{
	unsigned char *state = &verdicts->bytes_state[block];
	if (*state == BLOCK_UNCHECKED) {
		uint64_t first;
		uint64_t count = block_rows(verdicts, block, &first);
		uint32_t crc = verdicts_crc_add(verdicts_crc_start(), verdicts->bytes + first - 1,
		                                (size_t)count);
		*state = crc == verdicts->bytes_crcs[block] ? BLOCK_GOOD : BLOCK_DAMAGED;
	}
	return *state == BLOCK_GOOD;
}

/* Whether block's notes match their CRC, checked the first time asked. */
static bool notes_good(struct live_verdicts *verdicts, uint64_t block)
{
	unsigned char *state = &verdicts->notes_state[block];
	if (*state == BLOCK_UNCHECKED) {
		uint64_t start = verdicts->notes_offsets[block];
		uint32_t crc;
		bool read = region_crc(verdicts->notes, start,
		                       verdicts->notes_offsets[block + 1] - start, &crc);
		*state = read && crc == verdicts->notes_crcs[block] ? BLOCK_GOOD : BLOCK_DAMAGED;
	}
	return *state == BLOCK_GOOD;
}

uint8_t live_verdicts_code(const struct live_verdicts *verdicts, uint64_t row)
{
	if (row < 1 || row > verdicts->rows || !bytes_good(verdicts, (row - 1) / BLOCK_ROWS))
		return LIVE_VERDICT_NONE;
	return verdicts->bytes[row - 1];
}

int live_verdicts_check(struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                        struct error *error)
{
	if (last > verdicts->rows)
		last = verdicts->rows;
	if (first < 1)
		first = 1;
	if (first > last)
		return 0;
	for (uint64_t block = (first - 1) / BLOCK_ROWS; block <= (last - 1) / BLOCK_ROWS; block++) {
		bool bytes = bytes_good(verdicts, block);
		if (bytes && notes_good(verdicts, block))
			continue;
		uint64_t start;
		uint64_t count = block_rows(verdicts, block, &start);
		error_set(error, "the preflight's %s of rows %llu to %llu are damaged",
		          bytes ? "verdict notes" : "verdicts", (unsigned long long)start,
		          (unsigned long long)(start + count - 1));
		return 1;
	}
	return 0;
}

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

/* Adds to *lines and *missing the undo flags of count bytes at at, eight
 * rows a step: a byte lane of the accumulators counts one row in eight,
 * emptied before it can pass 255. */
static void count_undo_bytes(const unsigned char *at, uint64_t count, uint64_t *lines,
                             uint64_t *missing)
{
	uint64_t line_count = 0, missing_count = 0;
	while (count >= 8) {
		uint64_t line_lanes = 0, missing_lanes = 0;
		for (unsigned step = 0; step < 255 && count >= 8; step++, at += 8, count -= 8) {
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
	for (; count > 0; count--, at++) {
		uint8_t code = *at;
		/* an invalid row's byte has every bit set and counts for nothing */
		bool classified = code != LIVE_VERDICT_NONE;
		line_count += classified && (code & LIVE_VERDICT_UNDO_LINE);
		missing_count += classified && (code & LIVE_VERDICT_UNDO_MISSING);
	}
	*lines += line_count;
	*missing += missing_count;
}

void live_verdicts_count_undo(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                              uint64_t *lines, uint64_t *missing)
{
	if (last > verdicts->rows)
		last = verdicts->rows;
	if (first < 1)
		first = 1;
	/* the whole job, as the writer counted it */
	if (verdicts->undo_known && first == 1 && last == verdicts->rows) {
		*lines += verdicts->undo_lines;
		*missing += verdicts->undo_missing;
		return;
	}
	while (first <= last) {
		uint64_t block = (first - 1) / BLOCK_ROWS;
		uint64_t end = (block + 1) * BLOCK_ROWS < last ? (block + 1) * BLOCK_ROWS : last;
		/* a damaged block counts for nothing, as its rows' bytes read */
		if (bytes_good(verdicts, block))
			count_undo_bytes(verdicts->bytes + first - 1, end - first + 1, lines,
			                 missing);
		first = end + 1;
	}
}

void live_verdicts_tally(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                         live_verdicts_final_fn *final, void *context,
                         struct live_verdicts_tally *tally)
{
	if (last > verdicts->rows)
		last = verdicts->rows;
	for (uint64_t row = first < 1 ? 1 : first; row <= last;) {
		uint64_t block = (row - 1) / BLOCK_ROWS;
		if (!bytes_good(verdicts, block)) {
			row = (block + 1) * BLOCK_ROWS + 1; /* its rows read as not classified */
			continue;
		}
		/* groups of 64 rows from row 1 on, so that none crosses a block's end */
		uint64_t end = row + 64 - (row - 1) % 64;
		if (end > last + 1)
			end = last + 1;
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
	unsigned char head[VERDICTS_NOTE_HEAD];
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

/* Checks the notes of blocks first..last (each once). Returns 0 or -1. */
static int notes_checked(struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                         struct error *error)
{
	for (uint64_t block = first; block <= last; block++)
		if (!notes_good(verdicts, block)) {
			verdicts->positioned = false;
			return error_set(
			    error, "the preflight's verdict notes of rows %llu to %llu are damaged",
			    (unsigned long long)(block * BLOCK_ROWS + 1),
			    (unsigned long long)((block + 1) * BLOCK_ROWS));
		}
	return 0;
}

int live_verdicts_note(struct live_verdicts *verdicts, uint64_t row, struct live_verdict_note *note,
                       struct error *error)
{
	uint8_t code = live_verdicts_code(verdicts, row);
	if (code == LIVE_VERDICT_NONE || !(code & LIVE_VERDICT_NOTED))
		return 0;
	uint64_t block = (row - 1) / BLOCK_ROWS;
	bool current = verdicts->loaded && verdicts->loaded_row == row;
	/* behind the read position, or more than two blocks ahead: seek */
	if (!current && (!verdicts->positioned || row <= verdicts->floor ||
	                 row - verdicts->floor > 2u * BLOCK_ROWS)) {
		if (notes_checked(verdicts, block, block, error) < 0)
			return -1;
		if (fseeko(verdicts->notes, (off_t)verdicts->notes_offsets[block], SEEK_SET) != 0)
			return error_set(error, "cannot read the preflight's verdict notes: %s",
			                 strerror(errno));
		verdicts->floor = block * BLOCK_ROWS;
		verdicts->positioned = true;
		verdicts->loaded = false;
	}
	/* what is read from here to row's note lies in the blocks of the rows
	 * after floor up to row's: each checked before its notes are used */
	if (!current && notes_checked(verdicts, verdicts->floor / BLOCK_ROWS, block, error) < 0)
		return -1;
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
