/* Unit tests for the shared row stream: verdicts, counts per rule (numbers
 * folded, field names kept), duplicates, sample rows and notes printed once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/options.h"
#include "cli/step_config.h"
#include "pipeline/pipeline.h"
#include "pipeline/step_rows.h"

/* Opens a pipeline for options as the commands do. */
static struct pipeline *open_pipeline(const struct job_options *options, FILE *notes,
                                      struct error *error)
{
	struct pipeline_config config;
	job_options_pipeline_config(options, &config);
	return pipeline_open(&config, notes, error);
}

static char test_manifest[64];

static void write_manifest(const char *text)
{
	snprintf(test_manifest, sizeof(test_manifest), "/tmp/test_cli_pipeline.XXXXXX");
	int descriptor = mkstemp(test_manifest);
	assert_true(descriptor >= 0);
	FILE *file = fdopen(descriptor, "w");
	fputs(text, file);
	fclose(file);
}

static void options_for(struct job_options *options, const char *op)
{
	job_options_init(options);
	options->op = strdup(op);
	options->manifest = strdup(test_manifest);
	options->format = MANIFEST_FORMAT_CSV;
}

static void rows_get_verdicts_and_rules_are_counted(void **state)
{
	(void)state;
	/* cost-center: row 3 lacks the cost center, rows 4 and 6 repeat row 1's
	 * device, row 5 has a field too many */
	write_manifest("device_name,cost_center,Site\n"
	               "dev-1,Sales,Berlin\n"
	               "dev-2,Sales,Berlin\n"
	               "dev-3,,Paris\n"
	               "dev-1,Ops,Lyon\n"
	               "dev-5,Ops,Lyon,extra\n"
	               "dev-1,Ops,Lyon\n");
	struct job_options options;
	options_for(&options, "cost-center");
	char *notes = NULL;
	size_t notes_size = 0;
	FILE *notes_stream = open_memstream(&notes, &notes_size);
	struct error error;
	error_clear(&error);
	struct pipeline *pipeline = open_pipeline(&options, notes_stream, &error);
	assert_non_null(pipeline);
	struct pipeline_row row;
	bool valid[6];
	bool bound[6];
	int count = 0;
	while (pipeline_next(pipeline, &row, &error) == 1 && count < 6) {
		valid[count] = row.valid;
		bound[count] = row.record != NULL;
		assert_int_equal(row.row->number, (uint64_t)count + 1);
		if (count == 3)
			assert_string_equal(row.message, "device_name: duplicate of row 1");
		count++;
	}
	assert_false(error.set);
	assert_int_equal(count, 6);
	assert_true(valid[0] && valid[1] && !valid[2] && !valid[3] && !valid[4] && !valid[5]);
	assert_true(bound[0] && bound[2] && !bound[4]);
	const struct pipeline_counts *counts = pipeline_counts(pipeline);
	assert_int_equal(counts->rows, 6);
	assert_int_equal(counts->valid, 2);
	assert_int_equal(counts->invalid, 4);
	size_t order[PIPELINE_MAX_RULES];
	pipeline_rules_by_count(pipeline, order);
	assert_int_equal(counts->rule_count, 3);
	/* the two duplicates count as one rule, listed first */
	assert_string_equal(counts->rules[order[0]].rule, "device_name: duplicate of row N");
	assert_int_equal(counts->rules[order[0]].rows, 2);
	fclose(notes_stream);
	assert_non_null(strstr(notes, "Site"));
	char *summary = NULL;
	size_t summary_size = 0;
	FILE *summary_stream = open_memstream(&summary, &summary_size);
	pipeline_print_summary(pipeline, summary_stream);
	fclose(summary_stream);
	assert_non_null(strstr(summary, "rows:      6\n"));
	assert_non_null(strstr(summary, "invalid:   4\n"));
	assert_non_null(strstr(summary, "row 4 (line 5): device_name: duplicate of row 1\n"));
	assert_non_null(strstr(summary, "row has N fields, the header has N"));
	free(summary);
	free(notes);
	pipeline_close(pipeline);
	job_options_release(&options);
	unlink(test_manifest);
}

