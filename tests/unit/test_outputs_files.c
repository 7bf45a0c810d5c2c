/* Unit tests for the job directory's files: results.csv and errors.csv from a
 * manifest joined with an outcome store (CSV and JSONL), the shared errors
 * writer, and summary.json. Expected texts are written out in full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "manifest/manifest.h"
#include "outputs/atomic_file.h"
#include "outputs/errors_writer.h"
#include "outputs/results_writer.h"
#include "outputs/run_history.h"
#include "outputs/summary.h"

#define WHEN_MS INT64_C(1764098147123)
#define WHEN    "2025-11-25T19:15:47.123Z"

struct fixture {
	char directory[64];
	struct outcome_store *store;
};

static int make_directory(void **state)
{
	struct fixture *fixture = calloc(1, sizeof(*fixture));
	assert_non_null(fixture);
	snprintf(fixture->directory, sizeof(fixture->directory), "/tmp/test-outputs-XXXXXX");
	assert_non_null(mkdtemp(fixture->directory));
	struct error error;
	error_clear(&error);
	fixture->store = outcome_store_open(fixture->directory, OUTCOME_STORE_OPEN, &error);
	assert_non_null(fixture->store);
	*state = fixture;
	return 0;
}

static int remove_directory(void **state)
{
	struct fixture *fixture = *state;
	static const char *const names[] = {OUTCOME_INDEX_FILE, OUTCOME_MESSAGE_FILE,
	                                    RESULTS_FILE,       ERRORS_FILE,
	                                    SUMMARY_FILE,       RUN_HISTORY_FILE};
	outcome_store_close(fixture->store);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", fixture->directory, names[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(fixture->directory), 0); /* no temporary file left behind */
	free(fixture);
	return 0;
}

static void put(struct fixture *fixture, uint64_t row, enum row_status status, int http_status,
                unsigned attempts, const char *message)
{
	struct row_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = status;
	outcome.http_status = http_status;
	outcome.attempts = attempts;
	outcome.finished_at_ms = WHEN_MS;
	snprintf(outcome.message, sizeof(outcome.message), "%s", message);
	struct error error;
	error_clear(&error);
	assert_int_equal(outcome_store_put(fixture->store, row, &outcome, &error), 0);
}

static char *read_output(const struct fixture *fixture, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, name);
	FILE *file = fopen(path, "rb");
	assert_non_null(file);
	char *text = calloc(1, 8192);
	assert_non_null(text);
	size_t got = fread(text, 1, 8191, file);
	text[got] = '\0';
	fclose(file);
	return text;
}

static void assert_output(const struct fixture *fixture, const char *name, const char *expected)
{
	char *text = read_output(fixture, name);
	assert_string_equal(text, expected);
	free(text);
}

static void write_rows(struct fixture *fixture, const char *op_name, const char *manifest,
                       struct outputs_report *report)
{
	const struct op *op = op_find(op_name);
	assert_non_null(op);
	struct outputs_job job = {
	    .directory = fixture->directory, .op = op, .manifest_path = manifest};
	struct error error;
	error_clear(&error);
	memset(report, 0, sizeof(*report));
	if (outputs_write_rows(&job, fixture->store, report, &error) < 0)
		fail_msg("%s", error.message);
}

