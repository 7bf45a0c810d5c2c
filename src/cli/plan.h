/* The plan of a dry run: the valid rows are handed to the engine's own
 * planner (engine/planner.c) exactly as a run would, and the chunks it forms
 * are counted per batching group -- so the plan shows the calls a run makes,
 * not a model of them. Memory grows with the number of groups (and the
 * planner's bounded partial chunks), never with the number of rows.
 * Ownership: the plan copies the rows, keys' hashes and (shortened) labels it
 * keeps. */
#ifndef LATTIGO_PLAN_H
#define LATTIGO_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ops/op.h"

#define PLAN_LABEL_MAX      72             /* group labels are shortened to this many bytes */
#define PLAN_PRINTED_GROUPS 50             /* groups listed one by one; the rest are summed up */
#define PLAN_LISTED_CALLS   5              /* a group of at most this many calls lists each size */
#define PLAN_KEY_LIMIT      (256u * 1024u) /* bytes of one batching key or label */

struct plan;

/* Returns an empty plan for op with requested rows per call (op_chunk_size
 * decides: 1 for per-row operations), or NULL when out of memory. Free with
 * plan_free. */
struct plan *plan_new(const struct op *op, size_t requested_chunk);
/* Frees the plan. NULL is allowed. */
void plan_free(struct plan *plan);
/* Hands one valid row to the planner (a copy; record stays the caller's)
 * and counts the calls it completes. Returns 0, or -1 when out of memory or
 * the row's batching key is too long. */
int plan_add_row(struct plan *plan, const struct record *record);
/* Ends the rows: the planner flushes its partial chunks, which are counted. */
void plan_finish(struct plan *plan);

/* Totals of the plan. */
uint64_t plan_rows(const struct plan *plan);
uint64_t plan_calls(const struct plan *plan);
size_t plan_groups(const struct plan *plan);
/* Rows per call of this plan (1 for per-row operations). */
size_t plan_chunk(const struct plan *plan);
/* Prints one line per group (first seen first, at most PLAN_PRINTED_GROUPS,
 * then one line for the rest) with its calls, e.g. "3 calls: 100, 100, 37"
 * or "2000 calls: 1999 x 100 rows + 1 x 37 rows", and a total line. */
void plan_print(const struct plan *plan, FILE *stream);

#endif
