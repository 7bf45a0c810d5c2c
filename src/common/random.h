/* The one pseudo-random generator of the project (splitmix64 over a 64-bit
 * state the caller keeps): lattigo-sim's data set and fault injection, and
 * the client's retry jitter. The same seed gives the same sequence; it is not
 * for secrets (credentials and job ids come from getrandom).
 * Ownership: plain state, nothing to free. */
#ifndef LATTIGO_RANDOM_H
#define LATTIGO_RANDOM_H

#include <stdint.h>

/* The step of the state per draw: n draws can be skipped by adding n times it. */
#define RANDOM_GAMMA 0x9E3779B97F4A7C15ULL

/* Seeds *state. */
void random_seed(uint64_t *state, uint64_t seed);

/* Returns the next 64 random bits. Inline, as random_below: the simulator's
 * data set draws 31 numbers for every device of every listing page it
 * writes, most with a constant bound the compiler divides by cheaply. */
static inline uint64_t random_next(uint64_t *state)
{
	uint64_t z = (*state += RANDOM_GAMMA);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Returns a number in [0, bound) (bound > 0). */
static inline uint64_t random_below(uint64_t *state, uint64_t bound)
{
	return random_next(state) % bound;
}
/* Returns a number in [0, 1). */
double random_unit(uint64_t *state);

#endif
