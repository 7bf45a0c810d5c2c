/* What the judge's files share beyond the public API (live/judge.h): the
 * judge's state and the steps judge.c calls. judge.c opens the judge and
 * judges a row directly; judge_join.c judges the rows of a spilled snapshot
 * by partitions; judge_lookup.c answers the rows' look-ups by identifier
 * from the account's identifiers; judge_blocks.c judges the rows that meet
 * two devices by blocks. The steps reach one another through this header
 * only (it belongs to live/judge), so splitting them makes no include cycle.
 * Ownership: the judge owns everything it points to but op, snapshot and
 * spool (borrowed); a judgement's strings are as live/judge.h says. */
#ifndef LATTIGO_LIVE_JUDGE_INTERNAL_H
#define LATTIGO_LIVE_JUDGE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "live/classify.h"
#include "live/judge.h"
#include "live/judge_frames.h"
#include "live/snapshot.h"
#include "live/spool.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"

struct judge_met_device; /* judge_blocks.c */

struct live_judge {
	const struct op *op;
	const struct live_snapshot *snapshot; /* the one classified against directly */
	struct live_claims *claims;
	struct live_spool *spool; /* borrowed: the partitions' devices */
	struct strbuf frame;      /* scratch of the frames written */
	struct judge_head *heads; /* one per partition's verdicts when judged by partitions */
	size_t partitions;        /* the spool's, by device_name */
	size_t buckets;           /* the look-ups', by the identifier looked up */
	struct live_judge_options options;
	unsigned kinds;      /* bit k: rows look devices up by identifier kind k */
	uint64_t lookups;    /* look-ups written */
	uint64_t *looked_up; /* the identifiers looked up, a filter (judge_lookup.c) */
	/* Rows that meet two devices (an activation's ICCID and IMEI), judged
	 * in row order by blocks of rows (judge_blocks.c): */
	bool meets;
	struct judge_head *met;         /* resolved-N: what each row's look-ups found */
	struct live_snapshot *block;    /* owned: the devices the block's rows met */
	uint64_t block_rows, block_end; /* rows per block; the first row after it */
	struct strbuf block_arena;      /* their fields as the look-ups answered */
	struct judge_met_device *block_devices;
	size_t block_count, block_capacity;
};

/* --- judge.c --- */

/* Classifies record against snapshot into judgement, its device claimed
 * for its row in claims; strings borrow record and snapshot. Returns 0 or
 * -1 (out of memory). */
int judge_direct(const struct op *op, const struct live_snapshot *snapshot,
                 struct live_claims *claims, const struct record *record,
                 struct live_judgement *judgement);
/* The device record names in snapshot (strings borrow the snapshot);
 * false when none. */
bool judge_find_device(const struct op *op, const struct live_snapshot *snapshot,
                       const struct record *record, struct device_view *device);
/* Writes row's judgement as a frame to file (read back by live_judge_row),
 * frame its scratch. Returns 0 or -1. */
int judge_put_judgement(FILE *file, struct strbuf *frame, uint64_t row,
                        const struct live_judgement *judgement);
/* The identifier kind of op's also_unique field (a row field that must not
 * name another device), or -1 when op has none: its rows meet two devices. */
int judge_also_unique_key(const struct op *op);

/* --- judge_join.c --- */

/* The join: rows routed, look-ups by other identifiers resolved, every
 * partition judged into judge->heads (or, for rows meeting two devices,
 * what their look-ups found ready in judge->met to be read by row).
 * Returns 0 or -1 with error. */
int judge_by_partitions(struct live_judge *judge, const struct pipeline_config *config,
                        struct error *error);

/* --- judge_lookup.c --- */

/* A look-up of row's device by identifier kind key = value, to lookups[N]
 * by the value's hash, noted in the judge's filter. Returns 0 or -1. */
int judge_put_lookup(struct live_judge *judge, FILE **lookups, uint64_t row, enum device_field key,
                     const char *value);
/* A row meeting two devices: a look-up of the device it names and one of
 * the holder of its also_unique identifier (those it has). Returns 0 or -1. */
int judge_put_meetings(struct live_judge *judge, FILE **lookups, const struct record *record);
/* Every look-up written answered from the account's identifiers, in the
 * account's order, into resolved-N (by row, as the look-ups were written).
 * Returns 0 or -1 with error. */
int judge_resolve_lookups(struct live_judge *judge, struct error *error);
/* What head's resolved frame (its row read) found: *holder the device's
 * position in the listing + 1 (0: none), cursor left on its fields.
 * Returns 0 or -1 when damaged. */
int judge_head_found(struct judge_head *head, uint64_t *holder);

/* --- judge_blocks.c --- */

/* Loads the block of rows from first: the devices their look-ups found
 * (judge->met), in judge->block with fresh claims. Returns 0 or -1 with
 * error. */
int judge_meet_block(struct live_judge *judge, uint64_t first, struct error *error);

#endif
