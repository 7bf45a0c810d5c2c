/* The look-ups of a spilled judge by an identifier other than device_name
 * (an id_type, or the two devices an activation's row meets): written by
 * the identifier's hash to lookups-N, joined with the account's identifiers
 * of those kinds (index-N) and answered in the account's order into
 * resolved-N. Apart from the join by name because it is a join of its own,
 * on another key, before the rows can go to their device's partition. */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "live/judge_internal.h"

/* The identifiers looked up, as a filter without false negatives: two
 * bits of a fixed array an identifier. Only the account's identifiers it
 * may hold go to the index (an activation job's rows name few of the
 * account's devices): less to write, sort and hold per bucket. Its size is
 * fixed, so memory does not grow with the job; a larger job only lets
 * more identifiers through (about 1 in 300 for the 2,000,000 look-ups of 1,000,000 activations). */
#define FILTER_BITS ((uint64_t)1 << 26)

static void filter_bits(enum device_field key, const char *value, uint64_t bits[2])
{
	uint64_t hash = hash64(value, strlen(value), 0x6c6f6f6bu ^ (uint64_t)key);
	bits[0] = hash & (FILTER_BITS - 1);
	bits[1] = (hash >> 32) & (FILTER_BITS - 1);
}

/* Adds key = value to the judge's filter. Returns 0 or -1 (out of memory). */
static int filter_add(struct live_judge *judge, enum device_field key, const char *value)
{
	if (!judge->looked_up &&
	    !(judge->looked_up = calloc(FILTER_BITS / 64, sizeof(*judge->looked_up))))
		return -1;
	uint64_t bits[2];
	filter_bits(key, value, bits);
	for (int index = 0; index < 2; index++)
		judge->looked_up[bits[index] / 64] |= (uint64_t)1 << (bits[index] % 64);
	return 0;
}

/* False when no row looks key = value up. */
static bool filter_may_hold(const struct live_judge *judge, enum device_field key,
                            const char *value)
{
	uint64_t bits[2];
	filter_bits(key, value, bits);
	for (int index = 0; index < 2; index++)
		if (!(judge->looked_up[bits[index] / 64] & ((uint64_t)1 << (bits[index] % 64))))
			return false;
	return true;
}

int judge_put_lookup(struct live_judge *judge, FILE **lookups, uint64_t row, enum device_field key,
                     const char *value)
{
	size_t bucket = live_spool_bucket(value, strlen(value), judge->buckets);
	judge->kinds |= 1u << key;
	judge->lookups++;
	if (filter_add(judge, key, value) < 0)
		return -1;
	strbuf_reset(&judge->frame);
	return live_spool_encode_number(&judge->frame, row) < 0 ||
	               live_spool_encode_number(&judge->frame, key) < 0 ||
	               judge_encode_text(&judge->frame, value) < 0 ||
	               live_spool_write_frame(lookups[bucket], &judge->frame) < 0
	           ? -1
	           : 0;
}

int judge_put_meetings(struct live_judge *judge, FILE **lookups, const struct record *record)
{
	enum device_field key;
	const char *value;
	if (op_live_device_key(judge->op, record, &key, &value) == 0 && value && *value &&
	    judge_put_lookup(judge, lookups, record->row, key, value) < 0)
		return -1;
	int also = judge_also_unique_key(judge->op);
	value = also >= 0 ? record->value[judge->op->live.also_unique] : NULL;
	if (value && *value &&
	    judge_put_lookup(judge, lookups, record->row, (enum device_field)also, value) < 0)
		return -1;
	return 0;
}

/* Every identifier of the kinds the rows look up (those the filter lets
 * through), with the listing
 * position of the device holding it and that device's fields a look-up
 * answers with (its name and state; every field when rows meet two
 * devices, for they are judged with the devices found), to index-N by the
 * identifier's hash. Returns 0 or -1 with error. */
