/* The snapshot record: what a compaction keeps of the rows it drops from the
 * journal. Rows 1..prefix are all final (one number for most of a job);
 * after the prefix, two bitmaps (final, sent) cover the rows up to the
 * highest one either names — the rows that calls in flight finish out of
 * order, a few thousand at most in a normal run. Little-endian:
 *   u64 generation, u64 row_total, u64 calls, u64 retries, u64 highest_call_id,
 *   u64 rows_by_status[ROW_STATUS_COUNT], u8 job_finished,
 *   u8 resume_from_known, u64 resume row, offset, line,
 *   u64 prefix, u64 span, ceil(span / 8) bytes of final bits, as many of sent
 *   bits (bit i is row prefix + 1 + i),
 *   and, when the keys file is kept (absent in older snapshots): u8 1, u64
 *   keys length, u64 keys count, u64 claimed_through, u32 keys CRC32. */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"

static bool bit_at(const unsigned char *bits, size_t bit_bytes, uint64_t row)
{
	return row / 8 < bit_bytes && (bits[row / 8] >> (row % 8) & 1);
}

/* Appends the bits of rows first..first+span-1 of bits, packed from bit 0. */
static int put_bits(struct strbuf *payload, const unsigned char *bits, size_t bit_bytes,
                    uint64_t first, uint64_t span)
{
	unsigned char byte = 0;
	for (uint64_t index = 0; index < span; index++) {
		if (bit_at(bits, bit_bytes, first + index))
			byte = (unsigned char)(byte | 1u << (index % 8));
		if (index % 8 == 7 || index + 1 == span) {
			if (strbuf_append(payload, &byte, 1) != STRBUF_OK)
				return -1;
			byte = 0;
		}
	}
	return 0;
}

int snapshot_encode(const struct journal_replay *state, uint64_t generation, uint64_t prefix,
                    uint64_t highest, struct strbuf *payload)
{
	uint64_t span = highest > prefix ? highest - prefix : 0;
	if (span / 4 + 256 > FRAME_MAX_PAYLOAD)
		return -1;
	frame_put_u64(payload, generation);
	frame_put_u64(payload, state->row_total);
	frame_put_u64(payload, state->calls);
	frame_put_u64(payload, state->retries);
	frame_put_u64(payload, state->highest_call_id);
	for (size_t status = 0; status < ROW_STATUS_COUNT; status++)
		frame_put_u64(payload, state->rows_by_status[status]);
	frame_put_u8(payload, state->job_finished ? 1 : 0);
	bool known = state->resume_from_known && state->resume_from.row == prefix;
	frame_put_u8(payload, known ? 1 : 0);
	frame_put_u64(payload, known ? state->resume_from.row : 0);
	frame_put_u64(payload, known ? state->resume_from.offset : 0);
	frame_put_u64(payload, known ? state->resume_from.line : 0);
	frame_put_u64(payload, prefix);
	frame_put_u64(payload, span);
	if (put_bits(payload, state->final_bits, state->bit_bytes, prefix + 1, span) ||
	    put_bits(payload, state->started_bits, state->bit_bytes, prefix + 1, span))
		return -1;
	if (state->keys.known) {
		frame_put_u8(payload, 1);
		frame_put_u64(payload, state->keys.length);
		frame_put_u64(payload, state->keys.count);
		frame_put_u64(payload, state->keys.claimed_through);
		frame_put_u32(payload, state->keys.crc);
	}
	return payload->length > FRAME_MAX_PAYLOAD ? -1 : 0;
}

/* Sets bits 1..prefix of bits (rows 1 to prefix). */
static void set_bit(unsigned char *bits, uint64_t row)
{
	bits[row / 8] = (unsigned char)(bits[row / 8] | 1u << (row % 8));
}

