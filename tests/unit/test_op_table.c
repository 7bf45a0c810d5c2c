/* Unit tests for the operation table (SPEC §4), field names, record copies
 * and batching keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"

static void names_are_unique_and_sorted(void **state)
{
	(void)state;
	assert_int_equal(op_table_count, 9);
	for (size_t index = 1; index < op_table_count; index++)
		assert_true(strcmp(op_table[index - 1]->name, op_table[index]->name) < 0);
	for (size_t index = 0; index < op_table_count; index++)
		assert_ptr_equal(op_find(op_table[index]->name), op_table[index]);
	assert_null(op_find("Activate"));
	assert_null(op_find("activation"));
	assert_null(op_find(""));
	assert_null(op_find(NULL));
}

static void every_field_is_complete(void **state)
{
	(void)state;
	for (size_t index = 0; index < op_table_count; index++) {
		const struct op *op = op_table[index];
		assert_non_null(op->summary);
		assert_non_null(op->build_request);
		assert_non_null(op->map_response);
		assert_true(op->field_count > 0);
		for (size_t field = 0; field < op->field_count; field++) {
			assert_non_null(op->fields[field].validate);
			/* No field twice in one operation. */
			for (size_t other = field + 1; other < op->field_count; other++)
				assert_int_not_equal(op->fields[field].id, op->fields[other].id);
		}
		assert_non_null(op_field_find(op, op->key_field));
		for (size_t key = 0; key < op->unique_key_count; key++)
			for (size_t part = 0; part < op->unique_keys[key].count; part++)
				assert_non_null(
				    op_field_find(op, op->unique_keys[key].fields[part]));
		/* A per-row operation puts the device in the path; a batched one never does. */
		bool in_path = strstr(op->path, "{device_name}") != NULL;
		assert_int_equal(in_path, (op->flags & OP_PER_ROW) != 0);
	}
}

struct expected_op {
	const char *name, *method, *path;
	enum field_id key_field;
	unsigned flags;
	const char *batch;    /* OP_FIELD_BATCH fields, space separated */
	const char *required; /* OP_FIELD_REQUIRED fields */
	const char *optional;
};

static const struct expected_op spec[] = {
    {"activate", "POST", "v2/device_operations/activation_request", FIELD_ICCID,
     OP_NON_IDEMPOTENT | OP_RECONCILE_BY_ICCID | OP_REFUSES_REPEATS | OP_NEEDS_YES,
     "rate_plan_name", "iccid rate_plan_name",
     "imei device_sku region_code note note1 note2 note3"},
    {"upload", "POST", "v2/device_operations/upload_request", FIELD_IMEI,
     OP_NON_IDEMPOTENT | OP_REFUSES_REPEATS, "upload_email upload_sku",
     "imei upload_email upload_sku", ""},
    {"cost-center", "PUT", "v2/device_operations/change_cost_center", FIELD_DEVICE_NAME, 0,
     "cost_center", "device_name cost_center", "id_type"},
    {"simstate", "PUT", "v2/device_operations/change_simstate", FIELD_DEVICE_NAME, 0,
     "state id_type", "device_name state", "id_type"},
    {"usage-limit", "POST", "v2/device_operations/set_usage_limit", FIELD_DEVICE_NAME, 0,
     "kb_limit action usernames", "device_name kb_limit", "action usernames id_type"},
    {"remove-usage-limit", "POST", "v2/device_operations/remove_usage_limit", FIELD_DEVICE_NAME, 0,
     "", "device_name", "id_type"},
    {"sms", "POST", "v2/device_operations/send_sms", FIELD_DEVICE_NAME,
     OP_NON_IDEMPOTENT | OP_NEEDS_YES, "sms_text", "device_name sms_text", "id_type"},
    {"note", "PUT", "v2/devices/{device_name}/note", FIELD_DEVICE_NAME, OP_PER_ROW, "",
     "device_name field_name note", "id_type"},
    {"locate", "POST", "v2/devices/{device_name}/cellular_locate", FIELD_DEVICE_NAME,
     OP_PER_ROW | OP_NON_IDEMPOTENT | OP_NEEDS_YES, "", "device_name", "id_type"},
};