static int write_index(struct live_judge *judge, struct error *error)
{
	FILE **index =
	    judge_partition_files_open(judge->spool, "index", judge->buckets, "wb", error);
	int result = index ? 0 : -1;
	unsigned carried =
	    judge->meets ? (1u << DEVICE_FIELD_COUNT) - 1 : 1u << DEVICE_NAME | 1u << DEVICE_STATE;
	struct live_spool_frame frame = {NULL, 0, 0};
	for (size_t part = 0; result == 0 && part < judge->partitions; part++) {
		FILE *devices = judge_partition_file_open(judge->spool, "part", part, "rb", error);
		if (!devices) {
			result = -1;
			break;
		}
		struct device_view device;
		uint64_t ordinal;
		int read;
		while (result == 0 &&
		       (read = live_spool_read_device(devices, &frame, &device, &ordinal)) == 1)
			for (int key = 0; result == 0 && key < DEVICE_KEY_COUNT; key++) {
				const char *value = device.value[key];
				if (!(judge->kinds & (1u << key)) || !value || !*value ||
				    !filter_may_hold(judge, (enum device_field)key, value))
					continue;
				size_t at = live_spool_bucket(value, strlen(value), judge->buckets);
				strbuf_reset(&judge->frame);
				if (live_spool_encode_number(&judge->frame, ordinal) < 0 ||
				    live_spool_encode_number(&judge->frame, (uint64_t)key) < 0 ||
				    judge_encode_text(&judge->frame, value) < 0 ||
				    judge_encode_fields(&judge->frame, &device, carried) < 0 ||
				    live_spool_write_frame(index[at], &judge->frame) < 0)
					result = error_set(error,
					                   "cannot write the account's "
					                   "identifiers to a temporary directory");
			}
		if (result == 0 && read < 0)
			result =
			    error_set(error, "a partition of the account's devices is damaged");
		fclose(devices);
	}
	live_spool_frame_release(&frame);
	free(judge->looked_up);
	judge->looked_up = NULL;
	return judge_partition_files_close(index, judge->buckets, result, error);
}

/* An index entry: where its frame is in the loaded file, and its device's
 * position in the listing. */
struct entry {
	uint64_t ordinal;
	size_t at;
};

static int by_ordinal(const void *left, const void *right)
{
	const struct entry *a = left, *b = right;
	return a->ordinal < b->ordinal ? -1 : a->ordinal > b->ordinal;
}

/* Reads a whole file into memory. Returns 0 or -1. */
static int read_whole(FILE *file, struct strbuf *into)
{
	char chunk[1 << 16];
	size_t length;
	while ((length = fread(chunk, 1, sizeof(chunk), file)) > 0)
		if (strbuf_append(into, chunk, length) != STRBUF_OK)
			return -1;
	return ferror(file) ? -1 : 0;
}

/* The index entry at (a frame of loaded): a cursor on its frame, past its
 * ordinal, kind and identifier. Returns 0 or -1 when damaged. */
static int entry_cursor(const struct strbuf *loaded, size_t at, struct live_spool_cursor *cursor,
                        uint64_t *key, const char **value)
{
	uint64_t length, ordinal;
	memcpy(&length, loaded->data + at, sizeof(length));
	*cursor = (struct live_spool_cursor){loaded->data + at + sizeof(length), (size_t)length, 0};
	return live_spool_decode_number(cursor, &ordinal) < 0 ||
	               live_spool_decode_number(cursor, key) < 0 || *key >= DEVICE_KEY_COUNT ||
	               live_spool_decode_text(cursor, value) < 0
	           ? -1
	           : 0;
}

/* One index partition: its identifiers, added in listing order to a
 * snapshot of bare holders (a device with only its name, state and that
 * identifier), find the device each look-up of the partition names exactly
 * as the whole account would (the first holder, or a later one when it is
 * deactivated); what the look-up found (its position in the listing + 1,
 * or 0, and the fields the index carries) goes to resolved-N, in the
 * look-ups' order (by row). Returns 0 or -1. */
