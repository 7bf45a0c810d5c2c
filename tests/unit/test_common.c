/* Unit tests for the shared helpers: capped buffers and formula-safe CSV cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/count_text.h"
#include "common/csv_writer.h"
#include "common/duration.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/path_display.h"
#include "common/random.h"
#include "common/strbuf.h"

static void strbuf_refuses_to_grow_past_its_limit(void **state)
{
	(void)state;
	struct strbuf buffer;
	strbuf_init(&buffer, 8);
	assert_int_equal(strbuf_append_string(&buffer, "12345678"), STRBUF_OK);
	assert_int_equal(strbuf_append_char(&buffer, '9'), STRBUF_TOO_BIG);
	assert_string_equal(strbuf_text(&buffer), "12345678");
	strbuf_reset(&buffer);
	assert_int_equal(strbuf_appendf(&buffer, "%d-%s", 42, "x"), STRBUF_OK);
	assert_string_equal(strbuf_text(&buffer), "42-x");
	strbuf_release(&buffer);
	assert_string_equal(strbuf_text(&buffer), "");
}

static void first_error_wins(void **state)
{
	(void)state;
	struct error error;
	error_clear(&error);
	assert_int_equal(error_set_at(&error, "lot.csv", 7, "row has %d fields", 6), -1);
	error_set(&error, "second");
	char text[256];
	error_format(&error, text, sizeof(text));
	assert_string_equal(text, "lot.csv:7: row has 6 fields");
}

static char *cells_to_text(const char *const *cells, size_t count)
{
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	struct csv_writer writer;
	csv_writer_init(&writer, stream);
	for (size_t index = 0; index < count; index++)
		csv_writer_cell(&writer, cells[index]);
	csv_writer_end_line(&writer);
	fclose(stream);
	return text;
}

static void csv_cells_are_quoted_and_neutralised(void **state)
{
	(void)state;
	const char *cells[] = {"=SUM(A1)",   "-12", "+1 555", "@home", "a,b",
	                       "say \"hi\"", "\tx", NULL,     "3.5"};
	char *text = cells_to_text(cells, sizeof(cells) / sizeof(cells[0]));
	assert_string_equal(text,
	                    "'=SUM(A1),-12,'+1 555,'@home,\"a,b\",\"say \"\"hi\"\"\",'\tx,,3.5\n");
	free(text);
	assert_true(csv_is_plain_number("-7"));
	assert_false(csv_is_plain_number("-"));
	assert_false(csv_is_plain_number("1e5"));
}

static void random_sequences_repeat_per_seed_and_stay_in_range(void **state)
{
	(void)state;
	uint64_t first = 0;
	uint64_t second = 0;
	random_seed(&first, 42);
	random_seed(&second, 42);
	for (int draw = 0; draw < 1000; draw++) {
		assert_true(random_next(&first) == random_next(&second));
		assert_true(random_below(&first, 7) < 7);
		double unit = random_unit(&second);
		assert_true(unit >= 0 && unit < 1);
	}
	random_seed(&second, 43);
	assert_true(random_next(&first) != random_next(&second));
}

static void counts_are_grouped_and_pluralised(void **state)
{
	(void)state;
	char text[32];
	assert_string_equal(count_grouped(0, text, sizeof(text)), "0");
	assert_string_equal(count_grouped(999, text, sizeof(text)), "999");
	assert_string_equal(count_grouped(19372, text, sizeof(text)), "19,372");
	assert_string_equal(count_grouped(1000000, text, sizeof(text)), "1,000,000");
	assert_string_equal(count_grouped(1000000, text, 6), "1,000"); /* cut, not overflowed */
	assert_string_equal(count_noun(1, "row", "rows", text, sizeof(text)), "1 row");
	assert_string_equal(count_noun(0, "row", "rows", text, sizeof(text)), "0 rows");
	assert_string_equal(count_noun(2617, "call", "calls", text, sizeof(text)), "2,617 calls");
	assert_string_equal(count_noun(1, "retry", "retries", text, sizeof(text)), "1 retry");
}

