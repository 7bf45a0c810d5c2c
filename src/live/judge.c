/* Rows judged in row order: classified directly against a snapshot in
 * memory, or for a spilled one by partitions on disk and merged back, or
 * (rows meeting two devices) by blocks of rows against the devices their
 * look-ups found. */
#include "live/judge.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/strbuf.h"
#include "live/snapshot_internal.h"
#include "live/spool.h"

/* A file of frames that each start with a row number, in increasing row
 * order, read one frame ahead for a merge by row. */
struct head {
	FILE *file;
	bool ready, ended;
	uint64_t row;
	struct live_spool_cursor cursor; /* after the row number */
	struct live_spool_frame frame;
};

/* A device a row of the current block met: where its fields are in the
 * block's arena, and its position in the listing. */
struct met_device {
	uint64_t ordinal;
	size_t at, length;
};

struct live_judge {
	const struct op *op;
	const struct live_snapshot *snapshot; /* the one classified against directly */
	struct live_claims *claims;
	struct live_spool *spool; /* borrowed: the partitions' devices */
	struct strbuf frame;      /* scratch of the frames written */
	struct head *heads;       /* one per partition's verdicts when judged by partitions */
	size_t partitions;        /* the spool's, by device_name */
	size_t buckets;           /* the look-ups', by the identifier looked up */
	struct live_judge_options options;
	unsigned kinds;      /* bit k: rows look devices up by identifier kind k */
	uint64_t lookups;    /* look-ups written */
	uint64_t *looked_up; /* the identifiers looked up, a filter (filter_add) */
	/* Rows that meet two devices (an activation's ICCID and IMEI), judged
	 * in row order by blocks of rows: */
	bool meets;
	struct head *met;               /* resolved-N: what each row's look-ups found */
	struct live_snapshot *block;    /* owned: the devices the block's rows met */
	uint64_t block_rows, block_end; /* rows per block; the first row after it */
	struct strbuf block_arena;      /* their fields as the look-ups answered */
	struct met_device *block_devices;
	size_t block_count, block_capacity;
};

/* record against snapshot, its device claimed for its row. */
static int judge_direct(const struct op *op, const struct live_snapshot *snapshot,
                        struct live_claims *claims, const struct record *record,
                        struct live_judgement *judgement)
{
	memset(judgement, 0, sizeof(*judgement));
	live_classify(op, record, snapshot, &judgement->verdict);
	if (live_claims_check(claims, record_shown_row(record), true, record, op,
	                      &judgement->verdict) < 0)
		return -1;
	enum device_field key;
	const char *value;
	struct device_view device;
	if (op_live_device_key(op, record, &key, &value) == 0 &&
	    live_snapshot_find(snapshot, key, value, &device)) {
		judgement->found = true;
		judgement->resolved = device.value[DEVICE_NAME];
		judgement->previous = op->live.previous ? op->live.previous(record, &device) : NULL;
	}
	return 0;
}

static int encode_string(struct strbuf *frame, const char *text)
{
	return live_spool_encode_text(frame, text, text ? strlen(text) : 0);
}

/* --- heads: merging files by row --- */

/* Reads head's next frame and its row. Returns 0 (head->ended at the end) or -1. */
static int head_next(struct head *head)
{
	int read = live_spool_read_frame(head->file, &head->frame, &head->cursor);
	if (read <= 0) {
		head->ended = true;
		head->ready = false;
		return read;
	}
	if (live_spool_decode_number(&head->cursor, &head->row) < 0)
		return -1;
	head->ready = true;
	return 0;
}

/* The head among count whose next frame is row's (each read on as
 * needed), or NULL when none has it. *damaged is set when one cannot be read. */
static struct head *head_of_row(struct head *heads, size_t count, uint64_t row, bool *damaged)
{
	for (size_t index = 0; index < count; index++) {
		struct head *head = &heads[index];
		if (!head->ready && !head->ended && head_next(head) < 0) {
			*damaged = true;
			return NULL;
		}
		if (head->ready && head->row == row)
			return head;
	}
	return NULL;
}

