/* Running a job with "steps": one manifest, several operations, pipelined.
 * Every row is judged for every step first (pipeline/step_rows.c); a row
 * then moves through its steps on its own (cli/step_flow.c), entering step
 * k+1 as soon as step k ended ok or unchanged and, for a step with
 * "verify", once a read-back verified it. All steps go through one engine
 * whose lanes share the job's concurrency, rate limit and retry budget.
 * The job directory: OUT holds the job's lock, job.json, audit trail and the
 * checkpoint of the rows' final outcomes; OUT/steps/<k>-<op>/ the
 * checkpoint and outcomes of step k (and verify/ those of its verification). */
#ifndef LATTIGO_STEPS_RUN_H
#define LATTIGO_STEPS_RUN_H

#include "cli/options.h"
#include "report/step_progress.h" /* STEPS_DIRECTORY */

/* Runs the steps job options describe (final, checked; dry_run false).
 * Returns an enum exit_code: 0 every row through every step, 1 some row
 * failed a step or was invalid, 2 usage, 3 interrupted, 4 resume refused. */
int steps_run(const struct job_options *options);

#endif
