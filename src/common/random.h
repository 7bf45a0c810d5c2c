/* The one pseudo-random generator of the project (splitmix64 over a 64-bit
 * state the caller keeps): lattigo-sim's data set and fault injection, and
 * the client's retry jitter. The same seed gives the same sequence; it is not
 * for secrets (credentials and job ids come from getrandom).
 * Ownership: plain state, nothing to free. */
#ifndef LATTIGO_RANDOM_H
#define LATTIGO_RANDOM_H

#include <stdint.h>

/* Seeds *state. */
void random_seed(uint64_t *state, uint64_t seed);
/* Returns the next 64 random bits. */
uint64_t random_next(uint64_t *state);
/* Returns a number in [0, bound) (bound > 0). */
uint64_t random_below(uint64_t *state, uint64_t bound);
/* Returns a number in [0, 1). */
double random_unit(uint64_t *state);

#endif
