/* Unit tests for the duplicate-key set and its key table: first row
 * reported, composite keys, absent keys, many keys across growth (reserved
 * or not), rows that widen the table, and the memory per key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ops/key_table.h"
#include "ops/validate.h"

struct fixture {
	struct dupe_set *set;
	struct strbuf message;
};

static int setup(void **state)
{
	static struct fixture fixture;
	fixture.set = dupe_set_new();
	strbuf_init(&fixture.message, 1024);
	*state = &fixture;
	return fixture.set ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *fixture = *state;
	dupe_set_free(fixture->set);
	strbuf_release(&fixture->message);
	return 0;
}

static int64_t check(struct fixture *fixture, const char *op_name, const struct record *record)
{
	strbuf_reset(&fixture->message);
	return dupe_set_check(fixture->set, op_find(op_name), record, &fixture->message);
}

static void second_occurrence_names_the_first_row(void **state)
{
	struct fixture *fixture = *state;
	struct record record = {.row = 12};
	record.value[FIELD_ICCID] = "89014103211118510720";
	record.value[FIELD_IMEI] = "490154203237518";
	assert_int_equal(check(fixture, "activate", &record), 0);
	record.row = 13;
	record.value[FIELD_IMEI] = "356938035643809";
	assert_int_equal(check(fixture, "activate", &record), 12);
	assert_string_equal(strbuf_text(&fixture->message), "iccid: duplicate of row 12");
	/* Row 13 was rejected, so its imei was not remembered. */
	record.row = 14;
	record.value[FIELD_ICCID] = "8901410321111851072";
	assert_int_equal(check(fixture, "activate", &record), 0);
	record.row = 20;
	record.value[FIELD_ICCID] = "89444444444444444444";
	record.value[FIELD_IMEI] = "490154203237518";
	assert_int_equal(check(fixture, "activate", &record), 12);
	assert_string_equal(strbuf_text(&fixture->message), "imei: duplicate of row 12");
	record.row = 21;
	assert_int_equal(check(fixture, "activate", &record), 12);
}

static void absent_keys_are_not_checked(void **state)
{
	struct fixture *fixture = *state;
	struct record record = {.row = 1};
	record.value[FIELD_ICCID] = "89014103211118510720";
	record.value[FIELD_DEVICE_SKU] = "SKU-1";
	assert_int_equal(check(fixture, "activate", &record), 0);
	record.row = 2;
	record.value[FIELD_ICCID] = "8901410321111851072";
	assert_int_equal(check(fixture, "activate", &record), 0); /* same SKU is fine */
	/* An iccid whose text equals an earlier imei is not a duplicate. */
	struct record other = {.row = 3};
	other.value[FIELD_ICCID] = "490154203237518";
	other.value[FIELD_IMEI] = "89014103211118510720";
	assert_int_equal(check(fixture, "activate", &other), 0);
}

static void composite_keys_compare_every_field(void **state)
{
	struct fixture *fixture = *state;
	struct record record = {.row = 1};
	record.value[FIELD_DEVICE_NAME] = "36524";
	record.value[FIELD_FIELD_NAME] = "note";
	assert_int_equal(check(fixture, "note", &record), 0);
	record.row = 2;
	record.value[FIELD_FIELD_NAME] = "note1";
	assert_int_equal(check(fixture, "note", &record), 0);
	record.row = 3;
	record.value[FIELD_ID_TYPE] = "iccid";
	record.value[FIELD_FIELD_NAME] = "note";
	assert_int_equal(check(fixture, "note", &record), 0);
	record.row = 4;
	record.value[FIELD_ID_TYPE] = NULL;
	assert_int_equal(check(fixture, "note", &record), 1);
	assert_string_equal(strbuf_text(&fixture->message), "device_name: duplicate of row 1");
	/* issue 16 #4: no id_type is id_type device_name (the API's default) */
	record.row = 7;
	record.value[FIELD_ID_TYPE] = "device_name";
	record.value[FIELD_FIELD_NAME] = "note1";
	assert_int_equal(check(fixture, "note", &record), 2);
	assert_string_equal(strbuf_text(&fixture->message), "device_name: duplicate of row 2");
	struct record suspend = {.row = 8};
	suspend.value[FIELD_DEVICE_NAME] = "36500";
	suspend.value[FIELD_STATE] = "suspend";
	assert_int_equal(check(fixture, "simstate", &suspend), 0);
	suspend.row = 9;
	suspend.value[FIELD_STATE] = "restore";
	suspend.value[FIELD_ID_TYPE] = "device_name";
	assert_int_equal(check(fixture, "simstate", &suspend), 8);
	/* "ab"+"c" and "a"+"bc" are different keys. */
	struct record joined = {.row = 5};
	joined.value[FIELD_DEVICE_NAME] = "ab";
	joined.value[FIELD_ID_TYPE] = "c";
	assert_int_equal(check(fixture, "simstate", &joined), 0);
	joined.row = 6;
	joined.value[FIELD_DEVICE_NAME] = "a";
	joined.value[FIELD_ID_TYPE] = "bc";
	assert_int_equal(check(fixture, "simstate", &joined), 0);
}