static void csv_job_results_and_errors_in_row_order(void **state)
{
	struct fixture *fixture = *state;
	put(fixture, 5, ROW_UNKNOWN, 0, 1, "connection closed after the request was sent");
	put(fixture, 1, ROW_OK, 200, 1, "");
	put(fixture, 3, ROW_INVALID, 0, 0, "cost_center: required");
	put(fixture, 2, ROW_ERROR, 200, 2, "Error: Device not found");
	struct outputs_report report;
	write_rows(fixture, "cost-center", TEST_DATA_DIR "/outputs/cost-center.csv", &report);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,device_name,id_type\n"
	              "1,ok,200,,1," WHEN ",dev-1,\n"
	              "2,error,200,Error: Device not found,2," WHEN ",\"dev,2\",\n"
	              "3,invalid,,cost_center: required,0," WHEN ",dev-3,\n"
	              "5,unknown,,connection closed after the request was sent,1," WHEN
	              ",'@dev-5,\n");
	assert_output(
	    fixture, ERRORS_FILE,
	    /* the manifest's CRLF line ends are kept (a value's own LF too) */
	    "Device_Name,cost_center,Colour,error,source_row,source_line\r\n"
	    "\"dev,2\",CC-200,\"'=HYPERLINK(\"\"x\"\")\",Error: Device not found,2,3\r\n"
	    "dev-3,,-5,cost_center: required,3,4\r\n"
	    "'@dev-5,CC-500,\"multi\nline\",outcome unknown (connection closed after "
	    "the request was sent): check the device before sending this row again,5,6\r\n");
	assert_int_equal(report.rows_total, 5);
	assert_int_equal(report.rows_written, 4);
	assert_int_equal(report.rows_pending, 1);
	assert_int_equal(report.error_rows, 3);
}

static void jsonl_job_errors_hold_every_key_seen(void **state)
{
	struct fixture *fixture = *state;
	put(fixture, 1, ROW_OK, 200, 1, "");
	put(fixture, 2, ROW_ERROR, 422, 1, "Error: field too long");
	put(fixture, 3, ROW_INVALID, 0, 0, "note: too long");
	struct outputs_report report;
	write_rows(fixture, "note", TEST_DATA_DIR "/outputs/note.jsonl", &report);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,device_name,id_type\n"
	              "1,ok,200,,1," WHEN ",n-1,\n"
	              "2,error,422,Error: field too long,1," WHEN ",n-2,imei\n"
	              "3,invalid,,note: too long,0," WHEN ",n-3,\n");
	assert_output(fixture, ERRORS_FILE,
	              "device_name,field_name,note,id_type,extra,error,source_row,source_line\n"
	              "n-2,note2,'+44 second,imei,,Error: field too long,2,2\n"
	              "n-3,note3,third,,x7,note: too long,3,3\n");
	assert_int_equal(report.error_rows, 2);
	/* On its own (as `validate --out` or a rebuild would), errors.csv comes out the same. */
	struct outputs_job job = {.directory = fixture->directory,
	                          .op = op_find("note"),
	                          .manifest_path = TEST_DATA_DIR "/outputs/note.jsonl"};
	struct error error;
	error_clear(&error);
	assert_int_equal(outputs_write_errors(&job, fixture->store, &report, &error), 0);
	assert_output(fixture, ERRORS_FILE,
	              "device_name,field_name,note,id_type,extra,error,source_row,source_line\n"
	              "n-2,note2,'+44 second,imei,,Error: field too long,2,2\n"
	              "n-3,note3,third,,x7,note: too long,3,3\n");
}

static void activate_results_list_every_identifying_field(void **state)
{
	struct fixture *fixture = *state;
	put(fixture, 1, ROW_OK, 200, 1, "");
	struct outputs_report report;
	write_rows(fixture, "activate", TEST_DATA_DIR "/outputs/activate.csv", &report);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,iccid,imei,device_sku\n"
	              "1,ok,200,,1," WHEN ",8901260882310000007,356938035643809,\n");
	assert_output(fixture, ERRORS_FILE,
	              "iccid,imei,rate_plan_name,error,source_row,source_line\n");
	assert_int_equal(report.rows_pending, 0);
}

static void stdin_manifest_cannot_be_read_twice(void **state)
{
	struct fixture *fixture = *state;
	struct outputs_job job = {
	    .directory = fixture->directory, .op = op_find("note"), .manifest_path = "-"};
	struct error error;
	error_clear(&error);
	assert_int_equal(outputs_write_results(&job, fixture->store, NULL, &error), -1);
	assert_non_null(strstr(error.message, "read from stdin"));
}

