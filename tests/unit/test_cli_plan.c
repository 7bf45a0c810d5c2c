/* Unit tests for dry-run plans: rows go through the engine's planner and its
 * chunks are counted per batching group -- grouping, the planner's own rules
 * (one device once per call, bounded open groups), per-row operations and
 * the printed plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/plan.h"

/* Adds one cost-center row (device, centre) to plan. */
static void add_row(struct plan *plan, uint64_t number, const char *device, const char *centre)
{
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = number;
	record.value[FIELD_DEVICE_NAME] = device;
	record.value[FIELD_COST_CENTER] = centre;
	assert_int_equal(plan_add_row(plan, &record), 0);
}

static char *printed(const struct plan *plan)
{
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	plan_print(plan, stream);
	fclose(stream);
	return text;
}

static void rows_are_grouped_and_chunked_by_the_planner(void **state)
{
	(void)state;
	struct plan *plan = plan_new(op_find("cost-center"), 100);
	assert_non_null(plan);
	char device[32];
	uint64_t number = 1;
	for (int row = 0; row < 237; row++, number++) {
		snprintf(device, sizeof(device), "dev-%d", row);
		add_row(plan, number, device, "A");
	}
	for (int row = 0; row < 50; row++, number++) {
		snprintf(device, sizeof(device), "other-%d", row);
		add_row(plan, number, device, "B");
	}
	plan_finish(plan);
	assert_int_equal(plan_groups(plan), 2);
	assert_int_equal(plan_rows(plan), 287);
	assert_int_equal(plan_calls(plan), 4);
	char *text = printed(plan);
	assert_non_null(strstr(text, "cost_center=A"));
	assert_non_null(strstr(text, "237  3 calls: 100, 100, 37\n"));
	assert_non_null(strstr(text, "50  1 call: 50\n"));
	assert_non_null(strstr(text, "total: 287 rows in 4 calls (2 groups)\n"));
	assert_true(strstr(text, "cost_center=A") < strstr(text, "cost_center=B"));
	free(text);
	plan_free(plan);

	plan = plan_new(op_find("cost-center"), 10);
	for (int row = 0; row < 1005; row++) {
		snprintf(device, sizeof(device), "dev-%d", row);
		add_row(plan, (uint64_t)row + 1, device, "A");
	}
	plan_finish(plan);
	text = printed(plan);
	assert_non_null(strstr(text, "1005  101 calls: 100 x 10 rows + 1 x 5 rows\n"));
	free(text);
	plan_free(plan);
}

/* What a model of chunking would get wrong: the planner never puts one
 * device twice in a call, and holds at most a bounded number of open groups. */
static void the_planners_own_rules_show_in_the_plan(void **state)
{
	(void)state;
	struct plan *plan = plan_new(op_find("cost-center"), 100);
	for (uint64_t row = 1; row <= 3; row++)
		add_row(plan, row, "same-device", "A");
	plan_finish(plan);
	assert_int_equal(plan_calls(plan), 3);
	plan_free(plan);

	plan = plan_new(op_find("cost-center"), 10);
	char centre[32];
	uint64_t number = 1;
	for (int round = 0; round < 3; round++) {
		for (int group = 0; group < 5000; group++, number++) {
			snprintf(centre, sizeof(centre), "centre %d", group);
			char device[32];
			snprintf(device, sizeof(device), "dev-%d-%d", group, round);
			add_row(plan, number, device, centre);
		}
	}
	plan_finish(plan);
	assert_int_equal(plan_groups(plan), 5000);
	assert_int_equal(plan_rows(plan), 15000);
	/* 5000 groups round-robin never fit the planner's open groups: every row
	 * leaves in its own call */
	assert_int_equal(plan_calls(plan), 15000);
	char *text = printed(plan);
	assert_non_null(strstr(text, "(4950 more groups)"));
	assert_non_null(strstr(text, "14850  14850 calls\n"));
	free(text);
	plan_free(plan);
}