/* Adds ROWS rows of two keys, then looks every 997th up again. */
static void add_and_find(struct fixture *fixture, uint64_t rows)
{
	char iccid[32];
	char imei[32];
	struct record record = {0};
	record.value[FIELD_ICCID] = iccid;
	record.value[FIELD_IMEI] = imei;
	for (uint64_t row = 1; row <= rows; row++) {
		snprintf(iccid, sizeof(iccid), "8901%016llu", (unsigned long long)row);
		snprintf(imei, sizeof(imei), "35%013llu", (unsigned long long)row);
		record.row = row;
		assert_int_equal(check(fixture, "activate", &record), 0);
	}
	/* Every key is still found, naming its own first row. */
	for (uint64_t row = 1; row <= rows; row += 997) {
		snprintf(iccid, sizeof(iccid), "8901%016llu", (unsigned long long)row);
		snprintf(imei, sizeof(imei), "99%013llu", (unsigned long long)row);
		record.row = rows + row;
		assert_int_equal(check(fixture, "activate", &record), (int64_t)row);
		snprintf(iccid, sizeof(iccid), "7701%016llu", (unsigned long long)row);
		snprintf(imei, sizeof(imei), "35%013llu", (unsigned long long)row);
		assert_int_equal(check(fixture, "activate", &record), (int64_t)row);
		char expected[64];
		snprintf(expected, sizeof(expected), "imei: duplicate of row %llu",
		         (unsigned long long)row);
		assert_string_equal(strbuf_text(&fixture->message), expected);
	}
}

static void many_keys_survive_growth_compactly(void **state)
{
	struct fixture *fixture = *state;
	enum { ROWS = 300000 };
	/* not reserved: the table starts small and doubles partitions as it goes */
	add_and_find(fixture, ROWS);
	size_t bytes = dupe_set_memory(fixture->set);
	double per_key = (double)bytes / (2.0 * ROWS);
	print_message("dupe set, grown: %zu bytes for %d keys (%.1f bytes/key)\n", bytes, 2 * ROWS,
	              per_key);
	/* 8-byte entries, partitions between half and 95 % full */
	assert_true(per_key <= 18.0);
}

static void a_reserved_set_stays_compact(void **state)
{
	struct fixture *fixture = *state;
	enum { ROWS = 300000 };
	assert_int_equal(dupe_set_reserve(fixture->set, 2 * ROWS, ROWS), 0);
	add_and_find(fixture, ROWS);
	size_t bytes = dupe_set_memory(fixture->set);
	double per_key = (double)bytes / (2.0 * ROWS);
	print_message("dupe set, reserved: %zu bytes for %d keys (%.1f bytes/key)\n", bytes,
	              2 * ROWS, per_key);
	/* 8-byte entries at about 85 % load, and no growth on the way */
	assert_true(per_key <= 11.0);
	/* once keys are in, a reservation changes nothing */
	assert_int_equal(dupe_set_reserve(fixture->set, 100 * ROWS, ROWS), 0);
	assert_int_equal(dupe_set_memory(fixture->set), bytes);
}

/* The table alone: hashes chosen to crowd few partitions still get their
 * rows back, and the fingerprint keeps most of its bits. */
static void key_table_handles_crowding_and_wide_rows(void **state)
{
	(void)state;
	struct key_table *table = key_table_new(1000, 1000);
	assert_non_null(table);
	assert_true(key_table_fingerprint_bits(table) >= 50);
	/* same top 32 bits: one partition takes every key, doubling many times */
	for (uint64_t index = 1; index <= 20000; index++) {
		uint64_t hash = UINT64_C(0x1234567800000000) | (index * UINT64_C(2654435761));
		assert_int_equal(key_table_find(table, hash), 0);
		assert_int_equal(key_table_add(table, hash, index), 0);
	}
	for (uint64_t index = 1; index <= 20000; index++) {
		uint64_t hash = UINT64_C(0x1234567800000000) | (index * UINT64_C(2654435761));
		assert_int_equal(key_table_find(table, hash), index);
	}
	/* a row past the table's row bits widens every entry */
	assert_int_equal(key_table_add(table, UINT64_C(0xfeedface12345678), 4000000000u), 0);
	assert_int_equal(key_table_find(table, UINT64_C(0xfeedface12345678)), 4000000000u);
	for (uint64_t index = 1; index <= 20000; index += 7) {
		uint64_t hash = UINT64_C(0x1234567800000000) | (index * UINT64_C(2654435761));
		assert_int_equal(key_table_find(table, hash), index);
	}
	assert_int_equal(key_table_count(table), 20001);
	assert_int_equal(key_table_add(table, 1, 0), -1);
	assert_int_equal(key_table_add(table, 1, KEY_TABLE_MAX_ROW + UINT64_C(1)), -1);
	key_table_free(table);
}