/* Counts the words of list and checks each names a field of op with the flag (or without any flag).
 */
static size_t check_words(const struct op *op, const char *list, unsigned flag)
{
	char copy[128];
	size_t count = 0;
	strncpy(copy, list, sizeof(copy) - 1);
	copy[sizeof(copy) - 1] = '\0';
	char *cursor = copy;
	while (*cursor) {
		char *end = strchr(cursor, ' ');
		if (end)
			*end = '\0';
		int id = field_lookup(cursor);
		assert_true(id >= 0);
		const struct op_field *field = op_field_find(op, (enum field_id)id);
		if (!field)
			fail_msg("%s has no field %s", op->name, cursor);
		if (flag)
			assert_true(field->flags & flag);
		else
			assert_false(field->flags & OP_FIELD_REQUIRED);
		count++;
		if (!end)
			break;
		cursor = end + 1;
	}
	return count;
}

static void table_matches_spec_section_4(void **state)
{
	(void)state;
	for (size_t index = 0; index < sizeof(spec) / sizeof(spec[0]); index++) {
		const struct op *op = op_find(spec[index].name);
		assert_non_null(op);
		assert_string_equal(op->method, spec[index].method);
		assert_string_equal(op->path, spec[index].path);
		assert_int_equal(op->key_field, spec[index].key_field);
		assert_int_equal(op->flags, spec[index].flags);
		size_t batch = check_words(op, spec[index].batch, OP_FIELD_BATCH);
		size_t batch_in_table = 0;
		for (size_t field = 0; field < op->field_count; field++)
			batch_in_table += (op->fields[field].flags & OP_FIELD_BATCH) != 0;
		assert_int_equal(batch, batch_in_table);
		size_t required = check_words(op, spec[index].required, OP_FIELD_REQUIRED);
		size_t optional = check_words(op, spec[index].optional, 0);
		assert_int_equal(required + optional, op->field_count);
	}
}

static void unique_keys_follow_the_device(void **state)
{
	(void)state;
	const struct op *activate = op_find("activate");
	assert_int_equal(activate->unique_key_count, 2);
	assert_int_equal(activate->unique_keys[0].fields[0], FIELD_ICCID);
	assert_int_equal(activate->unique_keys[1].fields[0], FIELD_IMEI);
	const struct op *note = op_find("note");
	assert_int_equal(note->unique_key_count, 1);
	assert_int_equal(note->unique_keys[0].count, 3);
	const struct op *simstate = op_find("simstate");
	assert_int_equal(simstate->unique_keys[0].count, 2);
	assert_int_equal(simstate->unique_keys[0].fields[1], FIELD_ID_TYPE);
	assert_int_equal(op_find("upload")->unique_keys[0].fields[0], FIELD_IMEI);
	assert_int_equal(op_find("sms")->unique_keys[0].fields[0], FIELD_DEVICE_NAME);
}

static void field_names_round_trip(void **state)
{
	(void)state;
	for (int field = 0; field < FIELD_COUNT; field++) {
		assert_int_equal(field_lookup(field_name((enum field_id)field)), field);
		if (field > 0)
			assert_true(strcmp(field_name((enum field_id)(field - 1)),
			                   field_name((enum field_id)field)) < 0);
	}
	assert_int_equal(field_lookup("IMEI"), -1);
	assert_int_equal(field_lookup("colour"), -1);
	assert_int_equal(field_lookup(NULL), -1);
	assert_string_equal(field_name(FIELD_RATE_PLAN_NAME), "rate_plan_name");
	assert_string_equal(row_status_name(ROW_OK), "ok");
	assert_string_equal(row_status_name(ROW_ERROR), "error");
	assert_string_equal(row_status_name(ROW_INVALID), "invalid");
	assert_string_equal(row_status_name(ROW_UNKNOWN), "unknown");
	assert_string_equal(row_status_name(ROW_SKIPPED), "skipped");
	assert_string_equal(row_status_name(ROW_PENDING), "pending");
}

