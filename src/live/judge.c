/* The judge's entry points: a row classified directly against a snapshot
 * in memory (or against the devices of its block, judge_blocks.c), or its
 * judgement read back from the verdicts a spilled snapshot's join by
 * partitions wrote (judge_join.c), merged by row. The judgement's frame is
 * here, with the only code that fills and reads a judgement. */
#include "live/judge.h"

#include <stdlib.h>
#include <string.h>

#include "live/judge_internal.h"
#include "live/snapshot_internal.h"

bool judge_find_device(const struct op *op, const struct live_snapshot *snapshot,
                       const struct record *record, struct device_view *device)
{
	enum device_field key;
	const char *value;
	return op_live_device_key(op, record, &key, &value) == 0 &&
	       live_snapshot_find(snapshot, key, value, device);
}

int judge_direct(const struct op *op, const struct live_snapshot *snapshot,
                 struct live_claims *claims, const struct record *record,
                 struct live_judgement *judgement)
{
	memset(judgement, 0, sizeof(*judgement));
	live_classify(op, record, snapshot, &judgement->verdict);
	if (live_claims_check(claims, record_shown_row(record), true, record, op,
	                      &judgement->verdict) < 0)
		return -1;
	struct device_view device;
	if (judge_find_device(op, snapshot, record, &device)) {
		judgement->found = true;
		judgement->resolved = device.value[DEVICE_NAME];
		judgement->previous = op->live.previous ? op->live.previous(record, &device) : NULL;
	}
	return 0;
}

int judge_put_judgement(FILE *file, struct strbuf *frame, uint64_t row,
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
		if (judge_encode_text(frame, texts[index]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

static const char *text_or_empty(const char *text)
{
	return text ? text : "";
}

/* The judgement judge_put_judgement wrote, from head (its row read): strings
 * point into head's frame. Returns 0 or -1 when damaged. */
static int head_judgement(struct judge_head *head, struct live_judgement *judgement)
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

int judge_also_unique_key(const struct op *op)
{
	int also = op->live.also_unique;
	return (unsigned)also < FIELD_COUNT
	           ? device_key_from_id_type(field_name((enum field_id)also))
	           : -1;
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
		judge->meets = !judge->options.devices && judge_also_unique_key(op) >= 0;
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
static struct judge_head *verdict_head(struct live_judge *judge, uint64_t row, struct error *error)
{
	bool damaged = false;
	struct judge_head *head = judge_head_of_row(judge->heads, judge->partitions, row, &damaged);
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
		*found = judge_find_device(judge->op, judge->snapshot, record, device);
		return 0;
	}
	struct judge_head *head = verdict_head(judge, record->row, error);
	if (!head)
		return -1;
	if (judge_head_device(head, found, device) < 0)
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
			    judge_meet_block(judge, record->row, error) < 0)
				return -1;
			against = judge->block;
		}
		if (judge_direct(judge->op, against, judge->claims, record, judgement) < 0)
			return error_set(error, "out of memory");
		return 0;
	}
	struct judge_head *head = verdict_head(judge, record->row, error);
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
	judge_heads_close(judge->heads, judge->partitions);
	judge_heads_close(judge->met, judge->buckets);
	strbuf_release(&judge->frame);
	strbuf_release(&judge->block_arena);
	free(judge->block_devices);
	free(judge->looked_up);
	live_claims_free(judge->claims);
	live_snapshot_free(judge->block);
	free(judge);
}
