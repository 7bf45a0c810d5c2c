/* A token bucket limiting calls per second (429 with Retry-After above it).
 * Ownership: plain state, nothing to free besides the lock. */
#ifndef LATTIGO_SIM_RATE_LIMIT_H
#define LATTIGO_SIM_RATE_LIMIT_H

#include <pthread.h>
#include <stdint.h>

struct rate_limit {
	double rate;   /* calls per second; 0 = unlimited */
	double tokens; /* the bucket holds at most max(rate, 1) tokens */
	int64_t last_ms;
	pthread_mutex_t lock;
};

/* Starts with a full bucket. */
void rate_limit_init(struct rate_limit *limit, double rate);
/* Destroys the lock. */
void rate_limit_release(struct rate_limit *limit);
/* Takes one token at time now_ms: returns 0 when the call may proceed, or the
 * whole number of seconds (>= 1) the caller should wait, for Retry-After. */
unsigned rate_limit_take(struct rate_limit *limit, int64_t now_ms);

#endif