static void errors_writer_replaces_an_existing_error_column(void **state)
{
	struct fixture *fixture = *state;
	const char *const columns[] = {"device_name", "Error", "cost_center"};
	struct error error;
	error_clear(&error);
	struct errors_writer *writer =
	    errors_writer_open(fixture->directory, columns, 3, NULL, &error);
	assert_non_null(writer);
	const char *const row[] = {"dev-1", "old reason", "-12.5"};
	assert_int_equal(errors_writer_row(writer, row, 3, 1, 2, "=new reason", &error), 0);
	const char *const short_row[] = {"dev-2"};
	assert_int_equal(errors_writer_row(writer, short_row, 1, 2, 3, "missing", &error), 0);
	assert_int_equal(errors_writer_rows(writer), 2);
	assert_int_equal(errors_writer_commit(writer, &error), 0);
	assert_output(fixture, ERRORS_FILE,
	              "device_name,Error,cost_center,source_row,source_line\n"
	              "dev-1,'=new reason,-12.5,1,2\n"
	              "dev-2,missing,,2,3\n");
}

static void errors_writer_abort_leaves_nothing(void **state)
{
	struct fixture *fixture = *state;
	const char *const columns[] = {"device_name"};
	struct error error;
	error_clear(&error);
	struct errors_writer *writer =
	    errors_writer_open(fixture->directory, columns, 1, NULL, &error);
	assert_non_null(writer);
	errors_writer_abort(writer);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, ERRORS_FILE);
	assert_int_equal(access(path, F_OK), -1);
}

/* A temporary left by a process killed before its rename (kill -9 of an
 * export --output, of a run writing results.csv) is removed by the next
 * writer of that file; one of a process still running is not. */
static void stale_temporaries_of_dead_processes_are_removed(void **state)
{
	struct fixture *fixture = *state;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child); /* a PID that has surely ended */
	char dead[160], alive[160], other[160], path[128];
	snprintf(path, sizeof(path), "%s/records.csv", fixture->directory);
	snprintf(dead, sizeof(dead), "%s.tmp.%ld", path, (long)child);
	snprintf(alive, sizeof(alive), "%s.tmp.%ld", path, (long)getppid());
	snprintf(other, sizeof(other), "%s/other.csv.tmp.%ld", fixture->directory, (long)child);
	const char *const made[] = {dead, alive, other};
	for (size_t index = 0; index < 3; index++) {
		FILE *file = fopen(made[index], "w");
		assert_non_null(file);
		fclose(file);
	}
	struct error error;
	error_clear(&error);
	struct atomic_file file;
	assert_int_equal(atomic_file_open(&file, path, &error), 0);
	fputs("x\n", file.stream);
	assert_int_equal(access(dead, F_OK), 0); /* nothing removed before the publication */
	assert_int_equal(atomic_file_commit(&file, &error), 0);
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(alive, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0); /* another file's */
	unlink(alive);
	unlink(other);
	unlink(path);
}

/* issue 16 #6: every value errors.csv guards against formula injection comes
 * back exactly as it was when the file is read as a manifest, and a cell the
 * guard did not touch is never changed (a user's own leading '). */
