/* Unit tests for the progress display: mode choice, the snapshot arithmetic
 * (resumed and invalid rows included), the line text, redraw throttling and
 * the closing summary table; export's progress line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export_progress.h"
#include "cli/progress.h"

static void mode_follows_quiet_forced_and_tty(void **state)
{
	(void)state;
	assert_int_equal(progress_choose_mode(true, true, true), PROGRESS_OFF);
	assert_int_equal(progress_choose_mode(false, false, true), PROGRESS_TTY);
	assert_int_equal(progress_choose_mode(false, true, true), PROGRESS_TTY);
	assert_int_equal(progress_choose_mode(false, false, false), PROGRESS_OFF);
	assert_int_equal(progress_choose_mode(false, true, false), PROGRESS_PLAIN);
}

static void snapshot_counts_the_job_and_rates_this_run(void **state)
{
	(void)state;
	/* the job's counts, all runs: 500 ok, 20 invalid and 5 error before this
	 * run, which settled 480 ok, 15 error and 5 unknown more */
	uint64_t counts[ROW_STATUS_COUNT] = {0};
	counts[ROW_OK] = 980;
	counts[ROW_INVALID] = 20;
	counts[ROW_ERROR] = 20;
	counts[ROW_UNKNOWN] = 5;
	struct progress progress;
	progress_init(&progress, PROGRESS_OFF, stderr, 2025, 525);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	stats.in_flight = 8;
	stats.elapsed_ms = 2000;
	struct progress_snapshot snapshot;
	progress_snapshot_fill(&progress, counts, &stats, &snapshot);
	assert_int_equal(snapshot.rows_done, 1025);
	assert_int_equal(snapshot.rows_total, 2025);
	assert_int_equal(snapshot.ok, 980);
	assert_int_equal(snapshot.error, 20);
	assert_int_equal(snapshot.unknown, 5);
	assert_int_equal(snapshot.invalid, 20);
	assert_int_equal(snapshot.in_flight, 8);
	assert_true(snapshot.rows_per_second == 250.0);
	assert_int_equal(snapshot.eta_seconds, 4);
}

/* Until the manifest is counted the line shows no total (an estimate would
 * shift); the estimate still gives an ETA. */
static void estimate_gives_an_eta_but_no_total(void **state)
{
	(void)state;
	uint64_t counts[ROW_STATUS_COUNT] = {0};
	counts[ROW_OK] = 100;
	struct progress progress;
	progress_init(&progress, PROGRESS_OFF, stderr, 0, 0);
	progress.rows_estimate = 300;
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	stats.elapsed_ms = 1000;
	struct progress_snapshot snapshot;
	progress_snapshot_fill(&progress, counts, &stats, &snapshot);
	assert_int_equal(snapshot.rows_total, 0);
	assert_int_equal(snapshot.eta_seconds, 2);
	char line[256];
	assert_string_equal(progress_format_line(&snapshot, 0, line, sizeof(line)),
	                    "rows 100 | ok 100 error 0 unknown 0 invalid 0 | in flight 0 | "
	                    "100.0 rows/s | ETA 2s");
}

static void line_shows_counts_rate_and_eta(void **state)
{
	(void)state;
	struct progress_snapshot snapshot = {.rows_total = 20000,
	                                     .rows_done = 1234,
	                                     .ok = 1200,
	                                     .error = 30,
	                                     .unknown = 4,
	                                     .invalid = 0,
	                                     .in_flight = 8,
	                                     .rows_per_second = 412.26,
	                                     .eta_seconds = 3725};
	char line[256];
	assert_string_equal(progress_format_line(&snapshot, 0, line, sizeof(line)),
	                    "rows 1,234/20,000 (6%) | ok 1,200 error 30 unknown 4 invalid 0 | "
	                    "in flight 8 | 412.3 rows/s | ETA 1h02m");
	snapshot.rows_total = 0;
	snapshot.eta_seconds = -1;
	assert_string_equal(progress_format_line(&snapshot, 0, line, sizeof(line)),
	                    "rows 1,234 | ok 1,200 error 30 unknown 4 invalid 0 | in flight 8 | "
	                    "412.3 rows/s | ETA ?");
	snapshot.eta_seconds = 75;
	progress_format_line(&snapshot, 0, line, sizeof(line));
	assert_non_null(strstr(line, "ETA 1m15s"));
	/* rows the preflight found in place show once there are any */
	snapshot.unchanged = 17;
	assert_non_null(strstr(progress_format_line(&snapshot, 0, line, sizeof(line)),
	                       "ok 1,200 unchanged 17 error 30"));
	snapshot.unchanged = 0;
	/* A short buffer truncates, never overflows. */
	char tiny[10];
	assert_string_equal(progress_format_line(&snapshot, 0, tiny, sizeof(tiny)), "rows 1,23");
}

/* A large job: the line drops and abbreviates fields to stay shorter than
 * the terminal (a line filling the last column would wrap). */