static void field_names_with_digits_keep_them_in_rules(void **state)
{
	(void)state;
	/* a Windows-1252 byte in note1: the rule names note1, not "noteN" */
	write_manifest("imei,iccid,rate_plan_name,note1\n"
	               "490154203237518,89014103211118510720,ACME 5MB,caf\xe9 au lait\n");
	struct job_options options;
	options_for(&options, "activate");
	struct error error;
	error_clear(&error);
	struct pipeline *pipeline = open_pipeline(&options, NULL, &error);
	char text[1200];
	error_format(&error, text, sizeof(text));
	if (!pipeline)
		fail_msg("cannot open: %s", text);
	struct pipeline_row row;
	assert_int_equal(pipeline_next(pipeline, &row, &error), 1);
	assert_false(row.valid);
	const struct pipeline_counts *counts = pipeline_counts(pipeline);
	assert_int_equal(counts->rule_count, 1);
	if (strncmp(counts->rules[0].rule, "note1: ", 7) != 0 ||
	    !strstr(counts->rules[0].rule, "UTF-8"))
		fail_msg("rule '%s' does not name note1", counts->rules[0].rule);
	assert_int_equal(pipeline_next(pipeline, &row, &error), 0);
	pipeline_close(pipeline);
	job_options_release(&options);
	unlink(test_manifest);
}

static void at_most_twenty_invalid_rows_are_kept_for_the_summary(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	fputs("device_name,cost_center\n", stream);
	for (int row = 0; row < 25; row++)
		fputs("dev-1,Sales\n", stream);
	fclose(stream);
	write_manifest(text);
	free(text);
	struct job_options options;
	options_for(&options, "cost-center");
	struct error error;
	error_clear(&error);
	struct pipeline *pipeline = open_pipeline(&options, NULL, &error);
	assert_non_null(pipeline);
	struct pipeline_row row;
	while (pipeline_next(pipeline, &row, &error) == 1)
		;
	assert_int_equal(pipeline_counts(pipeline)->invalid, 24);
	char *summary = NULL;
	FILE *summary_stream = open_memstream(&summary, &size);
	pipeline_print_summary(pipeline, summary_stream);
	fclose(summary_stream);
	assert_non_null(strstr(summary, "first 20 invalid rows:\n"));
	assert_non_null(strstr(summary, "row 21 (line 22)"));
	assert_null(strstr(summary, "row 22 (line 23)"));
	assert_non_null(strstr(summary, "          24  device_name: duplicate of row N\n"));
	free(summary);
	pipeline_close(pipeline);
	job_options_release(&options);
	unlink(test_manifest);
}

static void file_level_problems_stop_the_stream(void **state)
{
	(void)state;
	struct job_options options;
	job_options_init(&options);
	options.op = strdup("cost-center");
	options.manifest = strdup("/nonexistent/lot.csv");
	struct error error;
	error_clear(&error);
	assert_null(open_pipeline(&options, NULL, &error));
	assert_true(error.set);
	char text[1200];
	error_format(&error, text, sizeof(text));
	assert_non_null(strstr(text, "/nonexistent/lot.csv"));
	job_options_release(&options);

	job_options_init(&options);
	options.op = strdup("activat");
	options.manifest = strdup("/nonexistent/lot.csv");
	error_clear(&error);
	assert_null(open_pipeline(&options, NULL, &error));
	assert_string_equal(error.message,
	                    "unknown operation 'activat' (did you mean 'activate'?); "
	                    "list: lattigo-batch ops");
	job_options_release(&options);
}

/* A job of three steps read in lockstep: the job's map applies to every step
 * that uses the field, a step's own wins, later steps name the device by the
 * ICCID, and a row invalid for step 3 is known with its step. */
