/* `validate` and `run --dry-run` of a job with "steps": every row judged for
 * every step, a summary per step, which rows stop before their first step
 * (or, with "partial", after which step), and for a dry run the calls each
 * step would make. */
#ifndef LATTIGO_STEPS_CHECK_H
#define LATTIGO_STEPS_CHECK_H

#include "cli/options.h"

/* Validates every row of the steps job in options for every step and prints
 * the summaries; with options->out, writes OUT/errors.csv: the invalid rows
 * with the manifest's columns, `step` and `error`, re-feedable as the job's
 * manifest (steps_outputs.h). Returns the exit status (0 every row valid for every step,
 * 1 some row invalid, 2 a file-level problem). */
int steps_validate(const struct job_options *options);
/* As steps_validate, then prints each step's plan of calls (the rows that
 * would enter it, through the engine's own planner). Sends nothing. */
int steps_dry_run(const struct job_options *options);

#endif
