/* libFuzzer target for job files: any bytes as a job file are loaded
 * (size cap, strict JSON) and applied to the options: the options or one
 * clean error naming the key, never a crash or a leak. */
#include <jansson.h>

#include "cli/jobfile.h"
#include "cli/options.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	if (fuzz_write_file("job.json", data, size, 0600, path) < 0)
		return 0;
	json_t *object = NULL;
	struct error error;
	error_clear(&error);
	if (jobfile_load(path, &object, &error) < 0)
		return 0;
	struct job_options options;
	job_options_init(&options);
	error_clear(&error);
	if (json_is_object(object) && job_options_from_json(object, &options, &error) == 0) {
		json_t *back = NULL;
		if (job_options_to_json(&options, &back) == 0)
			json_decref(back);
	}
	job_options_release(&options);
	json_decref(object);
	return 0;
}
