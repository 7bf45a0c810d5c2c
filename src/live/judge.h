/* Every row of a job judged against the account's snapshot, in row order:
 * the verdict (live/classify.h, duplicates included: the first row naming a
 * device claims it) and the device the row names. One interface for `plan`
 * and run's preflight over two ways of getting there:
 * - a snapshot in memory: each row is classified as it is asked for;
 * - a spilled snapshot (more devices than the memory budget, live/spool.h):
 *   classification becomes a join on disk. live_judge_open reads the rows
 *   once and writes each to the partition of the device it names (the hash
 *   of its device_name, as the devices were spooled), then per partition
 *   loads that partition's devices into a snapshot of their own, judges its
 *   rows in row order and writes the verdicts; live_judge_row merges them
 *   back in row order. Every row naming a device lands with it, so claims
 *   and look-ups give what the whole snapshot would. A row naming its
 *   device by another identifier (an id_type) is first resolved to the
 *   device's name by a join on that identifier, in the account's order.
 *   An activation's row meets two devices (its ICCID's and its IMEI's): its
 *   two look-ups are joined with the account's identifiers the same way,
 *   each answered with the whole device found, and live_judge_row judges
 *   the rows by blocks against the devices the block's rows met (added in
 *   the account's order, so each look-up finds what the whole account
 *   would): memory for a block, a partition's worth of devices at most.
 * A judge opened with live_judge_options can instead give each row only the
 * device it names (`verify` judges that itself), for the rows its caller
 * wants: the same join, one device a row (activations too: by the device
 * their ICCID names, as any other row).
 * Ownership: a judge borrows op, snapshot and config until freed; a
 * judgement's strings borrow the judge (or the record and snapshot) until
 * the next live_judge_row. */
#ifndef LATTIGO_LIVE_JUDGE_H
#define LATTIGO_LIVE_JUDGE_H

#include <stdbool.h>

#include "common/error.h"
#include "live/classify.h"
#include "live/snapshot.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"

struct live_judgement {
	struct live_verdict verdict;
	bool found;           /* the device the row names is in the snapshot */
	const char *resolved; /* that device's device_name (NULL: none) */
	const char *previous; /* op->live.previous of that device (NULL: none) */
};

struct live_judge;

/* Starts judging the rows of the manifest config names (the valid ones, in
 * row order) for op against snapshot. Returns the judge (free with
 * live_judge_free), or NULL with error. */
struct live_judge *live_judge_open(const struct op *op, const struct live_snapshot *snapshot,
                                   const struct pipeline_config *config, struct error *error);
/* What a judge does beyond live_judge_open's default (every valid row
 * classified). */
struct live_judge_options {
	/* the rows joined: NULL every valid row, else those it returns true for
	 * (asked once per valid row, in row order, with context) */
	bool (*wants)(void *context, const struct record *record);
	void *context;
	/* each row gets the device it names (live_judge_device) instead of a
	 * verdict: no claims, one device a row */
	bool devices;
};

/* As live_judge_open, as options say (borrowed for the call; NULL: the
 * default). Returns the judge (free with live_judge_free), or NULL with error. */
struct live_judge *live_judge_open_with(const struct op *op, const struct live_snapshot *snapshot,
                                        const struct pipeline_config *config,
                                        const struct live_judge_options *options,
                                        struct error *error);
/* For a judge opened with options->devices: the device record (the next
 * wanted row, rows asked in increasing order) names into *device, *found
 * false when the account has none. device's strings borrow the judge (or
 * the snapshot) until the next call. Returns 0 or -1 with error. */
int live_judge_device(struct live_judge *judge, const struct record *record, bool *found,
                      struct device_view *device, struct error *error);
/* Judges record, the next valid row (rows asked in increasing order).
 * Returns 0 or -1 with error. */
int live_judge_row(struct live_judge *judge, const struct record *record,
                   struct live_judgement *judgement, struct error *error);
/* Frees the judge and its files; NULL is allowed. */
void live_judge_free(struct live_judge *judge);

#endif
