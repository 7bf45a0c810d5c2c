/* Unit tests for the progress display: mode choice, the snapshot arithmetic
 * (resumed and invalid rows included), the line text, redraw throttling and
 * the closing summary table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void snapshot_adds_earlier_outcomes_and_estimates_time_left(void **state)
{
	(void)state;
	uint64_t before[ROW_STATUS_COUNT] = {0};
	before[ROW_OK] = 500;
	before[ROW_INVALID] = 20;
	before[ROW_ERROR] = 5;
	struct progress progress;
	progress_init(&progress, PROGRESS_OFF, stderr, 2025, before);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	stats.rows_ok = 480;
	stats.rows_error = 15;
	stats.rows_unknown = 5;
	stats.in_flight = 8;
	stats.elapsed_ms = 2000;
	struct progress_snapshot snapshot;
	progress_snapshot_from_stats(&progress, &stats, &snapshot);
	assert_int_equal(snapshot.rows_done, 1025);
	assert_int_equal(snapshot.ok, 980);
	assert_int_equal(snapshot.error, 20);
	assert_int_equal(snapshot.unknown, 5);
	assert_int_equal(snapshot.invalid, 20);
	assert_int_equal(snapshot.in_flight, 8);
	assert_true(snapshot.rows_per_second == 250.0);
	assert_int_equal(snapshot.eta_seconds, 4);
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
	assert_string_equal(progress_format_line(&snapshot, line, sizeof(line)),
	                    "rows 1234/20000 (6%) | ok 1200 error 30 unknown 4 invalid 0 | "
	                    "in flight 8 | 412.3 rows/s | ETA 1h02m");
	snapshot.rows_total = 0;
	snapshot.eta_seconds = -1;
	assert_string_equal(progress_format_line(&snapshot, line, sizeof(line)),
	                    "rows 1234 | ok 1200 error 30 unknown 4 invalid 0 | in flight 8 | "
	                    "412.3 rows/s | ETA ?");
	snapshot.eta_seconds = 75;
	progress_format_line(&snapshot, line, sizeof(line));
	assert_non_null(strstr(line, "ETA 1m15s"));
	/* rows the preflight found in place show once there are any */
	snapshot.unchanged = 17;
	assert_non_null(strstr(progress_format_line(&snapshot, line, sizeof(line)),
	                       "ok 1200 unchanged 17 error 30"));
	snapshot.unchanged = 0;
	/* A short buffer truncates, never overflows. */
	char tiny[10];
	assert_string_equal(progress_format_line(&snapshot, tiny, sizeof(tiny)), "rows 1234");
}

static void plain_mode_prints_lines_at_most_every_few_seconds(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	struct progress progress;
	progress_init(&progress, PROGRESS_PLAIN, stream, 10, NULL);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	stats.rows_ok = 3;
	stats.elapsed_ms = 1000;
	progress_update(&progress, &stats);
	stats.rows_ok = 4;
	progress_update(&progress, &stats); /* too soon: nothing */
	progress_clear(&progress);          /* plain lines need no clearing */
	fclose(stream);
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
	struct progress progress;
	progress_init(&progress, PROGRESS_TTY, stream, 0, NULL);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	progress_sink_callback(&progress, &stats);
	progress_clear(&progress);
	progress_clear(&progress);
	fclose(stream);
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
	progress_init(&progress, PROGRESS_OFF, stream, 0, NULL);
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	progress_update(&progress, &stats);
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
	summary.directory = "out/lot-cost-center";
	summary.rows_total = 20050;
	summary.counts[ROW_OK] = 20000;
	summary.counts[ROW_ERROR] = 30;
	summary.counts[ROW_INVALID] = 20;
	summary.rows_this_run = 20030;
	summary.calls = 201;
	summary.retries = 3;
	summary.throttled = 2;
	summary.wall_ms = 12340;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	progress_print_summary(stream, &summary);
	fclose(stream);
	assert_string_equal(text, "cost-center finished: 20050 rows in 12.3 s\n"
	                          "  ok              20000\n"
	                          "  error              30\n"
	                          "  invalid            20\n"
	                          "  calls 201, retries 3, throttled 2, 1623.2 rows/s\n"
	                          "  results: out/lot-cost-center/results.csv  errors: "
	                          "out/lot-cost-center/errors.csv  summary: "
	                          "out/lot-cost-center/summary.json\n"
	                          "  report: out/lot-cost-center/report.html\n");
	free(text);
}

static void interrupted_summary_says_how_to_resume(void **state)
{
	(void)state;
	struct job_summary summary;
	memset(&summary, 0, sizeof(summary));
	summary.op = "note";
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
	assert_string_equal(text, "note stopped early: 10 rows in 1.23 s (run the same command "
	                          "again to resume)\n"
	                          "  ok                  4\n"
	                          "  unknown             1\n"
	                          "  pending             5\n"
	                          "  calls 5, retries 0, throttled 0, 4.1 rows/s\n");
	free(text);
}

/* A job over in milliseconds shows its time in ms and no rows/s; one row is "row". */
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
	summary.wall_ms = 3;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	assert_non_null(stream);
	progress_print_summary(stream, &summary);
	fclose(stream);
	assert_string_equal(text, "activate finished: 1 row in 3 ms\n"
	                          "  ok                  1\n"
	                          "  calls 1, retries 0, throttled 0\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mode_follows_quiet_forced_and_tty),
	    cmocka_unit_test(snapshot_adds_earlier_outcomes_and_estimates_time_left),
	    cmocka_unit_test(line_shows_counts_rate_and_eta),
	    cmocka_unit_test(plain_mode_prints_lines_at_most_every_few_seconds),
	    cmocka_unit_test(tty_mode_redraws_in_place_and_clears),
	    cmocka_unit_test(off_mode_prints_nothing),
	    cmocka_unit_test(summary_table_lists_statuses_figures_and_outputs),
	    cmocka_unit_test(interrupted_summary_says_how_to_resume),
	    cmocka_unit_test(tiny_job_summary_has_no_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
