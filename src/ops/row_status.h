/* Row statuses (SPEC §5): the one table that says what each final status of a
 * row means for the job — its name, whether it is a success, whether
 * errors.csv lists it, whether a call carried it — and the order in which
 * every display lists them. Everything that names or counts statuses reads
 * this table instead of listing them again.
 * Ownership: the table and names are static. */
#ifndef LATTIGO_ROW_STATUS_H
#define LATTIGO_ROW_STATUS_H

#include <stdbool.h>
#include <stddef.h>

/* The values are stored in the checkpoint and the outcome store: new ones are
 * added at the end, never renumbered. */
enum row_status {
	ROW_PENDING = 0, /* no final outcome yet */
	ROW_OK,
	ROW_ERROR,
	ROW_INVALID,
	ROW_UNKNOWN,
	ROW_SKIPPED,
	ROW_UNCHANGED,
};

/* Number of enum row_status values, ROW_PENDING included: the size of count arrays. */
#define ROW_STATUS_COUNT ((size_t)ROW_UNCHANGED + 1)

enum row_status_flags {
	ROW_STATUS_SUCCESS = 1 << 0,   /* the row is done as asked: exit 0 allows it */
	ROW_STATUS_ATTENTION = 1 << 1, /* errors.csv lists it, to fix and send again */
	ROW_STATUS_UNSENT = 1 << 2,    /* final without any call carrying it */
};

struct row_status_info {
	const char *name; /* as results.csv, summary.json and status --json spell it */
	unsigned flags;   /* enum row_status_flags */
};

/* Indexed by enum row_status. */
extern const struct row_status_info row_status_table[ROW_STATUS_COUNT];

/* The final statuses in the order displays list them (ok, unchanged, error,
 * invalid, unknown, skipped); ROW_PENDING is not among them. */
extern const enum row_status row_status_order[];
extern const size_t row_status_order_count;

/* Returns "ok", "unchanged", "error", "invalid", "unknown", "skipped" or
 * "pending" (static). */
const char *row_status_name(enum row_status status);
/* True for a stored value that is a final status (not pending, not out of
 * range). Inline: the checkpoint journal uses the types of ops/ without linking it. */
static inline bool row_status_is_final(unsigned value)
{
	return value > ROW_PENDING && value < ROW_STATUS_COUNT;
}
/* True when status carries flag (false for an out-of-range value). */
bool row_status_has(enum row_status status, enum row_status_flags flag);

#endif
