/* The duplicate set's storage: 64-bit key hashes with their first row in 8
 * bytes each. The table is split into P partitions (1,024 to 2,047, chosen
 * by the hash's top 32 bits); a partition is 2^K buckets of one 64-byte
 * cache line (8 entries) each, filled by linear probing over buckets. An entry
 * holds R bits of the hash (the remainder), 3 bits of displacement (how
 * many buckets past its home it sits, at most 7) and the row in W bits:
 *
 *     remainder (R bits) | displacement (3 bits) | row (W bits),  R = 61 - W
 *
 * The partition and the home bucket are hash bits too, known from where the
 * entry sits, so a look-up compares log2(P) + K + R bits: about 59 at one
 * million rows (2 keys a row) and 57.5 at ten million, so a false duplicate
 * has odds of about n^2 / 2^60 to n^2 / 2^58.5 for n keys (one in 300,000
 * for 2 million keys). W starts at the bits the largest expected row needs
 * (at least 16); a larger row widens it for every entry, costing one
 * remainder bit per bit of row.
 *
 * A partition that passes 95 % load, or a key that finds no room within 7
 * buckets, doubles that partition alone: its entries move using one more
 * bit of the hash, taken from the remainder, so each doubling costs its
 * partition one bit. key_table_reserve sizes the table for the manifest
 * before the first key so that a file of known size never grows; an input
 * of unknown size (stdin) starts at 65,536 keys and pays a bit per doubling.
 * The empty entry is 0: rows start at 1, so no entry is ever 0. */
#include "key_table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define BUCKET_SLOTS      8u /* one 64-byte cache line */
#define DISPLACEMENT_BITS 3u
#define MAX_DISPLACEMENT  ((1u << DISPLACEMENT_BITS) - 1u)
#define MIN_PARTITIONS    1024u
#define MIN_ROW_BITS      16u
#define MAX_ROW_BITS      32u
#define DEFAULT_KEYS      65536u
#define HUGE_PAGE_BYTES   (2u * 1024u * 1024u)

#ifdef KT_DEBUG
unsigned long kt_debug_full, kt_debug_limit;
#endif
struct key_partition {
	uint64_t *slots;     /* 2^log buckets of BUCKET_SLOTS entries */
	uint32_t count;      /* entries held */
	uint32_t limit;      /* more entries than this doubles the partition */
	uint8_t log;         /* K: log2 of the bucket count */
	uint8_t rem_bits;    /* R: remainder bits each entry holds */
	bool own_allocation; /* slots were allocated for this partition alone */
};

struct key_table {
	uint64_t generation; /* moves on whenever entries move (rebuild, widen_rows) */
	struct key_partition *partitions;
	uint32_t partition_count;
	uint32_t row_bits; /* W */
	uint64_t *arena;   /* the partitions' first slots, one mapping */
	/* every partition still as laid out (none has grown): then a look-up
	 * finds its bucket from these, without reading the partitions array */
	bool uniform;
	uint8_t log;         /* every partition's K while uniform */
	uint8_t rem_bits;    /* every partition's R while uniform */
	size_t arena_bytes;  /* 0 when the arena came from malloc */
	size_t malloc_bytes; /* arena (when small) and grown partitions */
	uint64_t count;
};

/* A second, independent-looking 64 bits from the hash (a bijection of it):
 * the partition uses the hash's top 32 bits, home and remainder use these. */
static uint64_t stream_bits(uint64_t hash)
{
	uint64_t bits = (hash ^ UINT64_C(0x2545f4914f6cdd1d)) * UINT64_C(0xbf58476d1ce4e5b9);
	bits ^= bits >> 31;
	bits *= UINT64_C(0x94d049bb133111eb);
	bits ^= bits >> 29;
	return bits;
}

static uint32_t partition_index(const struct key_table *table, uint64_t hash)
{
	return (uint32_t)(((hash >> 32) * table->partition_count) >> 32);
}

static uint64_t home_of(const struct key_partition *partition, uint64_t bits)
{
	return partition->log ? bits >> (64 - partition->log) : 0;
}

static uint64_t remainder_of(const struct key_partition *partition, uint64_t bits)
{
	return (bits << partition->log) >> (64 - partition->rem_bits);
}

static uint32_t partition_limit(uint8_t log)
{
	uint64_t capacity = (uint64_t)BUCKET_SLOTS << log;
	return (uint32_t)(capacity * 95 / 100);
}

