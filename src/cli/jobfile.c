/* Reading job files: size-capped, strict JSON (duplicate keys refused), then
 * the same key checks as job.json. */
#include "jobfile.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int jobfile_read(const char *path, struct job_options *options, struct error *error)
{
	json_t *object = NULL;
	int result = -1;
	struct stat status;
	if (stat(path, &status) < 0) {
		error_set(error, "cannot read job file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(status.st_mode)) {
		error_set(error, "cannot read job file '%s': not a regular file", path);
		goto out;
	}
	if (status.st_size > JOBFILE_MAX_SIZE) {
		error_set(error, "job file '%s' is too big (over %d bytes); is it a manifest?",
		          path, JOBFILE_MAX_SIZE);
		goto out;
	}
	json_error_t json_error;
	object = json_load_file(path, JSON_REJECT_DUPLICATES, &json_error);
	if (!object) {
		error_set_at(error, path, json_error.line > 0 ? (uint64_t)json_error.line : 0,
		             "not a valid JSON job file: %s", json_error.text);
		goto out;
	}
	if (job_options_from_json_at(object, options, path, error) < 0)
		goto out;
	free(options->job_file);
	options->job_file = strdup(path);
	if (!options->job_file) {
		error_set(error, "out of memory");
		goto out;
	}
	result = 0;
out:
	json_decref(object);
	return result;
}
