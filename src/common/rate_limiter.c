/* Token bucket arithmetic in fractional tokens, so odd rates stay exact. */
#include "rate_limiter.h"

void rate_limiter_init(struct rate_limiter *limiter, double rate, int64_t now_ms)
{
	limiter->rate = rate > 0 ? rate : 0;
	limiter->burst = 1.0;
	limiter->tokens = limiter->burst;
	limiter->last_ms = now_ms;
}

void rate_limiter_set_burst(struct rate_limiter *limiter, double burst)
{
	limiter->burst = burst > 1.0 ? burst : 1.0;
	limiter->tokens = limiter->burst;
}

static void refill(struct rate_limiter *limiter, int64_t now_ms)
{
	if (now_ms <= limiter->last_ms)
		return;
	limiter->tokens += (double)(now_ms - limiter->last_ms) * limiter->rate / 1000.0;
	if (limiter->tokens > limiter->burst)
		limiter->tokens = limiter->burst;
	limiter->last_ms = now_ms;
}

bool rate_limiter_try_take(struct rate_limiter *limiter, int64_t now_ms)
{
	if (limiter->rate <= 0)
		return true;
	refill(limiter, now_ms);
	/* A hair of tolerance: millisecond clocks would otherwise lose a token to rounding. */
	if (limiter->tokens < 1.0 - 1e-9)
		return false;
	limiter->tokens -= 1.0;
	return true;
}

int64_t rate_limiter_wait_ms(struct rate_limiter *limiter, int64_t now_ms)
{
	if (limiter->rate <= 0)
		return 0;
	refill(limiter, now_ms);
	double missing = 1.0 - limiter->tokens;
	if (missing <= 1e-9)
		return 0;
	double wait = missing * 1000.0 / limiter->rate;
	int64_t whole = (int64_t)wait;
	return (double)whole < wait ? whole + 1 : whole;
}
