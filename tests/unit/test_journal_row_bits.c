/* Unit tests for the settled rows' bitmaps (journal/row_bits.h): the rows up
 * to the floor final without a bit, the final prefix and in-doubt count taken
 * 64 rows a step agreeing with a row-by-row reference, the word of 64 rows at
 * any alignment, and the snapshot decoder's bitmaps starting at its prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "journal/row_bits.h"
#include "journal/snapshot.h"

/* Row-by-row references, from the public per-row state only. */
static uint64_t prefix_by_rows(const struct journal_replay *replay, uint64_t limit)
{
	uint64_t row = 1;
	while (row <= limit && row_bits_final(replay, row))
		row++;
	return row - 1;
}

static uint64_t in_doubt_by_rows(const struct journal_replay *replay, uint64_t limit)
{
	uint64_t count = 0;
	for (uint64_t row = 1; row <= limit; row++)
		count += row_bits_sent(replay, row) && !row_bits_final(replay, row);
	return count;
}

static void check_words(const struct journal_replay *replay, uint64_t limit)
{
	for (uint64_t first = 1; first <= limit; first += 13) {
		uint64_t word = row_bits_final_word(replay, first);
		for (uint64_t bit = 0; bit < 64; bit++)
			assert_int_equal((word >> bit) & 1,
			                 row_bits_final(replay, first + bit) ? 1 : 0);
	}
}

static void floor_rows_are_final_without_bits(void **state)
{
	(void)state;
	struct journal_replay replay;
	memset(&replay, 0, sizeof(replay));
	assert_int_equal(row_bits_start(&replay, 1000, 1000), 0);
	assert_null(replay.final_bits);
	assert_true(row_bits_final(&replay, 1));
	assert_true(row_bits_final(&replay, 1000));
	assert_false(row_bits_final(&replay, 1001));
	assert_false(row_bits_sent(&replay, 500));
	assert_int_equal(row_bits_final_prefix(&replay), 1000);
	assert_int_equal(row_bits_highest(&replay, true), 1000);
	assert_int_equal(row_bits_in_doubt(&replay), 0);
	/* setting a row at or below the floor changes nothing and allocates nothing */
	assert_int_equal(row_bits_set_final(&replay, 10), 0);
	assert_int_equal(row_bits_set_sent(&replay, 10), 0);
	assert_null(replay.final_bits);
	assert_int_equal(row_bits_final_word(&replay, 950), (1ull << 51) - 1);
	assert_int_equal(row_bits_set_final(&replay, 1001), 0);
	assert_int_equal(row_bits_final_prefix(&replay), 1001);
	row_bits_release(&replay);
}

/* A pseudo-random pattern over several words, with and without a floor
 * that is not a multiple of 8: every scan agrees with the per-row state. */
