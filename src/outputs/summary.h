/* summary.json: the job's figures — counts per status, calls, retries, wall
 * time, rows/s — and one entry per run, pretty-printed for people and
 * scripts. Every figure is the job's (all runs) unless its name says "this
 * run" (docs/outputs.md lists the scope of each field).
 * Ownership: a job_summary borrows its strings from the caller. */
#ifndef LATTIGO_SUMMARY_H
#define LATTIGO_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "outputs/outcome_store.h"
#include "outputs/run_history.h"

#define SUMMARY_FILE "summary.json"

/* One step of a job with steps, as summary.json lists it. */
struct summary_step {
	const char *label;                 /* "2-cost-center" */
	const char *op;                    /* "cost-center" */
	uint64_t counts[ROW_STATUS_COUNT]; /* rows per outcome of the step (its checkpoint) */
	bool verifies;                     /* the step waits for a verification */
	uint64_t verified, not_verified;   /* rows whose verification ended ok / not */
	/* its undo file (undo_rows lines), or why it has none */
	const char *undo_file;
	uint64_t undo_rows, undo_missing;
	const char *no_undo;
	/* a job with steps: each step (borrowed; NULL for a one-operation job) */
	const struct summary_step *steps;
	size_t step_count;
};

struct job_summary {
	const char *op;        /* operation name */
	const char *manifest;  /* manifest path as given */
	const char *directory; /* the job directory */
	const char *endpoint;  /* API root the job sends to (never credentials); NULL: omitted */
	uint64_t rows_total;   /* data rows in the manifest */
	uint64_t counts[ROW_STATUS_COUNT]; /* per enum row_status; ROW_PENDING = not done yet */
	uint64_t rows_this_run; /* rows that reached an outcome in this run (for rows/s) */
	uint64_t calls, retries, throttled; /* the job's exchanges, all runs (the audit trail) */
	int64_t started_at_ms;              /* UTC epoch ms when the job started (its first run) */
	int64_t finished_at_ms;             /* UTC epoch ms when this run ended */
	int64_t wall_ms;                    /* this run, elapsed (monotonic) */
	/* every run of the job, this one last (borrowed; NULL: this run only) */
	const struct run_entry *runs;
	size_t run_count;
	bool interrupted;           /* stopped early by a signal, a stop or a fatal error */
	const char *resume_options; /* what a resume needs besides OUTDIR (e.g. " --max-errors
	                               <higher>"); NULL: nothing */
	int exit_status;            /* what the program exits with (SPEC §2) */
	/* A snapshot of a job still running: complete false, finished_at and
	 * exit_status null, updated_at the time of the snapshot. */
	bool live;
	bool rows_total_unknown; /* the manifest is not read to its end yet: rows_total and
	                            pending are null */
	int64_t updated_at_ms;   /* when this summary was made (0: finished_at_ms) */
	/* undo.csv (issue 10): its name when the job has one (undo_rows lines),
	 * or why none exists; both NULL: summary.json says nothing about it */
	const char *undo_file;
	uint64_t undo_rows;
	uint64_t undo_missing; /* rows changed that undo.csv cannot restore (no value before) */
	/* the preflight's read of the account (preflight_taken_at_ms 0: none) */
	int64_t preflight_taken_at_ms;
	uint64_t preflight_calls;
	int64_t preflight_read_ms;
	const char *no_undo;
	/* a job with steps: each step (borrowed; NULL for a one-operation job) */
	const struct summary_step *steps;
	size_t step_count;
};

/* Fills counts and rows_total from the store (rows_total rows; rows without an
 * outcome count as ROW_PENDING) — a helper for run, resume and status. */
void job_summary_count(struct job_summary *summary, const struct outcome_store *store,
                       uint64_t rows_total);
/* Returns the exit status SPEC §2 prescribes for these figures: 3 when
 * interrupted or any row is pending, 1 when any row is error/invalid/unknown/
 * skipped, else 0. */
int job_summary_exit_status(const struct job_summary *summary);
/* Returns the rows per second of this run (0 when no time elapsed). */
double job_summary_rows_per_second(const struct job_summary *summary);
/* Returns this run's entry (the last of runs), or NULL when runs is NULL. */
const struct run_entry *job_summary_this_run(const struct job_summary *summary);
/* Returns the wall time of all runs, ms (this run's when runs is NULL). */
int64_t job_summary_job_wall_ms(const struct job_summary *summary);
/* Writes directory/summary.json atomically (also the live snapshots a run
 * rewrites every few seconds). Returns 0 or -1 with error filled. */
int job_summary_write(const struct job_summary *summary, struct error *error);

#endif
