/* The progress of each step of a job with steps, read from its per-step
 * checkpoints (OUT/steps/<k>-<op>/checkpoint, and .../verify/checkpoint for a
 * step that waits for a verification) without taking the job's lock, so it
 * is safe while the job runs: what `status` and report.html show per step.
 * Ownership: the caller's array is filled; nothing is kept. */
#ifndef LATTIGO_STEP_PROGRESS_H
#define LATTIGO_STEP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "outputs/outcome_store.h"

/* Directory of a job's per-step checkpoints, inside OUT. */
#define STEPS_DIRECTORY    "steps"
#define STEP_PROGRESS_MAX  16
#define STEP_PROGRESS_NAME 64

struct step_progress {
	unsigned number;                      /* 1-based */
	char label[STEP_PROGRESS_NAME];       /* "2-cost-center" */
	char op[STEP_PROGRESS_NAME];          /* "cost-center" */
	uint64_t by_status[ROW_STATUS_COUNT]; /* rows final in the step, by outcome */
	uint64_t done;                        /* rows final in the step */
	uint64_t in_doubt;                    /* rows sent without a recorded answer */
	uint64_t calls;                       /* the step's calls (attempts included) */
	bool verifies;                        /* the step waits for a verification */
	uint64_t verified, not_verified;      /* verifications ended ok / not */
	uint64_t waiting;                     /* rows through the step, not verified yet */
};

/* Fills steps (at most max, in step order) with the steps of the job in
 * directory. Returns how many (0: not a job with steps), or -1 with error
 * when a step's checkpoint cannot be read. */
int step_progress_read(const char *directory, struct step_progress *steps, size_t max,
                       struct error *error);

#endif
