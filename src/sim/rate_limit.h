/* lattigo-sim's --rate: the shared token bucket (common/rate_limiter.h)
 * behind a lock, answering 429 with Retry-After above the rate.
 * Ownership: plain state, nothing to free besides the lock. */
#ifndef LATTIGO_SIM_RATE_LIMIT_H
#define LATTIGO_SIM_RATE_LIMIT_H

#include <pthread.h>
#include <stdint.h>

#include "common/rate_limiter.h"

struct rate_limit {
	struct rate_limiter bucket; /* holds at most max(rate, 1) tokens */
	pthread_mutex_t lock;
};

/* Starts with a full bucket at now_ms. */
void rate_limit_init(struct rate_limit *limit, double rate, int64_t now_ms);
/* Destroys the lock. */
void rate_limit_release(struct rate_limit *limit);
/* Takes one token at time now_ms: returns 0 when the call may proceed, or the
 * whole number of seconds (>= 1) the caller should wait, for Retry-After. */
unsigned rate_limit_take(struct rate_limit *limit, int64_t now_ms);

#endif
