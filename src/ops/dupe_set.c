/* Duplicate-key detection within a job in about 9 bytes per key: a 64-bit
 * hash of each unique key, split into 65,536 buckets by its top 16 bits; each
 * bucket is a small array of 8-byte entries holding 44 more bits of the hash
 * and the low 20 bits of the first row that used the key. The high bits of
 * the rows come from epoch markers: entries are appended in row order, so a
 * marker is needed only when a bucket's rows cross a multiple of 2^20.
 * A false duplicate needs two different keys agreeing on 60 hash bits:
 * probability about n^2 / 2^61 for n keys (1 in 580,000 for 2 million). */
#include "ops/validate.h"

#include "common/hash.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BUCKET_BITS = 16, BUCKET_COUNT = 1 << BUCKET_BITS, KEY_TEXT_LIMIT = 1 << 20 };

#define ROW_BITS       20
#define ROW_MASK       ((UINT64_C(1) << ROW_BITS) - 1)
#define REMAINDER_MASK ((UINT64_C(1) << (64 - ROW_BITS)) - 1)
/* A marker entry: this remainder, and the epoch (row >> ROW_BITS) of the entries after it. */
#define MARKER REMAINDER_MASK

/* A bucket's head is one pointer, so the 65,536 heads (512 KB) mostly stay
 * in the processor's cache: a look-up then costs one cache miss, not two.
 * entries[0] holds the count (low 32 bits) and the capacity (high 32 bits);
 * entries[1..count] are remainder << ROW_BITS | row & ROW_MASK, or markers. */
struct dupe_bucket {
	uint64_t *entries; /* NULL while empty */
};

static uint32_t bucket_count(const struct dupe_bucket *bucket)
{
	return bucket->entries ? (uint32_t)bucket->entries[0] : 0;
}

static uint32_t bucket_capacity(const struct dupe_bucket *bucket)
{
	return bucket->entries ? (uint32_t)(bucket->entries[0] >> 32) : 0;
}

struct dupe_set {
	struct dupe_bucket *buckets;
	size_t entry_bytes; /* allocated entry memory, for dupe_set_memory */
	size_t allocations; /* live entry arrays, each with malloc's own overhead */
	struct strbuf key;  /* reused to join a key's fields */
	uint64_t seed;      /* per set, so crafted keys cannot aim at one bucket */
	/* What dupe_set_prefetch computed, for the check of the same record */
	const struct record *prefetched;
	uint64_t prefetched_row;
	const struct op *prefetched_op;
	int prefetched_result[8]; /* key_hash's result per key */
	uint64_t prefetched_hash[8];
	/* What the latest successful dupe_set_check remembered (dupe_set_last_claimed) */
	uint64_t claimed[DUPE_SET_MAX_KEYS];
	size_t claimed_count;
};