static void per_row_operations_send_one_row_per_call(void **state)
{
	(void)state;
	const struct op *op = op_find("locate");
	assert_true(op->flags & OP_PER_ROW);
	assert_int_equal(op_chunk_size(op, 100), 1);
	assert_int_equal(op_chunk_size(op_find("cost-center"), 100), 100);
	struct plan *plan = plan_new(op, 100);
	assert_int_equal(plan_chunk(plan), 1);
	for (uint64_t row = 1; row <= 7; row++) {
		struct record record;
		memset(&record, 0, sizeof(record));
		record.row = row;
		record.value[op->key_field] = row % 2 ? "odd" : "even";
		assert_int_equal(plan_add_row(plan, &record), 0);
	}
	plan_finish(plan);
	assert_int_equal(plan_calls(plan), 7);
	char *text = printed(plan);
	assert_non_null(strstr(text, "7 calls: 7 x 1 row"));
	free(text);
	plan_free(plan);
}

static void long_labels_are_shortened_on_a_character_boundary(void **state)
{
	(void)state;
	struct plan *plan = plan_new(op_find("cost-center"), 1);
	const char *prefix = "cost_center=";
	size_t prefix_length = strlen(prefix);
	char centre[300];
	memset(centre, 'x', sizeof(centre));
	/* a two-byte character straddling the cut of the label */
	centre[PLAN_LABEL_MAX - 4 - prefix_length] = (char)0xC3;
	centre[PLAN_LABEL_MAX - 3 - prefix_length] = (char)0xA9;
	centre[sizeof(centre) - 1] = '\0';
	add_row(plan, 1, "d", centre);
	plan_finish(plan);
	char *text = printed(plan);
	char expected[PLAN_LABEL_MAX + 8];
	memcpy(expected, prefix, prefix_length);
	memset(expected + prefix_length, 'x', PLAN_LABEL_MAX - 4 - prefix_length);
	memcpy(expected + PLAN_LABEL_MAX - 4, "...", 4);
	assert_non_null(strstr(text, expected));
	free(text);
	plan_free(plan);
}

/* A group key longer than the default column keeps the rows column aligned,
 * counting characters, not bytes, of a UTF-8 key. */
static void columns_stay_aligned_for_long_group_keys(void **state)
{
	(void)state;
	struct plan *plan = plan_new(op_find("cost-center"), 100);
	assert_non_null(plan);
	add_row(plan, 1, "dev-1", "A");
	add_row(plan, 2, "dev-2", "Kostenstelle Süd-Ost, Abteilung Fahrzeugflotte 2026");
	plan_finish(plan);
	char *text = printed(plan);
	/* every line's rows column ends at the same character */
	const char *line = text;
	long rows_end = -1;
	for (int index = 0; index < 3; index++) {
		const char *end = strchr(line, '\n');
		assert_non_null(end);
		/* the rows column is the last number before "  " followed by "calls"/"1 call" */
		const char *calls =
		    index == 0 ? strstr(line, "  calls (") : strstr(line, "  1 call");
		assert_non_null(calls);
		long characters = 0;
		for (const char *byte = line; byte < calls; byte++)
			characters += ((unsigned char)*byte & 0xC0) != 0x80;
		if (rows_end < 0)
			rows_end = characters;
		assert_int_equal(characters, rows_end);
		line = end + 1;
	}
	assert_non_null(strstr(text, "total: 2 rows in 2 calls (2 groups)\n"));
	free(text);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(columns_stay_aligned_for_long_group_keys),
	    cmocka_unit_test(rows_are_grouped_and_chunked_by_the_planner),
	    cmocka_unit_test(the_planners_own_rules_show_in_the_plan),
	    cmocka_unit_test(per_row_operations_send_one_row_per_call),
	    cmocka_unit_test(long_labels_are_shortened_on_a_character_boundary),
	};
	return cmocka_run_group_tests_name("cli_plan", tests, NULL, NULL);
}
