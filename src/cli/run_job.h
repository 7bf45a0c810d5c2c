/* Running a job for real (written by the lead in run_job.c): sends the valid
 * rows of options->manifest through the engine and records every outcome in
 * the job directory options->out, resuming the job found there unless
 * options->force_new. */
#ifndef LATTIGO_RUN_JOB_H
#define LATTIGO_RUN_JOB_H

#include "cli/options.h"

/* Runs (or resumes) the job options describe. options are final: defaults
 * applied, checked, --yes confirmed for OP_NEEDS_YES operations, out set;
 * dry_run is false. Writes options as OUT/job.json with job_options_to_json
 * so that `resume OUT` can rebuild them. Returns an enum exit_code. */
int run_job(const struct job_options *options);

#endif
