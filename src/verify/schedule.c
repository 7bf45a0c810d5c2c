/* The polling schedule of `verify --wait` (see schedule.h). */
#include "verify/schedule.h"

void verify_schedule_init(struct verify_schedule *schedule, int64_t now_ms, int64_t wait_ms)
{
	schedule->started_ms = now_ms;
	schedule->deadline_ms = now_ms + (wait_ms > 0 ? wait_ms : 0);
	schedule->delay_ms = VERIFY_POLL_FIRST_MS;
	schedule->rounds = 1;
}

int64_t verify_schedule_next(struct verify_schedule *schedule, int64_t now_ms)
{
	if (now_ms >= schedule->deadline_ms)
		return -1;
	int64_t next = now_ms + schedule->delay_ms;
	schedule->delay_ms *= 2;
	if (schedule->delay_ms > VERIFY_POLL_MAX_MS)
		schedule->delay_ms = VERIFY_POLL_MAX_MS;
	/* The last look is at the deadline itself: a row that becomes active
	 * during the final pause is still seen. */
	if (next > schedule->deadline_ms)
		next = schedule->deadline_ms;
	schedule->rounds++;
	return next;
}

int64_t verify_schedule_waited(const struct verify_schedule *schedule, int64_t now_ms)
{
	return now_ms > schedule->started_ms ? now_ms - schedule->started_ms : 0;
}