static void heads_close(struct head *heads, size_t count)
{
	for (size_t index = 0; heads && index < count; index++) {
		if (heads[index].file)
			fclose(heads[index].file);
		live_spool_frame_release(&heads[index].frame);
	}
	free(heads);
}

/* --- a row, a look-up and a judgement in the spool's files --- */

#define RECORD_NUMBERS 7

static int put_record(FILE *file, struct strbuf *frame, const struct record *record)
{
	uint32_t present = 0;
	for (int field = 0; field < FIELD_COUNT; field++)
		if (record->value[field])
			present |= 1u << field;
	uint64_t numbers[RECORD_NUMBERS] = {
	    record->row,         record->line, record->offset, record->source_row,
	    record->source_line, record->lane, present};
	strbuf_reset(frame);
	for (size_t index = 0; index < RECORD_NUMBERS; index++)
		if (live_spool_encode_number(frame, numbers[index]) < 0)
			return -1;
	for (int field = 0; field < FIELD_COUNT; field++)
		if (record->value[field] && encode_string(frame, record->value[field]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

/* The row put_record wrote, from head (its row read): values point into
 * head's frame. Returns 0 or -1 when damaged. */
static int head_record(struct head *head, struct record *record)
{
	uint64_t numbers[RECORD_NUMBERS];
	numbers[0] = head->row;
	for (size_t index = 1; index < RECORD_NUMBERS; index++)
		if (live_spool_decode_number(&head->cursor, &numbers[index]) < 0)
			return -1;
	memset(record, 0, sizeof(*record));
	record->row = numbers[0];
	record->line = numbers[1];
	record->offset = numbers[2];
	record->source_row = numbers[3];
	record->source_line = numbers[4];
	record->lane = (unsigned)numbers[5];
	for (int field = 0; field < FIELD_COUNT; field++)
		if ((numbers[6] & (1u << field)) &&
		    live_spool_decode_text(&head->cursor, &record->value[field]) < 0)
			return -1;
	return 0;
}

static int put_judgement(FILE *file, struct strbuf *frame, uint64_t row,
                         const struct live_judgement *judgement)
{
	const struct live_verdict *verdict = &judgement->verdict;
	const char *texts[8] = {verdict->device_name, verdict->current,    verdict->target,
	                        verdict->message,     verdict->suggestion, verdict->unknown_name,
	                        judgement->resolved,  judgement->previous};
	uint64_t packed = (uint64_t)verdict->kind | (uint64_t)verdict->match << 8 |
	                  (uint64_t)judgement->found << 16;
	strbuf_reset(frame);
	if (live_spool_encode_number(frame, row) < 0 || live_spool_encode_number(frame, packed) < 0)
		return -1;
	for (size_t index = 0; index < 8; index++)
		if (encode_string(frame, texts[index]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

static const char *text_or_empty(const char *text)
{
	return text ? text : "";
}

/* The judgement put_judgement wrote, from head (its row read): strings
 * point into head's frame. Returns 0 or -1 when damaged. */
static int head_judgement(struct head *head, struct live_judgement *judgement)
{
	uint64_t packed;
	const char *text[8];
	if (live_spool_decode_number(&head->cursor, &packed) < 0)
		return -1;
	for (size_t index = 0; index < 8; index++)
		if (live_spool_decode_text(&head->cursor, &text[index]) < 0)
			return -1;
	memset(judgement, 0, sizeof(*judgement));
	struct live_verdict *verdict = &judgement->verdict;
	verdict->kind = (enum live_kind)(packed & 0xFF);
	verdict->match = (enum live_match)((packed >> 8) & 0xFF);
	verdict->device_name = text_or_empty(text[0]);
	verdict->current = text_or_empty(text[1]);
	verdict->target = text_or_empty(text[2]);
	snprintf(verdict->message, sizeof(verdict->message), "%s", text_or_empty(text[3]));
	verdict->suggestion = text[4];
	snprintf(verdict->unknown_name, sizeof(verdict->unknown_name), "%s",
	         text_or_empty(text[5]));
	judgement->found = ((packed >> 16) & 1) != 0;
	judgement->resolved = text[6];
	judgement->previous = text[7];
	return 0;
}

/* The device record names in snapshot; false when none. */
static bool find_device(const struct op *op, const struct live_snapshot *snapshot,
                        const struct record *record, struct device_view *device)
{
	enum device_field key;
	const char *value;
	return op_live_device_key(op, record, &key, &value) == 0 &&
	       live_snapshot_find(snapshot, key, value, device);
}

/* A row's device (NULL: none) as live_judge_device gives it back. */
static int put_device(FILE *file, struct strbuf *frame, uint64_t row,
                      const struct device_view *device)
{
	strbuf_reset(frame);
	if (live_spool_encode_number(frame, row) < 0 ||
	    live_spool_encode_number(frame, device != NULL) < 0)
		return -1;
	for (int field = 0; device && field < DEVICE_FIELD_COUNT; field++)
		if (encode_string(frame, device->value[field]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

/* The device put_device wrote, from head (its row read): strings point
 * into head's frame. Returns 0 or -1 when damaged. */
static int head_device(struct head *head, bool *found, struct device_view *device)
{
	uint64_t present;
	if (live_spool_decode_number(&head->cursor, &present) < 0)
		return -1;
	memset(device, 0, sizeof(*device));
	*found = present != 0;
	for (int field = 0; *found && field < DEVICE_FIELD_COUNT; field++)
		if (live_spool_decode_text(&head->cursor, &device->value[field]) < 0)
			return -1;
	return 0;
}

/* --- the join by partitions --- */

static FILE *open_partition_file(const struct live_spool *spool, const char *kind, size_t index,
                                 const char *mode, struct error *error)
{
	char name[64], path[4200];
	snprintf(name, sizeof(name), "%s-%zu", kind, index);
	FILE *file =
	    live_spool_path(spool, name, path, sizeof(path)) == 0 ? fopen(path, mode) : NULL;
	if (!file)
		error_set(error, "cannot open %s for the preflight's rows", name);
	return file;
}

/* count files, named kind-N, opened with mode: NULL with error when one
 * cannot be. */
static FILE **open_partition_files(const struct live_judge *judge, const char *kind, size_t count,
                                   const char *mode, struct error *error)
{
	FILE **files = calloc(count, sizeof(*files));
	if (!files) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < count; index++)
		if (!(files[index] = open_partition_file(judge->spool, kind, index, mode, error))) {
			while (index-- > 0)
				fclose(files[index]);
			free(files);
			return NULL;
		}
	return files;
}

/* Closes and frees count files; returns -1 (with error) when one was not
 * written whole. */
static int close_partition_files(FILE **files, size_t count, int result, struct error *error)
{
	for (size_t index = 0; files && index < count; index++)
		if (files[index] && fclose(files[index]) != 0 && result == 0)
			result = error_set(error, "cannot write the preflight's rows to a "
			                          "temporary directory");
	free(files);
	return result;
}

static struct head *open_heads(const struct live_judge *judge, const char *kind, size_t count,
                               struct error *error)
{
	struct head *heads = calloc(count, sizeof(*heads));
	if (!heads) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < count; index++)
		if (!(heads[index].file =
		          open_partition_file(judge->spool, kind, index, "rb", error))) {
			heads_close(heads, count);
			return NULL;
		}
	return heads;
}

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

/* A look-up of row's device by identifier kind key = value, to lookups-N
 * by the value's hash. Returns 0 or -1. */
static int put_lookup(struct live_judge *judge, FILE **lookups, uint64_t row, enum device_field key,
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
	               encode_string(&judge->frame, value) < 0 ||
	               live_spool_write_frame(lookups[bucket], &judge->frame) < 0
	           ? -1
	           : 0;
}

/* The identifier kind of op's also_unique field (a row field that must not
 * name another device), or -1 when op has none. */
static int also_unique_key(const struct op *op)
{
	int also = op->live.also_unique;
	return (unsigned)also < FIELD_COUNT
	           ? device_key_from_id_type(field_name((enum field_id)also))
	           : -1;
}

/* A row meeting two devices: a look-up of the device it names and one of
 * the holder of its also_unique identifier (those it has). Returns 0 or -1. */
static int put_meetings(struct live_judge *judge, FILE **lookups, const struct record *record)
{
	enum device_field key;
	const char *value;
	if (op_live_device_key(judge->op, record, &key, &value) == 0 && value && *value &&
	    put_lookup(judge, lookups, record->row, key, value) < 0)
		return -1;
	int also = also_unique_key(judge->op);
	value = also >= 0 ? record->value[judge->op->live.also_unique] : NULL;
	if (value && *value &&
	    put_lookup(judge, lookups, record->row, (enum device_field)also, value) < 0)
		return -1;
	return 0;
}

/* Writes every valid row to the partition of the device it names
 * (rows-N); a row naming its device by another identifier waits in
 * "pending", its look-up in lookups-N by the identifier's hash. A row
 * meeting two devices only writes its look-ups (it is judged in row order
 * from what they find). Returns 0 or -1 with error. */
static int route_rows(struct live_judge *judge, const struct pipeline_config *config,
                      struct error *error)
{
	const struct op *op = judge->op;
	FILE **rows = judge->meets
	                  ? NULL
	                  : open_partition_files(judge, "rows", judge->partitions, "wb", error);
	FILE **lookups = judge->meets || rows
	                     ? open_partition_files(judge, "lookups", judge->buckets, "wb", error)
	                     : NULL;
	FILE *pending = lookups && !judge->meets
	                    ? open_partition_file(judge->spool, "pending", 0, "wb", error)
	                    : NULL;
	struct pipeline *pipeline =
	    pending || (lookups && judge->meets) ? pipeline_open(config, NULL, error) : NULL;
	int result = pipeline ? 0 : -1;
	struct pipeline_row row;
	while (result == 0 && (result = pipeline_next(pipeline, &row, error)) == 1) {
		result = 0;
		if (!row.valid || !row.record ||
		    (judge->options.wants &&
		     !judge->options.wants(judge->options.context, row.record)))
			continue;
		enum device_field key;
		const char *value;
		int written;
		if (judge->meets) {
			written = put_meetings(judge, lookups, row.record);
		} else if (op_live_device_key(op, row.record, &key, &value) < 0) {
			written = put_record(rows[0], &judge->frame, row.record);
		} else if (key == DEVICE_NAME) {
			size_t partition =
			    live_spool_partition_of(judge->spool, value, strlen(value));
			written = put_record(rows[partition], &judge->frame, row.record);
		} else {
			written = put_lookup(judge, lookups, row.record->row, key, value) < 0 ||
			                  put_record(pending, &judge->frame, row.record) < 0
			              ? -1
			              : 0;
		}
		if (written < 0)
			result =
			    error_set(error, "cannot write the preflight's rows to a temporary "
			                     "directory");
	}
	pipeline_close(pipeline);
	if (pending && fclose(pending) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's rows");
	result = close_partition_files(lookups, judge->buckets, result, error);
	return close_partition_files(rows, judge->partitions, result, error);
}

/* A device's fields of mask (bit f: field f) that have a value: the mask
 * of those, then their texts. Returns 0 or -1. */
static int encode_fields(struct strbuf *frame, const struct device_view *device, unsigned mask)
{
	unsigned present = 0;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((mask & (1u << field)) && device->value[field])
			present |= 1u << field;
	if (live_spool_encode_number(frame, present) < 0)
		return -1;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((present & (1u << field)) && encode_string(frame, device->value[field]) < 0)
			return -1;
	return 0;
}

/* The fields encode_fields wrote, into device (the others NULL; texts
 * point into the cursor's frame). Returns 0 or -1 when damaged. */
static int decode_fields(struct live_spool_cursor *cursor, struct device_view *device)
{
	uint64_t present;
	memset(device, 0, sizeof(*device));
	if (live_spool_decode_number(cursor, &present) < 0)
		return -1;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((present & (1u << field)) &&
		    live_spool_decode_text(cursor, &device->value[field]) < 0)
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
	FILE **index = open_partition_files(judge, "index", judge->buckets, "wb", error);
	int result = index ? 0 : -1;
	unsigned carried =
	    judge->meets ? (1u << DEVICE_FIELD_COUNT) - 1 : 1u << DEVICE_NAME | 1u << DEVICE_STATE;
	struct live_spool_frame frame = {NULL, 0, 0};
	for (size_t part = 0; result == 0 && part < judge->partitions; part++) {
		FILE *devices = open_partition_file(judge->spool, "part", part, "rb", error);
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
				    encode_string(&judge->frame, value) < 0 ||
				    encode_fields(&judge->frame, &device, carried) < 0 ||
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
	return close_partition_files(index, judge->buckets, result, error);
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
	FILE *index = open_partition_file(judge->spool, "index", part, "rb", error);
	FILE *lookups =
	    index ? open_partition_file(judge->spool, "lookups", part, "rb", error) : NULL;
	FILE *resolved =
	    lookups ? open_partition_file(judge->spool, "resolved", part, "wb", error) : NULL;
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
		    decode_fields(&cursor, &fields) < 0) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		holder.value[DEVICE_NAME] = fields.value[DEVICE_NAME];
		holder.value[DEVICE_STATE] = fields.value[DEVICE_STATE];
		holder.value[key] = value;
		if (live_snapshot_add_view(holders, &holder) < 0)
			result = error_set(error, "out of memory");
	}
	struct head lookup = {lookups, false, false, 0, {NULL, 0, 0}, {NULL, 0, 0}};
	while (result == 0 && head_next(&lookup) == 0 && lookup.ready) {
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
		              decode_fields(&cursor, &fields) < 0)) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		strbuf_reset(&judge->frame);
		if (live_spool_encode_number(&judge->frame, lookup.row) < 0 ||
		    live_spool_encode_number(&judge->frame, key) < 0 ||
		    live_spool_encode_number(&judge->frame,
		                             holds ? entries[found].ordinal + 1 : 0) < 0 ||
		    (holds &&
		     encode_fields(&judge->frame, &fields, (1u << DEVICE_FIELD_COUNT) - 1) < 0) ||
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

/* What head's resolved frame (its row read) found: *holder the device's
 * position in the listing + 1 (0: none), cursor left on its fields.
 * Returns 0 or -1 when damaged. */
static int head_found(struct head *head, uint64_t *holder)
{
	uint64_t key;
	return live_spool_decode_number(&head->cursor, &key) < 0 ||
	               live_spool_decode_number(&head->cursor, holder) < 0
	           ? -1
	           : 0;
}

/* The rows that named their device by another identifier, in row order,
 * each to the partition of the device its look-up found (resolved-N,
 * merged by row), or to partition 0 when none holds it (no partition
 * does). Returns 0 or -1 with error. */
static int route_pending(struct live_judge *judge, struct error *error)
{
	struct head *resolved = open_heads(judge, "resolved", judge->buckets, error);
	struct head pending = {NULL, false, false, 0, {NULL, 0, 0}, {NULL, 0, 0}};
	if (resolved)
		pending.file = open_partition_file(judge->spool, "pending", 0, "rb", error);
	FILE **rows = pending.file
	                  ? open_partition_files(judge, "found", judge->partitions, "wb", error)
	                  : NULL;
	int result = rows ? 0 : -1;
	while (result == 0 && head_next(&pending) == 0 && pending.ready) {
		bool damaged = false;
		struct head *found = head_of_row(resolved, judge->buckets, pending.row, &damaged);
		uint64_t holder;
		struct device_view device = {{0}};
		struct record record;
		if (!found || head_found(found, &holder) < 0 ||
		    (holder && decode_fields(&found->cursor, &device) < 0) ||
		    head_record(&pending, &record) < 0) {
			result = error_set(error, "the preflight's look-ups are damaged");
			break;
		}
		found->ready = false;
		const char *name = device.value[DEVICE_NAME];
		size_t partition =
		    name ? live_spool_partition_of(judge->spool, name, strlen(name)) : 0;
		if (put_record(rows[partition], &judge->frame, &record) < 0)
			result = error_set(error, "cannot write the preflight's rows");
	}
	if (result == 0 && !pending.ended)
		result = error_set(error, "the preflight's rows are damaged");
	if (pending.file)
		fclose(pending.file);
	live_spool_frame_release(&pending.frame);
	heads_close(resolved, judge->buckets);
	return close_partition_files(rows, judge->partitions, result, error);
}

/* One partition: its devices in a snapshot of their own, its rows — those
 * routed by name and those found by another identifier, merged by row —
 * judged in row order into its verdicts file. Returns 0 or -1 with error. */
static int judge_partition(struct live_judge *judge, size_t index, struct error *error)
{
	struct live_snapshot *part = live_snapshot_new_like(judge->snapshot);
	struct live_claims *claims = part ? live_claims_new(part) : NULL;
	FILE *devices = open_partition_file(judge->spool, "part", index, "rb", error);
	struct head rows[2];
	memset(rows, 0, sizeof(rows));
	rows[0].file =
	    devices ? open_partition_file(judge->spool, "rows", index, "rb", error) : NULL;
	rows[1].ended = true;
	if (rows[0].file && judge->lookups)
		rows[1] =
		    (struct head){open_partition_file(judge->spool, "found", index, "rb", error),
		                  false,
		                  false,
		                  0,
		                  {NULL, 0, 0},
		                  {NULL, 0, 0}};
	FILE *verdicts = rows[0].file && (rows[1].file || !judge->lookups)
	                     ? open_partition_file(judge->spool, "verdicts", index, "wb", error)
	                     : NULL;
	int result = verdicts ? 0 : -1;
	if (!claims)
		result = error_set(error, "out of memory");
	struct live_spool_frame frame = {NULL, 0, 0};
	struct device_view device;
	uint64_t ordinal;
	int read = 0;
	while (result == 0 &&
	       (read = live_spool_read_device(devices, &frame, &device, &ordinal)) == 1)
		if (live_snapshot_add_view(part, &device) < 0)
			result =
			    error_set(error, "out of memory loading a partition of the account");
	if (result == 0 && read < 0)
		result = error_set(error, "a partition of the account's devices is damaged");
	live_spool_frame_release(&frame);
	for (int side = 0; result == 0 && side < 2; side++)
		if (!rows[side].ended && head_next(&rows[side]) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
	while (result == 0 && (rows[0].ready || rows[1].ready)) {
		struct head *next = !rows[1].ready || (rows[0].ready && rows[0].row < rows[1].row)
		                        ? &rows[0]
		                        : &rows[1];
		struct record record;
		struct live_judgement judgement;
		struct device_view found;
		if (head_record(next, &record) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
		else if (judge->options.devices) {
			bool named = find_device(judge->op, part, &record, &found);
			if (put_device(verdicts, &judge->frame, record.row, named ? &found : NULL) <
			    0)
				result = error_set(error, "cannot write the preflight's verdicts");
		} else if (judge_direct(judge->op, part, claims, &record, &judgement) < 0)
			result = error_set(error, "out of memory");
		else if (put_judgement(verdicts, &judge->frame, record.row, &judgement) < 0)
			result = error_set(error, "cannot write the preflight's verdicts");
		if (result == 0 && head_next(next) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
	}
	if (verdicts && fclose(verdicts) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's verdicts");
	for (int side = 0; side < 2; side++) {
		if (rows[side].file)
			fclose(rows[side].file);
		live_spool_frame_release(&rows[side].frame);
	}
	if (devices)
		fclose(devices);
	live_claims_free(claims);
	live_snapshot_free(part);
	return result;
}

/* --- rows meeting two devices: judged by blocks of rows --- */

static int by_met_ordinal(const void *left, const void *right)
{
	const struct met_device *a = left, *b = right;
	return a->ordinal < b->ordinal ? -1 : a->ordinal > b->ordinal;
}

/* Keeps the device whose fields cursor is on (at ordinal in the listing)
 * for the block. Returns 0 or -1 (out of memory). */
static int keep_met(struct live_judge *judge, uint64_t ordinal,
                    const struct live_spool_cursor *cursor)
{
	if (judge->block_count == judge->block_capacity) {
		size_t capacity = judge->block_capacity ? judge->block_capacity * 2 : 256;
		struct met_device *grown =
		    realloc(judge->block_devices, capacity * sizeof(*judge->block_devices));
		if (!grown)
			return -1;
		judge->block_devices = grown;
		judge->block_capacity = capacity;
	}
	size_t at = judge->block_arena.length, length = cursor->length - cursor->at;
	if (strbuf_append(&judge->block_arena, cursor->data + cursor->at, length) != STRBUF_OK)
		return -1;
	judge->block_devices[judge->block_count++] = (struct met_device){ordinal, at, length};
	return 0;
}

/* The block of rows from first (block_rows of them): the devices their
 * look-ups found, added in the account's order to a snapshot of their own.
 * Any set of the account's devices that holds the device a look-up of the
 * whole account finds, added in the account's order, finds that device
 * too (an earlier holder it also holds is deactivated, or the one found is
 * the last holder), so a row classified against the block's devices is
 * classified as against the whole account — unchanged, conflicts with its
 * ICCID's or its IMEI's device — with memory for the block only. Claims
 * span the block only: the operations meeting two devices have none
 * (live_claims_possible; test_live_judge checks the table). Returns 0 or
 * -1 with error. */
static int meet_block(struct live_judge *judge, uint64_t first, struct error *error)
{
	judge->block_end = first + judge->block_rows;
	strbuf_reset(&judge->block_arena);
	judge->block_count = 0;
	for (size_t index = 0; judge->met && index < judge->buckets; index++) {
		struct head *head = &judge->met[index];
		for (;;) {
			uint64_t holder;
			if (!head->ready && !head->ended && head_next(head) < 0)
				return error_set(error, "the preflight's look-ups are damaged");
			if (!head->ready || head->row >= judge->block_end)
				break;
			if (head_found(head, &holder) < 0)
				return error_set(error, "the preflight's look-ups are damaged");
			if (holder && keep_met(judge, holder - 1, &head->cursor) < 0)
				return error_set(error, "out of memory");
			head->ready = false;
		}
	}
	if (judge->block_count)
		qsort(judge->block_devices, judge->block_count, sizeof(*judge->block_devices),
		      by_met_ordinal);
	live_claims_free(judge->claims);
	live_snapshot_free(judge->block);
	judge->claims = NULL;
	judge->block = live_snapshot_new_like(judge->snapshot);
	if (!judge->block || !(judge->claims = live_claims_new(judge->block)))
		return error_set(error, "out of memory");
	for (size_t index = 0; index < judge->block_count; index++) {
		const struct met_device *met = &judge->block_devices[index];
		/* a device two rows (or a row's ICCID and IMEI) met is added once */
		if (index > 0 && met->ordinal == judge->block_devices[index - 1].ordinal)
			continue;
		struct live_spool_cursor cursor = {judge->block_arena.data + met->at, met->length,
		                                   0};
		struct device_view device;
		if (decode_fields(&cursor, &device) < 0)
			return error_set(error, "the preflight's look-ups are damaged");
		if (live_snapshot_add_view(judge->block, &device) < 0)
			return error_set(error, "out of memory");
	}
	return 0;
}

/* The join: rows routed, look-ups by other identifiers resolved, every
 * partition judged (or, for rows meeting two devices, what their
 * look-ups found ready to be read by row). Returns 0 or -1. */
static int judge_by_partitions(struct live_judge *judge, const struct pipeline_config *config,
                               struct error *error)
{
	int result = route_rows(judge, config, error);
	if (result == 0 && judge->lookups) {
		result = write_index(judge, error);
		for (size_t index = 0; result == 0 && index < judge->buckets; index++)
			result = resolve_partition(judge, index, error);
		if (result == 0 && !judge->meets)
			result = route_pending(judge, error);
	}
	if (judge->meets) {
		if (result == 0 && judge->lookups &&
		    !(judge->met = open_heads(judge, "resolved", judge->buckets, error)))
			result = -1;
		return result;
	}
	for (size_t index = 0; result == 0 && index < judge->partitions; index++)
		result = judge_partition(judge, index, error);
	if (result == 0 &&
	    !(judge->heads = open_heads(judge, "verdicts", judge->partitions, error)))
		result = -1;
	return result;
}

struct live_judge *live_judge_open_with(const struct op *op, const struct live_snapshot *snapshot,
                                        const struct pipeline_config *config,
                                        const struct live_judge_options *options,
                                        struct error *error)
{
	struct live_judge *judge = calloc(1, sizeof(*judge));
	if (!judge) {
		error_set(error, "out of memory");
		return NULL;
	}
	if (options)
		judge->options = *options;
	judge->op = op;
	judge->snapshot = snapshot;
	strbuf_init(&judge->frame, 1u << 24);
	strbuf_init(&judge->block_arena, SIZE_MAX);
	judge->spool = live_snapshot_spool(snapshot);
	int result = 0;
	if (judge->spool) {
		judge->partitions = live_spool_partitions(judge->spool);
		judge->buckets = judge->partitions;
		judge->meets = !judge->options.devices && also_unique_key(op) >= 0;
		if (judge->meets) {
			/* two look-ups a row, two index entries a device: twice the
			 * buckets keep one bucket's index within a partition's size */
			judge->buckets = judge->partitions * 2 < LIVE_SPOOL_MAX_PARTITIONS
			                     ? judge->partitions * 2
			                     : LIVE_SPOOL_MAX_PARTITIONS;
			/* a block's rows meet at most two devices each: at most a
			 * partition's devices in memory */
			judge->block_rows =
			    live_spool_devices(judge->spool) / judge->partitions / 2;
			if (judge->block_rows == 0)
				judge->block_rows = 1;
		}
		result = live_spool_finish(judge->spool) < 0
		             ? error_set(error, "cannot write the account's devices to disk")
		             : judge_by_partitions(judge, config, error);
	}
	if (result == 0 && !judge->heads && !judge->meets &&
	    !(judge->claims = live_claims_new(judge->snapshot)))
		result = error_set(error, "out of memory");
	if (result < 0) {
		live_judge_free(judge);
		return NULL;
	}
	return judge;
}

struct live_judge *live_judge_open(const struct op *op, const struct live_snapshot *snapshot,
                                   const struct pipeline_config *config, struct error *error)
{
	return live_judge_open_with(op, snapshot, config, NULL, error);
}

/* The head holding row's frame when judged by partitions, marked read
 * (its frame stays as it is until the next call reads the head on);
 * NULL with error. */
static struct head *verdict_head(struct live_judge *judge, uint64_t row, struct error *error)
{
	bool damaged = false;
	struct head *head = head_of_row(judge->heads, judge->partitions, row, &damaged);
	if (!head) {
		error_set(error,
		          damaged ? "the preflight's verdicts of a partition are damaged"
		                  : "the preflight has no verdict for row %llu",
		          (unsigned long long)row);
		return NULL;
	}
	head->ready = false;
	return head;
}

int live_judge_device(struct live_judge *judge, const struct record *record, bool *found,
                      struct device_view *device, struct error *error)
{
	if (!judge->heads) {
		*found = find_device(judge->op, judge->snapshot, record, device);
		return 0;
	}
	struct head *head = verdict_head(judge, record->row, error);
	if (!head)
		return -1;
	if (head_device(head, found, device) < 0)
		return error_set(error, "the preflight's verdicts of a partition are damaged");
	return 0;
}

int live_judge_row(struct live_judge *judge, const struct record *record,
                   struct live_judgement *judgement, struct error *error)
{
	if (!judge->heads) {
		const struct live_snapshot *against = judge->snapshot;
		if (judge->meets) {
			if ((!judge->block || record->row >= judge->block_end) &&
			    meet_block(judge, record->row, error) < 0)
				return -1;
			against = judge->block;
		}
		if (judge_direct(judge->op, against, judge->claims, record, judgement) < 0)
			return error_set(error, "out of memory");
		return 0;
	}
	struct head *head = verdict_head(judge, record->row, error);
	if (!head)
		return -1;
	if (head_judgement(head, judgement) < 0)
		return error_set(error, "the preflight's verdicts of a partition are damaged");
	return 0;
}

void live_judge_free(struct live_judge *judge)
{
	if (!judge)
		return;
	heads_close(judge->heads, judge->partitions);
	heads_close(judge->met, judge->buckets);
	strbuf_release(&judge->frame);
	strbuf_release(&judge->block_arena);
	free(judge->block_devices);
	free(judge->looked_up);
	live_claims_free(judge->claims);
	live_snapshot_free(judge->block);
	free(judge);
}
