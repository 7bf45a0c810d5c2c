/* Token bucket: refilled continuously at `rate` tokens per second. */
#include "sim/rate_limit.h"

#include <math.h>

static double bucket_size(const struct rate_limit *limit)
{
	return limit->rate > 1.0 ? limit->rate : 1.0;
}

void rate_limit_init(struct rate_limit *limit, double rate)
{
	limit->rate = rate > 0 ? rate : 0;
	limit->tokens = bucket_size(limit);
	limit->last_ms = -1;
	pthread_mutex_init(&limit->lock, NULL);
}

void rate_limit_release(struct rate_limit *limit)
{
	pthread_mutex_destroy(&limit->lock);
}

unsigned rate_limit_take(struct rate_limit *limit, int64_t now_ms)
{
	if (limit->rate <= 0)
		return 0;
	unsigned wait = 0;
	pthread_mutex_lock(&limit->lock);
	if (limit->last_ms >= 0 && now_ms > limit->last_ms) {
		limit->tokens += (double)(now_ms - limit->last_ms) * limit->rate / 1000.0;
		if (limit->tokens > bucket_size(limit))
			limit->tokens = bucket_size(limit);
	}
	if (limit->last_ms < 0 || now_ms > limit->last_ms)
		limit->last_ms = now_ms;
	if (limit->tokens >= 1.0) {
		limit->tokens -= 1.0;
	} else {
		double seconds = ceil((1.0 - limit->tokens) / limit->rate);
		wait = seconds < 1.0 ? 1 : (unsigned)seconds;
	}
	pthread_mutex_unlock(&limit->lock);
	return wait;
}
