/* Interned strings: each distinct text is stored once and named by a 32-bit
 * id, so repeated values (states, cost centers, rate plans, notes) cost four
 * bytes a device. Id 0 is always "". Texts never move once stored.
 * Ownership: the pool owns every text; returned pointers live as long as it. */
#ifndef LATTIGO_SIM_STRPOOL_H
#define LATTIGO_SIM_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

#define STRPOOL_NONE UINT32_MAX /* "no value": never returned by strpool_intern */

struct strpool_chunk;

struct strpool {
	char **texts;                 /* id -> text (NUL-terminated, inside a chunk) */
	uint32_t *lengths;            /* id -> length in bytes */
	uint32_t count;               /* ids in use, including 0 */
	uint32_t capacity;            /* of texts and lengths */
	uint32_t *slots;              /* open addressing: id + 1, 0 = empty */
	size_t slot_mask;             /* slot count - 1 (a power of two) */
	struct strpool_chunk *chunks; /* newest first */
	size_t bytes;                 /* text bytes held, for the figures in --verbose */
};

/* Prepares an empty pool holding only "". Returns 0, or -1 when out of memory. */
int strpool_init(struct strpool *pool);
/* Frees everything. */
void strpool_release(struct strpool *pool);
/* Returns the id of text[0..length) (stored on first use), or STRPOOL_NONE
 * when out of memory or past 4 billion texts. */
uint32_t strpool_intern(struct strpool *pool, const char *text, size_t length);
/* The id of a NUL-terminated text (NULL means ""), as strpool_intern. */
uint32_t strpool_intern_text(struct strpool *pool, const char *text);
/* The id of text when it is already stored, else STRPOOL_NONE. */
uint32_t strpool_lookup(const struct strpool *pool, const char *text, size_t length);
/* The text of id (borrowed; "" for an unknown id). */
const char *strpool_text(const struct strpool *pool, uint32_t id);

#endif