static void steps_judge_every_row_for_every_step(void **state)
{
	(void)state;
	write_manifest("SIM ICCID,imei,Site,KB\n"
	               "89017531318850843733,863436382321968,Rotterdam,51200\n"
	               "89017533692169793864,863441641989837,Antwerp,-5\n");
	struct job_options options;
	job_options_init(&options);
	options.manifest = strdup(test_manifest);
	options.format = MANIFEST_FORMAT_CSV;
	options.maps = calloc(1, sizeof(*options.maps));
	options.maps[0].field = strdup("iccid");
	options.maps[0].value = strdup("SIM ICCID");
	options.map_count = 1;
	options.sets = calloc(1, sizeof(*options.sets));
	options.sets[0].field = strdup("rate_plan_name");
	options.sets[0].value = strdup("ACME Co 5mb Rate Plan");
	options.set_count = 1;
	struct error error;
	error_clear(&error);
	json_t *steps =
	    json_loads("[{\"op\": \"activate\"},"
	               " {\"op\": \"cost-center\", \"map\": {\"cost_center\": \"Site\"},"
	               "  \"concurrency\": 2},"
	               " {\"op\": \"usage-limit\", \"map\": {\"kb_limit\": \"KB\"},"
	               "  \"set\": {\"action\": \"email\", \"usernames\": \"ops\"}}]",
	               0, NULL);
	json_t *job = json_pack("{s:o}", "steps", steps);
	assert_int_equal(job_options_from_json(job, &options, &error), 0);
	json_decref(job);
	struct step_config *configs = NULL;
	assert_int_equal(step_configs_build(&options, &configs, &error), 0);
	assert_false(configs[0].device_by_iccid);
	assert_true(configs[1].device_by_iccid && configs[2].device_by_iccid);
	assert_int_equal(configs[1].concurrency, 2);
	assert_int_equal(configs[2].concurrency, options.concurrency);
	/* rate_plan_name feeds only activate; iccid only activate (and the names) */
	assert_int_equal(configs[0].set_count, 1);
	assert_int_equal(configs[1].set_count, 0);

	struct pipeline_config pipelines[3] = {configs[0].pipeline, configs[1].pipeline,
	                                       configs[2].pipeline};
	struct step_rows *reader = step_rows_open(pipelines, 3, NULL, &error);
	assert_non_null(reader);
	struct step_row row;
	assert_int_equal(step_rows_next(reader, &row, &error), 1);
	assert_int_equal(row.first_invalid, 3);
	assert_string_equal(row.steps[1].record->value[FIELD_DEVICE_NAME], "89017531318850843733");
	assert_string_equal(row.steps[1].record->value[FIELD_COST_CENTER], "Rotterdam");
	assert_string_equal(row.steps[2].record->value[FIELD_USERNAMES], "ops");
	assert_int_equal(step_rows_next(reader, &row, &error), 1);
	assert_int_equal(row.row->number, 2);
	assert_int_equal(row.first_invalid, 2);
	assert_non_null(strstr(row.message, "kb_limit"));
	assert_true(row.steps[0].valid && row.steps[1].valid);
	assert_int_equal(step_rows_next(reader, &row, &error), 0);
	step_rows_close(reader);
	step_configs_free(configs, options.step_count);

	/* a job-level map no step uses, and a file problem of a later step */
	char *field = (char *)options.maps[0].field;
	field[0] = 'x';
	assert_int_equal(step_configs_build(&options, &configs, &error), -1);
	assert_non_null(strstr(error.message, "no step's operation uses"));
	field[0] = 'i';
	free((void *)options.steps[1].maps[0].value);
	options.steps[1].maps[0].value = strdup("Sight");
	error_clear(&error);
	assert_int_equal(step_configs_build(&options, &configs, &error), 0);
	for (size_t step = 0; step < 3; step++)
		pipelines[step] = configs[step].pipeline;
	assert_null(step_rows_open(pipelines, 3, NULL, &error));
	assert_non_null(strstr(error.message, "step 2 (cost-center): "));
	step_configs_free(configs, options.step_count);
	job_options_release(&options);
	unlink(test_manifest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rows_get_verdicts_and_rules_are_counted),
	    cmocka_unit_test(field_names_with_digits_keep_them_in_rules),
	    cmocka_unit_test(at_most_twenty_invalid_rows_are_kept_for_the_summary),
	    cmocka_unit_test(file_level_problems_stop_the_stream),
	    cmocka_unit_test(steps_judge_every_row_for_every_step),
	};
	return cmocka_run_group_tests_name("cli_pipeline", tests, NULL, NULL);
}
