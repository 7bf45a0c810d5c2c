/* Replay: turns the journal's records into the resume state — one bit per
 * row for "sent" and one for "final" after the snapshot's final prefix
 * (row_bits.h; a million rows cost 250 KB), counts
 * per status, and the seek position below which every row is final. A
 * compacted segment starts from its snapshot's state (journal_read falls
 * back to the previous segment when that snapshot is damaged). */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "row_bits.h"

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

int replay_note_sent(struct journal_replay *replay, uint64_t row, struct error *error)
{
	if (row_bits_set_sent(replay, row))
		return error_set(error, "out of memory replaying the checkpoint");
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
	/* a row is counted once; a repeated outcome (never written by one job) only
	 * reaches the inner visitor, where the latest wins */
	if (row_bits_final(replay, row))
		return 0;
	if (row_bits_set_final(replay, row))
		return error_set(error, "out of memory replaying the checkpoint");
	replay->rows_final++;
	replay->rows_by_status[status]++;
	return 0;
}

int replay_copy(struct journal_replay *to, const struct journal_replay *from)
{
	journal_replay_release(to);
	*to = *from;
	to->final_bits = to->started_bits = NULL;
	to->bit_bytes = 0;
	if (row_bits_copy(to, from)) {
		journal_replay_release(to);
		return -1;
	}
	return 0;
}

uint64_t replay_highest_row(const struct journal_replay *replay, bool final_only)
{
	return row_bits_highest(replay, final_only);
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
	return row_bits_final_prefix(replay);
}

uint64_t journal_replay_count_in_doubt(const struct journal_replay *replay)
{
	return row_bits_in_doubt(replay);
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
	if (row_bits_final(replay, row))
		return JOURNAL_ROW_FINAL;
	if (row_bits_sent(replay, row))
		return JOURNAL_ROW_IN_DOUBT;
	return JOURNAL_ROW_NEW;
}

uint64_t journal_replay_final_word(const struct journal_replay *replay, uint64_t first)
{
	return row_bits_final_word(replay, first);
}

uint64_t journal_replay_final_prefix(const struct journal_replay *replay)
{
	return replay_final_prefix(replay);
}

void journal_replay_release(struct journal_replay *replay)
{
	row_bits_release(replay);
}

int journal_summarize(const char *directory, struct journal_read_result *result,
                      struct journal_replay *replay, struct error *error)
{
	return replay_directory(directory, NULL, result, replay, false, error);
}
