/* splitmix64: tiny, fast and good enough for test data, fault injection and
 * jitter. */
#include "common/random.h"

void random_seed(uint64_t *state, uint64_t seed)
{
	*state = seed;
}

double random_unit(uint64_t *state)
{
	return (double)(random_next(state) >> 11) / 9007199254740992.0;
}
