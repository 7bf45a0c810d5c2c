/* Where one row of a steps job is: the step it is at, and whether it waits
 * for that step's verification. A pure state machine: told how a step or a
 * verification read ended and the time, it says what comes next (send step
 * k, read again at t, done, failed), so the order rules are tested without
 * sockets or clocks.
 * Ownership: plain values, nothing to free. */
#ifndef LATTIGO_STEP_FLOW_H
#define LATTIGO_STEP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"

/* The first read of a verification comes this long after the step, until
 * the job has learnt how long its verifications take; later reads back off
 * from FLOW_READ_AGAIN_MS, doubling, to at most FLOW_READ_MAX_MS. */
#define FLOW_FIRST_READ_MS 1000
#define FLOW_READ_AGAIN_MS 1000
#define FLOW_READ_MAX_MS   30000

/* Rounds of reads (one listing of the account judges every row waiting):
 * the pause after a round that settled rows (verified, or never) is
 * FLOW_ROUND_GAP_MS, or the round's own time; after one that settled none
 * it grows by half, up to FLOW_READ_MAX_MS. */
#define FLOW_ROUND_GAP_MS 250

/* What a step asks of the flow. */
struct flow_step {
	int64_t verify_ms; /* wait until verified after the step; 0: none */
	int64_t learnt_ms; /* how long verifications of this step took (moving
	                      average, 0: none yet); flow_read_finished updates it */
};

/* One row's position. */
struct flow_row {
	size_t step;         /* the step the row is at */
	size_t last;         /* steps it runs: every step, or (partial) those before the one
	                        it is invalid for */
	bool verifying;      /* its step ended ok: waiting until the effect is verified */
	int64_t ended_ms;    /* monotonic: when the step ended (verification began) */
	int64_t deadline_ms; /* monotonic: the end of the verification wait */
	int64_t delay_ms;    /* the pause before the read after the next */
};

enum flow_next {
	FLOW_SEND,   /* send step row->step */
	FLOW_READ,   /* read the device back at *at_ms */
	FLOW_DONE,   /* every step ended ok or unchanged */
	FLOW_FAILED, /* the row stops at row->step: *status and message say why */
};

/* What comes next and, for FLOW_FAILED, the row's status and message. */
struct flow_action {
	enum flow_next next;
	int64_t at_ms;
	enum row_status status;
	char message[512];
};

/* Starts a row that runs its first last steps (last may be 0: a row invalid
 * for step 1 with partial, which then fails at once with status invalid). */
void flow_start(struct flow_row *row, size_t last, struct flow_action *action);
/* The row's step ended with outcome at now_ms (monotonic). */
void flow_step_finished(struct flow_row *row, const struct flow_step *steps,
                        const struct row_outcome *outcome, int64_t now_ms,
                        struct flow_action *action);
/* A verification read of the row's step ended with outcome (ok: verified;
 * unknown: not yet; error: never) at now_ms. */
void flow_read_finished(struct flow_row *row, struct flow_step *steps,
                        const struct row_outcome *outcome, int64_t now_ms,
                        struct flow_action *action);
/* A resumed row: at step (not sent there yet, or in doubt). */
void flow_resume_at(struct flow_row *row, size_t step, struct flow_action *action);
/* A resumed row whose step ended ok at ended_ms and whose verification was
 * still waiting: the wait goes on to deadline_ms (both monotonic; an
 * earlier run's times moved to this run's clock), read at once. */
void flow_resume_verifying(struct flow_row *row, size_t step, int64_t ended_ms, int64_t deadline_ms,
                           int64_t now_ms, struct flow_action *action);
/* The pause before the next round of reads after one that took round_ms and
 * settled settled rows; previous_ms is the pause before it (0: the first).
 * An effect that shows soon is seen soon, one slow to show costs few reads. */
int64_t flow_round_gap(int64_t previous_ms, int64_t round_ms, size_t settled);
/* Enters the row into the step after its current one, or done. */
void flow_next_step(struct flow_row *row, struct flow_action *action);

#endif