static unsigned bits_for(uint64_t value)
{
	return value ? 64u - (unsigned)__builtin_clzll(value) : 0u;
}

/* Looks for tag (remainder << 3 | displacement, compared with each bucket's
 * displacement in turn) from bucket home. Returns the entry, or 0 with
 * *free_slot at the first empty slot and *free_displacement its distance
 * from home (*free_slot NULL when 8 buckets are full). */
static uint64_t scan_buckets(const struct key_partition *partition, uint64_t home,
                             uint64_t remainder, unsigned row_bits, uint64_t **free_slot,
                             unsigned *free_displacement)
{
	uint64_t mask = ((uint64_t)1 << partition->log) - 1;
	uint64_t tag = remainder << DISPLACEMENT_BITS;
	*free_slot = NULL;
	for (unsigned displacement = 0; displacement <= MAX_DISPLACEMENT; displacement++) {
		uint64_t *bucket = partition->slots + ((home + displacement) & mask) * BUCKET_SLOTS;
		uint64_t want = tag | displacement;
		for (unsigned slot = 0; slot < BUCKET_SLOTS; slot++) {
			uint64_t entry = bucket[slot];
			if (entry == 0) {
				*free_slot = &bucket[slot];
				*free_displacement = displacement;
				return 0;
			}
			if (entry >> row_bits == want)
				return entry;
		}
	}
	return 0;
}

/* An entry not in its partition yet: its home, remainder and row. */
struct pending {
	uint64_t home;
	uint64_t remainder;
	uint64_t row;
};

/* Puts an entry for a key not in the partition, Robin Hood style: in a full
 * bucket it takes the place of an entry nearer its own home, which moves on
 * in turn. That keeps displacements small at high load (linear probing's
 * clusters would otherwise pass 7 buckets) and leaves every bucket from an
 * entry's home to its place full, as look-ups expect. Returns false when an
 * entry would have to move more than 7 buckets: the partition must grow, and
 * the entry then in hand (perhaps another key's) is given back in *left_over. */
static bool place(struct key_partition *partition, uint64_t home, uint64_t remainder, uint64_t row,
                  unsigned row_bits, struct pending *left_over)
{
	uint64_t mask = ((uint64_t)1 << partition->log) - 1;
	uint64_t row_mask = ((uint64_t)1 << row_bits) - 1;
	uint64_t tag = remainder << DISPLACEMENT_BITS;
	unsigned displacement = 0;
	uint64_t bucket_index = home & mask;
	for (;;) {
		uint64_t *bucket = partition->slots + bucket_index * BUCKET_SLOTS;
		unsigned nearest = BUCKET_SLOTS;
		unsigned nearest_displacement = displacement;
		for (unsigned slot = 0; slot < BUCKET_SLOTS; slot++) {
			uint64_t entry = bucket[slot];
			if (entry == 0) {
				bucket[slot] = ((tag | displacement) << row_bits) | row;
				return true;
			}
			unsigned other = (unsigned)((entry >> row_bits) & MAX_DISPLACEMENT);
			if (other < nearest_displacement) {
				nearest = slot;
				nearest_displacement = other;
			}
		}
		if (nearest < BUCKET_SLOTS) {
			uint64_t evicted = bucket[nearest];
			bucket[nearest] = ((tag | displacement) << row_bits) | row;
			tag = (evicted >> row_bits) & ~(uint64_t)MAX_DISPLACEMENT;
			row = evicted & row_mask;
			displacement = nearest_displacement;
		}
		if (displacement == MAX_DISPLACEMENT) {
			left_over->home = (bucket_index - displacement) & mask;
			left_over->remainder = tag >> DISPLACEMENT_BITS;
			left_over->row = row;
			return false;
		}
		displacement++;
		bucket_index = (bucket_index + 1) & mask;
	}
}

static uint64_t *zeroed_buckets(size_t buckets)
{
	void *memory = NULL;
	if (posix_memalign(&memory, 64, buckets * BUCKET_SLOTS * sizeof(uint64_t)) != 0)
		return NULL;
	memset(memory, 0, buckets * BUCKET_SLOTS * sizeof(uint64_t));
	return memory;
}

/* Moves the partition's entries, and pending (an entry not placed yet),
 * into 2^log buckets (log > its log): each entry's home gains the top bits
 * of its remainder. Returns 0 or -1. */
