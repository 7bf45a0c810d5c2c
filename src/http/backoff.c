/* Backoff delays and the retry budget (pure arithmetic, unit-tested). */
#include "backoff.h"

int64_t backoff_ceiling_ms(unsigned retry, int64_t base_ms, int64_t cap_ms)
{
	int64_t ceiling = base_ms;
	for (unsigned step = 0; step < retry && ceiling < cap_ms; step++)
		ceiling *= 2;
	return ceiling < cap_ms ? ceiling : cap_ms;
}

int64_t backoff_delay_ms(unsigned retry, int64_t base_ms, int64_t cap_ms, uint64_t random)
{
	int64_t ceiling = backoff_ceiling_ms(retry, base_ms, cap_ms);
	if (ceiling <= 0)
		return 0;
	return (int64_t)(random % (uint64_t)(ceiling + 1));
}

void retry_budget_init(struct retry_budget *budget, double ratio, uint64_t reserve)
{
	budget->first_attempts = 0;
	budget->retries = 0;
	budget->ratio = ratio;
	budget->reserve = reserve;
}

void retry_budget_count_call(struct retry_budget *budget)
{
	budget->first_attempts++;
}

bool retry_budget_try_spend(struct retry_budget *budget)
{
	double allowed = budget->ratio * (double)budget->first_attempts + (double)budget->reserve;
	if ((double)budget->retries + 1.0 > allowed)
		return false;
	budget->retries++;
	return true;
}