static void errors_csv_round_trips_every_formula_trigger(void **state)
{
	struct fixture *fixture = *state;
	static const char *const values[] = {
	    "=SUM(A1)", "+44 20", "-East Region", "@dev", "\tTAB", "\rCR", "\nLF",
	    "'=quoted", "''+two", "'plain",       "-5",   "'-5",   "=",    "'",
	    "",         "a'=b",   "-1.5e3",       "'@"};
	const size_t count = sizeof(values) / sizeof(values[0]);
	const char *const columns[] = {"device_name", "cost_center"};
	struct error error;
	error_clear(&error);
	struct errors_writer *writer =
	    errors_writer_open(fixture->directory, columns, 2, NULL, &error);
	assert_non_null(writer);
	for (size_t i = 0; i < count; i++) {
		const char *const row[] = {values[i], values[i]};
		assert_int_equal(errors_writer_row(writer, row, 2, i + 1, i + 2, values[i], &error),
		                 0);
	}
	assert_int_equal(errors_writer_commit(writer, &error), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, ERRORS_FILE);
	struct manifest *manifest = manifest_open(path, NULL, &error);
	if (!manifest)
		fail_msg("%s", error.message);
	assert_int_equal(manifest_column_count(manifest), 5);
	for (size_t i = 0; i < count; i++) {
		struct manifest_row row;
		assert_int_equal(manifest_next(manifest, &row, &error), 1);
		assert_null(row.problem);
		for (size_t column = 0; column < 3; column++) {
			const char *got = row.values[column] ? row.values[column] : "";
			if (strcmp(got, values[i]) != 0)
				fail_msg("row %zu column %zu: wrote '%s', read back '%s'", i + 1,
				         column + 1, values[i], got);
		}
	}
	manifest_close(manifest);
	/* the same cells in a file that is not an errors.csv are read as written */
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	fputs("device_name,cost_center\n'=SUM(A1),'-East\n", file);
	fclose(file);
	manifest = manifest_open(path, NULL, &error);
	assert_non_null(manifest);
	struct manifest_row row;
	assert_int_equal(manifest_next(manifest, &row, &error), 1);
	assert_string_equal(row.values[0], "'=SUM(A1)");
	assert_string_equal(row.values[1], "'-East");
	manifest_close(manifest);
}

/* issue 16 #8: a row with a reader-level problem still shows its key. */
static void results_show_the_key_of_unreadable_rows(void **state)
{
	struct fixture *fixture = *state;
	char manifest[] = "/tmp/test-outputs-manifest-XXXXXX.csv";
	int descriptor = mkstemps(manifest, 4);
	assert_true(descriptor >= 0);
	static const char content[] = "device_name,cost_center\n"
	                              "dev-1,CC,extra\n"
	                              "dev-2,\"\xff\"\n";
	assert_int_equal(write(descriptor, content, sizeof(content) - 1), sizeof(content) - 1);
	close(descriptor);
	put(fixture, 1, ROW_INVALID, 0, 0, "row has 3 fields, the header has 2");
	put(fixture, 2, ROW_INVALID, 0, 0, "cost_center: not UTF-8 text");
	struct outputs_report report;
	write_rows(fixture, "cost-center", manifest, &report);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,device_name,id_type\n"
	              "1,invalid,,\"row has 3 fields, the header has 2\",0," WHEN ",dev-1,\n"
	              "2,invalid,,cost_center: not UTF-8 text,0," WHEN ",dev-2,\n");
	unlink(manifest);
}

