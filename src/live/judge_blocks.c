/* The rows of a spilled judge that meet two devices (an activation's ICCID
 * and IMEI), judged in row order by blocks of rows: a block's devices are
 * those its rows' look-ups found (resolved-N), added in the account's order
 * to a snapshot of their own. Apart from the join by partitions because a
 * row here has no one partition: memory is a block's devices instead. */
#include <stdlib.h>

#include "live/judge_internal.h"

/* A device a row of the current block met: where its fields are in the
 * block's arena, and its position in the listing. */
struct judge_met_device {
	uint64_t ordinal;
	size_t at, length;
};

static int by_met_ordinal(const void *left, const void *right)
{
	const struct judge_met_device *a = left, *b = right;
	return a->ordinal < b->ordinal ? -1 : a->ordinal > b->ordinal;
}

/* Keeps the device whose fields cursor is on (at ordinal in the listing)
 * for the block. Returns 0 or -1 (out of memory). */
static int keep_met(struct live_judge *judge, uint64_t ordinal,
                    const struct live_spool_cursor *cursor)
{
	if (judge->block_count == judge->block_capacity) {
		size_t capacity = judge->block_capacity ? judge->block_capacity * 2 : 256;
		struct judge_met_device *grown =
		    realloc(judge->block_devices, capacity * sizeof(*judge->block_devices));
		if (!grown)
			return -1;
		judge->block_devices = grown;
		judge->block_capacity = capacity;
	}
	size_t at = judge->block_arena.length, length = cursor->length - cursor->at;
	if (strbuf_append(&judge->block_arena, cursor->data + cursor->at, length) != STRBUF_OK)
		return -1;
	judge->block_devices[judge->block_count++] = (struct judge_met_device){ordinal, at, length};
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
 * (live_claims_possible; test_live_judge checks the table). */
int judge_meet_block(struct live_judge *judge, uint64_t first, struct error *error)
{
	judge->block_end = first + judge->block_rows;
	strbuf_reset(&judge->block_arena);
	judge->block_count = 0;
	for (size_t index = 0; judge->met && index < judge->buckets; index++) {
		struct judge_head *head = &judge->met[index];
		for (;;) {
			uint64_t holder;
			if (!head->ready && !head->ended && judge_head_next(head) < 0)
				return error_set(error, "the preflight's look-ups are damaged");
			if (!head->ready || head->row >= judge->block_end)
				break;
			if (judge_head_found(head, &holder) < 0)
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
		const struct judge_met_device *met = &judge->block_devices[index];
		/* a device two rows (or a row's ICCID and IMEI) met is added once */
		if (index > 0 && met->ordinal == judge->block_devices[index - 1].ordinal)
			continue;
		struct live_spool_cursor cursor = {judge->block_arena.data + met->at, met->length,
		                                   0};
		struct device_view device;
		if (judge_decode_fields(&cursor, &device) < 0)
			return error_set(error, "the preflight's look-ups are damaged");
		if (live_snapshot_add_view(judge->block, &device) < 0)
			return error_set(error, "out of memory");
	}
	return 0;
}