struct dupe_set *dupe_set_new_seeded(uint64_t seed)
{
	struct dupe_set *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	set->buckets = calloc(BUCKET_COUNT, sizeof(*set->buckets));
	if (!set->buckets) {
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

void dupe_set_free(struct dupe_set *set)
{
	if (!set)
		return;
	for (size_t index = 0; index < BUCKET_COUNT; index++)
		free(set->buckets[index].entries);
	free(set->buckets);
	strbuf_release(&set->key);
	free(set);
}

size_t dupe_set_memory(const struct dupe_set *set)
{
	/* malloc keeps about 16 bytes of bookkeeping per allocation. */
	return sizeof(*set) + (size_t)BUCKET_COUNT * sizeof(*set->buckets) + set->entry_bytes +
	       set->allocations * 16 + set->key.capacity;
}

/* The stored part of a hash: its low 44 bits (the bucket index is the top 16). A hash whose
 * remainder would read as a marker is moved next to it (a negligible loss). */
static uint64_t hash_remainder(uint64_t hash)
{
	uint64_t remainder = hash & REMAINDER_MASK;
	return remainder == MARKER ? MARKER - 1 : remainder;
}

static struct dupe_bucket *bucket_of(const struct dupe_set *set, uint64_t hash)
{
	return &set->buckets[hash >> (64 - BUCKET_BITS)];
}

/* Returns the row remembered for hash, or 0 when the key is new; *epoch
 * receives the epoch in effect at the end of the bucket. */
static uint32_t dupe_lookup(const struct dupe_set *set, uint64_t hash, uint64_t *epoch)
{
	const struct dupe_bucket *bucket = bucket_of(set, hash);
	uint64_t remainder = hash_remainder(hash);
	uint64_t current = 0;
	uint32_t found = 0;
	uint32_t count = bucket_count(bucket);
	for (uint32_t index = 1; index <= count; index++) {
		uint64_t entry = bucket->entries[index];
		uint64_t stored = entry >> ROW_BITS;
		if (stored == MARKER)
			current = entry & ROW_MASK;
		else if (stored == remainder && !found)
			found = (uint32_t)(current << ROW_BITS | (entry & ROW_MASK));
	}
	*epoch = current;
	return found;
}

static int bucket_append(struct dupe_set *set, struct dupe_bucket *bucket, uint64_t entry)
{
	uint32_t count = bucket_count(bucket);
	uint32_t old_capacity = bucket_capacity(bucket);
	if (count == old_capacity) {
		/* Grow by an eighth (at least one entry): the slack stays under 13%
		 * of a bucket, about 6% on average, and buckets are small, so the
		 * extra reallocations cost little. */
		uint32_t capacity = old_capacity < 4 ? 4 : old_capacity + old_capacity / 8 + 1;
		if (capacity <= old_capacity)
			return -1;
		uint64_t *grown = realloc(bucket->entries, ((size_t)capacity + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		if (!bucket->entries) {
			set->allocations++;
			set->entry_bytes += sizeof(*grown);
		}
		set->entry_bytes += (capacity - old_capacity) * sizeof(*grown);
		bucket->entries = grown;
		bucket->entries[0] = (uint64_t)capacity << 32 | count;
	}
	bucket->entries[++count] = entry;
	bucket->entries[0] = (bucket->entries[0] & ~(uint64_t)UINT32_MAX) | count;
	return 0;
}

static int dupe_insert(struct dupe_set *set, uint64_t hash, uint32_t row, uint64_t epoch)
{
	struct dupe_bucket *bucket = bucket_of(set, hash);
	uint64_t row_epoch = (uint64_t)row >> ROW_BITS;
	if (row_epoch != epoch && bucket_append(set, bucket, MARKER << ROW_BITS | row_epoch) < 0)
		return -1;
	return bucket_append(set, bucket, hash_remainder(hash) << ROW_BITS | (row & ROW_MASK));
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
	uint64_t tail = 0;
	memcpy(&tail, text + index, length - index);
	hash = (hash ^ tail) * UINT64_C(0xc4ceb9fe1a85ec53);
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
	size_t key_count = op->unique_key_count < 8 ? op->unique_key_count : 8;
	for (size_t index = 0; index < key_count; index++) {
		set->prefetched_result[index] = key_hash(set, &op->unique_keys[index], index,
		                                         record, &set->prefetched_hash[index]);
		if (set->prefetched_result[index] == 0)
			__builtin_prefetch(bucket_of(set, set->prefetched_hash[index])->entries);
	}
	set->prefetched = record;
	set->prefetched_row = record->row;
	set->prefetched_op = op;
}

int64_t dupe_set_check(struct dupe_set *set, const struct op *op, const struct record *record,
                       struct strbuf *message)
{
	uint64_t hashes[8];
	uint64_t epochs[8];
	bool checked[8] = {false};
	size_t key_count = op->unique_key_count < 8 ? op->unique_key_count : 8;
	/* rows are remembered by the number messages use (a re-fed errors.csv's source row) */
	uint64_t shown_row = record_shown_row(record);
	if (shown_row == 0 || shown_row >= UINT32_MAX)
		return -1;
	/* A look-up costs two cache misses in a row (the bucket head, then its
	 * entries). Hash every key and ask for all the heads first, then for all
	 * the entries, so the misses of the keys overlap instead of queueing. */
	/* the hashes dupe_set_prefetch computed for this very record are reused */
	bool prefetched = set->prefetched == record && set->prefetched_row == record->row &&
	                  set->prefetched_op == op;
	set->prefetched = NULL;
	for (size_t index = 0; index < key_count; index++) {
		int result;
		if (prefetched) {
			result = set->prefetched_result[index];
			hashes[index] = set->prefetched_hash[index];
		} else {
			result =
			    key_hash(set, &op->unique_keys[index], index, record, &hashes[index]);
		}
		if (result == -2)
			return -1;
		checked[index] = result == 0;
		if (checked[index])
			__builtin_prefetch(bucket_of(set, hashes[index]));
	}
	for (size_t index = 0; index < key_count; index++)
		if (checked[index])
			__builtin_prefetch(bucket_of(set, hashes[index])->entries);
	for (size_t index = 0; index < key_count; index++) {
		if (!checked[index])
			continue;
		uint32_t earlier = dupe_lookup(set, hashes[index], &epochs[index]);
		if (earlier) {
			strbuf_reset(message);
			strbuf_appendf(message, "%s: duplicate of row %lu",
			               field_name(op->unique_keys[index].fields[0]),
			               (unsigned long)earlier);
			return earlier;
		}
	}
	/* Only a row without duplicates is remembered: a rejected row is never sent. */
	set->claimed_count = 0;
	for (size_t index = 0; index < key_count; index++) {
		if (!checked[index])
			continue;
		if (dupe_insert(set, hashes[index], (uint32_t)shown_row, epochs[index]) < 0)
			return -1;
		set->claimed[set->claimed_count++] = hashes[index];
	}
	return 0;
}

size_t dupe_set_last_claimed(const struct dupe_set *set, uint64_t *fingerprints)
{
	memcpy(fingerprints, set->claimed, set->claimed_count * sizeof(*fingerprints));
	return set->claimed_count;
}

int dupe_set_insert_fingerprint(struct dupe_set *set, uint64_t fingerprint, uint64_t row)
{
	if (row == 0 || row >= UINT32_MAX)
		return -1;
	/* no look-up (a stored set's keys are distinct, each was claimed once):
	 * only the epoch in effect at the bucket's end, from its latest marker */
	const struct dupe_bucket *bucket = bucket_of(set, fingerprint);
	uint64_t epoch = 0;
	for (uint32_t index = bucket_count(bucket); index >= 1; index--) {
		uint64_t entry = bucket->entries[index];
		if (entry >> ROW_BITS == MARKER) {
			epoch = entry & ROW_MASK;
			break;
		}
	}
	return dupe_insert(set, fingerprint, (uint32_t)row, epoch);
}
