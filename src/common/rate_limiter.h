/* The one token bucket: the client's --rate (at most rate calls per second,
 * with a burst of one so calls are spread evenly) and lattigo-sim's --rate
 * (whose bucket holds a second's worth, see rate_limiter_set_burst). The
 * clock is passed in, so the bucket is tested without waiting. */
#ifndef LATTIGO_RATE_LIMITER_H
#define LATTIGO_RATE_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

struct rate_limiter {
	double rate;  /* tokens per second; 0 = unlimited */
	double burst; /* most tokens the bucket holds */
	double tokens;
	int64_t last_ms;
};

/* Prepares a full bucket at now_ms; rate 0 disables limiting. */
void rate_limiter_init(struct rate_limiter *limiter, double rate, int64_t now_ms);
/* Lets the bucket hold burst tokens (at least 1) and fills it. */
void rate_limiter_set_burst(struct rate_limiter *limiter, double burst);
/* Takes one token and returns true, or returns false when none is available at now_ms. */
bool rate_limiter_try_take(struct rate_limiter *limiter, int64_t now_ms);
/* Milliseconds from now_ms until a token is available (0 when one is). */
int64_t rate_limiter_wait_ms(struct rate_limiter *limiter, int64_t now_ms);

#endif
