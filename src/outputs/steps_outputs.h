/* results.csv and errors.csv of a job with steps, derived from its outcome
 * stores by one pass over the manifest each: the job's store (each row's
 * final status), each step's store (its status in that step) and each
 * verification's store (ok rows hold the device_name found, as message).
 * Ownership: everything is borrowed from the caller. */
#ifndef LATTIGO_STEPS_OUTPUTS_H
#define LATTIGO_STEPS_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "outputs/outcome_store.h"
#include "ops/op.h"

/* The column of errors.csv naming the step a row failed ("2-cost-center"). */
#define STEPS_ERRORS_STEP_COLUMN "step"
#define STEPS_OUTPUTS_MAX        16

struct steps_outputs_job {
	const char *directory; /* OUT */
	const char *manifest_path;
	const struct manifest_options *manifest_options; /* NULL: defaults */
	/* the first step's binding: its identifying fields are results.csv's */
	const struct op *first_op;
	const struct field_assignment *maps;
	size_t map_count;
	const struct field_assignment *sets;
	size_t set_count;
	size_t step_count;
	const char *columns[STEPS_OUTPUTS_MAX]; /* results.csv column per step ("cost_center") */
	const char *labels[STEPS_OUTPUTS_MAX];  /* errors.csv's step value ("2-cost-center") */
	struct outcome_store *steps[STEPS_OUTPUTS_MAX];
	struct outcome_store *reads[STEPS_OUTPUTS_MAX]; /* NULL: the step has no verification */
	struct outcome_store *job;
};

struct steps_outputs_report {
	uint64_t rows_total;
	uint64_t error_rows;
};

/* Writes results.csv (`row,status,<one column per step>,failed_step,message,
 * resolved_device_name,<identifying fields>`, one line per manifest row; a
 * step column is empty when the row never reached it) and errors.csv (the
 * rows whose final status asks for attention, with the manifest's columns,
 * `step`, `error`, `source_row`, `source_line`). Returns 0 or -1 with error. */
int steps_outputs_write(const struct steps_outputs_job *job, struct steps_outputs_report *report,
                        struct error *error);

/* errors.csv of a job with steps, row by row: the manifest's own columns
 * (all of them: a JSONL manifest is read to its end first), `step` (kept
 * where a re-fed errors.csv has it), then errors_writer's `error`,
 * `source_row` and `source_line`; written by `run` from the outcome stores
 * and by `validate --out` from the rows' verdicts. */
struct steps_errors;

/* Starts directory/errors.csv for the manifest (in its delimiter, BOM and
 * line ends). Returns NULL with error. */
struct steps_errors *steps_errors_open(const char *directory, const char *manifest_path,
                                       const struct manifest_options *manifest_options,
                                       struct error *error);
/* Adds row (as the manifest reader gave it) with the step it failed
 * ("3-usage-limit", NULL: none) and its message. Returns 0 or -1. */
int steps_errors_add(struct steps_errors *errors, const struct manifest_row *row,
                     const char *step_label, const char *message, struct error *error);
/* Rows added so far. */
uint64_t steps_errors_rows(const struct steps_errors *errors);
/* Publishes errors.csv atomically and frees errors. Returns 0 or -1. */
int steps_errors_commit(struct steps_errors *errors, struct error *error);
/* Drops the temporary file and frees errors. NULL is allowed. */
void steps_errors_abort(struct steps_errors *errors);

#endif
