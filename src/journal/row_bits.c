/* The settled rows' bitmaps of a journal_replay (row_bits.h). Both bitmaps
 * have bit_bytes bytes, always a multiple of 8 so that the scans below take
 * 64 rows a step. */
#include "row_bits.h"

#include <stdlib.h>
#include <string.h>

#include "common/little_endian.h"

#define WORD_BYTES sizeof(uint64_t)

/* Bits index*8.. of bits as one word, bit i of byte j its bit 8j + i on any
 * machine (little_endian_get64: one load where bytes are little-endian). */
static uint64_t word_at(const unsigned char *bits, size_t index)
{
	return little_endian_get64(bits + index);
}

/* Bit position of row in the bitmaps; row must be above the floor. */
static uint64_t position_of(const struct journal_replay *replay, uint64_t row)
{
	return row - replay->final_floor - 1;
}

static bool bit_at(const unsigned char *bits, size_t bit_bytes, uint64_t position)
{
	return position / 8 < bit_bytes && (bits[position / 8] >> (position % 8) & 1);
}

/* Makes room for bit position in both bitmaps. Returns 0 or -1. */
static int reserve(struct journal_replay *replay, uint64_t position)
{
	uint64_t needed = position / 8 + 1;
	if (needed <= replay->bit_bytes)
		return 0;
	if (needed > SIZE_MAX / 2)
		return -1;
	size_t size = replay->bit_bytes ? replay->bit_bytes : 4096;
	while (size < needed)
		size *= 2;
	unsigned char *final_bits = realloc(replay->final_bits, size);
	if (!final_bits)
		return -1;
	replay->final_bits = final_bits;
	unsigned char *started_bits = realloc(replay->started_bits, size);
	if (!started_bits)
		return -1;
	replay->started_bits = started_bits;
	memset(final_bits + replay->bit_bytes, 0, size - replay->bit_bytes);
	memset(started_bits + replay->bit_bytes, 0, size - replay->bit_bytes);
	replay->bit_bytes = size;
	return 0;
}

static int set_bit(struct journal_replay *replay, bool final, uint64_t row)
{
	if (row <= replay->final_floor)
		return 0;
	uint64_t position = position_of(replay, row);
	if (reserve(replay, position))
		return -1;
	unsigned char *bits = final ? replay->final_bits : replay->started_bits;
	bits[position / 8] = (unsigned char)(bits[position / 8] | 1u << (position % 8));
	return 0;
}

bool row_bits_final(const struct journal_replay *replay, uint64_t row)
{
	return row <= replay->final_floor ||
	       bit_at(replay->final_bits, replay->bit_bytes, position_of(replay, row));
}

bool row_bits_sent(const struct journal_replay *replay, uint64_t row)
{
	return row > replay->final_floor &&
	       bit_at(replay->started_bits, replay->bit_bytes, position_of(replay, row));
}

int row_bits_set_final(struct journal_replay *replay, uint64_t row)
{
	return set_bit(replay, true, row);
}

int row_bits_set_sent(struct journal_replay *replay, uint64_t row)
{
	return set_bit(replay, false, row);
}

void row_bits_release(struct journal_replay *replay)
{
	free(replay->final_bits);
	free(replay->started_bits);
	replay->final_bits = NULL;
	replay->started_bits = NULL;
	replay->bit_bytes = 0;
	replay->final_floor = 0;
}

int row_bits_start(struct journal_replay *replay, uint64_t final_floor, uint64_t highest)
{
	row_bits_release(replay);
	replay->final_floor = final_floor;
	if (highest <= final_floor)
		return 0;
	/* exactly the room asked for, in whole words: a decoder fills it */
	uint64_t bytes = (highest - final_floor + 63) / 64 * WORD_BYTES;
	if (bytes > SIZE_MAX / 2)
		return -1;
	replay->final_bits = calloc((size_t)bytes, 1);
	replay->started_bits = calloc((size_t)bytes, 1);
	if (!replay->final_bits || !replay->started_bits) {
		row_bits_release(replay);
		return -1;
	}
	replay->bit_bytes = (size_t)bytes;
	return 0;
}

unsigned char *row_bits_raw(struct journal_replay *replay, bool final)
{
	return final ? replay->final_bits : replay->started_bits;
}

int row_bits_copy(struct journal_replay *to, const struct journal_replay *from)
{
	row_bits_release(to);
	to->final_floor = from->final_floor;
	if (!from->bit_bytes)
		return 0;
	to->final_bits = malloc(from->bit_bytes);
	to->started_bits = malloc(from->bit_bytes);
	if (!to->final_bits || !to->started_bits) {
		row_bits_release(to);
		return -1;
	}
	memcpy(to->final_bits, from->final_bits, from->bit_bytes);
	memcpy(to->started_bits, from->started_bits, from->bit_bytes);
	to->bit_bytes = from->bit_bytes;
	return 0;
}

uint64_t row_bits_final_prefix(const struct journal_replay *replay)
{
	for (size_t index = 0; index < replay->bit_bytes; index += WORD_BYTES) {
		uint64_t word = word_at(replay->final_bits, index);
		if (word != UINT64_MAX)
			return replay->final_floor + (uint64_t)index * 8 +
			       (uint64_t)__builtin_ctzll(~word);
	}
	return replay->final_floor + (uint64_t)replay->bit_bytes * 8;
}

uint64_t row_bits_highest(const struct journal_replay *replay, bool final_only)
{
	for (size_t index = replay->bit_bytes; index > 0; index -= WORD_BYTES) {
		uint64_t word = word_at(replay->final_bits, index - WORD_BYTES);
		if (!final_only)
			word |= word_at(replay->started_bits, index - WORD_BYTES);
		if (word)
			return replay->final_floor + (uint64_t)(index - WORD_BYTES) * 8 + 64 -
			       (uint64_t)__builtin_clzll(word);
	}
	return replay->final_floor;
}

uint64_t row_bits_in_doubt(const struct journal_replay *replay)
{
	uint64_t count = 0;
	/* 64 rows a popcount: without -mpopcnt each one is a library call */
	for (size_t index = 0; index < replay->bit_bytes; index += WORD_BYTES)
		count += (uint64_t)__builtin_popcountll(word_at(replay->started_bits, index) &
		                                        ~word_at(replay->final_bits, index));
	return count;
}

uint64_t row_bits_final_word(const struct journal_replay *replay, uint64_t first)
{
	uint64_t word = 0;
	uint64_t row = first;
	/* the rows up to the floor, then the bitmap's bits from wherever first falls */
	for (; row <= replay->final_floor && row < first + 64; row++)
		word |= 1ull << (row - first);
	while (row < first + 64) {
		uint64_t position = position_of(replay, row);
		if (position / 8 >= replay->bit_bytes)
			break;
		size_t index = (size_t)(position / 8);
		unsigned shift = (unsigned)(position % 8);
		/* up to 57 bits from one unaligned load when 8 bytes are left */
		if (index + WORD_BYTES <= replay->bit_bytes) {
			uint64_t bits = word_at(replay->final_bits, index) >> shift;
			unsigned taken = 64 - shift < first + 64 - row
			                     ? 64 - shift
			                     : (unsigned)(first + 64 - row);
			if (taken < 64)
				bits &= (1ull << taken) - 1;
			word |= bits << (row - first);
			row += taken;
		} else {
			if (replay->final_bits[index] >> shift & 1)
				word |= 1ull << (row - first);
			row++;
		}
	}
	return word;
}
