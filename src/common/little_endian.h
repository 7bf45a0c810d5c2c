#ifndef LATTIGO_COMMON_LITTLE_ENDIAN_H
#define LATTIGO_COMMON_LITTLE_ENDIAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Stores the low `bytes` bytes of value at out, least significant first (the
 * byte order of every on-disk file of a job, whatever the machine's). */
static inline void little_endian_put(unsigned char *out, uint64_t value, size_t bytes)
{
	for (size_t index = 0; index < bytes; index++)
		out[index] = (unsigned char)(value >> (8 * index));
}

/* Reads `bytes` bytes at in, least significant first. */
static inline uint64_t little_endian_get(const unsigned char *in, size_t bytes)
{
	uint64_t value = 0;
	for (size_t index = 0; index < bytes; index++)
		value |= (uint64_t)in[index] << (8 * index);
	return value;
}

/* little_endian_get(in, 8) as one load where the machine is little-endian
 * (the byte loop above is not always folded into one): for loops that scan
 * bitmaps or byte lanes a word at a time. */
static inline uint64_t little_endian_get64(const unsigned char *in)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t value;
	memcpy(&value, in, sizeof(value));
	return value;
#else
	return little_endian_get(in, 8);
#endif
}

#endif
