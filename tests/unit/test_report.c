/* Unit tests of report.html's pieces: the timeline's doubling buckets, the
 * latency percentiles and histogram, message groups, HTML escaping and the
 * ISO time parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/chart.h"
#include "report/groups.h"
#include "report/latency.h"
#include "report/report_data.h"
#include "report/timeline.h"

static void timeline_doubles_and_keeps_totals(void **state)
{
	(void)state;
	static struct timeline timeline;
	timeline_init(&timeline, 1000, 10);
	timeline_at(&timeline, 1000)->rows_ok++;    /* bucket 0 */
	timeline_at(&timeline, 1015)->rows_ok++;    /* bucket 1 */
	timeline_at(&timeline, 500)->rows_failed++; /* before the origin: bucket 0 */
	assert_int_equal(timeline.used, 2);
	assert_int_equal(timeline.width_ms, 10);
	/* 10 s after the origin needs 1000 buckets of 10 ms: the width doubles to 160 ms */
	timeline_at(&timeline, 11000)->calls += 3;
	assert_true(timeline.used <= TIMELINE_BUCKETS);
	assert_int_equal(timeline.width_ms, 160);
	assert_int_equal(timeline.buckets[0].rows_ok, 2);
	assert_int_equal(timeline.buckets[0].rows_failed, 1);
	assert_int_equal(timeline.buckets[10000 / 160].calls, 3);
	uint64_t ok = 0, calls = 0;
	for (size_t index = 0; index < TIMELINE_BUCKETS; index++) {
		ok += timeline.buckets[index].rows_ok;
		calls += timeline.buckets[index].calls;
	}
	assert_int_equal(ok, 2);
	assert_int_equal(calls, 3);
}

static void timeline_spreads_busy_time(void **state)
{
	(void)state;
	static struct timeline timeline;
	timeline_init(&timeline, 0, 100);
	timeline_add_busy(&timeline, 50, 250); /* 50 ms in bucket 0, 100 in 1, 50 in 2 */
	assert_int_equal(timeline.used, 3);
	assert_true(timeline.buckets[0].busy_ms == 50.0);
	assert_true(timeline.buckets[1].busy_ms == 100.0);
	assert_true(timeline.buckets[2].busy_ms == 50.0);
	/* widening later keeps the total */
	timeline_at(&timeline, 100 * TIMELINE_BUCKETS * 4);
	double total = 0.0;
	for (size_t index = 0; index < TIMELINE_BUCKETS; index++)
		total += timeline.buckets[index].busy_ms;
	assert_true(total == 200.0);
	assert_true(timeline.buckets[0].busy_ms == 200.0); /* width 800: all in bucket 0 */
}

static void latency_percentiles_are_nearest_rank(void **state)
{
	(void)state;
	struct latency_stats stats;
	assert_int_equal(latency_stats_init(&stats), 0);
	assert_int_equal(latency_stats_percentile(&stats, 500), 0);
	for (uint64_t ms = 1; ms <= 100; ms++)
		latency_stats_add(&stats, ms);
	assert_int_equal(latency_stats_percentile(&stats, 500), 50);
	assert_int_equal(latency_stats_percentile(&stats, 900), 90);
	assert_int_equal(latency_stats_percentile(&stats, 990), 99);
	latency_stats_add(&stats, 90000); /* beyond the exact range */
	assert_int_equal(stats.max_ms, 90000);
	assert_int_equal(latency_stats_percentile(&stats, 1000), 90000);
	uint64_t bins[LATENCY_BINS];
	latency_stats_bins(&stats, bins);
	assert_int_equal(bins[0], 1); /* 1 ms in [0, 2) */
	assert_int_equal(bins[1], 3); /* 2..4 */
	assert_int_equal(bins[6], 1); /* 100 in [100, 200) */
	assert_int_equal(bins[LATENCY_BINS - 1], 1);
	uint64_t sum = 0;
	for (size_t index = 0; index < LATENCY_BINS; index++)
		sum += bins[index];
	assert_int_equal(sum, 101);
	latency_stats_release(&stats);
}

