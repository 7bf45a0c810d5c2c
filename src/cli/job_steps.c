/* Reading and writing a job file's "steps" array (see job_steps.h). */
#include "cli/job_steps.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/duration.h"
#include "common/suggest.h"
#include "ops/op.h"

static const char *const step_keys[] = {"op",          "map",  "set",   "chunk",
                                        "concurrency", "rate", "verify"};
#define STEP_KEY_COUNT (sizeof(step_keys) / sizeof(step_keys[0]))

static void free_assignments(struct field_assignment *list, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		free((void *)list[index].field);
		free((void *)list[index].value);
	}
	free(list);
}

void job_steps_free(struct job_step *steps, size_t count)
{
	if (!steps)
		return;
	for (size_t index = 0; index < count; index++) {
		free(steps[index].op);
		free(steps[index].verify);
		free_assignments(steps[index].maps, steps[index].map_count);
		free_assignments(steps[index].sets, steps[index].set_count);
	}
	free(steps);
}

/* Reads an object of FIELD: COLUMN (maps: strings only) or FIELD: VALUE
 * (sets: strings or numbers) into a list; field names are lower-cased as
 * --map and --set do. */
static int read_assignments(const json_t *object, bool strings_only, const char *what, size_t step,
                            struct field_assignment **list, size_t *count, struct error *error)
{
	if (!json_is_object(object))
		return error_set(error, "step %zu: \"%s\" must be an object of FIELD: %s", step,
		                 what, strings_only ? "COLUMN" : "VALUE");
	size_t size = json_object_size(object);
	*list = calloc(size ? size : 1, sizeof(**list));
	if (!*list)
		return error_set(error, "out of memory");
	const char *key = NULL;
	json_t *value = NULL;
	json_object_foreach((json_t *)object, key, value)
	{
		char number[64];
		const char *text = NULL;
		if (json_is_string(value))
			text = json_string_value(value);
		else if (!strings_only && json_is_integer(value) &&
		         snprintf(number, sizeof(number), "%" JSON_INTEGER_FORMAT,
		                  json_integer_value(value)) > 0)
			text = number;
		if (!text)
			return error_set(error, "step %zu: \"%s\": value of '%s' must be %s", step,
			                 what, key,
			                 strings_only ? "a string (a column name)"
			                              : "a string or a whole number");
		if (strings_only && !text[0])
			return error_set(error, "step %zu: \"%s\": '%s' names no column", step,
			                 what, key);
		struct field_assignment *entry = &(*list)[*count];
		char *field = strdup(key);
		entry->value = strdup(text);
		entry->field = field;
		(*count)++;
		if (!field || !entry->value)
			return error_set(error, "out of memory");
		for (char *cursor = field; *cursor; cursor++)
			*cursor = (char)tolower((unsigned char)*cursor);
	}
	return 0;
}

/* A whole number of at least 1 for chunk and concurrency (ranges are the
 * job options' to check). */
static int read_count(const json_t *value, const char *key, size_t step, unsigned long long *out,
                      struct error *error)
{
	if (!json_is_integer(value) || json_integer_value(value) < 1)
		return error_set(error, "step %zu: \"%s\" must be a whole number of at least 1",
		                 step, key);
	*out = (unsigned long long)json_integer_value(value);
	return 0;
}

static int read_member(const char *key, const json_t *value, size_t number, struct job_step *step,
                       struct error *error)
{
	unsigned long long count = 0;
	if (strcmp(key, "op") == 0) {
		if (!json_is_string(value))
			return error_set(error, "step %zu: \"op\" must be a string", number);
		const char *name = json_string_value(value);
		if (!op_find(name)) {
			const char *names[64];
			size_t known = 0;
			for (size_t index = 0; index < op_table_count && known < 64; index++)
				names[known++] = op_table[index]->name;
			const char *closest = closest_name(name, names, known);
			if (closest)
				return error_set(error,
				                 "step %zu: unknown operation '%s' (did you mean "
				                 "'%s'?)",
				                 number, name, closest);
			return error_set(
			    error, "step %zu: unknown operation '%s' (list: lattigo-batch ops)",
			    number, name);
		}
		step->op = strdup(name);
		return step->op ? 0 : error_set(error, "out of memory");
	}
	if (strcmp(key, "map") == 0)
		return read_assignments(value, true, key, number, &step->maps, &step->map_count,
		                        error);
	if (strcmp(key, "set") == 0)
		return read_assignments(value, false, key, number, &step->sets, &step->set_count,
		                        error);
	if (strcmp(key, "chunk") == 0) {
		if (read_count(value, key, number, &count, error) < 0)
			return -1;
		step->chunk = (size_t)count;
		return 0;
	}
	if (strcmp(key, "concurrency") == 0) {
		if (read_count(value, key, number, &count, error) < 0)
			return -1;
		step->concurrency = count > UINT32_MAX ? UINT32_MAX : (unsigned)count;
		return 0;
	}
	if (strcmp(key, "rate") == 0) {
		if (!json_is_number(value) || !(json_number_value(value) > 0) ||
		    !isfinite(json_number_value(value)))
			return error_set(error,
			                 "step %zu: \"rate\" must be a number of calls per second "
			                 "above 0",
			                 number);
		step->rate = json_number_value(value);
		return 0;
	}
	/* verify */
	if (!json_is_string(value) ||
	    duration_parse(json_string_value(value), &step->verify_ms) < 0 || step->verify_ms <= 0)
		return error_set(error,
		                 "step %zu: \"verify\" must be a duration such as \"30m\", \"90s\" "
		                 "or \"1h30m\" (at most a week)",
		                 number);
	step->verify = strdup(json_string_value(value));
	return step->verify ? 0 : error_set(error, "out of memory");
}

