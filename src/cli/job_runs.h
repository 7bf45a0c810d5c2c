/* The runs of a job as run and resume keep them, for one-operation jobs and
 * jobs with steps alike: this run's start recorded durably in OUT/runs.jsonl
 * before it sends anything, its share of the job's figures (rows from the
 * checkpoint, calls from the audit trail) brought up to date for
 * summary.json, and its end recorded (outputs/run_history.h).
 * Ownership: a job_runs owns its history; the job directory is borrowed. */
#ifndef LATTIGO_JOB_RUNS_H
#define LATTIGO_JOB_RUNS_H

#include <stdint.h>

#include "audit/audit.h"
#include "cli/job_directory.h"
#include "common/error.h"
#include "outputs/run_history.h"
#include "outputs/summary.h"

struct job_runs {
	struct run_history history;
	struct audit_counts calls_at_start; /* the job's exchanges before this run */
};

/* Loads the job's earlier runs and records that this one starts at
 * started_at_ms from the figures directory holds now. Returns 0 or -1 with
 * error. */
int job_runs_begin(struct job_runs *runs, const struct job_directory *directory, const char *out,
                   int64_t started_at_ms, struct error *error);
/* Brings this run's entry up to date (rows_settled rows got their final
 * outcome in it, wall_ms elapsed) and fills summary's rows_this_run, the
 * job's calls, retries and throttled from the audit trail, and its runs
 * (borrowed from runs until the next call). */
void job_runs_summary(struct job_runs *runs, struct audit_writer *audit, uint64_t rows_settled,
                      int64_t wall_ms, struct job_summary *summary);
/* Records the end of this run (after job_runs_summary). Returns 0 or -1. */
int job_runs_end(struct job_runs *runs, int64_t ended_at_ms, int exit_status, struct error *error);
/* Frees the history. */
void job_runs_release(struct job_runs *runs);

#endif