static int rebuild(struct key_table *table, struct key_partition *partition, uint8_t log,
                   const struct pending *pending)
{
	unsigned extra = (unsigned)(log - partition->log);
	if (extra >= partition->rem_bits || log > 40)
		return -1; /* no remainder left to move with */
	uint64_t *slots = zeroed_buckets((size_t)1 << log);
	if (!slots)
		return -1;
	struct key_partition grown = {
	    .slots = slots,
	    .count = partition->count,
	    .limit = partition_limit(log),
	    .log = log,
	    .rem_bits = (uint8_t)(partition->rem_bits - extra),
	    .own_allocation = true,
	};
	unsigned row_bits = table->row_bits;
	uint64_t row_mask = ((uint64_t)1 << row_bits) - 1;
	uint64_t old_mask = ((uint64_t)1 << partition->log) - 1;
	uint64_t total = (uint64_t)BUCKET_SLOTS << partition->log;
	struct pending left_over;
	for (uint64_t index = 0; index <= total; index++) {
		struct pending move;
		if (index == total) {
			if (!pending)
				break;
			move = *pending;
		} else {
			uint64_t entry = partition->slots[index];
			if (entry == 0)
				continue;
			uint64_t tag = entry >> row_bits;
			move.home = ((index / BUCKET_SLOTS) - (tag & MAX_DISPLACEMENT)) & old_mask;
			move.remainder = tag >> DISPLACEMENT_BITS;
			move.row = entry & row_mask;
		}
		uint64_t home = move.home << extra | move.remainder >> grown.rem_bits;
		uint64_t remainder = move.remainder & (((uint64_t)1 << grown.rem_bits) - 1);
		if (!place(&grown, home, remainder, move.row, row_bits, &left_over)) {
			free(slots);
			return rebuild(table, partition, (uint8_t)(log + 1), pending);
		}
	}
	if (partition->own_allocation) {
		free(partition->slots);
		table->malloc_bytes -= (BUCKET_SLOTS * sizeof(uint64_t)) << partition->log;
	}
	table->malloc_bytes += (BUCKET_SLOTS * sizeof(uint64_t)) << log;
	*partition = grown;
	table->uniform = false;
	table->generation++;
	return 0;
}

/* Gives every entry row_bits bits of row (more than now): each loses as many
 * low remainder bits. */
static int widen_rows(struct key_table *table, unsigned row_bits)
{
	unsigned extra = row_bits - table->row_bits;
	for (uint32_t index = 0; index < table->partition_count; index++)
		if (table->partitions[index].rem_bits <= extra)
			return -1;
	uint64_t old_row_mask = ((uint64_t)1 << table->row_bits) - 1;
	for (uint32_t index = 0; index < table->partition_count; index++) {
		struct key_partition *partition = &table->partitions[index];
		uint64_t total = (uint64_t)BUCKET_SLOTS << partition->log;
		for (uint64_t slot = 0; slot < total; slot++) {
			uint64_t entry = partition->slots[slot];
			if (entry == 0)
				continue;
			uint64_t tag = entry >> table->row_bits;
			uint64_t displacement = tag & MAX_DISPLACEMENT;
			uint64_t remainder = (tag >> DISPLACEMENT_BITS) >> extra;
			partition->slots[slot] =
			    ((remainder << DISPLACEMENT_BITS | displacement) << row_bits) |
			    (entry & old_row_mask);
		}
		partition->rem_bits = (uint8_t)(partition->rem_bits - extra);
	}
	table->rem_bits = (uint8_t)(table->rem_bits - extra);
	table->row_bits = row_bits;
	table->generation++;
	return 0;
}

static void release_storage(struct key_table *table)
{
	if (table->partitions) {
		for (uint32_t index = 0; index < table->partition_count; index++)
			if (table->partitions[index].own_allocation)
				free(table->partitions[index].slots);
		free(table->partitions);
		table->partitions = NULL;
	}
	if (table->arena_bytes)
		munmap(table->arena, table->arena_bytes);
	else
		free(table->arena);
	table->arena = NULL;
	table->arena_bytes = 0;
	table->malloc_bytes = 0;
}

static uint64_t square_root(uint64_t value)
{
	uint64_t root = 0;
	while ((root + 1) * (root + 1) <= value)
		root++;
	return root;
}

