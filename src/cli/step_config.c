/* Per-step configurations of a steps job (see step_config.h). */
#include "cli/step_config.h"

#include <stdlib.h>
#include <string.h>

static bool assigns(const struct field_assignment *list, size_t count, const char *field)
{
	for (size_t index = 0; index < count; index++)
		if (strcmp(list[index].field, field) == 0)
			return true;
	return false;
}

static const char *assigned_value(const struct field_assignment *list, size_t count,
                                  const char *field)
{
	for (size_t index = 0; index < count; index++)
		if (strcmp(list[index].field, field) == 0)
			return list[index].value;
	return NULL;
}

static bool op_uses(const struct op *op, const char *field)
{
	int id = field_lookup(field);
	return id >= 0 && op_field_find(op, (enum field_id)id) != NULL;
}

/* The step's own list first, then the job's entries for fields the
 * operation uses and the step assigns neither way. */
static int merge(const struct job_step *step, const struct op *op,
                 const struct field_assignment *own, size_t own_count,
                 const struct field_assignment *job, size_t job_count,
                 struct field_assignment **merged, size_t *merged_count)
{
	/* one spare entry for the device name a later step may add */
	*merged = calloc(own_count + job_count + 1, sizeof(**merged));
	if (!*merged)
		return -1;
	*merged_count = 0;
	for (size_t index = 0; index < own_count; index++)
		(*merged)[(*merged_count)++] = own[index];
	for (size_t index = 0; index < job_count; index++) {
		const char *field = job[index].field;
		if (!op_uses(op, field) || assigns(step->maps, step->map_count, field) ||
		    assigns(step->sets, step->set_count, field))
			continue;
		(*merged)[(*merged_count)++] = job[index];
	}
	return 0;
}

/* A job-level map or set must feed at least one step. */
static int check_job_assignments(const struct job_options *options,
                                 const struct field_assignment *list, size_t count,
                                 const char *what, struct error *error)
{
	for (size_t index = 0; index < count; index++) {
		bool used = false;
		for (size_t step = 0; step < options->step_count && !used; step++)
			used = op_uses(op_find(options->steps[step].op), list[index].field);
		if (!used)
			return error_set(error,
			                 "\"%s\" names field '%s', which no step's operation uses",
			                 what, list[index].field);
	}
	return 0;
}

/* The column the ICCID comes from for step (its own map, else the job's,
 * else the column named iccid). */
static const char *iccid_column(const struct job_options *options, const struct job_step *step)
{
	const char *iccid = field_name(FIELD_ICCID);
	const char *column = assigned_value(step->maps, step->map_count, iccid);
	if (!column)
		column = assigned_value(options->maps, options->map_count, iccid);
	return column ? column : iccid;
}

/* After a step that activates devices by ICCID, a later step that needs a
 * device name and is not given one names the device by the row's ICCID:
 * validation then judges the ICCID as the device's identifier (unique per
 * step), and the run resolves it to the device_name the activation made. */
static void add_device_by_iccid(const struct job_options *options, size_t index,
                                struct step_config *config)
{
	const char *device_name = field_name(FIELD_DEVICE_NAME);
	if (!op_field_find(config->op, FIELD_DEVICE_NAME) ||
	    assigns(config->maps, config->map_count, device_name) ||
	    assigns(config->sets, config->set_count, device_name))
		return;
	for (size_t earlier = 0; earlier < index; earlier++) {
		const struct op *op = op_find(options->steps[earlier].op);
		if (op->key_field != FIELD_ICCID)
			continue;
		struct field_assignment *entry = &config->maps[config->map_count++];
		entry->field = device_name;
		entry->value = iccid_column(options, &options->steps[earlier]);
		config->device_by_iccid = true;
		return;
	}
}

int step_configs_build(const struct job_options *options, struct step_config **configs,
                       struct error *error)
{
	if (check_job_assignments(options, options->maps, options->map_count, "map", error) < 0 ||
	    check_job_assignments(options, options->sets, options->set_count, "set", error) < 0)
		return -1;
	struct step_config *built = calloc(options->step_count, sizeof(*built));
	if (!built)
		return error_set(error, "out of memory");
	for (size_t index = 0; index < options->step_count; index++) {
		const struct job_step *step = &options->steps[index];
		struct step_config *config = &built[index];
		config->op = op_find(step->op);
		if (merge(step, config->op, step->maps, step->map_count, options->maps,
		          options->map_count, &config->maps, &config->map_count) < 0 ||
		    merge(step, config->op, step->sets, step->set_count, options->sets,
		          options->set_count, &config->sets, &config->set_count) < 0) {
			step_configs_free(built, options->step_count);
			return error_set(error, "out of memory");
		}
		add_device_by_iccid(options, index, config);
		job_options_pipeline_config(options, &config->pipeline);
		config->pipeline.op = config->op->name;
		config->pipeline.maps = config->maps;
		config->pipeline.map_count = config->map_count;
		config->pipeline.sets = config->sets;
		config->pipeline.set_count = config->set_count;
		config->pipeline.no_unused_note = options->step_count > 1;
		config->chunk =
		    op_chunk_size(config->op, step->chunk ? step->chunk : options->chunk);
		config->concurrency = step->concurrency ? step->concurrency : options->concurrency;
		config->rate = step->rate > 0 ? step->rate : options->rate;
		config->verify_ms = step->verify_ms;
	}
	*configs = built;
	return 0;
}

void step_configs_free(struct step_config *configs, size_t count)
{
	if (!configs)
		return;
	for (size_t index = 0; index < count; index++) {
		free(configs[index].maps);
		free(configs[index].sets);
	}
	free(configs);
}