static void groups_merge_messages_that_differ_in_numbers(void **state)
{
	(void)state;
	struct group_set set;
	group_set_init(&set);
	char message[64];
	for (uint64_t row = 1; row <= 10; row++) {
		snprintf(message, sizeof(message), "duplicate of row %llu",
		         (unsigned long long)row);
		assert_int_equal(group_set_add(&set, ROW_INVALID, row + 100, 0, message), 0);
	}
	assert_int_equal(group_set_add(&set, ROW_ERROR, 7, 200, "Error: Device not found"), 0);
	assert_int_equal(group_set_add(&set, ROW_UNKNOWN, 9, 0, "connection reset"), 0);
	assert_int_equal(group_set_add(&set, ROW_ERROR, 8, 200, "Error: Device not found"), 0);
	group_set_sort(&set);
	assert_int_equal(set.used, 3);
	assert_int_equal(set.groups[0].status, ROW_ERROR);
	assert_int_equal(set.groups[0].count, 2);
	assert_string_equal(set.groups[1].key, "duplicate of row #");
	assert_int_equal(set.groups[1].count, 10);
	assert_int_equal(set.groups[1].samples, GROUP_SAMPLE_ROWS);
	assert_int_equal(set.groups[1].sample[0].row, 101);
	assert_string_equal(set.groups[1].sample[0].message, "duplicate of row 1");
	assert_int_equal(set.groups[2].status, ROW_UNKNOWN);
	group_set_release(&set);
}

static void groups_are_bounded(void **state)
{
	(void)state;
	struct group_set set;
	group_set_init(&set);
	char message[64];
	for (unsigned index = 0; index < GROUP_MAX + 20; index++) {
		snprintf(message, sizeof(message), "kind %c%c%c", 'a' + index % 26,
		         'a' + index / 26 % 26, 'a' + index / 676);
		assert_int_equal(group_set_add(&set, ROW_ERROR, index + 1, 0, message), 0);
	}
	assert_int_equal(set.used, GROUP_MAX);
	assert_int_equal(set.ungrouped, 20);
	group_set_release(&set);
}

static void escaping_leaves_no_markup(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	assert_non_null(out);
	html_escape(out, "<script>alert('x')</script> & \"q\"\x01");
	fclose(out);
	assert_string_equal(text, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	                          "&quot;q&quot;\xef\xbf\xbd");
	free(text);
}

static void parses_iso_times(void **state)
{
	(void)state;
	int64_t ms = 0;
	const char *text = "2025-11-25T19:15:47.123Z";
	assert_int_equal(report_parse_time(text, strlen(text), &ms), 0);
	assert_int_equal(ms, INT64_C(1764098147123));
	text = "1970-01-01T00:00:00Z";
	assert_int_equal(report_parse_time(text, strlen(text), &ms), 0);
	assert_int_equal(ms, 0);
	text = "2024-02-29T23:59:59.999Z\",\"next";
	assert_int_equal(report_parse_time(text, strlen(text), &ms), 0);
	assert_int_equal(ms, INT64_C(1709251199999));
	text = "2025-13-01T00:00:00Z";
	assert_int_equal(report_parse_time(text, strlen(text), &ms), -1);
	text = "2025-11-25T19:15";
	assert_int_equal(report_parse_time(text, strlen(text), &ms), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(timeline_doubles_and_keeps_totals),
	    cmocka_unit_test(timeline_spreads_busy_time),
	    cmocka_unit_test(latency_percentiles_are_nearest_rank),
	    cmocka_unit_test(groups_merge_messages_that_differ_in_numbers),
	    cmocka_unit_test(groups_are_bounded),
	    cmocka_unit_test(escaping_leaves_no_markup),
	    cmocka_unit_test(parses_iso_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
