/* The outcome store: every row's final outcome in a job directory, kept on
 * disk (OUT/outcomes.idx + OUT/outcomes.msg) so memory stays O(1) in the
 * number of rows. It is derived state: the checkpoint journal can rebuild it.
 * Ownership: the store owns its file descriptors; outcomes passed in are
 * copied, outcomes read are written into caller memory. */
#ifndef LATTIGO_OUTCOME_STORE_H
#define LATTIGO_OUTCOME_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "ops/op.h"

#define OUTCOME_INDEX_FILE   "outcomes.idx"
#define OUTCOME_MESSAGE_FILE "outcomes.msg"
/* Bytes of one index record; row N lives at offset (N - 1) * OUTCOME_RECORD_SIZE. */
#define OUTCOME_RECORD_SIZE 32u
/* Highest row number the store accepts (keeps offsets far inside off_t). */
#define OUTCOME_MAX_ROW (UINT64_C(1) << 40)

enum outcome_store_mode {
	OUTCOME_STORE_OPEN = 0, /* open the files, creating them when missing */
	OUTCOME_STORE_TRUNCATE, /* start empty (used when rebuilding from the journal) */
};

struct outcome_store;

/* Opens (or creates) the store in directory. On open it scans the index once
 * (sequential reads, constant memory) to learn the counts per status. Returns
 * NULL with error filled. Free with outcome_store_close. */
struct outcome_store *outcome_store_open(const char *directory, enum outcome_store_mode mode,
                                         struct error *error);
/* Says whether row's outcome is settled (kept when reopening a store). */
typedef bool outcome_store_keep_fn(void *context, uint64_t row);
/* Reopens the store of a compacted job without scanning it: counts (per
 * status, ROW_STATUS_COUNT entries) and highest_row are the checkpoint
 * snapshot's, whose rows were synced here before it was written. Outcomes
 * written after that snapshot are forgotten — the rows above highest_row,
 * and those from first_unsure + 1 on that keep() refuses — since the
 * journal replays them again. Returns NULL with error filled. */
struct outcome_store *outcome_store_open_settled(const char *directory, const uint64_t *counts,
                                                 uint64_t highest_row, uint64_t first_unsure,
                                                 outcome_store_keep_fn *keep, void *context,
                                                 struct error *error);
/* Records row's final outcome; a second put of the same row replaces the first
 * (last wins), so replaying a journal is harmless. row is 1-based. Returns 0 or -1. */
int outcome_store_put(struct outcome_store *store, uint64_t row, const struct row_outcome *outcome,
                      struct error *error);
/* Reads row's outcome into outcome; a row never written reads as ROW_PENDING
 * with everything else zero. Returns 0, or -1 on a read error or a damaged
 * record (error names the row). */
int outcome_store_get(struct outcome_store *store, uint64_t row, struct row_outcome *outcome,
                      struct error *error);
/* Returns how many rows hold status; ROW_PENDING counts only rows below the
 * highest row written, which are holes (never written) in the index. */
uint64_t outcome_store_count(const struct outcome_store *store, enum row_status status);
/* Returns the highest row number ever written (0 when empty). */
uint64_t outcome_store_highest_row(const struct outcome_store *store);
/* Makes everything put so far durable (fdatasync of both files). Returns 0 or -1. */
int outcome_store_sync(struct outcome_store *store, struct error *error);
/* Closes the files and frees the store. NULL is allowed. Does not sync. */
void outcome_store_close(struct outcome_store *store);

#endif
