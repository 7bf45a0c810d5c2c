/* Row validation against the operation table, and duplicate detection.
 * Ownership: callers own the buffers they pass; the dupe set owns its table. */
#ifndef LATTIGO_VALIDATE_H
#define LATTIGO_VALIDATE_H

#include "ops/op.h"

/* Validates every field of record for op and the op's cross-field rules.
 * lengths, when not NULL, holds strlen of each value the record has (by
 * field: binding_lengths), so that no validator measures it again.
 * On failure returns -1, with message set to the full text ("imei: check
 * digit wrong (Luhn)") and rule to a stable label for counting rows per rule
 * (same text minus anything row-specific). Returns 0 when valid. */
int op_validate_record(const struct op *op, const struct record *record, const size_t *lengths,
                       const struct validation_options *options, struct strbuf *message,
                       struct strbuf *rule);

/* A compact set of key hashes (a fixed-size entry per key, never the key
 * text) remembering the first row that used each key. */
struct dupe_set;

/* Returns a new empty set (free with dupe_set_free), or NULL when out of memory. */
struct dupe_set *dupe_set_new(void);
/* Sizes an empty set for about keys keys and rows up to largest_row (e.g.
 * estimated from the manifest's size), so it never grows on the way; a set
 * holding keys already is left as it is. Returns 0, or -1 when out of memory. */
int dupe_set_reserve(struct dupe_set *set, uint64_t keys, uint64_t largest_row);
/* Frees the set. */
void dupe_set_free(struct dupe_set *set);
/* Checks record's unique keys for op: returns 0 and remembers them when new;
 * when one was seen before, returns the earlier row and writes e.g.
 * "iccid: duplicate of row 12" to message. -1 when out of memory. */
int64_t dupe_set_check(struct dupe_set *set, const struct op *op, const struct record *record,
                       struct strbuf *message);
/* Hashes record's unique keys and asks the processor for the part of the set
 * that checking them will read, then returns at once: called before other
 * work on the row (binding, field validation), it lets that work hide the
 * set's cache misses. The next dupe_set_check of the same row reuses the
 * work: for the same record unchanged, or for each single-field key whose
 * value is the very same pointer (the pipeline prefetches from the row's
 * values before binding them); its answer is the same with or without this. */
void dupe_set_prefetch(struct dupe_set *set, const struct op *op, const struct record *record);
/* Bytes of memory the set holds (for the benchmark's RSS accounting). */
size_t dupe_set_memory(const struct dupe_set *set);

/* Keeping the set across a resume (docs/checkpoint.md, "The keys file"): a
 * key's fingerprint is the 64-bit hash dupe_set_check looks up. It depends
 * on the set's seed and on how keys are hashed, which
 * DUPE_SET_FINGERPRINT_SCHEME names: change the number whenever the hashing
 * changes, so a stored set is rebuilt rather than misread. */
#define DUPE_SET_FINGERPRINT_SCHEME 1u
#define DUPE_SET_MAX_KEYS           8u /* unique keys of one record that are checked */
/* Returns a new empty set whose fingerprints use seed (a stored set's, see
 * dupe_set_seed); free with dupe_set_free. NULL when out of memory. */
struct dupe_set *dupe_set_new_seeded(uint64_t seed);
/* The seed the set's fingerprints use. */
uint64_t dupe_set_seed(const struct dupe_set *set);
/* The keys the latest dupe_set_check that returned 0 remembered: writes their
 * fingerprints to fingerprints and returns how many (0 to DUPE_SET_MAX_KEYS). */
size_t dupe_set_last_claimed(const struct dupe_set *set, uint64_t *fingerprints);
/* Remembers fingerprint for row, as dupe_set_check would have. The caller
 * vouches that it is not in the set yet (a stored set's keys are distinct:
 * each was claimed once), so loading n keys costs n inserts, no look-ups.
 * Returns 0, or -1 when out of memory or row is out of range. */
int dupe_set_insert_fingerprint(struct dupe_set *set, uint64_t fingerprint, uint64_t row);
/* The index in op->unique_keys of the key the latest dupe_set_check that
 * found a duplicate matched (docs/checkpoint.md, "The duplicate rows"). */
size_t dupe_set_last_duplicate_key(const struct dupe_set *set);
/* Writes the message of a row whose unique key number key (of op) repeats
 * earlier_row's, e.g. "iccid: duplicate of row 12", to message (reset first). */
void dupe_set_duplicate_message(const struct op *op, size_t key, uint64_t earlier_row,
                                struct strbuf *message);

#endif
