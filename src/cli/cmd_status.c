/* `lattigo-batch status OUTDIR`: a job's progress read from its checkpoint,
 * without taking the lock or changing any file, so it is safe while the job
 * runs. */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/path_display.h"
#include "common/parse_options.h"
#include "cli/job_directory.h"
#include "export/export_job.h"
#include "journal/journal.h"
#include "jobdir/lock.h"
#include "report/step_progress.h"

struct status_options {
	bool json;
};

static const struct parse_option status_option_rows[] = {
    {.name = "json",
     .type = PARSE_OPTION_FLAG,
     .offset = offsetof(struct status_options, json),
     .size = sizeof(bool),
     .help = "the same facts as one JSON object on stdout (field names: docs/outputs.md)"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table status_option_table = {
    .rows = status_option_rows,
    .count = sizeof(status_option_rows) / sizeof(status_option_rows[0]),
    .program = "lattigo-batch",
};

static void status_usage(FILE *stream)
{
	fputs("usage: lattigo-batch status OUTDIR [--json]\n"
	      "\n"
	      "Shows the job recorded in OUTDIR: operation, manifest, rows done of the total by\n"
	      "status, rows sent whose outcome is not recorded yet (in doubt), calls and\n"
	      "retries, start and last-update times, whether a live process is running it, and\n"
	      "whether the checkpoint ends in an incomplete record. Every figure is the job's,\n"
	      "all runs together: rows from the checkpoint, calls from the audit trail (the\n"
	      "same figures run and summary.json print). Reads only: it never takes the job's\n"
	      "lock and never changes a file, so it is safe while the job runs.\n"
	      "\n"
	      "\n",
	      stream);
	parse_options_print_help(&status_option_table, 0, stream);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch status out/lot-42-activate\n"
	      "  lattigo-batch status out/lot-42-activate --json | jq .counts\n"
	      "\n"
	      "exit status: 0 shown; 2 OUTDIR holds no job (or a usage error); 4 the\n"
	      "checkpoint is damaged or inconsistent.\n",
	      stream);
}

static void print_time(const char *label, int64_t epoch_ms)
{
	char text[40];
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	printf("%-13s%s\n", label, text);
}

static void print_rows(const struct journal_replay *replay)
{
	if (replay->row_total)
		printf("%-13s%" PRIu64 " of %" PRIu64 " done (%.1f%%)\n",
		       "rows:", replay->rows_final, replay->row_total,
		       100.0 * (double)replay->rows_final / (double)replay->row_total);
	else
		printf("%-13s%" PRIu64 " done (the manifest is not read to its end yet)\n",
		       "rows:", replay->rows_final);
	printf("%-13s", "by status:");
	for (size_t index = 0; index < row_status_order_count; index++)
		printf("%s%s %" PRIu64, index ? ", " : "", row_status_name(row_status_order[index]),
		       replay->rows_by_status[row_status_order[index]]);
	printf("\n%-13s%" PRIu64 "\n", "in doubt:", replay->rows_in_doubt);
}

/* A job with steps: one line per step, its rows by outcome, in doubt, and
 * for a step that waits for a verification how many were verified. */
static void print_steps(const struct step_progress *steps, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		const struct step_progress *step = &steps[index];
		printf("%-13s%s: %" PRIu64 " done (", index ? "" : "steps:", step->label,
		       step->done);
		for (size_t order = 0; order < row_status_order_count; order++)
			printf("%s%s %" PRIu64, order ? ", " : "",
			       row_status_name(row_status_order[order]),
			       step->by_status[row_status_order[order]]);
		printf("), in doubt %" PRIu64, step->in_doubt);
		if (step->verifies)
			printf("; verified %" PRIu64 ", not verified %" PRIu64 ", waiting %" PRIu64,
			       step->verified, step->not_verified, step->waiting);
		putchar('\n');
	}
}

