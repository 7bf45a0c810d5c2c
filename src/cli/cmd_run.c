/* `lattigo-batch run` and `resume`: read and check the options (command line,
 * job file, or a job directory's job.json), then either print the plan of a
 * dry run or hand the job to run_job. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export_job.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/help.h"
#include "cli/options.h"
#include "pipeline/pipeline.h"
#include "cli/plan.h"
#include "cli/run_job.h"
#include "cli/steps_check.h"
#include "cli/steps_run.h"
#include "cli/stdin_copy.h"
#include "cli/verify_job.h"
#include "common/path_display.h"

#define JOB_OPTIONS_FILE "job.json"

/* Refuses an operation flagged OP_NEEDS_YES without --yes when no typed
 * confirmation can stand in (a dry run sends nothing and needs none; run_job
 * asks on a terminal once it knows the rows and the cost). */
static int check_confirmation(const struct op *op, const struct job_options *options,
                              struct error *error)
{
	if (!confirm_needed(op, options) || confirm_can_ask(options))
		return 0;
	return confirm_refuse(op, error);
}

/* check_confirmation for each step of a steps job (steps_run asks on a
 * terminal once it knows each costly step's rows and cost). */
static int check_steps_confirmation(const struct job_options *options, struct error *error)
{
	for (size_t step = 0; step < options->step_count; step++) {
		const struct op *op = op_find(options->steps[step].op);
		if (op && check_confirmation(op, options, error) < 0)
			return -1;
	}
	return 0;
}

static void print_plan_header(const struct op *op, const struct job_options *options, size_t chunk)
{
	printf("\nplan (--dry-run: nothing is sent):\n");
	printf("  endpoint:    %s %s (%s)\n", op->method, op->path, options->endpoint);
	if (op->flags & OP_PER_ROW)
		printf("  calls:       one per row\n");
	else
		printf("  calls:       up to %zu rows each, rows of one group together\n", chunk);
	if (options->rate > 0)
		printf("  in flight:   %u calls, at most %g per second\n", options->concurrency,
		       options->rate);
	else
		printf("  in flight:   %u calls, no rate limit\n", options->concurrency);
	char out[4096];
	printf("  job dir:     %s\n", path_display(options->out, out, sizeof(out)));
}

/* Validates every row, hands the valid ones to the planner a run would use
 * and prints the summary and the calls it formed. */
