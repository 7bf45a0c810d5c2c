/* The runs of a job, as summary.json lists them: when each started and
 * ended, the rows it settled, the calls it made and how it exited. Kept in
 * summary.json and reconciled on every resume with the job's ground truth
 * (the checkpoint's rows, the audit trail's calls), so a run killed before
 * it could write its last summary still gets its exact share.
 * Ownership: a run_history owns its entries (run_history_release). */
#ifndef LATTIGO_RUN_HISTORY_H
#define LATTIGO_RUN_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* The job-wide figures a run history is reconciled with. */
struct job_totals {
	uint64_t rows_settled;              /* rows with a final outcome (the checkpoint) */
	uint64_t calls, retries, throttled; /* exchanges (the audit trail) */
	int64_t last_written_ms; /* UTC epoch ms of the job's last record (0: not known): a
	                            killed run ended no earlier */
};

struct run_entry {
	int64_t
	    started_at_ms;   /* UTC epoch ms; 0 = not known (runs before summary.json kept them) */
	int64_t ended_at_ms; /* 0 = still running, or not known */
	int64_t wall_ms;     /* elapsed; for a killed run, up to its last snapshot */
	uint64_t
	    rows_settled; /* rows that got their final outcome in this run (invalid included) */
	uint64_t calls, retries, throttled;
	uint64_t in_doubt_at_start; /* rows sent without a recorded answer when it began */
	int exit_status;            /* -1: not known (killed, or still running) */
	bool running;               /* this process is running it */
	bool killed;                /* it ended without writing its final summary */
};

struct run_history {
	struct run_entry *entries;
	size_t count;
};

/* Loads the runs listed in the summary.json at summary_path (none when it is
 * missing or older) and reconciles them with totals, the job's figures before this
 * run: a run listed as running was killed and takes the rows and calls no
 * other entry accounts for; a remainder with no such run becomes an entry of
 * its own. Returns 0, or -1 with error (out of memory). */
int run_history_load(struct run_history *history, const char *summary_path,
                     const struct job_totals *totals, struct error *error);
/* Appends the entry of the run starting now and returns it (owned by the
 * history), or NULL with error. */
struct run_entry *run_history_begin(struct run_history *history, int64_t started_at_ms,
                                    uint64_t in_doubt_at_start, struct error *error);
/* The wall time of all runs together, ms. */
int64_t run_history_wall_ms(const struct run_history *history);
/* Frees the entries; the history may be reused. */
void run_history_release(struct run_history *history);

#endif
