/* What each step of a steps job reads and sends: its operation, the job's
 * map/set merged under the step's own, the ICCID standing in for a device
 * name after an activation, and its effective chunk, concurrency and rate.
 * Ownership: the configs own their merged lists, whose strings are borrowed
 * from the job_options (which must outlive them). */
#ifndef LATTIGO_STEP_CONFIG_H
#define LATTIGO_STEP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/options.h"
#include "pipeline/pipeline.h"

struct step_config {
	const struct op *op;
	struct pipeline_config pipeline; /* points into this struct and the options */
	struct field_assignment *maps;   /* merged: the step's, then the job's it does not
	                                    override */
	size_t map_count;
	struct field_assignment *sets;
	size_t set_count;
	bool device_by_iccid; /* the device is named by the row's ICCID until an earlier
	                         step's activation makes its device_name known */
	size_t chunk;         /* effective rows per call */
	unsigned concurrency; /* effective calls in flight */
	double rate;          /* effective calls per second, 0 = unlimited */
	int64_t verify_ms;    /* verification wait after the step, 0 = none */
};

/* Builds one config per step of options (options->step_count of them,
 * calloc'd into *configs). A job-level map or set naming a field no step uses
 * is an error. Returns 0, or -1 with error (nothing allocated then). Free
 * with step_configs_free. */
int step_configs_build(const struct job_options *options, struct step_config **configs,
                       struct error *error);
/* Frees count configs and the array. NULL is allowed. */
void step_configs_free(struct step_config *configs, size_t count);

#endif
