/* Unit tests for the shared helpers: capped buffers and formula-safe CSV cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv_writer.h"
#include "common/duration.h"
#include "common/error.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(strbuf_refuses_to_grow_past_its_limit),
	    cmocka_unit_test(first_error_wins),
	    cmocka_unit_test(random_sequences_repeat_per_seed_and_stay_in_range),
	    cmocka_unit_test(csv_cells_are_quoted_and_neutralised),
	    cmocka_unit_test(durations_parse_units_and_refuse_typos),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
