/* FNV-1a over the bytes, finished with a murmur3 avalanche so every bit of
 * the result depends on every input bit (the low bits index hash tables). */
#include "hash.h"

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
