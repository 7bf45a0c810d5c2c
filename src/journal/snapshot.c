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
#include "row_bits.h"

/* Appends the final (or sent) bits of rows first..first+span-1, packed from bit 0. */
static int put_bits(struct strbuf *payload, const struct journal_replay *state, bool final,
                    uint64_t first, uint64_t span)
{
	unsigned char byte = 0;
	for (uint64_t index = 0; index < span; index++) {
		uint64_t row = first + index;
		if (final ? row_bits_final(state, row) : row_bits_sent(state, row))
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
	if (put_bits(payload, state, true, prefix + 1, span) ||
	    put_bits(payload, state, false, prefix + 1, span))
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

/* Copies span bits into bits (room for them), clearing those past span (a
 * payload's padding), and returns how many are set. */
static uint64_t copy_span(unsigned char *bits, const unsigned char *span_bits, uint64_t span)
{
	size_t bytes = (size_t)((span + 7) / 8);
	if (bytes)
		memcpy(bits, span_bits, bytes);
	if (span % 8)
		bits[bytes - 1] = (unsigned char)(bits[bytes - 1] & ((1u << (span % 8)) - 1));
	uint64_t count = 0;
	for (size_t index = 0; index < bytes; index++)
		count += (uint64_t)__builtin_popcount(bits[index]);
	return count;
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
	/* the bitmaps start after the prefix: what a resume allocates and scans
	 * follows the rows after it, not the job */
	if (row_bits_start(state, prefix, prefix + span))
		return -1;
	uint64_t counted = prefix + copy_span(row_bits_raw(state, true), final_span, span);
	copy_span(row_bits_raw(state, false), sent_span, span);
	uint64_t highest_final = row_bits_highest(state, true);
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