static int resolve_partition(struct live_judge *judge, size_t part, struct error *error)
{
	FILE *index = judge_partition_file_open(judge->spool, "index", part, "rb", error);
	FILE *lookups =
	    index ? judge_partition_file_open(judge->spool, "lookups", part, "rb", error) : NULL;
	FILE *resolved =
	    lookups ? judge_partition_file_open(judge->spool, "resolved", part, "wb", error) : NULL;
	struct live_snapshot *holders = resolved ? live_snapshot_new() : NULL;
	struct strbuf loaded;
	strbuf_init(&loaded, SIZE_MAX);
	struct entry *entries = NULL;
	size_t count = 0, capacity = 0;
	int result = holders ? 0 : -1;
	if (result == 0 && read_whole(index, &loaded) < 0)
		result = error_set(error, "cannot read the account's identifiers back");
	for (size_t at = 0; result == 0 && at + sizeof(uint64_t) <= loaded.length;) {
		uint64_t length, ordinal;
		memcpy(&length, loaded.data + at, sizeof(length));
		if (length < sizeof(ordinal) || length > loaded.length - at - sizeof(length)) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		memcpy(&ordinal, loaded.data + at + sizeof(length), sizeof(ordinal));
		if (count == capacity) {
			capacity = capacity ? capacity * 2 : 1024;
			struct entry *grown = realloc(entries, capacity * sizeof(*entries));
			if (!grown) {
				result = error_set(error, "out of memory");
				break;
			}
			entries = grown;
		}
		entries[count++] = (struct entry){ordinal, at};
		at += sizeof(length) + (size_t)length;
	}
	if (count)
		qsort(entries, count, sizeof(*entries), by_ordinal);
	for (size_t item = 0; result == 0 && item < count; item++) {
		struct live_spool_cursor cursor;
		struct device_view fields, holder = {{0}};
		uint64_t key;
		const char *value;
		if (entry_cursor(&loaded, entries[item].at, &cursor, &key, &value) < 0 ||
		    judge_decode_fields(&cursor, &fields) < 0) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		holder.value[DEVICE_NAME] = fields.value[DEVICE_NAME];
		holder.value[DEVICE_STATE] = fields.value[DEVICE_STATE];
		holder.value[key] = value;
		if (live_snapshot_add_view(holders, &holder) < 0)
			result = error_set(error, "out of memory");
	}
	struct judge_head lookup = {.file = lookups};
	while (result == 0 && judge_head_next(&lookup) == 0 && lookup.ready) {
		uint64_t key;
		const char *value;
		size_t found;
		if (live_spool_decode_number(&lookup.cursor, &key) < 0 || key >= DEVICE_KEY_COUNT ||
		    live_spool_decode_text(&lookup.cursor, &value) < 0) {
			result = error_set(error, "the preflight's look-ups are damaged");
			break;
		}
		bool holds =
		    live_snapshot_find_index(holders, (enum device_field)key, value, &found);
		struct live_spool_cursor cursor;
		struct device_view fields;
		uint64_t entry_key;
		const char *entry_value;
		if (holds && (found >= count ||
		              entry_cursor(&loaded, entries[found].at, &cursor, &entry_key,
		                           &entry_value) < 0 ||
		              judge_decode_fields(&cursor, &fields) < 0)) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		strbuf_reset(&judge->frame);
		if (live_spool_encode_number(&judge->frame, lookup.row) < 0 ||
		    live_spool_encode_number(&judge->frame, key) < 0 ||
		    live_spool_encode_number(&judge->frame,
		                             holds ? entries[found].ordinal + 1 : 0) < 0 ||
		    (holds && judge_encode_fields(&judge->frame, &fields,
		                                  (1u << DEVICE_FIELD_COUNT) - 1) < 0) ||
		    live_spool_write_frame(resolved, &judge->frame) < 0)
			result = error_set(error, "cannot write the preflight's look-ups");
	}
	if (result == 0 && !lookup.ended)
		result = error_set(error, "the preflight's look-ups are damaged");
	free(entries);
	strbuf_release(&loaded);
	live_spool_frame_release(&lookup.frame);
	live_snapshot_free(holders);
	if (resolved && fclose(resolved) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's look-ups");
	if (lookups)
		fclose(lookups);
	if (index)
		fclose(index);
	return result;
}

int judge_resolve_lookups(struct live_judge *judge, struct error *error)
{
	int result = write_index(judge, error);
	for (size_t index = 0; result == 0 && index < judge->buckets; index++)
		result = resolve_partition(judge, index, error);
	return result;
}

int judge_head_found(struct judge_head *head, uint64_t *holder)
{
	uint64_t key;
	return live_spool_decode_number(&head->cursor, &key) < 0 ||
	               live_spool_decode_number(&head->cursor, holder) < 0
	           ? -1
	           : 0;
}