/* Keys a partition of 2^log buckets is planned to hold: 85 % of its slots,
 * less when the partitions are small, so that the fullest of them (4
 * standard deviations over the mean) stays under its growth limit. */
static uint64_t planned_keys(uint8_t log)
{
	uint64_t limit = partition_limit(log);
	uint64_t planned = ((uint64_t)BUCKET_SLOTS << log) * 85 / 100;
	uint64_t spread = 4 * square_root(limit);
	if (planned + spread > limit)
		planned = limit > spread ? limit - spread : 1;
	return planned ? planned : 1;
}

/* Lays out an empty table for keys keys and rows up to largest_row. */
static int lay_out(struct key_table *table, uint64_t keys, uint64_t largest_row)
{
	uint8_t log = 0;
	while ((keys + planned_keys(log) - 1) / planned_keys(log) >= 2 * MIN_PARTITIONS)
		log++;
	uint64_t count = (keys + planned_keys(log) - 1) / planned_keys(log);
	if (count < MIN_PARTITIONS)
		count = MIN_PARTITIONS;
	unsigned row_bits = bits_for(largest_row);
	if (row_bits < MIN_ROW_BITS)
		row_bits = MIN_ROW_BITS;
	if (row_bits > MAX_ROW_BITS)
		row_bits = MAX_ROW_BITS;
	size_t bytes = (size_t)(count << log) * BUCKET_SLOTS * sizeof(uint64_t);
	table->partitions = calloc(count, sizeof(*table->partitions));
	if (!table->partitions)
		return -1;
	if (bytes >= HUGE_PAGE_BYTES) {
		/* fresh anonymous pages come zeroed; huge pages spare a TLB miss per look-up */
		void *memory =
		    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (memory == MAP_FAILED) {
			free(table->partitions);
			table->partitions = NULL;
			return -1;
		}
		madvise(memory, bytes, MADV_HUGEPAGE);
		table->arena = memory;
		table->arena_bytes = bytes;
	} else {
		table->arena = zeroed_buckets((size_t)(count << log));
		if (!table->arena) {
			free(table->partitions);
			table->partitions = NULL;
			return -1;
		}
		table->malloc_bytes = bytes;
	}
	table->partition_count = (uint32_t)count;
	table->row_bits = row_bits;
	table->uniform = true;
	table->log = log;
	table->rem_bits = (uint8_t)(64 - DISPLACEMENT_BITS - row_bits);
	for (uint64_t index = 0; index < count; index++) {
		struct key_partition *partition = &table->partitions[index];
		partition->slots = table->arena + ((index << log) * BUCKET_SLOTS);
		partition->log = log;
		partition->rem_bits = (uint8_t)(64 - DISPLACEMENT_BITS - row_bits);
		partition->limit = partition_limit(log);
	}
	return 0;
}

struct key_table *key_table_new(uint64_t keys, uint64_t largest_row)
{
	struct key_table *table = calloc(1, sizeof(*table));
	if (!table)
		return NULL;
	if (lay_out(table, keys ? keys : DEFAULT_KEYS, largest_row) < 0) {
		free(table);
		return NULL;
	}
	return table;
}

void key_table_free(struct key_table *table)
{
	if (!table)
		return;
	release_storage(table);
	free(table);
}

int key_table_reserve(struct key_table *table, uint64_t keys, uint64_t largest_row)
{
	if (table->count > 0 || keys == 0)
		return 0;
	struct key_table fresh = {0};
	if (lay_out(&fresh, keys, largest_row) < 0)
		return -1;
	release_storage(table);
	*table = fresh;
	return 0;
}

/* The partition index, as a look-up reads it. While the table is uniform
 * (nearly always: it is sized for the file) it is worked out from the table
 * alone, so the look-up does not wait for the partitions array, which the
 * streaming manifest keeps evicting from the cache. */
static struct key_partition partition_view(const struct key_table *table, uint32_t index)
{
	if (!table->uniform)
		return table->partitions[index];
	return (struct key_partition){
	    .slots = table->arena + ((uint64_t)index << table->log) * BUCKET_SLOTS,
	    .log = table->log,
	    .rem_bits = table->rem_bits,
	};
}

/* Fills the probe's position fields for the table as it is now. */
static void position(const struct key_table *table, struct key_table_probe *probe)
{
	probe->partition = partition_index(table, probe->hash);
	struct key_partition partition = partition_view(table, probe->partition);
	uint64_t bits = stream_bits(probe->hash);
	probe->home = home_of(&partition, bits);
	probe->remainder = remainder_of(&partition, bits);
	probe->generation = table->generation;
	probe->free_slot = NULL;
}

