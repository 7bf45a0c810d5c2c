/* FNV-1a over the bytes, finished with a murmur3 avalanche so every bit of
 * the result depends on every input bit (the low bits index hash tables). */
#include "hash.h"

#include <string.h>

uint64_t hash64(const void *data, size_t length, uint64_t seed)
{
	const unsigned char *bytes = data;
	uint64_t hash = 0xcbf29ce484222325ULL ^ seed;
	for (size_t index = 0; index < length; index++) {
		hash ^= bytes[index];
		hash *= 0x100000001b3ULL;
	}
	hash ^= hash >> 33;
	hash *= 0xff51afd7ed558ccdULL;
	hash ^= hash >> 33;
	hash *= 0xc4ceb9fe1a85ec53ULL;
	hash ^= hash >> 33;
	return hash;
}

#define BULK_PRIME_1 0x9e3779b185ebca87ULL
#define BULK_PRIME_2 0xc2b2ae3d27d4eb4fULL

static uint64_t rotate_left(uint64_t value, unsigned bits)
{
	return value << bits | value >> (64 - bits);
}

static uint64_t bulk_round(uint64_t lane, uint64_t word)
{
	return rotate_left(lane + word * BULK_PRIME_2, 31) * BULK_PRIME_1;
}

uint64_t hash64_bulk(const void *data, size_t length, uint64_t seed)
{
	const unsigned char *bytes = data;
	/* four independent lanes: one multiply chain would wait on itself */
	uint64_t lanes[4] = {seed + BULK_PRIME_1, seed + BULK_PRIME_2, seed, seed - BULK_PRIME_1};
	size_t index = 0;
	for (; index + 32 <= length; index += 32) {
		for (int lane = 0; lane < 4; lane++) {
			uint64_t word;
			memcpy(&word, bytes + index + 8 * (size_t)lane, sizeof(word));
			lanes[lane] = bulk_round(lanes[lane], word);
		}
	}
	uint64_t hash = rotate_left(lanes[0], 1) + rotate_left(lanes[1], 7) +
	                rotate_left(lanes[2], 12) + rotate_left(lanes[3], 18);
	/* the tail, and the length, through the byte-wise hash */
	return hash64(bytes + index, length - index, hash ^ (uint64_t)length);
}
