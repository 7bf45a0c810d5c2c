/* The runs of a job, as summary.json lists them: when each started and
 * ended, the rows it settled, the calls it made and how it exited. Every run
 * appends a line to OUT/runs.jsonl as it starts (synced before it sends
 * anything: the job's figures at that moment) and one as it ends; a run's
 * share is the difference between its start figures and the next run's (or
 * the job's figures now), the figures being the job's ground truth (rows
 * final in the checkpoint, exchanges in the audit trail). So a run killed
 * outright (kill -9, power loss) is still listed, with exactly what the
 * checkpoint and the audit trail hold of its work, whatever summary.json said.
 * Ownership: a run_history owns its entries and its path (run_history_release). */
#ifndef LATTIGO_RUN_HISTORY_H
#define LATTIGO_RUN_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define RUN_HISTORY_FILE "runs.jsonl"

/* The job-wide figures a run starts from, or the job's figures now. */
struct job_totals {
	uint64_t rows_settled;              /* rows with a final outcome (the checkpoint) */
	uint64_t calls, retries, throttled; /* exchanges (the audit trail) */
	int64_t last_written_ms; /* UTC epoch ms of the job's last record (0: not known): a
	                            killed run ended no earlier */
};

struct run_entry {
	int64_t started_at_ms; /* UTC epoch ms; 0 = not known (runs before runs.jsonl existed) */
	int64_t ended_at_ms;   /* 0 = still running, or not known */
	int64_t wall_ms;       /* elapsed; for a killed run, up to the job's next record */
	uint64_t
	    rows_settled; /* rows that got their final outcome in this run (invalid included) */
	uint64_t calls, retries, throttled;
	uint64_t in_doubt_at_start; /* rows sent without a recorded answer when it began */
	int exit_status;            /* -1: not known (killed, or still running) */
	bool running;               /* this process is running it */
	bool killed;                /* it ended without recording its end */
};

struct run_history {
	struct run_entry *entries;
	size_t count;
	char *path;      /* OUT/runs.jsonl (owned) */
	char job_id[24]; /* lines of another job are ignored */
};

/* Loads the runs of job JOB_ID from DIRECTORY/runs.jsonl and gives each its
 * share of totals, the job's figures before this run: a run with a start line
 * but no end line was killed, ends at the job's last record before the next
 * run (totals->last_written_ms for the latest) and takes what the job gained
 * until the next run started. Figures no start line accounts for (runs of a
 * version without runs.jsonl) become a first entry with started_at 0. A
 * missing file is no runs. Returns 0, or -1 with error (out of memory, a file
 * that cannot be read). */
int run_history_load(struct run_history *history, const char *directory, const char *job_id,
                     const struct job_totals *totals, struct error *error);
/* Records durably (appended and synced) that a run starts now from the job's
 * figures at_start, appends its entry and returns it (owned by the history),
 * or NULL with error. */
struct run_entry *run_history_begin(struct run_history *history, int64_t started_at_ms,
                                    uint64_t in_doubt_at_start, const struct job_totals *at_start,
                                    struct error *error);
/* Records the end of the running run (the last entry: its ended_at_ms,
 * exit_status and wall_ms, set by the caller) and marks it not running.
 * Returns 0, or -1 with error. */
int run_history_end(struct run_history *history, struct error *error);
/* The wall time of all runs together, ms. */
int64_t run_history_wall_ms(const struct run_history *history);
/* Frees the entries and the path; the history may be reused. */
void run_history_release(struct run_history *history);

#endif
