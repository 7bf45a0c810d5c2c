/* Unit tests for chunk planning: grouping by batching key, no device twice
 * in a chunk, early flushing of rare groups, lingering for more rows,
 * bounded memory, bisection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/planner.h"

static const char *const devices[] = {"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"};

/* A record whose device name is a static string (the planner frees only the struct). */
static struct record *make_record(uint64_t row, const char *device)
{
	struct record *record = calloc(1, sizeof(*record));
	assert_non_null(record);
	record->row = row;
	record->value[FIELD_DEVICE_NAME] = device;
	return record;
}

static int add(struct planner *planner, uint64_t row, const char *key, const char *device,
               int64_t now_ms)
{
	struct record *record = make_record(row, device);
	return planner_add(planner, record, key, record->value[FIELD_DEVICE_NAME], now_ms);
}

static struct planner *new_planner(size_t chunk, size_t max_open, uint64_t after_rows)
{
	struct planner_config config;
	planner_config_defaults(&config, chunk);
	config.max_open_groups = max_open;
	config.flush_after_rows = after_rows;
	struct planner *planner = planner_new(&config);
	assert_non_null(planner);
	return planner;
}

static void chunks_share_one_key_and_fill_to_size(void **state)
{
	(void)state;
	struct planner *planner = new_planner(3, 16, 1000);
	char name[16];
	static char names[8][16];
	for (uint64_t row = 1; row <= 8; row++) {
		snprintf(names[row - 1], sizeof(names[0]), "dev%llu", (unsigned long long)row);
		assert_int_equal(
		    add(planner, row, row % 2 ? "plan=A" : "plan=B", names[row - 1], 0), 0);
	}
	(void)name;
	/* A got rows 1,3,5 (full), B got 2,4,6 (full); 7 and 8 are open */
	assert_int_equal(planner_ready_count(planner), 2);
	assert_int_equal(planner_open_rows(planner), 2);
	struct chunk *chunk = planner_take(planner);
	assert_int_equal(chunk->count, 3);
	assert_int_equal(chunk->records[0]->row, 1);
	assert_int_equal(chunk->records[2]->row, 5);
	chunk_free(chunk);
	chunk = planner_take(planner);
	assert_int_equal(chunk->records[1]->row, 4);
	chunk_free(chunk);
	assert_null(planner_take(planner));
	planner_flush_all(planner);
	assert_int_equal(planner_ready_count(planner), 2);
	assert_int_equal(planner_open_rows(planner), 0);
	planner_free(planner); /* frees the two chunks still held */
}

static void a_device_never_appears_twice_in_a_chunk(void **state)
{
	(void)state;
	struct planner *planner = new_planner(10, 16, 1000);
	/* d0 d1 d0 d2 d0: the chunk closes before each repeated d0 */
	const char *sequence[] = {devices[0], devices[1], devices[0], devices[2], devices[0]};
	for (uint64_t row = 0; row < 5; row++)
		assert_int_equal(add(planner, row + 1, "all", sequence[row], 0), 0);
	planner_flush_all(planner);
	size_t sizes[3] = {0};
	size_t chunks = 0;
	struct chunk *chunk;
	while ((chunk = planner_take(planner))) {
		for (size_t first = 0; first < chunk->count; first++)
			for (size_t second = first + 1; second < chunk->count; second++)
				assert_string_not_equal(
				    chunk->records[first]->value[FIELD_DEVICE_NAME],
				    chunk->records[second]->value[FIELD_DEVICE_NAME]);
		assert_true(chunks < 3);
		sizes[chunks++] = chunk->count;
		chunk_free(chunk);
	}
	assert_int_equal(chunks, 3);
	assert_int_equal(sizes[0], 2);
	assert_int_equal(sizes[1], 2);
	assert_int_equal(sizes[2], 1);
	planner_free(planner);
}

static void rare_groups_are_flushed_after_enough_rows(void **state)
{
	(void)state;
	struct planner *planner = new_planner(100, 16, 50);
	char names[200][12];
	assert_int_equal(add(planner, 1, "rare", "r1", 0), 0);
	for (uint64_t row = 2; row <= 50; row++) {
		snprintf(names[row], sizeof(names[0]), "c%llu", (unsigned long long)row);
		assert_int_equal(add(planner, row, "common", names[row], 0), 0);
	}
	/* the rare group's lone row saw 49 other rows arrive after it: flushed, not held */
	assert_int_equal(planner_ready_count(planner), 1);
	struct chunk *chunk = planner_take(planner);
	assert_int_equal(chunk->count, 1);
	assert_int_equal(chunk->records[0]->row, 1);
	chunk_free(chunk);
	planner_free(planner);
}

static void open_groups_are_bounded(void **state)
{
	(void)state;
	struct planner *planner = new_planner(100, 4, 100000);
	char keys[40][12];
	for (uint64_t row = 0; row < 40; row++) {
		snprintf(keys[row], sizeof(keys[0]), "k%llu", (unsigned long long)row);
		assert_int_equal(add(planner, row + 1, keys[row], devices[row % 10], 0), 0);
		assert_true(planner_open_rows(planner) <= 4);
	}
	/* every key beyond the fourth pushed the oldest open group out */
	assert_int_equal(planner_ready_count(planner), 36);
	struct chunk *chunk = planner_take(planner);
	assert_int_equal(chunk->records[0]->row, 1); /* oldest first */
	chunk_free(chunk);
	planner_free(planner);
}

