/* Unit tests for dry-run plans: chunk arithmetic, grouping by batching key,
 * growth of the group table and the printed plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plan.h"

static void calls_are_described_row_by_row_or_summed(void **state)
{
	(void)state;
	char text[160];
	plan_describe_calls(237, 100, text, sizeof(text));
	assert_string_equal(text, "3 calls: 100, 100, 37");
	plan_describe_calls(100, 100, text, sizeof(text));
	assert_string_equal(text, "1 call: 100");
	plan_describe_calls(7, 1, text, sizeof(text));
	assert_string_equal(text, "7 calls: 7 x 1 rows");
	plan_describe_calls(199937, 100, text, sizeof(text));
	assert_string_equal(text, "2000 calls: 1999 x 100 rows + 1 x 37 rows");
	plan_describe_calls(5000, 1000, text, sizeof(text));
	assert_string_equal(text, "5 calls: 1000, 1000, 1000, 1000, 1000");
	assert_int_equal(plan_calls_for(0, 100), 0);
	assert_int_equal(plan_calls_for(1, 100), 1);
	assert_int_equal(plan_calls_for(101, 100), 2);
}

static void rows_are_grouped_by_batching_key(void **state)
{
	(void)state;
	struct plan *plan = plan_new(100);
	assert_non_null(plan);
	for (int row = 0; row < 237; row++)
		assert_int_equal(plan_add(plan, "ACME 5MB", 8, "rate_plan_name=ACME 5MB"), 0);
	for (int row = 0; row < 50; row++)
		assert_int_equal(plan_add(plan, "ACME 1GB", 8, "rate_plan_name=ACME 1GB"), 0);
	/* keys that differ only after an embedded NUL are still different groups */
	assert_int_equal(plan_add(plan, "a\0b", 3, "a/b"), 0);
	assert_int_equal(plan_add(plan, "a\0c", 3, "a/c"), 0);
	assert_int_equal(plan_groups(plan), 4);
	assert_int_equal(plan_rows(plan), 289);
	assert_int_equal(plan_calls(plan), 3 + 1 + 1 + 1);

	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	plan_print(plan, stream);
	fclose(stream);
	assert_non_null(strstr(text, "rate_plan_name=ACME 5MB"));
	assert_non_null(strstr(text, "237  3 calls: 100, 100, 37\n"));
	assert_non_null(strstr(text, "50  1 call: 50\n"));
	assert_non_null(strstr(text, "total: 289 rows in 6 calls (4 groups)\n"));
	/* first seen, first listed */
	assert_true(strstr(text, "ACME 5MB") < strstr(text, "ACME 1GB"));
	free(text);
	plan_free(plan);
}

static void many_groups_grow_the_table_and_the_rest_is_summed(void **state)
{
	(void)state;
	struct plan *plan = plan_new(10);
	char key[32];
	for (int round = 0; round < 3; round++) {
		for (int group = 0; group < 5000; group++) {
			int length = snprintf(key, sizeof(key), "text %d", group);
			assert_int_equal(plan_add(plan, key, (size_t)length, key), 0);
		}
	}
	assert_int_equal(plan_groups(plan), 5000);
	assert_int_equal(plan_rows(plan), 15000);
	assert_int_equal(plan_calls(plan), 5000);
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	plan_print(plan, stream);
	fclose(stream);
	assert_non_null(strstr(text, "(4950 more groups)"));
	assert_non_null(strstr(text, "14850  4950 calls\n"));
	free(text);
	plan_free(plan);
}

static void long_labels_are_shortened_on_a_character_boundary(void **state)
{
	(void)state;
	struct plan *plan = plan_new(1);
	char label[300];
	memset(label, 'x', sizeof(label));
	/* a two-byte character straddling the cut */
	label[PLAN_LABEL_MAX - 4] = (char)0xC3;
	label[PLAN_LABEL_MAX - 3] = (char)0xA9;
	label[sizeof(label) - 1] = '\0';
	assert_int_equal(plan_add(plan, "k", 1, label), 0);
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	plan_print(plan, stream);
	fclose(stream);
	char expected[PLAN_LABEL_MAX + 8];
	memset(expected, 'x', PLAN_LABEL_MAX - 4);
	memcpy(expected + PLAN_LABEL_MAX - 4, "...", 4);
	assert_non_null(strstr(text, expected));
	free(text);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(calls_are_described_row_by_row_or_summed),
	    cmocka_unit_test(rows_are_grouped_by_batching_key),
	    cmocka_unit_test(many_groups_grow_the_table_and_the_rest_is_summed),
	    cmocka_unit_test(long_labels_are_shortened_on_a_character_boundary),
	};
	return cmocka_run_group_tests_name("cli_plan", tests, NULL, NULL);
}
