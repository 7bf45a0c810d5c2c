/* The simulator's rate limit on the shared token bucket. */
#include "sim/rate_limit.h"

void rate_limit_init(struct rate_limit *limit, double rate, int64_t now_ms)
{
	rate_limiter_init(&limit->bucket, rate, now_ms);
	/* a service allows a second's worth at once, not one call */
	rate_limiter_set_burst(&limit->bucket, rate);
	pthread_mutex_init(&limit->lock, NULL);
}

void rate_limit_release(struct rate_limit *limit)
{
	pthread_mutex_destroy(&limit->lock);
}

unsigned rate_limit_take(struct rate_limit *limit, int64_t now_ms)
{
	unsigned wait = 0;
	pthread_mutex_lock(&limit->lock);
	if (!rate_limiter_try_take(&limit->bucket, now_ms)) {
		int64_t wait_ms = rate_limiter_wait_ms(&limit->bucket, now_ms);
		int64_t seconds = (wait_ms + 999) / 1000;
		wait = seconds < 1 ? 1 : (unsigned)seconds;
	}
	pthread_mutex_unlock(&limit->lock);
	return wait;
}
