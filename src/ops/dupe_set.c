/* Duplicate-key detection within a job: each unique key is hashed to 64
 * bits and remembered, with the first row that used it, in a key table
 * (key_table.c: 8 bytes a key in a flat table, one cache miss a look-up).
 * A false duplicate needs two different keys agreeing on about 59 hash bits
 * (key_table.c has the figures). */
#include "ops/validate.h"

#include "common/hash.h"
#include "ops/key_table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { KEY_TEXT_LIMIT = 1 << 20, MAX_KEYS = DUPE_SET_MAX_KEYS };

struct dupe_set {
	struct key_table *table;
	struct strbuf key; /* reused to join a composite key's fields */
	uint64_t seed;     /* per set, so crafted keys cannot aim at one partition */
	/* What dupe_set_prefetch computed, for the check of the same record */
	const struct record *prefetched;
	uint64_t prefetched_row;
	const struct op *prefetched_op;
	int prefetched_result[MAX_KEYS];        /* key_hash's result per key */
	const char *prefetched_value[MAX_KEYS]; /* the text a single-field key was hashed from */
	struct key_table_probe prefetched_probe[MAX_KEYS];
	/* What the latest successful dupe_set_check remembered (dupe_set_last_claimed) */
	uint64_t claimed[MAX_KEYS];
	size_t claimed_count;
	size_t duplicate_key; /* of the latest duplicate found */
};

struct dupe_set *dupe_set_new_seeded(uint64_t seed)
{
	struct dupe_set *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	set->table = key_table_new(0, 0);
	if (!set->table) {
		free(set);
		return NULL;
	}
	strbuf_init(&set->key, KEY_TEXT_LIMIT);
	set->seed = seed;
	return set;
}

struct dupe_set *dupe_set_new(void)
{
	struct dupe_set *set = dupe_set_new_seeded(0);
	if (!set)
		return NULL;
	uintptr_t address = (uintptr_t)set;
	set->seed = hash64(&address, sizeof(address), (uint64_t)time(NULL));
	return set;
}

uint64_t dupe_set_seed(const struct dupe_set *set)
{
	return set->seed;
}

int dupe_set_reserve(struct dupe_set *set, uint64_t keys, uint64_t largest_row)
{
	return key_table_reserve(set->table, keys, largest_row);
}

void dupe_set_free(struct dupe_set *set)
{
	if (!set)
		return;
	key_table_free(set->table);
	strbuf_release(&set->key);
	free(set);
}

size_t dupe_set_memory(const struct dupe_set *set)
{
	return sizeof(*set) + key_table_memory(set->table) + set->key.capacity;
}

/* The last length - index bytes of text (fewer than eight) as the low bytes
 * of a word, the rest zero, as memcpy into a zeroed word gives them on a
 * little-endian machine; but without memcpy's call and the failed store
 * forwarding of reading back its byte stores: one load of the eight bytes
 * that end the text, shifted (the text is at least eight bytes long), or
 * the bytes one by one. */
static uint64_t tail_word(const char *text, size_t index, size_t length)
{
	size_t rest = length - index;
	uint64_t tail = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (rest == 0)
		return 0;
	if (length >= 8) {
		memcpy(&tail, text + length - 8, sizeof(tail));
		return tail >> (8 * (8 - rest));
	}
	for (size_t byte = 0; byte < rest; byte++)
		tail |= (uint64_t)(unsigned char)text[index + byte] << (8 * byte);
#else
	memcpy(&tail, text + index, rest);
#endif
	return tail;
}

/* A 64-bit hash of text, eight bytes a step (hash64 takes one byte a step,
 * and this runs for every key of every row). Each step and the final mix
 * (murmur3's) are bijections of the state, so texts that differ collide only
 * by chance: about 2^-64 a pair. Process-local: never stored. */
static uint64_t text_hash(const char *text, size_t length, uint64_t seed)
{
	uint64_t hash = seed ^ (length * UINT64_C(0x9e3779b97f4a7c15));
	size_t index = 0;
	for (; index + 8 <= length; index += 8) {
		uint64_t word;
		memcpy(&word, text + index, sizeof(word));
		hash = (hash ^ word) * UINT64_C(0xff51afd7ed558ccd);
		hash ^= hash >> 32;
	}
	hash = (hash ^ tail_word(text, index, length)) * UINT64_C(0xc4ceb9fe1a85ec53);
	hash ^= hash >> 33;
	hash *= UINT64_C(0xff51afd7ed558ccd);
	hash ^= hash >> 33;
	hash *= UINT64_C(0xc4ceb9fe1a85ec53);
	hash ^= hash >> 33;
	return hash;
}

/* Hashes the key's fields, each followed by a NUL (which no field value can
 * contain), seeded by the key's index so equal text under different keys
 * (an iccid equal to an imei) stays apart. Returns -1 when the first field
 * is absent: such a key is not checked (an activation by device_sku has no imei). */
