/* The per-row state machine of steps jobs (step_flow.h). */
#include "cli/step_flow.h"

#include <stdio.h>
#include <string.h>

#include "common/duration.h"

static void act(struct flow_action *action, enum flow_next next)
{
	memset(action, 0, sizeof(*action));
	action->next = next;
}

void flow_next_step(struct flow_row *row, struct flow_action *action)
{
	row->verifying = false;
	row->step++;
	act(action, row->step < row->last ? FLOW_SEND : FLOW_DONE);
}

void flow_start(struct flow_row *row, size_t last, struct flow_action *action)
{
	memset(row, 0, sizeof(*row));
	row->last = last;
	act(action, last ? FLOW_SEND : FLOW_DONE);
}

static void fail(struct flow_action *action, enum row_status status, const char *message)
{
	act(action, FLOW_FAILED);
	action->status = status;
	snprintf(action->message, sizeof(action->message), "%s", message);
}

void flow_step_finished(struct flow_row *row, const struct flow_step *steps,
                        const struct row_outcome *outcome, int64_t now_ms,
                        struct flow_action *action)
{
	if (!row_status_has(outcome->status, ROW_STATUS_SUCCESS)) {
		fail(action, outcome->status, outcome->message);
		return;
	}
	const struct flow_step *step = &steps[row->step];
	if (!step->verify_ms) {
		flow_next_step(row, action);
		return;
	}
	row->verifying = true;
	row->ended_ms = now_ms;
	row->deadline_ms = now_ms + step->verify_ms;
	row->delay_ms = FLOW_READ_AGAIN_MS;
	/* read when the job's earlier rows were verified, a little later */
	int64_t first =
	    step->learnt_ms ? step->learnt_ms + step->learnt_ms / 10 + 50 : FLOW_FIRST_READ_MS;
	act(action, FLOW_READ);
	action->at_ms = now_ms + first < row->deadline_ms ? now_ms + first : row->deadline_ms;
}

void flow_read_finished(struct flow_row *row, struct flow_step *steps,
                        const struct row_outcome *outcome, int64_t now_ms,
                        struct flow_action *action)
{
	struct flow_step *step = &steps[row->step];
	if (outcome->status == ROW_OK) {
		int64_t took = now_ms - row->ended_ms;
		step->learnt_ms = step->learnt_ms ? (step->learnt_ms * 7 + took) / 8 : took;
		flow_next_step(row, action);
		return;
	}
	if (outcome->status != ROW_UNKNOWN) {
		fail(action, ROW_ERROR, outcome->message);
		return;
	}
	if (now_ms >= row->deadline_ms) {
		char waited[32];
		duration_format(step->verify_ms, waited, sizeof(waited));
		char message[512];
		snprintf(message, sizeof(message),
		         "not verified within %s (pending-timeout): %.400s", waited,
		         outcome->message);
		fail(action, ROW_ERROR, message);
		return;
	}
	act(action, FLOW_READ);
	action->at_ms =
	    now_ms + row->delay_ms < row->deadline_ms ? now_ms + row->delay_ms : row->deadline_ms;
	row->delay_ms = row->delay_ms * 2 < FLOW_READ_MAX_MS ? row->delay_ms * 2 : FLOW_READ_MAX_MS;
}

void flow_resume_at(struct flow_row *row, size_t step, struct flow_action *action)
{
	row->step = step;
	row->verifying = false;
	act(action, step < row->last ? FLOW_SEND : FLOW_DONE);
}

void flow_resume_verifying(struct flow_row *row, size_t step, int64_t ended_ms, int64_t deadline_ms,
                           int64_t now_ms, struct flow_action *action)
{
	row->step = step;
	row->verifying = true;
	row->ended_ms = ended_ms;
	row->deadline_ms = deadline_ms;
	row->delay_ms = FLOW_READ_AGAIN_MS;
	act(action, FLOW_READ);
	action->at_ms = now_ms;
}

int64_t flow_round_gap(int64_t previous_ms, int64_t round_ms, size_t settled)
{
	/* the rounds' pages are calls in the job's engine (they pause nothing),
	 * but the account is read at most half the time, whatever its size */
	int64_t floor = round_ms > FLOW_ROUND_GAP_MS ? round_ms : FLOW_ROUND_GAP_MS;
	if (settled)
		return floor;
	/* half again, not twice: a device that shows just after a round is seen
	 * one pause later, and a pause is then at most a third of the wait so
	 * far (doubling made it half: activations of 2 s seen at 3.1 s) */
	int64_t grown = previous_ms + previous_ms / 2;
	int64_t gap = grown < FLOW_READ_MAX_MS ? grown : FLOW_READ_MAX_MS;
	return gap > floor ? gap : floor;
}
