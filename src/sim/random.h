/* A small seeded pseudo-random generator (splitmix64): the same --seed gives
 * the same data set and the same fault pattern for one sequence of calls. */
#ifndef LATTIGO_SIM_RANDOM_H
#define LATTIGO_SIM_RANDOM_H

#include <stdint.h>

struct sim_random {
	uint64_t state;
};

/* Seeds the generator. */
void sim_random_init(struct sim_random *random, uint64_t seed);
/* Returns the next 64 random bits. */
uint64_t sim_random_next(struct sim_random *random);
/* Returns a number in [0, bound) (bound > 0). */
uint64_t sim_random_below(struct sim_random *random, uint64_t bound);
/* Returns a number in [0, 1). */
double sim_random_unit(struct sim_random *random);

#endif