static void summary_json_holds_counts_figures_and_exit_status(void **state)
{
	struct fixture *fixture = *state;
	put(fixture, 1, ROW_OK, 200, 1, "");
	put(fixture, 2, ROW_OK, 200, 1, "");
	put(fixture, 4, ROW_INVALID, 0, 0, "imei: check digit wrong (Luhn)");
	struct job_summary summary = {.op = "cost-center",
	                              .manifest = "lot-42.csv",
	                              .directory = fixture->directory,
	                              .endpoint = "https://api.lattigo.com",
	                              .rows_this_run = 2,
	                              .calls = 3,
	                              .retries = 1,
	                              .throttled = 1,
	                              .started_at_ms = WHEN_MS,
	                              .finished_at_ms = WHEN_MS + 1500,
	                              .wall_ms = 1500};
	job_summary_count(&summary, fixture->store, 5);
	assert_int_equal(summary.counts[ROW_PENDING], 2);
	assert_int_equal(job_summary_exit_status(&summary), 3);
	summary.rows_total = 4;
	job_summary_count(&summary, fixture->store, 4);
	assert_int_equal(summary.counts[ROW_PENDING], 1);
	put(fixture, 3, ROW_OK, 200, 1, "");
	job_summary_count(&summary, fixture->store, 4);
	assert_int_equal(job_summary_exit_status(&summary), 1);
	summary.exit_status = job_summary_exit_status(&summary);
	struct error error;
	error_clear(&error);
	assert_int_equal(job_summary_write(&summary, &error), 0);
	assert_output(fixture, SUMMARY_FILE,
	              "{\n"
	              "  \"op\": \"cost-center\",\n"
	              "  \"manifest\": \"lot-42.csv\",\n"
	              "  \"endpoint\": \"https://api.lattigo.com\",\n"
	              "  \"rows_total\": 4,\n"
	              "  \"counts\": {\n"
	              "    \"ok\": 3,\n"
	              "    \"unchanged\": 0,\n"
	              "    \"error\": 0,\n"
	              "    \"invalid\": 1,\n"
	              "    \"unknown\": 0,\n"
	              "    \"skipped\": 0,\n"
	              "    \"pending\": 0\n"
	              "  },\n"
	              "  \"complete\": true,\n"
	              "  \"calls\": 3,\n"
	              "  \"retries\": 1,\n"
	              "  \"throttled\": 1,\n"
	              "  \"rows_this_run\": 2,\n"
	              "  \"wall_time_seconds\": 1.5,\n"
	              "  \"rows_per_second\": 1.333,\n"
	              "  \"started_at\": \"" WHEN "\",\n"
	              "  \"finished_at\": \"2025-11-25T19:15:48.623Z\",\n"
	              "  \"exit_status\": 1,\n"
	              "  \"running\": false,\n"
	              "  \"updated_at\": \"2025-11-25T19:15:48.623Z\"\n"
	              "}\n");
	/* A live snapshot while the manifest is still being read. */
	summary.live = true;
	summary.rows_total_unknown = true;
	summary.updated_at_ms = WHEN_MS + 1000;
	assert_int_equal(job_summary_write(&summary, &error), 0);
	assert_output(fixture, SUMMARY_FILE,
	              "{\n"
	              "  \"op\": \"cost-center\",\n"
	              "  \"manifest\": \"lot-42.csv\",\n"
	              "  \"endpoint\": \"https://api.lattigo.com\",\n"
	              "  \"rows_total\": null,\n"
	              "  \"counts\": {\n"
	              "    \"ok\": 3,\n"
	              "    \"unchanged\": 0,\n"
	              "    \"error\": 0,\n"
	              "    \"invalid\": 1,\n"
	              "    \"unknown\": 0,\n"
	              "    \"skipped\": 0,\n"
	              "    \"pending\": null\n"
	              "  },\n"
	              "  \"complete\": false,\n"
	              "  \"calls\": 3,\n"
	              "  \"retries\": 1,\n"
	              "  \"throttled\": 1,\n"
	              "  \"rows_this_run\": 2,\n"
	              "  \"wall_time_seconds\": 1.5,\n"
	              "  \"rows_per_second\": 1.333,\n"
	              "  \"started_at\": \"" WHEN "\",\n"
	              "  \"finished_at\": null,\n"
	              "  \"exit_status\": null,\n"
	              "  \"running\": true,\n"
	              "  \"updated_at\": \"2025-11-25T19:15:48.123Z\"\n"
	              "}\n");
	summary.live = false;
	summary.rows_total_unknown = false;
	put(fixture, 4, ROW_OK, 200, 1, "");
	job_summary_count(&summary, fixture->store, 4);
	assert_int_equal(job_summary_exit_status(&summary), 0);
	summary.interrupted = true;
	assert_int_equal(job_summary_exit_status(&summary), 3);
}

/* issue 10: a row the preflight found already in place is a success: results.csv
 * shows it, errors.csv does not list it, the job exits 0 with it. */
