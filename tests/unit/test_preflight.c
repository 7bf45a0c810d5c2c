/* Unit tests of run's preflight verdict on one row (cli/preflight.c,
 * preflight_settle): sent, unchanged, missing, and a second row naming a
 * device an earlier row names another way — a duplicate key, `invalid` as
 * validate and plan judge it (SPEC §3), never sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/preflight.h"

static void add(struct live_snapshot *snapshot, const char *name, const char *iccid,
                const char *cost_center)
{
	struct device_view device = {{0}};
	device.value[DEVICE_NAME] = name;
	device.value[DEVICE_ICCID] = iccid;
	device.value[DEVICE_STATE] = "active";
	device.value[DEVICE_COST_CENTER] = cost_center;
	assert_int_equal(live_snapshot_add_view(snapshot, &device), 0);
}

struct row_case {
	const char *device, *id_type, *cost_center;
	int verdict; /* ENGINE_ROW_SEND or ENGINE_ROW_SETTLED */
	enum row_status status;
	const char *message; /* its start */
	const char *sent_as; /* the device_name a sent row goes out under */
};

static void settle_judges_each_row(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	assert_non_null(snapshot);
	add(snapshot, "36500", "89012600000000000011", "OLD");
	add(snapshot, "36501", "89012600000000000029", "NEW");
	live_snapshot_meta(snapshot)->scope = LIVE_SCOPE_ACCOUNT;
	static const struct row_case cases[] = {
	    {"36500", "", "NEW", ENGINE_ROW_SEND, ROW_OK, "", "36500"},
	    {"36501", "", "NEW", ENGINE_ROW_SETTLED, ROW_UNCHANGED,
	     "not sent: cost_center is already 'NEW'", NULL},
	    {"nope", "", "NEW", ENGINE_ROW_SETTLED, ROW_ERROR, "not sent: no device", NULL},
	    /* row 1's device by its ICCID, and again by name */
	    {"89012600000000000011", "iccid", "NEW", ENGINE_ROW_SETTLED, ROW_INVALID,
	     "duplicate of row 1: same device 36500 (this row names it by iccid "
	     "89012600000000000011)",
	     NULL},
	    {"36500", "", "OTHER", ENGINE_ROW_SETTLED, ROW_INVALID,
	     "duplicate of row 1: same device 36500", NULL},
	};
	size_t count = sizeof(cases) / sizeof(cases[0]);
	const struct op *op = op_find("cost-center");
	struct preflight preflight;
	preflight_init(&preflight, op);
	preflight.snapshot = snapshot;
	preflight.claims = live_claims_new(snapshot);
	assert_non_null(preflight.claims);
	struct record records[5];
	for (size_t index = 0; index < count; index++) {
		memset(&records[index], 0, sizeof(records[index]));
		records[index].row = index + 1;
		records[index].value[FIELD_DEVICE_NAME] = cases[index].device;
		records[index].value[FIELD_ID_TYPE] = cases[index].id_type;
		records[index].value[FIELD_COST_CENTER] = cases[index].cost_center;
	}
	/* preflight_classify's pass over the whole job: every row claims its device */
	for (size_t index = 0; index < count; index++) {
		struct live_verdict verdict;
		live_classify(op, &records[index], snapshot, &verdict);
		assert_true(live_claims_check(preflight.claims, index + 1, true, &records[index],
		                              op, &verdict) >= 0);
	}
	for (size_t index = 0; index < count; index++) {
		const struct row_case *expected = &cases[index];
		const struct record *send = &records[index];
		struct row_outcome outcome;
		memset(&outcome, 0, sizeof(outcome));
		struct error error;
		error_clear(&error);
		assert_int_equal(
		    preflight_settle(&preflight, &records[index], &send, &outcome, &error),
		    expected->verdict);
		if (expected->verdict == ENGINE_ROW_SEND) {
			assert_string_equal(send->value[FIELD_DEVICE_NAME], expected->sent_as);
			continue;
		}
		assert_int_equal(outcome.status, expected->status);
		assert_memory_equal(outcome.message, expected->message, strlen(expected->message));
	}
	preflight_release(&preflight);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(settle_judges_each_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