static void rows_beyond_a_million_keep_their_high_bits(void **state)
{
	struct fixture *fixture = *state;
	static const uint64_t rows[] = {1,       1048575,  1048576,   1048577,      2097152,
	                                3000000, 16777216, 123456789, 4294967294ULL};
	char name[32];
	struct record record = {0};
	record.value[FIELD_DEVICE_NAME] = name;
	for (size_t index = 0; index < sizeof(rows) / sizeof(rows[0]); index++) {
		snprintf(name, sizeof(name), "device-%zu", index);
		record.row = rows[index];
		assert_int_equal(check(fixture, "cost-center", &record), 0);
	}
	/* Looked up out of order, every key names its exact row. */
	for (size_t index = sizeof(rows) / sizeof(rows[0]); index-- > 0;) {
		snprintf(name, sizeof(name), "device-%zu", index);
		record.row = 5;
		assert_int_equal(check(fixture, "cost-center", &record), (int64_t)rows[index]);
	}
	record.row = 4294967295ULL;
	assert_int_equal(check(fixture, "cost-center", &record), -1);
}

static void row_zero_is_refused(void **state)
{
	struct fixture *fixture = *state;
	struct record record = {.row = 0};
	record.value[FIELD_DEVICE_NAME] = "x";
	assert_int_equal(check(fixture, "sms", &record), -1);
}

/* A prefetch changes no answer: for the record it was made for, and when
 * the check that follows is of another row or another operation. */
static void prefetch_changes_no_answer(void **state)
{
	struct fixture *fixture = *state;
	const struct op *activate = op_find("activate");
	const struct op *note = op_find("note");
	struct record record = {.row = 3};
	record.value[FIELD_ICCID] = "89014103211118510720";
	record.value[FIELD_IMEI] = "490154203237518";
	dupe_set_prefetch(fixture->set, activate, &record);
	assert_int_equal(check(fixture, "activate", &record), 0);
	/* prefetched for row 9, checked as row 10: recomputed, still a duplicate of 3 */
	record.row = 9;
	dupe_set_prefetch(fixture->set, activate, &record);
	record.row = 10;
	assert_int_equal(check(fixture, "activate", &record), 3);
	/* prefetched with other values, then the same row checked with the first */
	struct record other = {.row = 11};
	other.value[FIELD_ICCID] = "89014103211118510738";
	other.value[FIELD_IMEI] = "353879234252633";
	dupe_set_prefetch(fixture->set, activate, &other);
	record.row = 11;
	assert_int_equal(check(fixture, "activate", &record), 3);
	assert_int_equal(check(fixture, "activate", &other), 0);
	/* prefetched for one operation, checked for another */
	struct record device = {.row = 12};
	device.value[FIELD_ICCID] = "89014103211118510746";
	device.value[FIELD_DEVICE_NAME] = "sensor-12";
	dupe_set_prefetch(fixture->set, activate, &device);
	assert_int_equal(dupe_set_check(fixture->set, note, &device, &fixture->message), 0);
	device.row = 13;
	dupe_set_prefetch(fixture->set, note, &device);
	assert_int_equal(dupe_set_check(fixture->set, note, &device, &fixture->message), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(second_occurrence_names_the_first_row, setup, teardown),
	    cmocka_unit_test_setup_teardown(absent_keys_are_not_checked, setup, teardown),
	    cmocka_unit_test_setup_teardown(composite_keys_compare_every_field, setup, teardown),
	    cmocka_unit_test_setup_teardown(many_keys_survive_growth_compactly, setup, teardown),
	    cmocka_unit_test_setup_teardown(a_reserved_set_stays_compact, setup, teardown),
	    cmocka_unit_test(key_table_handles_crowding_and_wide_rows),
	    cmocka_unit_test_setup_teardown(rows_beyond_a_million_keep_their_high_bits, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(row_zero_is_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(prefetch_changes_no_answer, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
