/* Interned strings in 1 MiB chunks (texts never move, so pointers handed out
 * stay valid) with an open-addressing table of ids, linear probing. */
#include "sim/strpool.h"

#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE ((size_t)1 << 20)
#define HASH_SEED  0x5EED5EEDULL

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t used;
	size_t size;
	char data[];
};

static char *chunk_alloc(struct strpool *pool, size_t bytes)
{
	struct strpool_chunk *chunk = pool->chunks;
	if (!chunk || chunk->size - chunk->used < bytes) {
		size_t size = bytes > CHUNK_SIZE ? bytes : CHUNK_SIZE;
		chunk = malloc(sizeof *chunk + size);
		if (!chunk)
			return NULL;
		chunk->used = 0;
		chunk->size = size;
		/* A text bigger than a chunk gets its own, behind the current one,
		 * so the current chunk's free space is not wasted. */
		if (size > CHUNK_SIZE && pool->chunks) {
			chunk->next = pool->chunks->next;
			pool->chunks->next = chunk;
		} else {
			chunk->next = pool->chunks;
			pool->chunks = chunk;
		}
	}
	char *text = chunk->data + chunk->used;
	chunk->used += bytes;
	return text;
}

static size_t slot_of(const char *text, size_t length)
{
	return (size_t)hash64(text, length, HASH_SEED);
}

static int grow_slots(struct strpool *pool)
{
	size_t count = pool->slots ? (pool->slot_mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(count, sizeof *slots);
	if (!slots)
		return -1;
	for (uint32_t id = 0; id < pool->count; id++) {
		size_t at = slot_of(pool->texts[id], pool->lengths[id]) & (count - 1);
		while (slots[at])
			at = (at + 1) & (count - 1);
		slots[at] = id + 1;
	}
	free(pool->slots);
	pool->slots = slots;
	pool->slot_mask = count - 1;
	return 0;
}

int strpool_init(struct strpool *pool)
{
	memset(pool, 0, sizeof *pool);
	return strpool_intern(pool, "", 0) == 0 ? 0 : -1;
}

void strpool_release(struct strpool *pool)
{
	while (pool->chunks) {
		struct strpool_chunk *next = pool->chunks->next;
		free(pool->chunks);
		pool->chunks = next;
	}
	free(pool->texts);
	free(pool->lengths);
	free(pool->slots);
	memset(pool, 0, sizeof *pool);
}

uint32_t strpool_lookup(const struct strpool *pool, const char *text, size_t length)
{
	if (!pool->slots)
		return STRPOOL_NONE;
	size_t at = slot_of(text, length) & pool->slot_mask;
	for (uint32_t slot; (slot = pool->slots[at]) != 0; at = (at + 1) & pool->slot_mask) {
		uint32_t id = slot - 1;
		if (pool->lengths[id] == length && memcmp(pool->texts[id], text, length) == 0)
			return id;
	}
	return STRPOOL_NONE;
}

uint32_t strpool_intern(struct strpool *pool, const char *text, size_t length)
{
	uint32_t found = strpool_lookup(pool, text, length);
	if (found != STRPOOL_NONE)
		return found;
	if (length > UINT32_MAX || pool->count >= UINT32_MAX - 1)
		return STRPOOL_NONE;
	/* Load factor at most one half keeps probe runs short. */
	if (((size_t)pool->count + 1) * 2 > (pool->slots ? pool->slot_mask + 1 : 0) &&
	    grow_slots(pool) != 0)
		return STRPOOL_NONE;
	if (pool->count == pool->capacity) {
		uint32_t capacity = pool->capacity ? pool->capacity * 2 : 256;
		if (capacity < pool->capacity)
			capacity = UINT32_MAX - 1;
		char **texts = realloc(pool->texts, capacity * sizeof *texts);
		if (!texts)
			return STRPOOL_NONE;
		pool->texts = texts;
		uint32_t *lengths = realloc(pool->lengths, capacity * sizeof *lengths);
		if (!lengths)
			return STRPOOL_NONE;
		pool->lengths = lengths;
		pool->capacity = capacity;
	}
	char *copy = chunk_alloc(pool, length + 1);
	if (!copy)
		return STRPOOL_NONE;
	memcpy(copy, text, length);
	copy[length] = '\0';
	uint32_t id = pool->count++;
	pool->texts[id] = copy;
	pool->lengths[id] = (uint32_t)length;
	pool->bytes += length + 1;
	size_t at = slot_of(text, length) & pool->slot_mask;
	while (pool->slots[at])
		at = (at + 1) & pool->slot_mask;
	pool->slots[at] = id + 1;
	return id;
}

uint32_t strpool_intern_text(struct strpool *pool, const char *text)
{
	return text ? strpool_intern(pool, text, strlen(text)) : 0;
}

const char *strpool_text(const struct strpool *pool, uint32_t id)
{
	return id < pool->count ? pool->texts[id] : "";
}
