/* AIMD over the number of calls in flight. */
#include "aimd.h"

void aimd_init(struct aimd *aimd, unsigned ceiling, unsigned recover_after, int64_t cooldown_ms)
{
	aimd->ceiling = ceiling ? ceiling : 1;
	aimd->current = aimd->ceiling;
	aimd->successes = 0;
	aimd->recover_after = recover_after ? recover_after : 1;
	aimd->slowdown = 1;
	aimd->cooldown_ms = cooldown_ms;
	aimd->last_decrease_ms = 0;
	aimd->decreased_once = false;
}

void aimd_on_throttled(struct aimd *aimd, int64_t now_ms)
{
	aimd->successes = 0;
	if (aimd->decreased_once && now_ms - aimd->last_decrease_ms < aimd->cooldown_ms)
		return;
	aimd->current = aimd->current > 1 ? aimd->current / 2 : 1;
	/* Throttled again soon after climbing back: the limit sits between two
	 * steps, so climb more carefully (and forgive as the climb succeeds). */
	if (aimd->slowdown < AIMD_MAX_SLOWDOWN)
		aimd->slowdown *= 2;
	aimd->last_decrease_ms = now_ms;
	aimd->decreased_once = true;
}

void aimd_on_success(struct aimd *aimd)
{
	if (aimd->current >= aimd->ceiling)
		return;
	/* Slower the higher we are: a step from n to n+1 needs recover_after × n
	 * answers, times the slowdown earned by recent 429s. */
	if (++aimd->successes < aimd->recover_after * aimd->current * aimd->slowdown)
		return;
	aimd->current++;
	aimd->successes = 0;
	if (aimd->slowdown > 1)
		aimd->slowdown /= 2;
}