static void print_text(const char *directory, const struct journal_read_result *result,
                       const struct journal_replay *replay, const struct audit_counts *calls,
                       bool running, pid_t holder, const struct step_progress *steps,
                       size_t step_count)
{
	char job_id[20];
	journal_job_id_text(result->header.job_id, job_id, sizeof(job_id));
	char shown[4096];
	printf("%-13s%s\n", "job:", path_display(directory, shown, sizeof(shown)));
	printf("%-13s%s\n", "operation:", result->header.operation);
	printf("%-13s%s (%" PRIu64 " bytes)\n", "manifest:", result->header.manifest_path,
	       result->header.fingerprint.size);
	printf("%-13s%s\n", "job id:", job_id);
	char *endpoint = job_directory_stored_endpoint(directory);
	printf("%-13s%s\n", "endpoint:", endpoint ? endpoint : "(not recorded)");
	free(endpoint);
	if (running && holder > 0)
		printf("%-13srunning (process %ld holds the lock)\n", "state:", (long)holder);
	else if (running)
		printf("%-13srunning (a process holds the lock)\n", "state:");
	else if (replay->job_finished)
		printf("%-13sfinished\n", "state:");
	else
		printf("%-13snot running, not finished (resume it with 'lattigo-batch resume "
		       "%s')\n",
		       "state:", shown);
	print_rows(replay);
	print_steps(steps, step_count);
	printf("%-13s%" PRIu64 " (retries %" PRIu64 ", throttled %" PRIu64 ")\n",
	       "calls:", calls->calls, calls->retries, calls->throttled);
	print_time("started:", result->header.created_at_ms);
	print_time("last update:", result->last_record_ms);
	if (!result->tail_torn)
		printf("%-13sintact (%" PRIu64 " records, %" PRIu64 " bytes)\n",
		       "checkpoint:", result->records, result->valid_bytes);
	else if (running)
		printf("%-13s%" PRIu64 " records; its last record is being written\n",
		       "checkpoint:", result->records);
	else
		printf("%-13s%" PRIu64 " records; the last %" PRIu64
		       " bytes are an incomplete record (a crash), dropped on resume\n",
		       "checkpoint:", result->records, result->file_bytes - result->valid_bytes);
}

static json_t *iso_time(int64_t epoch_ms)
{
	char text[40];
	if (epoch_ms <= 0)
		return json_null();
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	return json_string(text);
}

static json_t *count(uint64_t value)
{
	return json_integer((json_int_t)value);
}

static json_t *status_counts(const uint64_t *by_status)
{
	json_t *counts = json_object();
	for (size_t index = 0; counts && index < row_status_order_count; index++)
		json_object_set_new(counts, row_status_name(row_status_order[index]),
		                    count(by_status[row_status_order[index]]));
	return counts;
}