static void line_fits_80_and_60_columns(void **state)
{
	(void)state;
	struct progress_snapshot snapshot = {.rows_total = 1000000,
	                                     .rows_done = 412345,
	                                     .ok = 400000,
	                                     .error = 12000,
	                                     .unknown = 345,
	                                     .invalid = 0,
	                                     .in_flight = 16,
	                                     .rows_per_second = 2412.26,
	                                     .eta_seconds = 1425};
	char line[256];
	progress_format_line(&snapshot, 80, line, sizeof(line));
	assert_true(strlen(line) < 80);
	assert_string_equal(line, "412,345/1,000,000 (41%) | ok 400,000 err 12,000 unk 345 inv 0 | "
	                          "ETA 23m45s");
	progress_format_line(&snapshot, 60, line, sizeof(line));
	assert_true(strlen(line) < 60);
	assert_string_equal(line, "412,345/1,000,000 (41%) ok 400,000 err 12,000 ETA 23m45s");
	/* a small job abbreviates at 80 columns, keeps every field at 100 */
	struct progress_snapshot small = {.rows_total = 2000,
	                                  .rows_done = 1200,
	                                  .ok = 1190,
	                                  .error = 10,
	                                  .in_flight = 2,
	                                  .rows_per_second = 40.0,
	                                  .eta_seconds = 20};
	progress_format_line(&small, 80, line, sizeof(line));
	assert_string_equal(line, "rows 1,200/2,000 (60%) | ok 1,190 err 10 unk 0 inv 0 | 40/s | "
	                          "ETA 20s");
	progress_format_line(&small, 120, line, sizeof(line));
	assert_string_equal(line,
	                    "rows 1,200/2,000 (60%) | ok 1,190 error 10 unknown 0 invalid 0 | "
	                    "in flight 2 | 40.0 rows/s | ETA 20s");
	/* below every form: cut at the width */
	progress_format_line(&snapshot, 20, line, sizeof(line));
	assert_int_equal(strlen(line), 19);
}

static void width_comes_from_columns(void **state)
{
	(void)state;
	setenv("COLUMNS", "60", 1);
	assert_int_equal(progress_width(stderr), 60);
	setenv("COLUMNS", "junk", 1);
	size_t width = progress_width(stderr);
	assert_true(width > 1);
	unsetenv("COLUMNS");
}

static void plain_mode_prints_lines_at_most_every_few_seconds(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	setenv("COLUMNS", "200", 1);
	struct progress progress;
	progress_init(&progress, PROGRESS_PLAIN, stream, 10, 0);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	uint64_t counts[ROW_STATUS_COUNT] = {0};
	counts[ROW_OK] = 3;
	stats.elapsed_ms = 1000;
	progress_update(&progress, counts, &stats);
	counts[ROW_OK] = 4;
	progress_update(&progress, counts, &stats); /* too soon: nothing */
	progress_clear(&progress);                  /* plain lines need no clearing */
	fclose(stream);
	unsetenv("COLUMNS");
	assert_string_equal(text,
	                    "rows 3/10 (30%) | ok 3 error 0 unknown 0 invalid 0 | in flight 0 "
	                    "| 3.0 rows/s | ETA 2s\n");
	free(text);
}

static void tty_mode_redraws_in_place_and_clears(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	setenv("COLUMNS", "200", 1);
	struct progress progress;
	progress_init(&progress, PROGRESS_TTY, stream, 0, 0);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	uint64_t counts[ROW_STATUS_COUNT] = {0};
	progress_update(&progress, counts, &stats);
	progress_clear(&progress);
	progress_clear(&progress);
	fclose(stream);
	unsetenv("COLUMNS");
	assert_string_equal(text, "\rrows 0 | ok 0 error 0 unknown 0 invalid 0 | in flight 0 | 0.0 "
	                          "rows/s | ETA ?\033[K\r\033[K");
	free(text);
}

static void off_mode_prints_nothing(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	struct progress progress;
	progress_init(&progress, PROGRESS_OFF, stream, 0, 0);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	uint64_t counts[ROW_STATUS_COUNT] = {0};
	progress_update(&progress, counts, &stats);
	progress_clear(&progress);
	fclose(stream);
	assert_string_equal(text, "");
	free(text);
}

static void summary_table_lists_statuses_figures_and_outputs(void **state)
{
	(void)state;
	struct job_summary summary;
	memset(&summary, 0, sizeof(summary));
	summary.op = "cost-center";
	summary.directory = "jobs/../out//lot-cost-center/";
	summary.rows_total = 20050;
	summary.counts[ROW_OK] = 20000;
	summary.counts[ROW_ERROR] = 30;
	summary.counts[ROW_INVALID] = 20;
	summary.rows_this_run = 20030;
	summary.calls = 201;
	summary.retries = 3;
	summary.throttled = 2;
	summary.wall_ms = 12340;
	struct run_entry runs[2] = {
	    {.rows_settled = 20, .calls = 1},
	    {.rows_settled = 20030, .calls = 200, .retries = 3, .throttled = 2}};
	summary.runs = runs;
	summary.run_count = 2;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	progress_print_summary(stream, &summary);
	fclose(stream);
	assert_string_equal(text, "cost-center finished: 20,050 rows\n"
	                          "  ok             20,000\n"
	                          "  error              30\n"
	                          "  invalid            20\n"
	                          "  job (2 runs): 201 calls, 3 retries, 2 throttled\n"
	                          "  this run: 20,030 rows, 200 calls, 3 retries, 2 throttled in "
	                          "12.3 s (1623.2 rows/s)\n"
	                          "  results: out/lot-cost-center/results.csv  errors: "
	                          "out/lot-cost-center/errors.csv  summary: "
	                          "out/lot-cost-center/summary.json\n"
	                          "  report: out/lot-cost-center/report.html\n");
	free(text);
}

