/* A job file's "steps": one manifest driving several operations in order
 * (activate, then cost-center, ...). Each step names its operation and may
 * add its own map/set (over the job's), chunk, concurrency, rate and a
 * verification wait. This file reads and writes the JSON form.
 * Ownership: a step owns its strings and lists; job_steps_free frees them. */
#ifndef LATTIGO_JOB_STEPS_H
#define LATTIGO_JOB_STEPS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/binding.h"

#define JOB_STEPS_MAX 16 /* steps of one job: a provisioning sequence is a handful */

struct job_step {
	char *op;                      /* operation name, checked against the table */
	struct field_assignment *maps; /* the step's own FIELD=COLUMN (over the job's) */
	size_t map_count;
	struct field_assignment *sets; /* the step's own FIELD=VALUE (over the job's) */
	size_t set_count;
	size_t chunk;         /* rows per call; 0: the job's */
	unsigned concurrency; /* calls in flight for this step; 0: the job's */
	double rate;          /* calls per second for this step; 0: the job's */
	char *verify;         /* "verify" as written ("30m"); NULL: no verification wait */
	int64_t verify_ms;    /* the wait in milliseconds; 0 without one */
};

/* Reads the "steps" array of a job file into *steps (calloc'd, *count
 * entries). Each step is an object with "op" and optionally "map", "set",
 * "chunk", "concurrency", "rate", "verify"; an unknown key, an unknown
 * operation or a value out of range is an error naming the step. Returns 0,
 * or -1 with error (nothing allocated then). */
int job_steps_from_json(const json_t *array, struct job_step **steps, size_t *count,
                        struct error *error);
/* The JSON array of steps as a job file holds them (new reference), or NULL
 * when out of memory. */
json_t *job_steps_to_json(const struct job_step *steps, size_t count);
/* Frees count steps and the array. NULL is allowed. */
void job_steps_free(struct job_step *steps, size_t count);

#endif
