/* Rows judged in row order: classified directly against a snapshot in
 * memory, or for a spilled one by partitions on disk and merged back. */
#include "live/judge.h"

#include <stdlib.h>
#include <string.h>

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

struct live_judge {
	const struct op *op;
	const struct live_snapshot *snapshot; /* the one classified against directly */
	struct live_snapshot *whole;          /* owned: a spilled snapshot loaded whole */
	struct live_claims *claims;
	struct live_spool *spool; /* borrowed: the partitions' devices */
	struct strbuf frame;      /* scratch of the frames written */
	struct head *heads;       /* one per partition's verdicts when judged by partitions */
	size_t partitions;
	struct live_judge_options options;
	unsigned kinds;   /* bit k: rows name devices by identifier kind k (not device_name) */
	uint64_t pending; /* rows waiting for their identifier to be resolved */
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

/* One file per partition, named kind-N, opened with mode: NULL with error
 * when one cannot be. */
static FILE **open_partition_files(const struct live_judge *judge, const char *kind,
                                   const char *mode, struct error *error)
{
	FILE **files = calloc(judge->partitions, sizeof(*files));
	if (!files) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < judge->partitions; index++)
		if (!(files[index] = open_partition_file(judge->spool, kind, index, mode, error))) {
			while (index-- > 0)
				fclose(files[index]);
			free(files);
			return NULL;
		}
	return files;
}

/* Closes and frees files; returns -1 (with error) when one was not written whole. */
static int close_partition_files(const struct live_judge *judge, FILE **files, int result,
                                 struct error *error)
{
	for (size_t index = 0; files && index < judge->partitions; index++)
		if (files[index] && fclose(files[index]) != 0 && result == 0)
			result = error_set(error, "cannot write the preflight's rows to a "
			                          "temporary directory");
	free(files);
	return result;
}

static struct head *open_heads(const struct live_judge *judge, const char *kind,
                               struct error *error)
{
	struct head *heads = calloc(judge->partitions, sizeof(*heads));
	if (!heads) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < judge->partitions; index++)
		if (!(heads[index].file =
		          open_partition_file(judge->spool, kind, index, "rb", error))) {
			heads_close(heads, judge->partitions);
			return NULL;
		}
	return heads;
}

/* Writes every valid row to the partition of the device it names
 * (rows-N); a row naming its device by another identifier waits in
 * "pending", its look-up in lookups-N by the identifier's hash. Returns 0,
 * 1 when a row must meet two devices (an activation's ICCID and IMEI: the
 * caller loads the devices whole), -1 with error. */