static void paths_are_normalised_for_printing(void **state)
{
	(void)state;
	char text[256];
	assert_string_equal(path_display("jobs/../out/cost-center/results.csv", text, sizeof(text)),
	                    "out/cost-center/results.csv");
	assert_string_equal(path_display("checked//errors.csv", text, sizeof(text)),
	                    "checked/errors.csv");
	assert_string_equal(path_display("./out/./x/", text, sizeof(text)), "out/x");
	assert_string_equal(path_display("../../a/b/../c", text, sizeof(text)), "../../a/c");
	assert_string_equal(path_display("/../tmp//x/..", text, sizeof(text)), "/tmp");
	assert_string_equal(path_display("a/..", text, sizeof(text)), ".");
	assert_string_equal(path_display("", text, sizeof(text)), ".");
	assert_string_equal(path_display("/", text, sizeof(text)), "/");
	assert_string_equal(path_display_join("jobs/../out/", "summary.json", text, sizeof(text)),
	                    "out/summary.json");
	assert_string_equal(path_display("abcdefgh/ijk", text, 6), "abcde");
}

static void iso_times_read_back(void **state)
{
	(void)state;
	char text[40];
	int64_t back = 0;
	clock_format_iso8601(1795633547123, text, sizeof(text));
	assert_int_equal(clock_parse_iso8601(text, &back), 0);
	assert_int_equal(back, 1795633547123);
	assert_int_equal(clock_parse_iso8601("2026-13-01T00:00:00.000Z", &back), -1);
	assert_int_equal(clock_parse_iso8601("yesterday", &back), -1);
}

static void durations_parse_units_and_refuse_typos(void **state)
{
	(void)state;
	int64_t ms = 0;
	assert_int_equal(duration_parse("30m", &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(duration_parse("1h30m", &ms), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(duration_parse("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(duration_parse("90", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(duration_parse("2m5s", &ms), 0);
	assert_int_equal(ms, 125000);
	const char *refused[] = {"", "m", "30x", "1h30", "-5s", "1.5h", "8d", "200h", " 5s"};
	for (size_t index = 0; index < sizeof(refused) / sizeof(refused[0]); index++)
		assert_int_equal(duration_parse(refused[index], &ms), -1);
}

/* A page repeated by a server must hash the same, and a page that differs in
 * any one byte (first, middle, last, in the word blocks or the tail) or in
 * length must not. */
static void bulk_hash_sees_every_byte_and_the_length(void **state)
{
	(void)state;
	enum { SIZE = 4099 };
	unsigned char *page = malloc(SIZE), *copy = malloc(SIZE);
	assert_non_null(page);
	assert_non_null(copy);
	for (size_t index = 0; index < SIZE; index++)
		page[index] = (unsigned char)(index * 131 + 7);
	memcpy(copy, page, SIZE);
	uint64_t whole = hash64_bulk(page, SIZE, 0);
	assert_int_equal(hash64_bulk(copy, SIZE, 0), whole);
	assert_int_not_equal(hash64_bulk(page, SIZE, 1), whole);
	const size_t changed[] = {0, 7, 8, 31, 32, 2048, SIZE - 4, SIZE - 1};
	for (size_t index = 0; index < sizeof(changed) / sizeof(changed[0]); index++) {
		copy[changed[index]] ^= 0x01;
		assert_int_not_equal(hash64_bulk(copy, SIZE, 0), whole);
		copy[changed[index]] ^= 0x01;
	}
	/* the same bytes cut shorter: 4096 is a whole number of word blocks */
	assert_int_not_equal(hash64_bulk(page, 4096, 0), hash64_bulk(page, 4097, 0));
	assert_int_not_equal(hash64_bulk(page, 0, 0), hash64_bulk(page, 1, 0));
	/* two pages that differ only by a swapped pair of words */
	memcpy(copy, page + 8, 8);
	memcpy(copy + 8, page, 8);
	assert_int_not_equal(hash64_bulk(copy, SIZE, 0), whole);
	free(page);
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(strbuf_refuses_to_grow_past_its_limit),
	    cmocka_unit_test(first_error_wins),
	    cmocka_unit_test(bulk_hash_sees_every_byte_and_the_length),
	    cmocka_unit_test(counts_are_grouped_and_pluralised),
	    cmocka_unit_test(paths_are_normalised_for_printing),
	    cmocka_unit_test(iso_times_read_back),
	    cmocka_unit_test(random_sequences_repeat_per_seed_and_stay_in_range),
	    cmocka_unit_test(csv_cells_are_quoted_and_neutralised),
	    cmocka_unit_test(durations_parse_units_and_refuse_typos),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