static void unchanged_rows_are_successes(void **state)
{
	struct fixture *fixture = *state;
	for (uint64_t row = 1; row <= 5; row++)
		put(fixture, row, row % 2 ? ROW_UNCHANGED : ROW_OK, row % 2 ? 0 : 200,
		    row % 2 ? 0 : 1, row % 2 ? "cost_center is already 'CC-1'" : "");
	struct outputs_report report;
	write_rows(fixture, "cost-center", TEST_DATA_DIR "/outputs/cost-center.csv", &report);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,device_name,id_type\n"
	              "1,unchanged,,cost_center is already 'CC-1',0," WHEN ",dev-1,\n"
	              "2,ok,200,,1," WHEN ",\"dev,2\",\n"
	              "3,unchanged,,cost_center is already 'CC-1',0," WHEN ",dev-3,\n"
	              "4,ok,200,,1," WHEN ",dev-4,\n"
	              "5,unchanged,,cost_center is already 'CC-1',0," WHEN ",'@dev-5,\n");
	assert_int_equal(report.error_rows, 0);
	struct job_summary summary = {.op = "cost-center"};
	job_summary_count(&summary, fixture->store, 5);
	assert_int_equal(summary.counts[ROW_UNCHANGED], 3);
	assert_int_equal(summary.counts[ROW_OK], 2);
	assert_int_equal(job_summary_exit_status(&summary), 0);
	put(fixture, 4, ROW_SKIPPED, 0, 0, "not sent");
	job_summary_count(&summary, fixture->store, 5);
	assert_int_equal(job_summary_exit_status(&summary), 1);
}

static const char *resolve_by_suffix(void *context, const struct record *record)
{
	(void)context;
	const char *name = record->value[FIELD_DEVICE_NAME];
	return name && strcmp(name, "dev-3") == 0 ? NULL : "resolved-name";
}

/* issue 10: a job whose rows may name devices by ICCID or IMEI shows the
 * device_name each resolved to next to the row's own identifier. */
static void results_show_the_resolved_device_name(void **state)
{
	struct fixture *fixture = *state;
	put(fixture, 1, ROW_OK, 200, 1, "");
	put(fixture, 3, ROW_ERROR, 0, 0, "not sent: no device with device_name dev-3");
	put(fixture, 4, ROW_INVALID, 0, 0, "cost_center: required");
	struct outputs_job job = {.directory = fixture->directory,
	                          .op = op_find("cost-center"),
	                          .manifest_path = TEST_DATA_DIR "/outputs/cost-center.csv",
	                          .resolve = resolve_by_suffix};
	struct error error;
	error_clear(&error);
	struct outputs_report report;
	assert_int_equal(outputs_write_rows(&job, fixture->store, &report, &error), 0);
	assert_output(fixture, RESULTS_FILE,
	              "row,status,http_status,message,attempts,finished_at,device_name,id_type,"
	              "resolved_device_name\n"
	              "1,ok,200,,1," WHEN ",dev-1,,resolved-name\n"
	              "3,error,,not sent: no device with device_name dev-3,0," WHEN ",dev-3,,\n"
	              "4,invalid,,cost_center: required,0," WHEN ",dev-4,,\n");
}

/* The runs of a job: written with the summary, read back on the next run;
 * a run killed while it ran takes what no finished run accounts for. */
