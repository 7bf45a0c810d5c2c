/* Replay: turns the journal's records into the resume state — one bit per
 * row for "sent" and one for "final" (a million rows cost 250 KB), counts
 * per status, and the seek position below which every row is final. A
 * compacted segment starts from its snapshot's state (journal_read falls
 * back to the previous segment when that snapshot is damaged). */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "reader.h"

/* Positions of the latest outcomes, slot = row % RECENT_POSITIONS: the
 * resume point is nearly always among them, which spares a second pass over
 * the whole journal (its CRCs dominate a resume). 192 KB. */
#define RECENT_POSITIONS 8192u

struct replay_context {
	struct journal_replay *replay;
	const struct journal_visitor *inner;
	uint64_t wanted_row; /* second pass: the row whose position is the resume point */
	struct manifest_position *recent; /* NULL: not kept */
};

/* Makes room for bit row in both bitmaps. Returns 0 or -1. */
static int bitmaps_reserve(struct journal_replay *replay, uint64_t row)
{
	size_t needed = (size_t)(row / 8 + 1);
	if (needed <= replay->bit_bytes)
		return 0;
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

static bool bit_get(const unsigned char *bits, size_t bit_bytes, uint64_t row)
{
	return row / 8 < bit_bytes && (bits[row / 8] >> (row % 8) & 1);
}

static void bit_set(unsigned char *bits, uint64_t row)
{
	bits[row / 8] = (unsigned char)(bits[row / 8] | 1u << (row % 8));
}

int replay_note_sent(struct journal_replay *replay, uint64_t row, struct error *error)
{
	if (bitmaps_reserve(replay, row))
		return error_set(error, "out of memory replaying the checkpoint");
	bit_set(replay->started_bits, row);
	return 0;
}

int replay_note_call(struct journal_replay *replay, const struct journal_call *call,
                     struct error *error)
{
	replay->calls++;
	if (call->attempt > 1)
		replay->retries++;
	if (call->call_id > replay->highest_call_id)
		replay->highest_call_id = call->call_id;
	for (size_t index = 0; index < call->row_count; index++)
		if (replay_note_sent(replay, call->rows[index].row, error))
			return -1;
	return 0;
}

int replay_note_outcome(struct journal_replay *replay, uint64_t row, enum row_status status,
                        struct error *error)
{
	if (bitmaps_reserve(replay, row))
		return error_set(error, "out of memory replaying the checkpoint");
	/* a row is counted once; a repeated outcome (never written by one job) only
	 * reaches the inner visitor, where the latest wins */
	if (!bit_get(replay->final_bits, replay->bit_bytes, row)) {
		bit_set(replay->final_bits, row);
		replay->rows_final++;
		replay->rows_by_status[status]++;
	}
	return 0;
}

int replay_copy(struct journal_replay *to, const struct journal_replay *from)
{
	journal_replay_release(to);
	*to = *from;
	to->final_bits = to->started_bits = NULL;
	to->bit_bytes = 0;
	if (!from->bit_bytes)
		return 0;
	to->final_bits = malloc(from->bit_bytes);
	to->started_bits = malloc(from->bit_bytes);
	if (!to->final_bits || !to->started_bits) {
		journal_replay_release(to);
		return -1;
	}
	memcpy(to->final_bits, from->final_bits, from->bit_bytes);
	memcpy(to->started_bits, from->started_bits, from->bit_bytes);
	to->bit_bytes = from->bit_bytes;
	return 0;
}

uint64_t replay_highest_row(const struct journal_replay *replay, bool final_only)
{
	for (size_t index = replay->bit_bytes; index > 0; index--) {
		unsigned bits = replay->final_bits[index - 1];
		if (!final_only)
			bits |= replay->started_bits[index - 1];
		if (bits)
			return (uint64_t)(index - 1) * 8 + 31 -
			       (uint64_t)__builtin_clz(bits & 0xffu);
	}
	return 0;
}

static int on_call_started(void *context, const struct journal_call *call, struct error *error)
{
	struct replay_context *state = context;
	if (replay_note_call(state->replay, call, error))
		return -1;
	const struct journal_visitor *inner = state->inner;
	return inner && inner->call_started ? inner->call_started(inner->context, call, error) : 0;
}

static int on_row_outcome(void *context, const struct manifest_position *position,
                          const struct row_outcome *outcome, struct error *error)
{
	struct replay_context *state = context;
	if (state->recent)
		state->recent[position->row % RECENT_POSITIONS] = *position;
	if (replay_note_outcome(state->replay, position->row, outcome->status, error))
		return -1;
	const struct journal_visitor *inner = state->inner;
	return inner && inner->row_outcome
	           ? inner->row_outcome(inner->context, position, outcome, error)
	           : 0;
}

/* A compacted segment's first record: its state becomes the replay's. */
static int on_snapshot(void *context, const struct journal_snapshot *snapshot, struct error *error)
{
	struct replay_context *state = context;
	if (replay_copy(state->replay, snapshot->state))
		return error_set(error, "out of memory replaying the checkpoint");
	const struct journal_visitor *inner = state->inner;
	return inner && inner->snapshot ? inner->snapshot(inner->context, snapshot, error) : 0;
}

static int on_row_total(void *context, uint64_t rows, struct error *error)
{
	struct replay_context *state = context;
	state->replay->row_total = rows;
	const struct journal_visitor *inner = state->inner;
	return inner && inner->row_total ? inner->row_total(inner->context, rows, error) : 0;
}

static int on_job_finished(void *context, int64_t finished_at_ms, struct error *error)
{
	struct replay_context *state = context;
	state->replay->job_finished = true;
	const struct journal_visitor *inner = state->inner;
	return inner && inner->job_finished
	           ? inner->job_finished(inner->context, finished_at_ms, error)
	           : 0;
}

static int on_resume_position(void *context, const struct manifest_position *position,
                              const struct row_outcome *outcome, struct error *error)
{
	(void)outcome;
	(void)error;
	struct replay_context *state = context;
	if (position->row == state->wanted_row) {
		state->replay->resume_from = *position;
		state->replay->resume_from_known = true;
	}
	return 0;
}

uint64_t replay_final_prefix(const struct journal_replay *replay)
{
	uint64_t row = 1;
	while (row / 8 < replay->bit_bytes) {
		/* whole bytes of final rows are skipped eight at a time */
		if (row % 8 == 0 && replay->final_bits[row / 8] == 0xff) {
			row += 8;
			continue;
		}
		if (!bit_get(replay->final_bits, replay->bit_bytes, row))
			break;
		row++;
	}
	return row - 1;
}

uint64_t journal_replay_count_in_doubt(const struct journal_replay *replay)
{
	uint64_t count = 0;
	size_t index = 0;
	/* 64 rows a popcount: without -mpopcnt each one is a library call */
	for (; index + sizeof(uint64_t) <= replay->bit_bytes; index += sizeof(uint64_t)) {
		uint64_t started, final;
		memcpy(&started, replay->started_bits + index, sizeof(started));
		memcpy(&final, replay->final_bits + index, sizeof(final));
		count += (uint64_t)__builtin_popcountll(started & ~final);
	}
	for (; index < replay->bit_bytes; index++)
		count += (uint64_t)__builtin_popcount(
		    (unsigned)(replay->started_bits[index] & ~replay->final_bits[index]) & 0xffu);
	return count;
}

int replay_directory(const char *directory, const struct journal_visitor *inner,
                     struct journal_read_result *result, struct journal_replay *replay,
                     bool find_resume_position, struct error *error)
{
	char path[4096];
	memset(replay, 0, sizeof(*replay));
	memset(result, 0, sizeof(*result));
	if (journal_path(directory, path, sizeof(path)))
		return error_set(error, "job directory name '%s' is too long", directory);
	struct replay_context state = {.replay = replay, .inner = inner};
	/* without memory for the recent positions, the second pass finds the point */
	if (find_resume_position)
		state.recent = calloc(RECENT_POSITIONS, sizeof(*state.recent));
	struct journal_visitor counting = {
	    .context = &state,
	    .call_started = on_call_started,
	    .row_outcome = on_row_outcome,
	    .row_total = on_row_total,
	    .job_finished = on_job_finished,
	    .snapshot = on_snapshot,
	};
	if (journal_read(directory, &counting, result, error)) {
		free(state.recent);
		return -1;
	}
	replay->rows_in_doubt = journal_replay_count_in_doubt(replay);
	uint64_t prefix = replay_final_prefix(replay);
	struct manifest_position *recent = state.recent;
	state.recent = NULL;
	/* the snapshot's own resume point holds while the prefix did not move */
	if (replay->resume_from_known && replay->resume_from.row != prefix)
		replay->resume_from_known = false;
	if (!replay->resume_from_known && recent && prefix > 0 &&
	    recent[prefix % RECENT_POSITIONS].row == prefix) {
		replay->resume_from = recent[prefix % RECENT_POSITIONS];
		replay->resume_from_known = true;
	}
	free(recent);
	if (!find_resume_position || prefix == 0 || replay->resume_from_known ||
	    result->used_fallback)
		return 0;
	state.wanted_row = prefix;
	struct journal_visitor locating = {.context = &state, .row_outcome = on_resume_position};
	struct journal_read_result again;
	int status = journal_read_path(path, &locating, &again, error);
	journal_header_release(&again.header);
	return status;
}

enum journal_row_state journal_replay_row_state(const struct journal_replay *replay, uint64_t row)
{
	if (bit_get(replay->final_bits, replay->bit_bytes, row))
		return JOURNAL_ROW_FINAL;
	if (bit_get(replay->started_bits, replay->bit_bytes, row))
		return JOURNAL_ROW_IN_DOUBT;
	return JOURNAL_ROW_NEW;
}

uint64_t journal_replay_final_prefix(const struct journal_replay *replay)
{
	return replay_final_prefix(replay);
}

void journal_replay_release(struct journal_replay *replay)
{
	free(replay->final_bits);
	free(replay->started_bits);
	replay->final_bits = NULL;
	replay->started_bits = NULL;
	replay->bit_bytes = 0;
}

int journal_summarize(const char *directory, struct journal_read_result *result,
                      struct journal_replay *replay, struct error *error)
{
	return replay_directory(directory, NULL, result, replay, false, error);
}