/* "steps" of a job with steps: each step's progress (docs/outputs.md). */
static json_t *steps_array(const struct step_progress *steps, size_t step_count)
{
	json_t *array = json_array();
	for (size_t index = 0; array && index < step_count; index++) {
		const struct step_progress *step = &steps[index];
		json_t *object = json_pack(
		    "{s:I, s:s, s:s, s:I, s:o, s:I, s:I}", "step", (json_int_t)step->number,
		    "label", step->label, "op", step->op, "done", (json_int_t)step->done, "counts",
		    status_counts(step->by_status), "in_doubt", (json_int_t)step->in_doubt, "calls",
		    (json_int_t)step->calls);
		if (object && step->verifies)
			json_object_set_new(object, "verification",
			                    json_pack("{s:I, s:I, s:I}", "verified",
			                              (json_int_t)step->verified, "not_verified",
			                              (json_int_t)step->not_verified, "waiting",
			                              (json_int_t)step->waiting));
		if (!object || json_array_append_new(array, object) != 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

/* --json: the facts of print_text as one object; field names are a stable
 * interface (docs/outputs.md), so add fields, never rename them. */
static int print_json(const char *directory, const struct journal_read_result *result,
                      const struct journal_replay *replay, const struct audit_counts *calls,
                      bool running, pid_t holder, const struct step_progress *steps,
                      size_t step_count)
{
	char job_id[20];
	char sha256[65];
	journal_job_id_text(result->header.job_id, job_id, sizeof(job_id));
	for (size_t index = 0; index < 32; index++)
		snprintf(sha256 + 2 * index, 3, "%02x", result->header.fingerprint.sha256[index]);
	const char *state = running ? "running" : replay->job_finished ? "finished" : "stopped";
	json_t *counts = status_counts(replay->rows_by_status);
	json_t *checkpoint =
	    json_pack("{s:b, s:b, s:I, s:I, s:I}", "intact", !result->tail_torn,
	              "tail_being_written", result->tail_torn && running, "records",
	              (json_int_t)result->records, "valid_bytes", (json_int_t)result->valid_bytes,
	              "torn_bytes", (json_int_t)(result->file_bytes - result->valid_bytes));
	json_t *root = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:o, s:o, "
	    "s:o}",
	    "job", directory, "job_id", job_id, "operation", result->header.operation,
	    "manifest_bytes", (json_int_t)result->header.fingerprint.size, "manifest",
	    result->header.manifest_path, "manifest_sha256", sha256, "state", state, "pid",
	    running && holder > 0 ? json_integer((json_int_t)holder) : json_null(), "rows_done",
	    (json_int_t)replay->rows_final, "rows_total",
	    replay->row_total ? count(replay->row_total) : json_null(), "percent_done",
	    replay->row_total ? json_real((double)(int64_t)(1000.0 * (double)replay->rows_final /
	                                                        (double)replay->row_total +
	                                                    0.5) /
	                                  10.0)
	                      : json_null(),
	    "counts", counts, "in_doubt", (json_int_t)replay->rows_in_doubt, "calls",
	    (json_int_t)calls->calls, "retries", (json_int_t)calls->retries, "started_at",
	    iso_time(result->header.created_at_ms), "last_update", iso_time(result->last_record_ms),
	    "checkpoint", checkpoint);
	char *endpoint = root ? job_directory_stored_endpoint(directory) : NULL;
	if (root) {
		json_object_set_new(root, "endpoint",
		                    endpoint ? json_string(endpoint) : json_null());
		json_object_set_new(root, "throttled", count(calls->throttled));
		if (step_count)
			json_object_set_new(root, "steps", steps_array(steps, step_count));
	}
	free(endpoint);
	if (!root) {
		fputs("lattigo-batch: status: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	int failed =
	    json_dumpf(root, stdout,
	               JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0 ||
	    fputc('\n', stdout) == EOF;
	json_decref(root);
	return failed ? EXIT_USAGE : EXIT_ALL_OK;
}

int command_status(int argc, char **argv)
{
	struct status_options options;
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	int parsed = parse_options_command(&status_option_table, 0, "status", &options, argc, argv,
	                                   &line, &error);
	const char *directory = line.positional_count == 1 ? line.positional[0] : NULL;
	bool json = options.json;
	if (parsed == 0 && line.positional_count > 1)
		parsed = error_set(&error,
		                   "status: unexpected argument '%s'; see 'lattigo-batch status "
		                   "--help'",
		                   line.positional[1]);
	parsed_command_line_release(&line);
	if (parsed == 1) {
		status_usage(stdout);
		return EXIT_ALL_OK;
	}
	if (parsed < 0) {
		return report_error(&error, EXIT_USAGE);
	}
	if (!directory) {
		status_usage(stderr);
		return EXIT_USAGE;
	}
	struct stat info;
	if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode)) {
		fprintf(stderr, "lattigo-batch: status: job directory '%s' does not exist\n",
		        directory);
		return EXIT_USAGE;
	}
	if (export_job_present(directory))
		return export_job_status(directory);
	char checkpoint[4096];
	snprintf(checkpoint, sizeof(checkpoint), "%s/%s", directory, JOURNAL_FILE_NAME);
	if (stat(checkpoint, &info) != 0) {
		fprintf(stderr, "lattigo-batch: status: '%s' holds no job (no checkpoint)\n",
		        directory);
		return EXIT_USAGE;
	}
	struct journal_read_result result;
	struct journal_replay replay;
	int exit_code = EXIT_ALL_OK;
	if (journal_summarize(directory, &result, &replay, &error)) {
		fprintf(stderr, "lattigo-batch: status: %s\n", error.message);
		exit_code = EXIT_RESUME_REFUSED;
		goto out;
	}
	/* calls are the audit trail's exchanges: the one count run and
	 * summary.json print too */
	struct audit_counts calls;
	snprintf(checkpoint, sizeof(checkpoint), "%s/%s", directory, AUDIT_FILE_NAME);
	if (audit_read_counts(checkpoint, &calls, &error) < 0) {
		fprintf(stderr, "lattigo-batch: status: %s\n", error.message);
		exit_code = EXIT_RESUME_REFUSED;
		goto out;
	}
	struct step_progress steps[STEP_PROGRESS_MAX];
	int step_count = step_progress_read(directory, steps, STEP_PROGRESS_MAX, &error);
	if (step_count < 0) {
		fprintf(stderr, "lattigo-batch: status: %s\n", error.message);
		exit_code = EXIT_RESUME_REFUSED;
		goto out;
	}
	pid_t holder = 0;
	bool running = job_lock_is_held(directory, &holder);
	if (json)
		exit_code = print_json(directory, &result, &replay, &calls, running, holder, steps,
		                       (size_t)step_count);
	else
		print_text(directory, &result, &replay, &calls, running, holder, steps,
		           (size_t)step_count);
out:
	journal_replay_release(&replay);
	journal_header_release(&result.header);
	return exit_code;
}
