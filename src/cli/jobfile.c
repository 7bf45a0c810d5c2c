/* Reading job files: size-capped, strict JSON (duplicate keys refused). */
#include "jobfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int jobfile_load(const char *path, json_t **out, struct error *error)
{
	struct stat status;
	if (stat(path, &status) < 0)
		return error_set(error, "cannot read job file '%s': %s", path, strerror(errno));
	if (!S_ISREG(status.st_mode))
		return error_set(error, "cannot read job file '%s': not a regular file", path);
	if (status.st_size > JOBFILE_MAX_SIZE)
		return error_set(error,
		                 "job file '%s' is too big (over %d bytes); is it a manifest?",
		                 path, JOBFILE_MAX_SIZE);
	json_error_t json_error;
	json_t *object = json_load_file(path, JSON_REJECT_DUPLICATES, &json_error);
	if (!object)
		return error_set_at(error, path,
		                    json_error.line > 0 ? (uint64_t)json_error.line : 0,
		                    "not a valid JSON job file: %s", json_error.text);
	*out = object;
	return 0;
}
