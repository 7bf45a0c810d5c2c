/* When `verify --wait` reads the rows still pending again: 2 s after a
 * round, doubling to at most 60 s between rounds, never past the deadline
 * (a last round is placed at the deadline itself). Pure: the caller passes
 * the monotonic time, so tests drive it with a fake clock.
 * Ownership: plain values, nothing to free. */
#ifndef LATTIGO_VERIFY_SCHEDULE_H
#define LATTIGO_VERIFY_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#define VERIFY_POLL_FIRST_MS 2000
#define VERIFY_POLL_MAX_MS   60000

struct verify_schedule {
	int64_t started_ms;  /* monotonic, when verification began */
	int64_t deadline_ms; /* started_ms + the wait */
	int64_t delay_ms;    /* the pause after the next round */
	unsigned rounds;     /* rounds asked for so far (the first read included) */
};

/* Starts a schedule at now_ms that waits at most wait_ms (0: one read only). */
void verify_schedule_init(struct verify_schedule *schedule, int64_t now_ms, int64_t wait_ms);

/* After a round that ended at now_ms with rows still pending: the monotonic
 * time of the next round, or -1 when the wait is over. */
int64_t verify_schedule_next(struct verify_schedule *schedule, int64_t now_ms);

/* Milliseconds waited so far (now_ms - started_ms, at least 0). */
int64_t verify_schedule_waited(const struct verify_schedule *schedule, int64_t now_ms);

#endif