static int key_hash(struct dupe_set *set, const struct op_unique_key *key, size_t key_index,
                    const struct record *record, uint64_t *hash)
{
	const char *first = record->value[key->fields[0]];
	if (!first || !*first)
		return -1;
	if (key->count == 1) {
		/* the common case: the value and its NUL hashed in place, not copied */
		*hash = text_hash(first, strlen(first) + 1, set->seed + key_index);
		return 0;
	}
	strbuf_reset(&set->key);
	for (size_t index = 0; index < key->count; index++) {
		const char *value = record->value[key->fields[index]];
		/* no id_type means the API's default: the device is named by its name,
		 * so `36570,,` and `36570,device_name` are one device */
		if (key->fields[index] == FIELD_ID_TYPE && (!value || !*value))
			value = "device_name";
		if (value && strbuf_append_string(&set->key, value) != STRBUF_OK)
			return -2;
		if (strbuf_append_char(&set->key, '\0') != STRBUF_OK)
			return -2;
	}
	*hash = text_hash(set->key.data, set->key.length, set->seed + key_index);
	return 0;
}

void dupe_set_prefetch(struct dupe_set *set, const struct op *op, const struct record *record)
{
	size_t key_count = op->unique_key_count < MAX_KEYS ? op->unique_key_count : MAX_KEYS;
	for (size_t index = 0; index < key_count; index++) {
		uint64_t hash = 0;
		set->prefetched_result[index] =
		    key_hash(set, &op->unique_keys[index], index, record, &hash);
		if (set->prefetched_result[index] == 0)
			key_table_prepare(set->table, hash, &set->prefetched_probe[index]);
		set->prefetched_value[index] = record->value[op->unique_keys[index].fields[0]];
	}
	set->prefetched = record;
	set->prefetched_row = record->row;
	set->prefetched_op = op;
}

int64_t dupe_set_check(struct dupe_set *set, const struct op *op, const struct record *record,
                       struct strbuf *message)
{
	struct key_table_probe probes[MAX_KEYS];
	bool checked[MAX_KEYS] = {false};
	size_t key_count = op->unique_key_count < MAX_KEYS ? op->unique_key_count : MAX_KEYS;
	/* rows are remembered by the number messages use (a re-fed errors.csv's source row) */
	uint64_t shown_row = record_shown_row(record);
	if (shown_row == 0 || shown_row >= UINT32_MAX)
		return -1;
	/* The look-ups dupe_set_prefetch worked out for this row are reused: for
	 * this very record, or for a single-field key hashed from the very text
	 * (the same pointer) this record holds (pipeline.c prefetches from the
	 * row's values before they are bound). */
	bool same_row =
	    set->prefetched && set->prefetched_row == record->row && set->prefetched_op == op;
	bool same_record = same_row && set->prefetched == record;
	set->prefetched = NULL;
	for (size_t index = 0; index < key_count; index++) {
		int result;
		const struct op_unique_key *key = &op->unique_keys[index];
		if (same_record ||
		    (same_row && key->count == 1 &&
		     set->prefetched_value[index] == record->value[key->fields[0]])) {
			result = set->prefetched_result[index];
			probes[index] = set->prefetched_probe[index];
		} else {
			uint64_t hash = 0;
			result = key_hash(set, &op->unique_keys[index], index, record, &hash);
			/* the look-ups' cache misses overlap instead of queueing */
			if (result == 0)
				key_table_prepare(set->table, hash, &probes[index]);
		}
		if (result == -2)
			return -1;
		checked[index] = result == 0;
	}
	for (size_t index = 0; index < key_count; index++) {
		if (!checked[index])
			continue;
		uint64_t earlier = key_table_find_prepared(set->table, &probes[index]);
		if (earlier) {
			set->duplicate_key = index;
			dupe_set_duplicate_message(op, index, earlier, message);
			return (int64_t)earlier;
		}
	}
	/* Only a row without duplicates is remembered: a rejected row is never sent. */
	set->claimed_count = 0;
	for (size_t index = 0; index < key_count; index++) {
		if (!checked[index])
			continue;
		/* two keys of one row with the same text under one key index cannot
		 * happen: key indexes seed the hash, so each key is added once */
		if (key_table_add_prepared(set->table, &probes[index], shown_row) < 0)
			return -1;
		set->claimed[set->claimed_count++] = probes[index].hash;
	}
	return 0;
}

void dupe_set_duplicate_message(const struct op *op, size_t key, uint64_t earlier_row,
                                struct strbuf *message)
{
	strbuf_reset(message);
	strbuf_appendf(message, "%s: duplicate of row %lu",
	               field_name(op->unique_keys[key].fields[0]), (unsigned long)earlier_row);
}

size_t dupe_set_last_duplicate_key(const struct dupe_set *set)
{
	return set->duplicate_key;
}

size_t dupe_set_last_claimed(const struct dupe_set *set, uint64_t *fingerprints)
{
	memcpy(fingerprints, set->claimed, set->claimed_count * sizeof(*fingerprints));
	return set->claimed_count;
}

int dupe_set_insert_fingerprint(struct dupe_set *set, uint64_t fingerprint, uint64_t row)
{
	/* no look-up: a stored set's keys are distinct, each was claimed once */
	return key_table_add(set->table, fingerprint, row);
}