static int route_rows(struct live_judge *judge, const struct pipeline_config *config,
                      struct error *error)
{
	const struct op *op = judge->op;
	int also = op->live.also_unique;
	if (!judge->options.devices && (unsigned)also < FIELD_COUNT &&
	    device_key_from_id_type(field_name((enum field_id)also)) >= 0)
		return 1;
	FILE **rows = open_partition_files(judge, "rows", "wb", error);
	FILE **lookups = rows ? open_partition_files(judge, "lookups", "wb", error) : NULL;
	FILE *pending =
	    lookups ? open_partition_file(judge->spool, "pending", 0, "wb", error) : NULL;
	struct pipeline *pipeline = pending ? pipeline_open(config, NULL, error) : NULL;
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
		if (op_live_device_key(op, row.record, &key, &value) < 0) {
			written = put_record(rows[0], &judge->frame, row.record);
		} else if (key == DEVICE_NAME) {
			size_t partition =
			    live_spool_partition_of(judge->spool, value, strlen(value));
			written = put_record(rows[partition], &judge->frame, row.record);
		} else {
			size_t partition =
			    live_spool_partition_of(judge->spool, value, strlen(value));
			judge->kinds |= 1u << key;
			judge->pending++;
			strbuf_reset(&judge->frame);
			written =
			    live_spool_encode_number(&judge->frame, row.record->row) < 0 ||
			            live_spool_encode_number(&judge->frame, key) < 0 ||
			            encode_string(&judge->frame, value) < 0 ||
			            live_spool_write_frame(lookups[partition], &judge->frame) < 0 ||
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
	result = close_partition_files(judge, lookups, result, error);
	return close_partition_files(judge, rows, result, error);
}

/* Every identifier of the kinds the rows look up, with the listing
 * position, name and state of the device holding it, to index-N by the
 * identifier's hash. Returns 0 or -1 with error. */
static int write_index(struct live_judge *judge, struct error *error)
{
	FILE **index = open_partition_files(judge, "index", "wb", error);
	int result = index ? 0 : -1;
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
				if (!(judge->kinds & (1u << key)) || !value || !*value)
					continue;
				size_t at =
				    live_spool_partition_of(judge->spool, value, strlen(value));
				strbuf_reset(&judge->frame);
				if (live_spool_encode_number(&judge->frame, ordinal) < 0 ||
				    live_spool_encode_number(&judge->frame, (uint64_t)key) < 0 ||
				    encode_string(&judge->frame, value) < 0 ||
				    encode_string(&judge->frame, device.value[DEVICE_NAME]) < 0 ||
				    encode_string(&judge->frame, device.value[DEVICE_STATE]) < 0 ||
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
	return close_partition_files(judge, index, result, error);
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

/* One index partition: its identifiers, added in listing order to a
 * snapshot of bare holders (a device with only its name, state and that identifier),
 * find the device each look-up of the partition names exactly as the whole
 * account would (the first holder, or a later one when it is
 * deactivated); the device's name goes to resolved-N. Returns 0 or -1. */
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
		uint64_t length, ordinal, key;
		memcpy(&length, loaded.data + entries[item].at, sizeof(length));
		struct live_spool_cursor cursor = {loaded.data + entries[item].at + sizeof(length),
		                                   (size_t)length, 0};
		struct device_view holder = {{0}};
		const char *value;
		if (live_spool_decode_number(&cursor, &ordinal) < 0 ||
		    live_spool_decode_number(&cursor, &key) < 0 || key >= DEVICE_KEY_COUNT ||
		    live_spool_decode_text(&cursor, &value) < 0 ||
		    live_spool_decode_text(&cursor, &holder.value[DEVICE_NAME]) < 0 ||
		    live_spool_decode_text(&cursor, &holder.value[DEVICE_STATE]) < 0) {
			result = error_set(error, "the account's identifiers are damaged");
			break;
		}
		holder.value[key] = value;
		if (live_snapshot_add_view(holders, &holder) < 0)
			result = error_set(error, "out of memory");
	}
	free(entries);
	strbuf_release(&loaded);
	struct head lookup = {lookups, false, false, 0, {NULL, 0, 0}, {NULL, 0, 0}};
	while (result == 0 && head_next(&lookup) == 0 && lookup.ready) {
		uint64_t key;
		const char *value;
		struct device_view device;
		if (live_spool_decode_number(&lookup.cursor, &key) < 0 || key >= DEVICE_KEY_COUNT ||
		    live_spool_decode_text(&lookup.cursor, &value) < 0) {
			result = error_set(error, "the preflight's look-ups are damaged");
			break;
		}
		const char *name =
		    live_snapshot_find(holders, (enum device_field)key, value, &device)
		        ? device.value[DEVICE_NAME]
		        : NULL;
		strbuf_reset(&judge->frame);
		if (live_spool_encode_number(&judge->frame, lookup.row) < 0 ||
		    encode_string(&judge->frame, name) < 0 ||
		    live_spool_write_frame(resolved, &judge->frame) < 0)
			result = error_set(error, "cannot write the preflight's look-ups");
	}
	if (result == 0 && !lookup.ended)
		result = error_set(error, "the preflight's look-ups are damaged");
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

/* The rows that named their device by another identifier, in row order,
 * each to the partition of the device its look-up found (resolved-N,
 * merged by row), or to partition 0 when none holds it (no partition
 * does). Returns 0 or -1 with error. */
static int route_pending(struct live_judge *judge, struct error *error)
{
	struct head *resolved = open_heads(judge, "resolved", error);
	struct head pending = {NULL, false, false, 0, {NULL, 0, 0}, {NULL, 0, 0}};
	if (resolved)
		pending.file = open_partition_file(judge->spool, "pending", 0, "rb", error);
	FILE **rows = pending.file ? open_partition_files(judge, "found", "wb", error) : NULL;
	int result = rows ? 0 : -1;
	while (result == 0 && head_next(&pending) == 0 && pending.ready) {
		bool damaged = false;
		struct head *found =
		    head_of_row(resolved, judge->partitions, pending.row, &damaged);
		const char *name = NULL;
		struct record record;
		if (!found || live_spool_decode_text(&found->cursor, &name) < 0 ||
		    head_record(&pending, &record) < 0) {
			result = error_set(error, "the preflight's look-ups are damaged");
			break;
		}
		found->ready = false;
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
	heads_close(resolved, judge->partitions);
	return close_partition_files(judge, rows, result, error);
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
	if (rows[0].file && judge->pending)
		rows[1] =
		    (struct head){open_partition_file(judge->spool, "found", index, "rb", error),
		                  false,
		                  false,
		                  0,
		                  {NULL, 0, 0},
		                  {NULL, 0, 0}};
	FILE *verdicts = rows[0].file && (rows[1].file || !judge->pending)
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

static int add_spooled_device(void *context, const struct device_view *device)
{
	return live_snapshot_add_view(context, device);
}

/* A spilled snapshot read back whole, in the order read (rows meeting two
 * devices). */
static int load_whole(struct live_judge *judge, struct error *error)
{
	judge->whole = live_snapshot_new_like(judge->snapshot);
	if (!judge->whole)
		return error_set(error, "out of memory");
	if (live_spool_each_in_order(judge->spool, add_spooled_device, judge->whole) < 0)
		return error_set(error, "cannot read the account's devices back from disk");
	judge->snapshot = judge->whole;
	judge->spool = NULL;
	return 0;
}

/* The join: rows routed, look-ups by other identifiers resolved, every
 * partition judged. Returns 0, 1 when the devices must be loaded whole, -1. */
static int judge_by_partitions(struct live_judge *judge, const struct pipeline_config *config,
                               struct error *error)
{
	int result = route_rows(judge, config, error);
	if (result != 0)
		return result;
	if (judge->pending) {
		result = write_index(judge, error);
		for (size_t index = 0; result == 0 && index < judge->partitions; index++)
			result = resolve_partition(judge, index, error);
		if (result == 0)
			result = route_pending(judge, error);
	}
	for (size_t index = 0; result == 0 && index < judge->partitions; index++)
		result = judge_partition(judge, index, error);
	if (result == 0 && !(judge->heads = open_heads(judge, "verdicts", error)))
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
	judge->spool = live_snapshot_spool(snapshot);
	int result = 0;
	if (judge->spool) {
		judge->partitions = live_spool_partitions(judge->spool);
		result = live_spool_finish(judge->spool) < 0
		             ? error_set(error, "cannot write the account's devices to disk")
		             : judge_by_partitions(judge, config, error);
		if (result == 1)
			result = load_whole(judge, error);
	}
	if (result == 0 && !judge->heads && !(judge->claims = live_claims_new(judge->snapshot)))
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
		if (judge_direct(judge->op, judge->snapshot, judge->claims, record, judgement) < 0)
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
	strbuf_release(&judge->frame);
	live_claims_free(judge->claims);
	live_snapshot_free(judge->whole);
	free(judge);
}