static int dry_run(const struct job_options *options)
{
	struct error error;
	struct plan *plan = NULL;
	int exit_code = EXIT_USAGE;
	error_clear(&error);
	struct pipeline_config config;
	job_options_pipeline_config(options, &config);
	struct pipeline *pipeline = pipeline_open(&config, stderr, &error);
	if (!pipeline) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	const struct op *op = pipeline_op(pipeline);
	plan = plan_new(op, options->chunk);
	if (!plan) {
		error_set(&error, "out of memory");
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	struct pipeline_row row;
	int next = 0;
	while ((next = pipeline_next(pipeline, &row, &error)) == 1) {
		if (row.valid && plan_add_row(plan, row.record) < 0) {
			error_set(&error, "row %" PRIu64 ": cannot compute its batching group",
			          row.row->number);
			next = -1;
			break;
		}
	}
	if (next < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	plan_finish(plan);
	pipeline_print_summary(pipeline, stdout);
	print_plan_header(op, options, plan_chunk(plan));
	plan_print(plan, stdout);
	const struct pipeline_counts *counts = pipeline_counts(pipeline);
	if (counts->invalid)
		printf("%" PRIu64 " invalid row%s would not be sent (status invalid)\n",
		       counts->invalid, counts->invalid == 1 ? "" : "s");
	if ((op->flags & OP_NEEDS_YES) && !options->yes)
		printf("note: '%s' needs --yes (or a typed confirmation on a terminal) to run\n",
		       op->name);
	exit_code = counts->invalid ? EXIT_SOME_FAILED : EXIT_ALL_OK;
out:
	plan_free(plan);
	pipeline_close(pipeline);
	return exit_code;
}

int command_run(int argc, char **argv)
{
	struct job_options options;
	struct error error;
	int exit_code = EXIT_USAGE;
	error_clear(&error);
	job_options_init(&options);
	int loaded = job_options_load(&options, SCOPE_RUN, argc, argv, &error);
	if (loaded == 1) {
		help_command(stdout, "run");
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (loaded < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (options.step_count) {
		/* each step reads the manifest: a piped one is made a file first */
		if (options.manifest && strcmp(options.manifest, "-") == 0 &&
		    stdin_copy_to_file(&error) < 0) {
			exit_code = report_error(&error, EXIT_USAGE);
			goto out;
		}
		if (options.dry_run) {
			exit_code = steps_dry_run(&options);
			goto out;
		}
		if (check_steps_confirmation(&options, &error) < 0) {
			exit_code = report_error(&error, EXIT_USAGE);
			goto out;
		}
		exit_code = steps_run(&options);
		goto out;
	}
	const struct op *op = pipeline_find_op(options.op, &error);
	if (!op || check_confirmation(op, &options, &error) < 0 ||
	    verify_option_check(op, &options, &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	exit_code = options.dry_run ? dry_run(&options) : run_job(&options);
out:
	job_options_release(&options);
	return exit_code;
}

/* Rebuilds the options of the job in directory from its job.json, then
 * applies what this command line may change (limits, endpoint, display). */
static int load_resume_options(struct job_options *options, const char *directory,
                               const struct parsed_command_line *line, struct error *error,
                               int *exit_code)
{
	struct stat status;
	if (stat(directory, &status) < 0 || !S_ISDIR(status.st_mode)) {
		*exit_code = EXIT_USAGE;
		return error_set(error, "cannot resume '%s': %s", directory,
		                 errno == ENOENT ? "no such directory" : "not a directory");
	}
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", directory, JOB_OPTIONS_FILE) >=
	    (int)sizeof(path)) {
		*exit_code = EXIT_USAGE;
		return error_set(error, "directory name too long: '%s'", directory);
	}
	if (access(path, F_OK) < 0) {
		*exit_code = EXIT_RESUME_REFUSED;
		return error_set(error, "cannot resume '%s': it holds no job (%s is missing)",
		                 directory, JOB_OPTIONS_FILE);
	}
	*exit_code = EXIT_RESUME_REFUSED;
	if (job_options_read_file(options, path, error) < 0)
		return -1;
	free(options->out);
	options->out = strdup(directory);
	if (!options->out)
		return error_set(error, "out of memory");
	*exit_code = EXIT_USAGE;
	if (parse_options_apply_line(line, options, error) < 0)
		return -1;
	*exit_code = EXIT_RESUME_REFUSED;
	return job_options_finish(options, true, error);
}

int command_resume(int argc, char **argv)
{
	/* An export job keeps its own command line (export.json). */
	if (argc >= 2 && argv[1][0] != '-' && export_job_present(argv[1]))
		return command_export_resume(argv[1], argc - 2, argv + 2);
	struct job_options options;
	struct parsed_command_line line;
	struct error error;
	int exit_code = EXIT_USAGE;
	error_clear(&error);
	job_options_init(&options);
	if (parse_options_argv(&job_option_table, SCOPE_RESUME, argv[0], argc, argv, &line,
	                       &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (line.help) {
		help_command(stdout, "resume");
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (line.positional_count != 1) {
		error_set(&error, "resume needs exactly one job directory (OUTDIR); see "
		                  "'lattigo-batch resume --help'");
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (load_resume_options(&options, line.positional[0], &line, &error, &exit_code) < 0) {
		exit_code = report_error(&error, exit_code);
		goto out;
	}
	if (options.step_count) {
		exit_code = check_steps_confirmation(&options, &error) < 0
		                ? report_error(&error, EXIT_USAGE)
		                : steps_run(&options);
		goto out;
	}
	const struct op *op = pipeline_find_op(options.op, &error);
	if (!op) {
		exit_code = report_error(&error, EXIT_RESUME_REFUSED);
		goto out;
	}
	if (check_confirmation(op, &options, &error) < 0 ||
	    verify_option_check(op, &options, &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	exit_code = run_job(&options);
out:
	parsed_command_line_release(&line);
	job_options_release(&options);
	return exit_code;
}
