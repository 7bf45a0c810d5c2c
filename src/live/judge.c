/* Rows judged in row order: classified directly against a snapshot in
 * memory, or for a spilled one by partitions on disk and merged back. */
#include "live/judge.h"

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "live/snapshot_internal.h"
#include "live/spool.h"

/* A row's next partition result, read ahead for the merge. */
struct head {
	FILE *file;
	bool ready, ended;
	uint64_t row;
	uint8_t kind, match, found;
	const char *text[8]; /* into frame, in the order written */
	struct live_spool_frame frame;
};

struct live_judge {
	const struct op *op;
	const struct live_snapshot *snapshot; /* the one classified against directly */
	struct live_snapshot *whole;          /* owned: a spilled snapshot loaded whole */
	struct live_claims *claims;
	struct live_spool *spool; /* borrowed: the partitions' devices */
	struct strbuf frame;      /* scratch of the frames written */
	struct head *heads;       /* one per partition when judged by partitions */
	size_t partitions;
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

/* --- a row and a judgement in a partition's files --- */

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

/* Reads a row written by put_record into record (values in frame).
 * Returns 1, 0 at the end, -1 when damaged. */
static int get_record(FILE *file, struct record *record, struct live_spool_frame *frame)
{
	struct live_spool_cursor cursor;
	int read = live_spool_read_frame(file, frame, &cursor);
	if (read != 1)
		return read;
	uint64_t numbers[RECORD_NUMBERS];
	for (size_t index = 0; index < RECORD_NUMBERS; index++)
		if (live_spool_decode_number(&cursor, &numbers[index]) < 0)
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
		    live_spool_decode_text(&cursor, &record->value[field]) < 0)
			return -1;
	return 1;
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

/* Reads head's next judgement. Returns 0 (head->ended at the end) or -1. */
static int read_head(struct head *head)
{
	struct live_spool_cursor cursor;
	int read = live_spool_read_frame(head->file, &head->frame, &cursor);
	if (read <= 0) {
		head->ended = true;
		return read;
	}
	uint64_t packed;
	if (live_spool_decode_number(&cursor, &head->row) < 0 ||
	    live_spool_decode_number(&cursor, &packed) < 0)
		return -1;
	head->kind = (uint8_t)packed;
	head->match = (uint8_t)(packed >> 8);
	head->found = (uint8_t)(packed >> 16);
	for (size_t index = 0; index < 8; index++)
		if (live_spool_decode_text(&cursor, &head->text[index]) < 0)
			return -1;
	head->ready = true;
	return 0;
}

static const char *text_or_empty(const char *text)
{
	return text ? text : "";
}

static void head_judgement(const struct head *head, struct live_judgement *judgement)
{
	memset(judgement, 0, sizeof(*judgement));
	struct live_verdict *verdict = &judgement->verdict;
	verdict->kind = (enum live_kind)head->kind;
	verdict->match = (enum live_match)head->match;
	verdict->device_name = text_or_empty(head->text[0]);
	verdict->current = text_or_empty(head->text[1]);
	verdict->target = text_or_empty(head->text[2]);
	snprintf(verdict->message, sizeof(verdict->message), "%s", text_or_empty(head->text[3]));
	verdict->suggestion = head->text[4];
	snprintf(verdict->unknown_name, sizeof(verdict->unknown_name), "%s",
	         text_or_empty(head->text[5]));
	judgement->found = head->found != 0;
	judgement->resolved = head->text[6];
	judgement->previous = head->text[7];
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
		error_set(error, "cannot open %s for the preflight's rows", path);
	return file;
}

/* Writes every valid row to the partition of the device it names. Returns
 * 0, 1 when a row names its device other than by device_name (the caller
 * loads the devices whole), -1 with error. */
static int route_rows(struct live_judge *judge, const struct pipeline_config *config,
                      struct error *error)
{
	const struct op *op = judge->op;
	int also = op->live.also_unique;
	if ((unsigned)also < FIELD_COUNT &&
	    device_key_from_id_type(field_name((enum field_id)also)) >= 0)
		return 1;
	FILE **rows = calloc(judge->partitions, sizeof(*rows));
	if (!rows)
		return error_set(error, "out of memory");
	int result = 0;
	for (size_t index = 0; result == 0 && index < judge->partitions; index++)
		if (!(rows[index] = open_partition_file(judge->spool, "rows", index, "wb", error)))
			result = -1;
	struct pipeline *pipeline = result == 0 ? pipeline_open(config, NULL, error) : NULL;
	if (!pipeline)
		result = -1;
	struct pipeline_row row;
	while (result == 0 && (result = pipeline_next(pipeline, &row, error)) == 1) {
		result = 0;
		if (!row.valid || !row.record)
			continue;
		enum device_field key;
		const char *value;
		size_t partition = 0;
		if (op_live_device_key(op, row.record, &key, &value) == 0) {
			if (key != DEVICE_NAME) {
				result = 1;
				break;
			}
			partition = live_spool_partition_of(judge->spool, value, strlen(value));
		}
		if (put_record(rows[partition], &judge->frame, row.record) < 0)
			result = error_set(error, "cannot write the preflight's rows under a "
			                          "temporary directory");
	}
	pipeline_close(pipeline);
	for (size_t index = 0; index < judge->partitions; index++)
		if (rows[index] && fclose(rows[index]) != 0 && result == 0)
			result = error_set(error, "cannot write the preflight's rows");
	free(rows);
	return result;
}

/* One partition: its devices in a snapshot of their own, its rows judged
 * in row order into its verdicts file. Returns 0 or -1 with error. */
static int judge_partition(struct live_judge *judge, size_t index, struct error *error)
{
	struct live_snapshot *part = live_snapshot_new_like(judge->snapshot);
	struct live_claims *claims = part ? live_claims_new(part) : NULL;
	FILE *devices = open_partition_file(judge->spool, "part", index, "rb", error);
	FILE *rows = devices ? open_partition_file(judge->spool, "rows", index, "rb", error) : NULL;
	FILE *verdicts =
	    rows ? open_partition_file(judge->spool, "verdicts", index, "wb", error) : NULL;
	int result = verdicts ? 0 : -1;
	if (!claims)
		result = error_set(error, "out of memory");
	struct live_spool_frame frame = {NULL, 0, 0};
	struct device_view device;
	int read = 0;
	while (result == 0 && (read = live_spool_read_device(devices, &frame, &device)) == 1)
		if (live_snapshot_add_view(part, &device) < 0)
			result =
			    error_set(error, "out of memory loading a partition of the account");
	if (result == 0 && read < 0)
		result = error_set(error, "a partition of the account's devices is damaged");
	struct record record;
	struct live_judgement judgement;
	while (result == 0 && (read = get_record(rows, &record, &frame)) == 1) {
		if (judge_direct(judge->op, part, claims, &record, &judgement) < 0)
			result = error_set(error, "out of memory");
		else if (put_judgement(verdicts, &judge->frame, record.row, &judgement) < 0)
			result = error_set(error, "cannot write the preflight's verdicts");
	}
	if (result == 0 && read < 0)
		result = error_set(error, "the preflight's rows of a partition are damaged");
	live_spool_frame_release(&frame);
	if (verdicts && fclose(verdicts) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's verdicts");
	if (rows)
		fclose(rows);
	if (devices)
		fclose(devices);
	live_claims_free(claims);
	live_snapshot_free(part);
	return result;
}

static int open_heads(struct live_judge *judge, struct error *error)
{
	judge->heads = calloc(judge->partitions, sizeof(*judge->heads));
	if (!judge->heads)
		return error_set(error, "out of memory");
	for (size_t index = 0; index < judge->partitions; index++) {
		judge->heads[index].file =
		    open_partition_file(judge->spool, "verdicts", index, "rb", error);
		if (!judge->heads[index].file)
			return -1;
	}
	return 0;
}

/* A spilled snapshot read back whole (rows naming devices otherwise). */
static int load_whole(struct live_judge *judge, struct error *error)
{
	char path[4200];
	judge->whole = live_snapshot_new_like(judge->snapshot);
	if (!judge->whole)
		return error_set(error, "out of memory");
	if (live_spool_path(judge->spool, LIVE_SPOOL_LISTING, path, sizeof(path)) < 0 ||
	    live_snapshot_load_devices(judge->whole, path, error) < 0)
		return -1;
	judge->snapshot = judge->whole;
	judge->spool = NULL;
	return 0;
}

struct live_judge *live_judge_open(const struct op *op, const struct live_snapshot *snapshot,
                                   const struct pipeline_config *config, struct error *error)
{
	struct live_judge *judge = calloc(1, sizeof(*judge));
	if (!judge) {
		error_set(error, "out of memory");
		return NULL;
	}
	judge->op = op;
	judge->snapshot = snapshot;
	strbuf_init(&judge->frame, 1u << 24);
	judge->spool = live_snapshot_spool(snapshot);
	int result = 0;
	if (judge->spool) {
		judge->partitions = live_spool_partitions(judge->spool);
		result = live_spool_finish(judge->spool) < 0
		             ? error_set(error, "cannot write the account's devices to disk")
		             : route_rows(judge, config, error);
		if (result == 1)
			result = load_whole(judge, error);
		else
			for (size_t index = 0; result == 0 && index < judge->partitions; index++)
				result = judge_partition(judge, index, error);
		if (result == 0 && judge->spool)
			result = open_heads(judge, error);
	}
	if (result == 0 && !judge->spool && !(judge->claims = live_claims_new(judge->snapshot)))
		result = error_set(error, "out of memory");
	if (result < 0) {
		live_judge_free(judge);
		return NULL;
	}
	return judge;
}

int live_judge_row(struct live_judge *judge, const struct record *record,
                   struct live_judgement *judgement, struct error *error)
{
	if (!judge->heads) {
		if (judge_direct(judge->op, judge->snapshot, judge->claims, record, judgement) < 0)
			return error_set(error, "out of memory");
		return 0;
	}
	for (size_t index = 0; index < judge->partitions; index++) {
		struct head *head = &judge->heads[index];
		if (!head->ready && !head->ended && read_head(head) < 0)
			return error_set(error,
			                 "the preflight's verdicts of a partition are damaged");
		if (head->ready && head->row == record->row) {
			head_judgement(head, judgement);
			head->ready = false;
			return 0;
		}
	}
	return error_set(error, "the preflight has no verdict for row %llu",
	                 (unsigned long long)record->row);
}

void live_judge_free(struct live_judge *judge)
{
	if (!judge)
		return;
	for (size_t index = 0; judge->heads && index < judge->partitions; index++) {
		if (judge->heads[index].file)
			fclose(judge->heads[index].file);
		live_spool_frame_release(&judge->heads[index].frame);
	}
	free(judge->heads);
	strbuf_release(&judge->frame);
	live_claims_free(judge->claims);
	live_snapshot_free(judge->whole);
	free(judge);
}