static void scans_agree_with_the_rows(void **state)
{
	(void)state;
	const uint64_t floors[] = {0, 7, 64, 1001};
	for (size_t case_index = 0; case_index < sizeof(floors) / sizeof(floors[0]); case_index++) {
		uint64_t floor_row = floors[case_index];
		struct journal_replay replay;
		memset(&replay, 0, sizeof(replay));
		assert_int_equal(row_bits_start(&replay, floor_row, floor_row), 0);
		/* rows floor+1 .. floor+300 final, then a gap, then a scatter */
		for (uint64_t row = floor_row + 1; row <= floor_row + 300; row++)
			assert_int_equal(row_bits_set_final(&replay, row), 0);
		uint64_t seed = 12345;
		for (uint64_t row = floor_row + 302; row <= floor_row + 5000; row++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			if (seed >> 62 == 0)
				assert_int_equal(row_bits_set_final(&replay, row), 0);
			if (seed >> 61 == 3)
				assert_int_equal(row_bits_set_sent(&replay, row), 0);
		}
		uint64_t limit = floor_row + 6000;
		assert_int_equal(row_bits_final_prefix(&replay), floor_row + 300);
		assert_int_equal(row_bits_final_prefix(&replay), prefix_by_rows(&replay, limit));
		assert_int_equal(row_bits_in_doubt(&replay), in_doubt_by_rows(&replay, limit));
		uint64_t highest = floor_row;
		for (uint64_t row = 1; row <= limit; row++)
			if (row_bits_final(&replay, row))
				highest = row;
		assert_int_equal(row_bits_highest(&replay, true), highest);
		check_words(&replay, limit);
		/* a copy answers the same */
		struct journal_replay copy;
		memset(&copy, 0, sizeof(copy));
		assert_int_equal(row_bits_copy(&copy, &replay), 0);
		assert_int_equal(row_bits_final_prefix(&copy), floor_row + 300);
		assert_int_equal(row_bits_in_doubt(&copy), row_bits_in_doubt(&replay));
		row_bits_release(&copy);
		/* the whole bitmap final: the prefix runs to its end */
		row_bits_release(&replay);
		assert_int_equal(row_bits_start(&replay, floor_row, floor_row), 0);
		for (uint64_t row = floor_row + 1; row <= floor_row + 4096 * 8; row++)
			assert_int_equal(row_bits_set_final(&replay, row), 0);
		assert_int_equal(row_bits_final_prefix(&replay),
		                 prefix_by_rows(&replay, limit * 8));
		row_bits_release(&replay);
	}
}

/* A snapshot record decoded: its bitmaps start after its prefix (a few
 * bytes for a job of millions of rows), with the same answers. */
static void a_decoded_snapshot_keeps_bits_only_after_its_prefix(void **state)
{
	(void)state;
	struct journal_replay written;
	memset(&written, 0, sizeof(written));
	const uint64_t prefix = 9000000;
	assert_int_equal(row_bits_start(&written, prefix - 5, prefix - 5), 0);
	for (uint64_t row = prefix - 4; row <= prefix; row++)
		assert_int_equal(row_bits_set_final(&written, row), 0);
	const uint64_t final_rows[] = {prefix + 2, prefix + 3, prefix + 70, prefix + 130};
	for (size_t index = 0; index < 4; index++)
		assert_int_equal(row_bits_set_final(&written, final_rows[index]), 0);
	for (uint64_t row = prefix + 1; row <= prefix + 200; row++)
		assert_int_equal(row_bits_set_sent(&written, row), 0);
	written.rows_by_status[ROW_OK] = prefix + 4;
	written.rows_final = prefix + 4;
	struct strbuf payload;
	strbuf_init(&payload, 1u << 20);
	assert_int_equal(snapshot_encode(&written, 3, row_bits_final_prefix(&written),
	                                 row_bits_highest(&written, false), &payload),
	                 0);
	struct journal_replay decoded;
	struct journal_snapshot snapshot;
	assert_int_equal(snapshot_decode(payload.data, payload.length, &decoded, &snapshot), 0);
	assert_int_equal(snapshot.final_prefix, prefix);
	assert_int_equal(snapshot.highest_final, prefix + 130);
	assert_true(decoded.bit_bytes <= 64);
	assert_int_equal(row_bits_final_prefix(&decoded), prefix);
	assert_int_equal(row_bits_in_doubt(&decoded), 200 - 4);
	assert_int_equal(decoded.rows_in_doubt, 200 - 4);
	for (uint64_t row = prefix - 100; row <= prefix + 300; row++) {
		assert_int_equal(row_bits_final(&decoded, row), row_bits_final(&written, row));
		if (row > prefix)
			assert_int_equal(row_bits_sent(&decoded, row),
			                 row_bits_sent(&written, row));
	}
	row_bits_release(&decoded);
	row_bits_release(&written);
	strbuf_release(&payload);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(floor_rows_are_final_without_bits),
	    cmocka_unit_test(scans_agree_with_the_rows),
	    cmocka_unit_test(a_decoded_snapshot_keeps_bits_only_after_its_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