static int read_step(const json_t *object, size_t number, struct job_step *step,
                     struct error *error)
{
	if (!json_is_object(object))
		return error_set(error, "step %zu: must be an object with \"op\"", number);
	const char *key = NULL;
	json_t *value = NULL;
	json_object_foreach((json_t *)object, key, value)
	{
		bool known = false;
		for (size_t index = 0; index < STEP_KEY_COUNT; index++)
			known |= strcmp(key, step_keys[index]) == 0;
		if (!known) {
			const char *closest = closest_name(key, step_keys, STEP_KEY_COUNT);
			if (closest)
				return error_set(error,
				                 "step %zu: unknown key '%s' (did you mean '%s'?)",
				                 number, key, closest);
			return error_set(error, "step %zu: unknown key '%s'", number, key);
		}
		if (read_member(key, value, number, step, error) < 0)
			return -1;
	}
	if (!step->op)
		return error_set(error, "step %zu: no \"op\"", number);
	return 0;
}

int job_steps_from_json(const json_t *array, struct job_step **steps, size_t *count,
                        struct error *error)
{
	if (!json_is_array(array) || json_array_size(array) == 0)
		return error_set(error, "\"steps\" must be a non-empty array of step objects");
	size_t size = json_array_size(array);
	if (size > JOB_STEPS_MAX)
		return error_set(error, "\"steps\": more than %d steps", JOB_STEPS_MAX);
	struct job_step *read = calloc(size, sizeof(*read));
	if (!read)
		return error_set(error, "out of memory");
	for (size_t index = 0; index < size; index++) {
		if (read_step(json_array_get(array, index), index + 1, &read[index], error) < 0) {
			job_steps_free(read, size);
			return -1;
		}
	}
	*steps = read;
	*count = size;
	return 0;
}

static json_t *assignments_json(const struct field_assignment *list, size_t count)
{
	json_t *object = json_object();
	for (size_t index = 0; object && index < count; index++)
		if (json_object_set_new(object, list[index].field, json_string(list[index].value)) <
		    0) {
			json_decref(object);
			return NULL;
		}
	return object;
}

/* Adds key: value (a new reference, stolen) to object; false when out of memory. */
static bool put(json_t *object, const char *key, json_t *value)
{
	return value && json_object_set_new(object, key, value) == 0;
}

json_t *job_steps_to_json(const struct job_step *steps, size_t count)
{
	json_t *array = json_array();
	for (size_t index = 0; array && index < count; index++) {
		const struct job_step *step = &steps[index];
		json_t *object = json_object();
		bool done = object && put(object, "op", json_string(step->op));
		if (done && step->map_count)
			done = put(object, "map", assignments_json(step->maps, step->map_count));
		if (done && step->set_count)
			done = put(object, "set", assignments_json(step->sets, step->set_count));
		if (done && step->chunk)
			done = put(object, "chunk", json_integer((json_int_t)step->chunk));
		if (done && step->concurrency)
			done = put(object, "concurrency", json_integer(step->concurrency));
		if (done && step->rate > 0)
			done = put(object, "rate", json_real(step->rate));
		if (done && step->verify)
			done = put(object, "verify", json_string(step->verify));
		if (!done || json_array_append_new(array, object) < 0) {
			if (!done)
				json_decref(object);
			json_decref(array);
			return NULL;
		}
	}
	return array;
}
