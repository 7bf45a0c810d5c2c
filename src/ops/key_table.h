/* A compact set of 64-bit key hashes, each remembered with the row that
 * first used it: the duplicate set's storage (dupe_set.c). A flat table of
 * 8-byte entries in 64-byte buckets, split into partitions that grow on
 * their own, so a look-up costs one cache miss and no key costs an allocation.
 * Ownership: the table owns all its memory; nothing it returns needs freeing. */
#ifndef LATTIGO_KEY_TABLE_H
#define LATTIGO_KEY_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define KEY_TABLE_MAX_ROW UINT32_MAX /* rows are 1 .. KEY_TABLE_MAX_ROW */

struct key_table;

/* Returns a new empty table sized for about keys keys and rows up to
 * largest_row (0: a small default; it grows either way), or NULL when out of
 * memory. Free with key_table_free. */
struct key_table *key_table_new(uint64_t keys, uint64_t largest_row);
/* Frees the table. NULL is allowed. */
void key_table_free(struct key_table *table);
/* Sizes an empty table for about keys keys and rows up to largest_row, so it
 * never grows on the way (growing costs one fingerprint bit, see key_table.c).
 * Does nothing once a key was added. Returns 0, or -1 when out of memory. */
int key_table_reserve(struct key_table *table, uint64_t keys, uint64_t largest_row);
/* A look-up worked out ahead of time (key_table_prepare): where hash
 * belongs, and after a key_table_find_prepared that missed, the slot where
 * it stopped, so that the add that follows does not probe again. The caller
 * owns it; it stays usable however the table changes (it is redone then). */
struct key_table_probe {
	uint64_t hash;
	uint64_t home;
	uint64_t remainder;
	uint64_t generation; /* the table's when worked out */
	uint64_t *free_slot; /* NULL: none known */
	uint32_t partition;
	unsigned free_displacement;
};

/* Works out probe for hash and asks the processor for the cache line a
 * look-up reads first, then returns at once. */
void key_table_prepare(const struct key_table *table, uint64_t hash, struct key_table_probe *probe);
/* key_table_find for a prepared probe. */
uint64_t key_table_find_prepared(const struct key_table *table, struct key_table_probe *probe);
/* key_table_add for a prepared probe (usually after a key_table_find_prepared that missed). */
int key_table_add_prepared(struct key_table *table, struct key_table_probe *probe, uint64_t row);
/* Asks the processor for the cache line that a look-up of hash reads first. */
void key_table_prefetch(const struct key_table *table, uint64_t hash);
/* Returns the row remembered with hash, or 0 when hash is not in the table. */
uint64_t key_table_find(const struct key_table *table, uint64_t hash);
/* Remembers hash (not in the table yet) with row, 1 <= row <= KEY_TABLE_MAX_ROW.
 * Returns 0, or -1 when out of memory or row is out of range. */
int key_table_add(struct key_table *table, uint64_t hash, uint64_t row);
/* Number of hashes remembered. */
uint64_t key_table_count(const struct key_table *table);
/* Bytes of memory the table holds. */
size_t key_table_memory(const struct key_table *table);
/* Fingerprint bits a look-up compares (position included): two different
 * keys are taken for one with probability about 2^-bits per pair. */
unsigned key_table_fingerprint_bits(const struct key_table *table);

#endif