void key_table_prepare(const struct key_table *table, uint64_t hash, struct key_table_probe *probe)
{
	probe->hash = hash;
	position(table, probe);
	/* the home bucket and the next: at the planned load a look-up that
	 * misses (a new key, nearly every one) often finds its home bucket full;
	 * and the partition's counts, which the add that follows updates */
	struct key_partition partition = partition_view(table, probe->partition);
	uint64_t mask = ((uint64_t)1 << partition.log) - 1;
	__builtin_prefetch(partition.slots + probe->home * BUCKET_SLOTS);
	__builtin_prefetch(partition.slots + ((probe->home + 1) & mask) * BUCKET_SLOTS);
	__builtin_prefetch(&table->partitions[probe->partition]);
}

uint64_t key_table_find_prepared(const struct key_table *table, struct key_table_probe *probe)
{
	if (probe->generation != table->generation)
		position(table, probe);
	struct key_partition partition = partition_view(table, probe->partition);
	uint64_t entry = scan_buckets(&partition, probe->home, probe->remainder, table->row_bits,
	                              &probe->free_slot, &probe->free_displacement);
	return entry & (((uint64_t)1 << table->row_bits) - 1);
}

int key_table_add_prepared(struct key_table *table, struct key_table_probe *probe, uint64_t row)
{
	if (row == 0 || row > KEY_TABLE_MAX_ROW)
		return -1;
	if ((row >> table->row_bits) != 0 && widen_rows(table, bits_for(row)) < 0)
		return -1;
	if (probe->generation != table->generation)
		position(table, probe);
	struct key_partition *partition = &table->partitions[probe->partition];
	/* Where the look-up of this key stopped, if nothing moved since: every
	 * slot it passed is still full (entries are never removed), so when that
	 * slot is still empty the entry lands exactly where a new probe would
	 * put it, without probing again. */
	uint64_t *slot = probe->free_slot;
	probe->free_slot = NULL;
	struct pending left_over;
	if (slot && *slot == 0) {
		uint64_t tag = probe->remainder << DISPLACEMENT_BITS | probe->free_displacement;
		*slot = tag << table->row_bits | row;
	} else if (!place(partition, probe->home, probe->remainder, row, table->row_bits,
	                  &left_over)) {
#ifdef KT_DEBUG
		kt_debug_full++;
#endif
		if (rebuild(table, partition, (uint8_t)(partition->log + 1), &left_over) < 0)
			return -1;
	}
	partition->count++;
	table->count++;
#ifdef KT_DEBUG
	if (partition->count > partition->limit)
		kt_debug_limit++;
#endif
	if (partition->count > partition->limit &&
	    rebuild(table, partition, (uint8_t)(partition->log + 1), NULL) < 0)
		return -1;
	return 0;
}

void key_table_prefetch(const struct key_table *table, uint64_t hash)
{
	struct key_table_probe probe;
	key_table_prepare(table, hash, &probe);
}

uint64_t key_table_find(const struct key_table *table, uint64_t hash)
{
	struct key_table_probe probe;
	probe.hash = hash;
	position(table, &probe);
	return key_table_find_prepared(table, &probe);
}

int key_table_add(struct key_table *table, uint64_t hash, uint64_t row)
{
	struct key_table_probe probe;
	probe.hash = hash;
	position(table, &probe);
	return key_table_add_prepared(table, &probe, row);
}

uint64_t key_table_count(const struct key_table *table)
{
	return table->count;
}

size_t key_table_memory(const struct key_table *table)
{
	return sizeof(*table) + table->partition_count * sizeof(*table->partitions) +
	       table->arena_bytes + table->malloc_bytes;
}

unsigned key_table_fingerprint_bits(const struct key_table *table)
{
	/* the smallest partition's: log2(P) + K + R, rounded down */
	unsigned partition_bits = bits_for(table->partition_count) - 1;
	unsigned smallest = 64;
	for (uint32_t index = 0; index < table->partition_count; index++) {
		const struct key_partition *partition = &table->partitions[index];
		unsigned bits = partition_bits + partition->log + partition->rem_bits;
		if (bits < smallest)
			smallest = bits;
	}
	return smallest;
}
