/* Validation and dry-run plans of steps jobs (see steps_check.h). */
#include "cli/steps_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/plan.h"
#include "cli/step_config.h"
#include "common/file_io.h"
#include "common/path_display.h"
#include "common/strbuf.h"
#include "outputs/errors_writer.h"
#include "outputs/steps_outputs.h"
#include "pipeline/step_rows.h"

#define STEPS_SAMPLE_ROWS 20 /* job-level invalid rows listed */

/* What one pass over the manifest found, per step and for the job. */
struct steps_check {
	const struct job_options *options;
	struct step_config *configs;
	struct step_rows *reader;
	struct plan *plans[STEP_ROWS_MAX]; /* dry run only */
	uint64_t rows;
	uint64_t ready;                     /* valid for every step */
	uint64_t entering[STEP_ROWS_MAX];   /* rows that would enter each step */
	uint64_t stopped_at[STEP_ROWS_MAX]; /* invalid rows by first invalid step */
	char *samples[STEPS_SAMPLE_ROWS];
	size_t sample_count;
	struct steps_errors *errors; /* validate --out: the invalid rows' errors.csv */
};

static void remember_sample(struct steps_check *check, const struct step_row *row)
{
	if (check->sample_count >= STEPS_SAMPLE_ROWS)
		return;
	struct strbuf text;
	strbuf_init(&text, 1024);
	size_t step = row->first_invalid;
	strbuf_appendf(&text, "row %" PRIu64 " (line %" PRIu64 "): step %zu (%s): %s",
	               row->row->number, row->row->line, step + 1, check->configs[step].op->name,
	               row->message);
	char *sample = strbuf_detach(&text, NULL);
	if (sample)
		check->samples[check->sample_count++] = sample;
}

/* errors.csv's line of an invalid row: the step and message a run gives it. */
static int add_error(struct steps_check *check, const struct step_row *row, struct error *error)
{
	size_t step = row->first_invalid;
	const char *op = check->configs[step].op->name;
	char label[96], message[700];
	snprintf(label, sizeof(label), "%zu-%s", step + 1, op);
	snprintf(message, sizeof(message), "step %zu (%s): %s", step + 1, op, row->message);
	return steps_errors_add(check->errors, row->row, label, message, error);
}

/* Counts one row; for a dry run hands its record to the plan of every step
 * it would enter. */
static int count_row(struct steps_check *check, const struct step_row *row, struct error *error)
{
	check->rows++;
	size_t count = row->step_count;
	bool ready = row->first_invalid == count;
	if (ready)
		check->ready++;
	else {
		check->stopped_at[row->first_invalid]++;
		remember_sample(check, row);
		if (check->errors && add_error(check, row, error) < 0)
			return -1;
	}
	/* without "partial" a row invalid for any step enters none */
	size_t enters = ready ? count : check->options->partial ? row->first_invalid : 0;
	for (size_t step = 0; step < enters; step++) {
		check->entering[step]++;
		if (check->plans[step] &&
		    plan_add_row(check->plans[step], row->steps[step].record) < 0)
			return error_set(error,
			                 "row %" PRIu64 ": cannot compute its batching group",
			                 row->row->number);
	}
	return 0;
}

static void release_check(struct steps_check *check)
{
	for (size_t step = 0; step < STEP_ROWS_MAX; step++)
		plan_free(check->plans[step]);
	for (size_t index = 0; index < check->sample_count; index++)
		free(check->samples[index]);
	step_rows_close(check->reader);
	step_configs_free(check->configs, check->options->step_count);
	steps_errors_abort(check->errors);
}

/* Reads the whole manifest for every step. Returns 0 or -1 with error. */
static int read_rows(struct steps_check *check, bool with_plans, struct error *error)
{
	const struct job_options *options = check->options;
	if (options->step_count > STEP_ROWS_MAX)
		return error_set(error, "more than %d steps", STEP_ROWS_MAX);
	if (step_configs_build(options, &check->configs, error) < 0)
		return -1;
	struct pipeline_config pipelines[STEP_ROWS_MAX];
	for (size_t step = 0; step < options->step_count; step++) {
		pipelines[step] = check->configs[step].pipeline;
		if (with_plans) {
			check->plans[step] =
			    plan_new(check->configs[step].op, check->configs[step].chunk);
			if (!check->plans[step])
				return error_set(error, "out of memory");
		}
	}
	check->reader = step_rows_open(pipelines, options->step_count, stderr, error);
	if (!check->reader)
		return -1;
	struct step_row row;
	int next = 0;
	while ((next = step_rows_next(check->reader, &row, error)) == 1)
		if (count_row(check, &row, error) < 0)
			return -1;
	if (next < 0)
		return -1;
	for (size_t step = 0; with_plans && step < options->step_count; step++)
		plan_finish(check->plans[step]);
	return 0;
}

