/* Non-cryptographic 64-bit hashing for compact key sets and fingerprints. */
#ifndef LATTIGO_HASH_H
#define LATTIGO_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hashes length bytes with a well-mixed 64-bit function (seeded). */
uint64_t hash64(const void *data, size_t length, uint64_t seed);

/* Hashes length bytes eight at a time, four lanes in parallel: for large
 * buffers compared in memory only (a page of a listing against the one
 * before), several times faster than hash64, whose values cannot change:
 * export checkpoints keep them and they seed the simulator's data set. */
uint64_t hash64_bulk(const void *data, size_t length, uint64_t seed);

#endif