static void set_prefix(unsigned char *bits, uint64_t prefix)
{
	uint64_t row = 1;
	for (; row <= prefix && row % 8 != 0; row++)
		set_bit(bits, row);
	if (row <= prefix && prefix - row + 1 >= 8) {
		size_t whole = (size_t)((prefix - row + 1) / 8);
		memset(bits + row / 8, 0xff, whole);
		row += (uint64_t)whole * 8;
	}
	for (; row <= prefix; row++)
		set_bit(bits, row);
}

int snapshot_decode(const void *payload, size_t length, struct journal_replay *state,
                    struct journal_snapshot *snapshot)
{
	struct frame_cursor cursor;
	memset(state, 0, sizeof(*state));
	memset(snapshot, 0, sizeof(*snapshot));
	frame_cursor_init(&cursor, payload, length);
	uint64_t generation = frame_get_u64(&cursor);
	state->row_total = frame_get_u64(&cursor);
	state->calls = frame_get_u64(&cursor);
	state->retries = frame_get_u64(&cursor);
	state->highest_call_id = frame_get_u64(&cursor);
	uint64_t final = 0;
	for (size_t status = 0; status < ROW_STATUS_COUNT; status++) {
		state->rows_by_status[status] = frame_get_u64(&cursor);
		final += state->rows_by_status[status];
	}
	uint8_t finished = frame_get_u8(&cursor);
	uint8_t known = frame_get_u8(&cursor);
	state->resume_from.row = frame_get_u64(&cursor);
	state->resume_from.offset = frame_get_u64(&cursor);
	state->resume_from.line = frame_get_u64(&cursor);
	uint64_t prefix = frame_get_u64(&cursor);
	uint64_t span = frame_get_u64(&cursor);
	if (cursor.overrun || generation == 0 || finished > 1 || known > 1 ||
	    prefix > JOURNAL_MAX_ROWS || span > JOURNAL_MAX_ROWS - prefix ||
	    state->rows_by_status[ROW_PENDING] != 0 || final > prefix + span)
		return -1;
	size_t span_bytes = (size_t)((span + 7) / 8);
	const unsigned char *final_span = frame_get_bytes(&cursor, span_bytes);
	const unsigned char *sent_span = frame_get_bytes(&cursor, span_bytes);
	if (!final_span || !sent_span)
		return -1;
	if (cursor.position != length) {
		struct journal_keys_mark *keys = &state->keys;
		keys->known = frame_get_u8(&cursor) == 1;
		keys->length = frame_get_u64(&cursor);
		keys->count = frame_get_u64(&cursor);
		keys->claimed_through = frame_get_u64(&cursor);
		keys->crc = frame_get_u32(&cursor);
		if (cursor.overrun || !keys->known || cursor.position != length)
			return -1;
		keys->seek_known = known == 1;
		keys->seek = state->resume_from;
	}
	state->job_finished = finished == 1;
	state->resume_from_known = known == 1;
	state->generation = generation;
	uint64_t highest = prefix + span;
	if (highest > 0) {
		size_t bytes = (size_t)(highest / 8 + 1);
		state->final_bits = calloc(bytes, 1);
		state->started_bits = calloc(bytes, 1);
		if (!state->final_bits || !state->started_bits)
			return -1;
		state->bit_bytes = bytes;
	}
	set_prefix(state->final_bits, prefix);
	uint64_t counted = prefix;
	uint64_t highest_final = prefix;
	for (uint64_t index = 0; index < span; index++) {
		uint64_t row = prefix + 1 + index;
		unsigned shift = (unsigned)(index % 8);
		if (final_span[index / 8] >> shift & 1) {
			set_bit(state->final_bits, row);
			counted++;
			highest_final = row;
		}
		if (sent_span[index / 8] >> shift & 1)
			set_bit(state->started_bits, row);
	}
	/* the counts per status must add up to the rows the bitmaps hold final */
	if (counted != final)
		return -1;
	state->rows_final = final;
	state->rows_in_doubt = journal_replay_count_in_doubt(state);
	snapshot->generation = generation;
	snapshot->state = state;
	snapshot->final_prefix = prefix;
	snapshot->highest_final = highest_final;
	return 0;
}