static void record_clone_is_one_deep_allocation(void **state)
{
	(void)state;
	char iccid[] = "89014103211118510720";
	char note[] = "Café";
	struct record record = {.row = 7, .line = 9, .offset = 1234};
	record.value[FIELD_ICCID] = iccid;
	record.value[FIELD_NOTE] = note;
	record.value[FIELD_IMEI] = "";
	struct record *copy = record_clone(&record);
	assert_non_null(copy);
	iccid[0] = 'X';
	note[0] = 'X';
	assert_int_equal(copy->row, 7);
	assert_int_equal(copy->line, 9);
	assert_int_equal(copy->offset, 1234);
	assert_string_equal(copy->value[FIELD_ICCID], "89014103211118510720");
	assert_string_equal(copy->value[FIELD_NOTE], "Café");
	assert_string_equal(copy->value[FIELD_IMEI], "");
	assert_null(copy->value[FIELD_DEVICE_NAME]);
	/* The strings live inside the one block (ASan would flag a second allocation as a leak). */
	assert_true((const char *)copy->value[FIELD_ICCID] > (const char *)copy);
	free(copy);
}

static void batch_keys_group_equal_values(void **state)
{
	(void)state;
	const struct op *usage = op_find("usage-limit");
	struct strbuf first, second, label;
	strbuf_init(&first, 4096);
	strbuf_init(&second, 4096);
	strbuf_init(&label, 4096);
	struct record a = {.row = 1};
	struct record b = {.row = 2};
	a.value[FIELD_DEVICE_NAME] = "1";
	b.value[FIELD_DEVICE_NAME] = "2";
	a.value[FIELD_KB_LIMIT] = b.value[FIELD_KB_LIMIT] = "1024";
	a.value[FIELD_ACTION] = b.value[FIELD_ACTION] = "suspend";
	assert_int_equal(op_batch_key(usage, &a, &first), 0);
	assert_int_equal(op_batch_key(usage, &b, &second), 0);
	assert_string_equal(strbuf_text(&first), strbuf_text(&second));
	b.value[FIELD_USERNAMES] = "alice";
	op_batch_key(usage, &b, &second);
	assert_string_not_equal(strbuf_text(&first), strbuf_text(&second));
	/* Values cannot run into each other: "10"+"24..." differs from "1"+"024...". */
	a.value[FIELD_KB_LIMIT] = "10";
	a.value[FIELD_ACTION] = "24suspend";
	op_batch_key(usage, &a, &first);
	b.value[FIELD_KB_LIMIT] = "1024";
	b.value[FIELD_ACTION] = "suspend";
	b.value[FIELD_USERNAMES] = NULL;
	op_batch_key(usage, &b, &second);
	assert_string_not_equal(strbuf_text(&first), strbuf_text(&second));

	assert_int_equal(op_batch_label(usage, &b, &label), 0);
	assert_string_equal(strbuf_text(&label), "kb_limit=1024, action=suspend, usernames=(none)");
	op_batch_label(op_find("remove-usage-limit"), &b, &label);
	assert_string_equal(strbuf_text(&label), "all rows");
	op_batch_label(op_find("note"), &b, &label);
	assert_string_equal(strbuf_text(&label), "one call per row");
	struct record plan = {.row = 1};
	plan.value[FIELD_RATE_PLAN_NAME] = "ACME 5MB";
	op_batch_label(op_find("activate"), &plan, &label);
	assert_string_equal(strbuf_text(&label), "rate_plan_name=ACME 5MB");
	op_batch_key(op_find("remove-usage-limit"), &plan, &first);
	op_batch_key(op_find("remove-usage-limit"), &b, &second);
	assert_string_equal(strbuf_text(&first), strbuf_text(&second));
	strbuf_release(&first);
	strbuf_release(&second);
	strbuf_release(&label);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_are_unique_and_sorted),
	    cmocka_unit_test(every_field_is_complete),
	    cmocka_unit_test(table_matches_spec_section_4),
	    cmocka_unit_test(unique_keys_follow_the_device),
	    cmocka_unit_test(field_names_round_trip),
	    cmocka_unit_test(record_clone_is_one_deep_allocation),
	    cmocka_unit_test(batch_keys_group_equal_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