/* Stopped early: the rows done of the total (not the total as if done), and
 * one way to resume. */
static void interrupted_summary_says_how_to_resume(void **state)
{
	(void)state;
	struct job_summary summary;
	memset(&summary, 0, sizeof(summary));
	summary.op = "note";
	summary.directory = "out/notes";
	summary.rows_total = 10;
	summary.counts[ROW_OK] = 4;
	summary.counts[ROW_UNKNOWN] = 1;
	summary.counts[ROW_PENDING] = 5;
	summary.rows_this_run = 5;
	summary.calls = 5;
	summary.wall_ms = 1234;
	summary.interrupted = true;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	progress_print_summary(stream, &summary);
	fclose(stream);
	assert_string_equal(text, "note stopped early: 5 of 10 rows done\n"
	                          "  ok                  4\n"
	                          "  unknown             1\n"
	                          "  pending             5\n"
	                          "  job (1 run): 5 calls, 0 retries, 0 throttled\n"
	                          "  this run: 5 rows in 1.23 s (4.1 rows/s)\n"
	                          "  results: out/notes/results.csv  errors: out/notes/errors.csv  "
	                          "summary: out/notes/summary.json\n"
	                          "  report: out/notes/report.html\n"
	                          "  resume with: lattigo-batch resume out/notes\n");
	free(text);
}

/* A job over in milliseconds shows its time in ms and no rows/s; one row is
 * "row", one call "call", one retry "retry". */
static void tiny_job_summary_has_no_rate(void **state)
{
	(void)state;
	struct job_summary summary;
	memset(&summary, 0, sizeof(summary));
	summary.op = "activate";
	summary.rows_total = 1;
	summary.counts[ROW_OK] = 1;
	summary.rows_this_run = 1;
	summary.calls = 1;
	summary.retries = 1;
	summary.wall_ms = 3;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	progress_print_summary(stream, &summary);
	fclose(stream);
	assert_string_equal(text, "activate finished: 1 row\n"
	                          "  ok                  1\n"
	                          "  job (1 run): 1 call, 1 retry, 0 throttled\n"
	                          "  this run: 1 row in 3 ms\n");
	free(text);
}

static void export_line_shows_units_records_and_fits(void **state)
{
	(void)state;
	struct export_totals totals = {.units = 1234,
	                               .records = 75274,
	                               .errors = 2,
	                               .calls = 1301,
	                               .retries = 17,
	                               .listing_total = -1};
	char line[256];
	assert_string_equal(
	    export_progress_format_line(&totals, true, 41.25, 0, line, sizeof(line)),
	    "devices 1,234 | records 75,274 | not read 2 | reads 1,301, retries 17 | 41.2 reads/s");
	/* narrower terminals drop the reads, then the rate, then the errors */
	for (size_t width = 20; width <= 100; width++) {
		export_progress_format_line(&totals, true, 41.25, width, line, sizeof(line));
		assert_true(strlen(line) < width);
	}
	assert_string_equal(
	    export_progress_format_line(&totals, true, 41.25, 60, line, sizeof(line)),
	    "devices 1,234 | records 75,274 | not read 2 | 41 reads/s");
	/* an account listing: pages, and the records it says it holds */
	struct export_totals listing = {.units = 3, .records = 3000, .listing_total = 12400};
	assert_string_equal(
	    export_progress_format_line(&listing, false, 2.0, 40, line, sizeof(line)),
	    "pages 3 | records 3,000/12,400");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mode_follows_quiet_forced_and_tty),
	    cmocka_unit_test(snapshot_counts_the_job_and_rates_this_run),
	    cmocka_unit_test(estimate_gives_an_eta_but_no_total),
	    cmocka_unit_test(line_shows_counts_rate_and_eta),
	    cmocka_unit_test(line_fits_80_and_60_columns),
	    cmocka_unit_test(width_comes_from_columns),
	    cmocka_unit_test(plain_mode_prints_lines_at_most_every_few_seconds),
	    cmocka_unit_test(tty_mode_redraws_in_place_and_clears),
	    cmocka_unit_test(off_mode_prints_nothing),
	    cmocka_unit_test(summary_table_lists_statuses_figures_and_outputs),
	    cmocka_unit_test(interrupted_summary_says_how_to_resume),
	    cmocka_unit_test(tiny_job_summary_has_no_rate),
	    cmocka_unit_test(export_line_shows_units_records_and_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