static void stale_groups_are_flushed_by_time(void **state)
{
	(void)state;
	struct planner_config config;
	planner_config_defaults(&config, 100);
	config.flush_after_ms = 500;
	struct planner *planner = planner_new(&config);
	assert_int_equal(add(planner, 1, "a", "d0", 1000), 0);
	assert_int_equal(add(planner, 2, "b", "d1", 1300), 0);
	assert_int_equal(planner_next_stale_ms(planner), 1500);
	planner_flush_stale(planner, 1499, true);
	assert_int_equal(planner_ready_count(planner), 0);
	planner_flush_stale(planner, 1500, true);
	assert_int_equal(planner_ready_count(planner), 1);
	assert_int_equal(planner_next_stale_ms(planner), 1800);
	planner_flush_stale(planner, 5000, true);
	assert_int_equal(planner_ready_count(planner), 2);
	assert_int_equal(planner_next_stale_ms(planner), INT64_MAX);
	planner_free(planner);
}

static void a_partial_chunk_lingers_only_while_more_rows_may_come(void **state)
{
	(void)state;
	/* the decision: young and more to come waits; old, or nothing more
	 * to come, goes */
	assert_true(planner_linger(0, 1000, true));
	assert_true(planner_linger(999, 1000, true));
	assert_false(planner_linger(1000, 1000, true));
	assert_false(planner_linger(0, 1000, false));
	/* applied: a young partial chunk goes as soon as no row can join it */
	struct planner_config config;
	planner_config_defaults(&config, 100);
	struct planner *planner = planner_new(&config);
	assert_int_equal(add(planner, 1, "a", "d0", 1000), 0);
	assert_int_equal(add(planner, 2, "b", "d1", 1000), 0);
	planner_flush_stale(planner, 1010, true);
	assert_int_equal(planner_ready_count(planner), 0);
	planner_flush_stale(planner, 1010, false);
	assert_int_equal(planner_ready_count(planner), 2);
	assert_int_equal(planner_open_rows(planner), 0);
	planner_free(planner);
}

static void interleaved_groups_fill_whole_chunks(void **state)
{
	(void)state;
	/* 50 cost centers in turn, 5,000 rows at chunk 100: the defaults give
	 * 50 full chunks, not hundreds of thin ones */
	struct planner_config config;
	planner_config_defaults(&config, 100);
	struct planner *planner = planner_new(&config);
	static char names[5000][12];
	char key[16];
	for (uint64_t row = 0; row < 5000; row++) {
		snprintf(names[row], sizeof(names[0]), "n%llu", (unsigned long long)row);
		snprintf(key, sizeof(key), "site%llu", (unsigned long long)(row % 50));
		assert_int_equal(add(planner, row + 1, key, names[row], 0), 0);
	}
	assert_int_equal(planner_ready_count(planner), 50);
	assert_int_equal(planner_open_rows(planner), 0);
	struct chunk *chunk;
	while ((chunk = planner_take(planner))) {
		assert_int_equal(chunk->count, 100);
		chunk_free(chunk);
	}
	planner_free(planner);
}

static void a_smaller_chunk_size_applies_to_new_chunks(void **state)
{
	(void)state;
	struct planner *planner = new_planner(8, 16, 1000);
	char names[40][12];
	for (uint64_t row = 0; row < 5; row++) {
		snprintf(names[row], sizeof(names[0]), "n%llu", (unsigned long long)row);
		assert_int_equal(add(planner, row + 1, "all", names[row], 0), 0);
	}
	planner_set_chunk_size(planner, 4);
	assert_int_equal(planner_chunk_size(planner), 4);
	/* the open chunk already had 5 ≥ 4 rows: flushed as it is */
	assert_int_equal(planner_ready_count(planner), 1);
	for (uint64_t row = 5; row < 13; row++) {
		snprintf(names[row], sizeof(names[0]), "n%llu", (unsigned long long)row);
		assert_int_equal(add(planner, row + 1, "all", names[row], 0), 0);
	}
	assert_int_equal(planner_ready_count(planner), 3);
	chunk_free(planner_take(planner));
	struct chunk *chunk = planner_take(planner);
	assert_int_equal(chunk->count, 4);
	chunk_free(chunk);
	planner_free(planner);
}

static void bisection_reaches_single_rows(void **state)
{
	(void)state;
	assert_int_equal(planner_bisect_size(100), 50);
	assert_int_equal(planner_bisect_size(25), 13);
	assert_int_equal(planner_bisect_size(3), 2);
	assert_int_equal(planner_bisect_size(2), 1);
	/* halving 100 rows until each call fits under a limit of 10 */
	size_t pending[256];
	size_t count = 0, calls = 0, rows = 0;
	pending[count++] = 100;
	while (count) {
		size_t size = pending[--count];
		calls++;
		if (size > 10) {
			size_t first = planner_bisect_size(size);
			pending[count++] = first;
			pending[count++] = size - first;
			continue;
		}
		rows += size;
	}
	assert_int_equal(rows, 100);
	assert_int_equal(calls, 31); /* 16 accepted calls of 6-7 rows plus 15 refused ones */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(chunks_share_one_key_and_fill_to_size),
	    cmocka_unit_test(a_device_never_appears_twice_in_a_chunk),
	    cmocka_unit_test(rare_groups_are_flushed_after_enough_rows),
	    cmocka_unit_test(open_groups_are_bounded),
	    cmocka_unit_test(stale_groups_are_flushed_by_time),
	    cmocka_unit_test(a_partial_chunk_lingers_only_while_more_rows_may_come),
	    cmocka_unit_test(interleaved_groups_fill_whole_chunks),
	    cmocka_unit_test(a_smaller_chunk_size_applies_to_new_chunks),
	    cmocka_unit_test(bisection_reaches_single_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
