/* splitmix64: tiny, fast and good enough for test data and fault injection. */
#include "sim/random.h"

void sim_random_init(struct sim_random *random, uint64_t seed)
{
	random->state = seed;
}

uint64_t sim_random_next(struct sim_random *random)
{
	uint64_t z = (random->state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t sim_random_below(struct sim_random *random, uint64_t bound)
{
	return sim_random_next(random) % bound;
}

double sim_random_unit(struct sim_random *random)
{
	return (double)(sim_random_next(random) >> 11) / 9007199254740992.0;
}