static void print_step_header(const struct steps_check *check, size_t step)
{
	const struct step_config *config = &check->configs[step];
	printf("\nstep %zu of %zu: %s", step + 1, check->options->step_count, config->op->name);
	if (config->device_by_iccid)
		printf(" (devices named by ICCID, resolved to their device_name when run)");
	if (config->verify_ms)
		printf(", then wait until verified (up to %s)", check->options->steps[step].verify);
	printf("\n");
}

static void print_job_summary(const struct steps_check *check)
{
	size_t count = check->options->step_count;
	uint64_t invalid = check->rows - check->ready;
	printf("\njob (%zu steps%s):\n", count, check->options->partial ? ", partial" : "");
	printf("rows:                  %" PRIu64 "\n", check->rows);
	printf("valid for every step:  %" PRIu64 "\n", check->ready);
	printf("invalid for some step: %" PRIu64 "%s\n", invalid,
	       invalid == 0              ? ""
	       : check->options->partial ? " (each runs the steps before the one it is invalid for)"
	                                 : " (none of their steps is sent)");
	for (size_t step = 0; step < count; step++)
		if (check->stopped_at[step])
			printf("  %10" PRIu64 "  first invalid at step %zu (%s)\n",
			       check->stopped_at[step], step + 1, check->configs[step].op->name);
	if (check->sample_count)
		printf("%s:\n",
		       invalid > check->sample_count ? "first invalid rows" : "invalid rows");
	for (size_t index = 0; index < check->sample_count; index++)
		printf("  %s\n", check->samples[index]);
}

int steps_validate(const struct job_options *options)
{
	struct steps_check check = {.options = options};
	struct error error;
	error_clear(&error);
	int exit_code = EXIT_USAGE;
	struct manifest_options manifest_options = {options->format, options->delimiter,
	                                            options->sheet};
	if (options->out && (file_make_directories(options->out, &error) < 0 ||
	                     !(check.errors = steps_errors_open(options->out, options->manifest,
	                                                        &manifest_options, &error)))) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (read_rows(&check, false, &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	for (size_t step = 0; step < options->step_count; step++) {
		print_step_header(&check, step);
		pipeline_print_summary(step_rows_pipeline(check.reader, step), stdout);
	}
	print_job_summary(&check);
	if (check.errors) {
		uint64_t rows = steps_errors_rows(check.errors);
		int committed = steps_errors_commit(check.errors, &error);
		check.errors = NULL;
		if (committed < 0) {
			exit_code = report_error(&error, EXIT_USAGE);
			goto out;
		}
		char shown[4096];
		printf("errors:                %s (%" PRIu64 " row%s)\n",
		       path_display_join(options->out, ERRORS_FILE, shown, sizeof(shown)), rows,
		       rows == 1 ? "" : "s");
	}
	exit_code = check.ready == check.rows ? EXIT_ALL_OK : EXIT_SOME_FAILED;
out:
	release_check(&check);
	return exit_code;
}

int steps_dry_run(const struct job_options *options)
{
	struct steps_check check = {.options = options};
	struct error error;
	error_clear(&error);
	int exit_code = EXIT_USAGE;
	if (read_rows(&check, true, &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	print_job_summary(&check);
	printf("\nplan (--dry-run: nothing is sent):\n");
	printf("  endpoint:    %s\n", options->endpoint);
	printf("  job dir:     %s\n", options->out);
	printf("  steps share the job's %u calls in flight%s; a row enters a step once the one "
	       "before it ended ok or unchanged\n",
	       options->concurrency, options->rate > 0 ? " and its rate limit" : "");
	for (size_t step = 0; step < options->step_count; step++) {
		const struct step_config *config = &check.configs[step];
		print_step_header(&check, step);
		printf("  endpoint:    %s %s\n", config->op->method, config->op->path);
		if (config->op->flags & OP_PER_ROW)
			printf("  calls:       one per row\n");
		else
			printf("  calls:       up to %zu rows each, rows of one group together\n",
			       config->chunk);
		if (config->concurrency != options->concurrency || config->rate != options->rate)
			printf("  in flight:   at most %u calls, %s%g per second\n",
			       config->concurrency, config->rate > 0 ? "at most " : "no limit ",
			       config->rate);
		printf("  rows:        %" PRIu64 " would enter this step\n", check.entering[step]);
		plan_print(check.plans[step], stdout);
		if ((config->op->flags & OP_NEEDS_YES) && !options->yes)
			printf("note: '%s' needs --yes (or a typed confirmation on a terminal) to "
			       "run\n",
			       config->op->name);
	}
	exit_code = check.ready == check.rows ? EXIT_ALL_OK : EXIT_SOME_FAILED;
out:
	release_check(&check);
	return exit_code;
}
