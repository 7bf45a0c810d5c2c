/* splitmix64: tiny, fast and good enough for test data, fault injection and
 * jitter. */
#include "common/random.h"

void random_seed(uint64_t *state, uint64_t seed)
{
	*state = seed;
}

uint64_t random_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t random_below(uint64_t *state, uint64_t bound)
{
	return random_next(state) % bound;
}

double random_unit(uint64_t *state)
{
	return (double)(random_next(state) >> 11) / 9007199254740992.0;
}
