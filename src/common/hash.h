/* Non-cryptographic 64-bit hashing for compact key sets and fingerprints. */
#ifndef LATTIGO_HASH_H
#define LATTIGO_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hashes length bytes with a well-mixed 64-bit function (seeded). */
uint64_t hash64(const void *data, size_t length, uint64_t seed);

#endif
