/* The plan of a dry run: how many calls each batching group of valid rows
 * needs and how many rows each call carries. Memory grows with the number of
 * groups, never with the number of rows.
 * Ownership: the plan copies the keys' hashes and (shortened) labels it keeps. */
#ifndef LATTIGO_PLAN_H
#define LATTIGO_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PLAN_LABEL_MAX      72 /* group labels are shortened to this many bytes for display */
#define PLAN_PRINTED_GROUPS 50 /* groups listed one by one; the rest are summed up */

struct plan;

/* Returns an empty plan for calls of up to chunk rows (1 for per-row
 * operations), or NULL when out of memory. Free with plan_free. */
struct plan *plan_new(size_t chunk);
/* Frees the plan. NULL is allowed. */
void plan_free(struct plan *plan);
/* Counts one valid row in the group whose batching key is key (length
 * bytes); label names the group for people. Returns 0 or -1 (out of memory). */
int plan_add(struct plan *plan, const char *key, size_t length, const char *label);

/* Totals of the plan. */
uint64_t plan_rows(const struct plan *plan);
uint64_t plan_calls(const struct plan *plan);
size_t plan_groups(const struct plan *plan);
/* Calls a group of rows needs at this chunk size. */
uint64_t plan_calls_for(uint64_t rows, size_t chunk);
/* Writes how rows split into calls, e.g. "3 calls: 100, 100, 37" or
 * "2000 calls: 1999 x 100 rows + 1 x 37 rows", into out. */
void plan_describe_calls(uint64_t rows, size_t chunk, char *out, size_t size);
/* Prints one line per group (first seen first, at most PLAN_PRINTED_GROUPS,
 * then one line for the rest) and a total line. */
void plan_print(const struct plan *plan, FILE *stream);

#endif