/* Appends raw text to DIRECTORY/runs.jsonl (a torn line, another job's line). */
static void append_runs(const struct fixture *fixture, const char *text)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, RUN_HISTORY_FILE);
	FILE *file = fopen(path, "ab");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void runs_are_kept_and_a_killed_run_gets_its_share(void **state)
{
	struct fixture *fixture = *state;
	struct error error;
	error_clear(&error);
	/* run 1: starts from nothing, ends with exit 3 after 100 rows, 10 calls */
	struct job_totals nothing = {0};
	struct run_history history;
	assert_int_equal(run_history_load(&history, fixture->directory, "job1", &nothing, &error),
	                 0);
	assert_int_equal(history.count, 0);
	struct run_entry *run = run_history_begin(&history, WHEN_MS, 0, &nothing, &error);
	assert_non_null(run);
	assert_true(run->running);
	run->ended_at_ms = WHEN_MS + 1000;
	run->wall_ms = 1000;
	run->exit_status = 3;
	assert_int_equal(run_history_end(&history, &error), 0);
	assert_false(history.entries[0].running);
	run_history_release(&history);
	/* run 2: starts from the checkpoint's 100 rows, is killed (no end line);
	 * whatever its live summary.json said, it did what the job gained */
	struct job_totals after_one = {
	    .rows_settled = 100, .calls = 10, .last_written_ms = WHEN_MS + 900};
	assert_int_equal(run_history_load(&history, fixture->directory, "job1", &after_one, &error),
	                 0);
	assert_int_equal(history.count, 1);
	assert_int_equal(history.entries[0].rows_settled, 100);
	assert_int_equal(history.entries[0].calls, 10);
	assert_non_null(run_history_begin(&history, WHEN_MS + 5000, 2, &after_one, &error));
	run_history_release(&history);
	/* a power loss tore a line; another job's line is not this job's */
	append_runs(fixture, "{\"job\":\"job1\",\"run\":\"end\",\"ended_");
	/* run 3: the killed run gets 100 rows and 11 calls, ends at the job's last record */
	struct job_totals after_two = {
	    .rows_settled = 200, .calls = 21, .retries = 1, .last_written_ms = WHEN_MS + 9000};
	assert_int_equal(run_history_load(&history, fixture->directory, "job1", &after_two, &error),
	                 0);
	assert_int_equal(history.count, 2);
	assert_int_equal(history.entries[0].rows_settled, 100);
	assert_int_equal(history.entries[0].exit_status, 3);
	assert_int_equal(history.entries[0].wall_ms, 1000);
	assert_false(history.entries[0].killed);
	assert_true(history.entries[1].killed);
	assert_false(history.entries[1].running);
	assert_int_equal(history.entries[1].rows_settled, 100);
	assert_int_equal(history.entries[1].calls, 11);
	assert_int_equal(history.entries[1].retries, 1);
	assert_int_equal(history.entries[1].in_doubt_at_start, 2);
	assert_int_equal(history.entries[1].exit_status, -1);
	assert_int_equal(history.entries[1].ended_at_ms, WHEN_MS + 9000);
	assert_int_equal(history.entries[1].wall_ms, 4000);
	struct run_entry *next =
	    run_history_begin(&history, WHEN_MS + 20000, 3, &after_two, &error);
	assert_non_null(next);
	assert_true(next->running);
	assert_int_equal(history.count, 3);
	assert_int_equal(run_history_wall_ms(&history), 5000);
	run_history_release(&history);
	/* the line after the torn one is read: run 3 (killed too) is listed */
	struct job_totals after_three = {.rows_settled = 250, .calls = 30};
	assert_int_equal(
	    run_history_load(&history, fixture->directory, "job1", &after_three, &error), 0);
	assert_int_equal(history.count, 3);
	assert_true(history.entries[2].killed);
	assert_int_equal(history.entries[2].rows_settled, 50);
	assert_int_equal(history.entries[2].in_doubt_at_start, 3);
	run_history_release(&history);
	/* another job's lines are not kept: what the job holds is one entry of
	 * unknown start (runs of a version without runs.jsonl) */
	struct job_totals other = {.rows_settled = 50, .calls = 5};
	assert_int_equal(run_history_load(&history, fixture->directory, "job2", &other, &error), 0);
	assert_int_equal(history.count, 1);
	assert_true(history.entries[0].killed);
	assert_int_equal(history.entries[0].started_at_ms, 0);
	assert_int_equal(history.entries[0].rows_settled, 50);
	run_history_release(&history);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(csv_job_results_and_errors_in_row_order, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(jsonl_job_errors_hold_every_key_seen, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(activate_results_list_every_identifying_field,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(stdin_manifest_cannot_be_read_twice, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(errors_writer_replaces_an_existing_error_column,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(errors_writer_abort_leaves_nothing, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(stale_temporaries_of_dead_processes_are_removed,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(errors_csv_round_trips_every_formula_trigger,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(results_show_the_key_of_unreadable_rows, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(summary_json_holds_counts_figures_and_exit_status,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(unchanged_rows_are_successes, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(results_show_the_resolved_device_name, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(runs_are_kept_and_a_killed_run_gets_its_share,
	                                    make_directory, remove_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
