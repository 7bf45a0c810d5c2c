/* The row stream of a job with several steps: one pipeline per step reads
 * the same manifest in lockstep, so that every row is judged for every step
 * before anything is sent for it (a row invalid for step 3 is known before
 * its step 1 starts).
 * Ownership: the reader owns its pipelines; what step_rows_next yields stays
 * valid until the next call. */
#ifndef LATTIGO_STEP_ROWS_H
#define LATTIGO_STEP_ROWS_H

#include <stddef.h>
#include <stdio.h>

#include "pipeline/pipeline.h"

#define STEP_ROWS_MAX 16 /* steps of one reader */

/* One manifest row judged for every step. */
struct step_row {
	const struct manifest_row *row;           /* as read (the first step's view) */
	struct pipeline_row steps[STEP_ROWS_MAX]; /* the verdict of each step */
	size_t step_count;
	size_t first_invalid; /* the first step the row is invalid for; step_count when
	                         valid for all */
	const char *message;  /* that step's message ("" when valid for all) */
};

struct step_rows;

/* Opens one pipeline per config (count at most STEP_ROWS_MAX), all reading
 * the same manifest. A file-level problem of any step returns NULL with
 * error naming the step ("step 3 (usage-limit): ..."). Notes about the file
 * go once to notes (may be NULL). Free with step_rows_close. */
struct step_rows *step_rows_open(const struct pipeline_config *configs, size_t count, FILE *notes,
                                 struct error *error);
/* Reads and judges the next row for every step: 1 = *row filled, 0 = end of
 * the manifest, -1 = file-level error (error filled). */
int step_rows_next(struct step_rows *reader, struct step_row *row, struct error *error);
/* The pipeline of one step (owned by the reader), for its counts and summary. */
struct pipeline *step_rows_pipeline(struct step_rows *reader, size_t step);
/* Closes every pipeline. NULL is allowed. */
void step_rows_close(struct step_rows *reader);

#endif
