/* Unit tests for the simulator's state: device look-ups by id_type, the
 * deterministic data set, snapshots, dates of the history and the token bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/history.h"
#include "sim/rate_limit.h"
#include "sim/store.h"

static void default_data_set_is_found_by_every_identifier(void **state)
{
	(void)state;
	struct store store;
	assert_int_equal(store_init(&store, 42), 0);
	assert_int_equal(store_fill_default(&store, 50), 0);
	assert_int_equal(store.count, 50);
	assert_true(store_has_rate_plan(&store, "ACME Co 5mb Rate Plan"));
	assert_true(store_has_rate_plan(&store, "ACME Co 10MB Plan"));
	assert_false(store_has_rate_plan(&store, "ACME Co 10mb Plan"));
	struct device *device = store_find(&store, ID_TYPE_DEVICE_NAME, "36510");
	assert_non_null(device);
	json_t *fields = store_device_json(&store, device);
	const char *iccid = json_string_value(json_object_get(fields, "iccid"));
	assert_int_equal(strlen(iccid), 20);
	assert_ptr_equal(store_find(&store, ID_TYPE_ICCID, iccid), device);
	const char *imei = json_string_value(json_object_get(fields, "imei"));
	assert_ptr_equal(store_find(&store, ID_TYPE_IMEI, imei), device);
	assert_ptr_equal(store_find(&store, ID_TYPE_ID, "1010"), device);
	/* The identifiers without an index are found too (by a scan). */
	assert_ptr_equal(
	    store_find(&store, ID_TYPE_IMSI, json_string_value(json_object_get(fields, "imsi"))),
	    device);
	assert_ptr_equal(store_find(&store, ID_TYPE_MSISDN,
	                            json_string_value(json_object_get(fields, "msisdn"))),
	                 device);
	assert_null(store_find(&store, ID_TYPE_DEVICE_NAME, iccid));
	assert_null(store_find(&store, ID_TYPE_MEID, ""));
	json_decref(fields);
	/* A device name is unique. */
	assert_int_equal(
	    store_add_device(&store, json_pack("{s:s}", "device_name", "36510"), json_object()),
	    -1);
	store_release(&store);
}

static void same_seed_same_data(void **state)
{
	(void)state;
	struct store first, second;
	store_init(&first, 7);
	store_init(&second, 7);
	store_fill_default(&first, 20);
	store_fill_default(&second, 20);
	for (size_t i = 0; i < 20; i++) {
		json_t *left = store_device_json(&first, &first.devices[i]);
		json_t *right = store_device_json(&second, &second.devices[i]);
		assert_true(json_equal(left, right));
		json_decref(left);
		json_decref(right);
	}
	store_release(&first);
	store_release(&second);
}

static void snapshot_round_trip(void **state)
{
	(void)state;
	char path[] = "/tmp/test_sim_store.XXXXXX";
	char message[256];
	int descriptor = mkstemp(path);
	assert_true(descriptor >= 0);
	close(descriptor);
	struct store saved, loaded;
	store_init(&saved, 3);
	store_fill_default(&saved, 10);
	assert_int_equal(store_activate(&saved, "89014103211118510720", "490154203237518", NULL,
	                                "ACME Co 10MB Plan", 1700000000000),
	                 0);
	assert_int_equal(store_save(&saved, path, message, sizeof message), 0);
	store_init(&loaded, 99);
	assert_int_equal(store_load(&loaded, path, message, sizeof message), 0);
	assert_int_equal(loaded.count, 11);
	assert_int_equal(loaded.next_id, saved.next_id);
	assert_non_null(store_find(&loaded, ID_TYPE_ICCID, "89014103211118510720"));
	for (size_t i = 0; i < 11; i++) {
		json_t *left = store_device_json(&saved, &saved.devices[i]);
		json_t *right = store_device_json(&loaded, &loaded.devices[i]);
		assert_true(json_equal(left, right));
		json_decref(left);
		json_decref(right);
	}
	store_release(&saved);
	store_release(&loaded);
	FILE *file = fopen(path, "w");
	fputs("{\"devices\":[{\"fields\":{}}],\"rate_plans\":[],\"users\":[]}", file);
	fclose(file);
	store_init(&loaded, 1);
	assert_int_equal(store_load(&loaded, path, message, sizeof message), -1);
	assert_non_null(strstr(message, "devices[0]"));
	store_release(&loaded);
	/* Hostile numbers are kept as they are, without overflowing. */
	file = fopen(path, "w");
	fputs(
	    "{\"version\":2,\"rate_plans\":[],\"users\":[],\"devices\":[\n"
	    "{\"fields\":{\"id\":1000,\"device_name\":\"36500\",\"sms_used\":-9223372036854775807},"
	    "\"sim\":{}},\n"
	    "{\"fields\":{\"device_name\":\"x\",\"sms_used\":9223372036854775807},"
	    "\"sim\":{\"sms_log\":[{\"event_id\":-1,\"message_body\":\"a\"}]}}\n"
	    "]}\n",
	    file);
	fclose(file);
	store_init(&loaded, 1);
	assert_int_equal(store_load(&loaded, path, message, sizeof message), 0);
	assert_int_equal(loaded.count, 2);
	assert_int_equal(store_log_sms(&loaded, &loaded.devices[1], 1, "2026-01-01T00:00:00Z", "b"),
	                 0);
	json_t *hostile = store_device_json(&loaded, &loaded.devices[1]);
	assert_int_equal(json_integer_value(json_object_get(hostile, "sms_used")), INT64_MAX);
	json_decref(hostile);
	store_release(&loaded);
	unlink(path);
}

/* A snapshot read back with the same seed keeps built-in and activated
 * devices in their compact form, changed values, usage limits and SMS logs;
 * a device that is neither is kept as it was written. */
static void snapshot_keeps_compact_form_and_changes(void **state)
{
	(void)state;
	char path[] = "/tmp/test_sim_store.XXXXXX";
	char message[256];
	int descriptor = mkstemp(path);
	assert_true(descriptor >= 0);
	close(descriptor);
	struct store saved, loaded;
	assert_int_equal(store_init(&saved, 5), 0);
	assert_int_equal(store_fill_default(&saved, 30), 0);
	json_t *entry = json_pack("{s:s, s:s}", "note2", "lot 7", "region_code", "EU");
	assert_int_equal(store_activate(&saved, "89014103211118510720", "490154203237518", entry,
	                                "ACME Co 1GB Plan", 1700000000000),
	                 0);
	json_decref(entry);
	assert_int_equal(
	    store_add_device(
	        &saved,
	        json_pack("{s:s, s:s, s:s, s:i}", "device_name", "custom-1", "state", "active",
	                  "iccid", "1234", "sms_used", 3),
	        json_pack("{s:s, s:b}", "rate_plan_name", "ACME Co SMS Only", "sms_capable", 1)),
	    0);
	struct device *device = store_find(&saved, ID_TYPE_DEVICE_NAME, "36503");
	assert_int_equal(store_set_cost_center(&saved, device, "Moved"), 0);
	assert_int_equal(store_set_note(&saved, device, 3, "n3"), 0);
	json_t *usernames = json_pack("[s]", "ops.dave");
	assert_int_equal(store_set_usage_limit(&saved, device, 2048, "suspend", usernames), 0);
	json_decref(usernames);
	assert_int_equal(store_log_sms(&saved, device, 17, "2026-01-02T03:04:05.000Z", "PING"), 0);
	assert_int_equal(store_log_sms(&saved, store_find(&saved, ID_TYPE_DEVICE_NAME, "custom-1"),
	                               18, "2026-01-02T03:04:06.000Z", "PONG"),
	                 0);
	assert_int_equal(store_save(&saved, path, message, sizeof message), 0);
	assert_int_equal(store_init(&loaded, 5), 0);
	assert_int_equal(store_load(&loaded, path, message, sizeof message), 0);
	assert_int_equal(loaded.count, saved.count);
	assert_int_equal(loaded.next_id, saved.next_id);
	for (size_t i = 0; i < saved.count; i++) {
		json_t *left = store_device_json(&saved, &saved.devices[i]);
		json_t *right = store_device_json(&loaded, &loaded.devices[i]);
		assert_true(json_equal(left, right));
		json_decref(left);
		json_decref(right);
		left = store_device_sim(&saved, &saved.devices[i]);
		right = store_device_sim(&loaded, &loaded.devices[i]);
		assert_true(json_equal(left, right));
		json_decref(left);
		json_decref(right);
	}
	assert_int_equal(loaded.devices[3].kind, DEVICE_DEFAULT);
	assert_int_equal(loaded.devices[30].kind, DEVICE_ACTIVATED);
	assert_int_equal(loaded.devices[31].kind, DEVICE_LOADED);
	assert_ptr_equal(store_find(&loaded, ID_TYPE_ICCID, "1234"), &loaded.devices[31]);
	json_t *fields = store_device_json(&loaded, &loaded.devices[31]);
	assert_int_equal(json_integer_value(json_object_get(fields, "sms_used")), 4);
	json_decref(fields);
	store_release(&saved);
	store_release(&loaded);
	unlink(path);
}

/* With an activation delay a new device is pending, then active. */
static void activation_delay(void **state)
{
	(void)state;
	struct store store;
	assert_int_equal(store_init(&store, 1), 0);
	store.activation_delay_ms = 3600 * 1000;
	assert_int_equal(
	    store_activate(&store, "89014103211118510720", "", NULL, "ACME Co 10MB Plan", 0), 0);
	assert_int_equal(store_activate(&store, "89014103211118510738", "", NULL,
	                                "ACME Co 10MB Plan", INT64_MAX / 2),
	                 0);
	/* The first became active an hour after 1970; the second is far off. */
	assert_int_equal(store_device_state(&store, &store.devices[0]), store.state_active);
	assert_int_equal(store_device_state(&store, &store.devices[1]), store.state_pending);
	json_t *fields = store_device_json(&store, &store.devices[1]);
	assert_string_equal(json_string_value(json_object_get(fields, "state")), "pending");
	json_decref(fields);
	store_release(&store);
}

static void history_dates(void **state)
{
	(void)state;
	int64_t day;
	char text[16];
	assert_int_equal(history_parse_day("1970-01-02", &day), 0);
	assert_int_equal(day, 1);
	assert_int_equal(history_parse_day("2024-02-29T23:59:59+05:00", &day), 0);
	history_format_day(day, text, sizeof text);
	assert_string_equal(text, "2024-02-29");
	history_format_day(history_month_start(day), text, sizeof text);
	assert_string_equal(text, "2024-02-01");
	history_format_day(history_previous_month(history_month_start(day)), text, sizeof text);
	assert_string_equal(text, "2024-01-01");
	assert_int_equal(history_parse_day("2024-13-01", &day), -1);
	assert_int_equal(history_parse_day("2024-1-01", &day), -1);
	assert_int_equal(history_parse_day("2024-01-01X", &day), -1);
	assert_int_equal(history_parse_day(NULL, &day), -1);
}

static void token_bucket(void **state)
{
	(void)state;
	struct rate_limit limit;
	rate_limit_init(&limit, 2.0, 1000);
	assert_int_equal(rate_limit_take(&limit, 1000), 0);
	assert_int_equal(rate_limit_take(&limit, 1000), 0);
	assert_int_equal(rate_limit_take(&limit, 1000), 1);
	assert_int_equal(rate_limit_take(&limit, 1500), 0);
	rate_limit_release(&limit);
	rate_limit_init(&limit, 0.25, 0);
	assert_int_equal(rate_limit_take(&limit, 0), 0);
	assert_int_equal(rate_limit_take(&limit, 0), 4);
	rate_limit_release(&limit);
	rate_limit_init(&limit, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(rate_limit_take(&limit, 0), 0);
	rate_limit_release(&limit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_data_set_is_found_by_every_identifier),
	    cmocka_unit_test(same_seed_same_data),
	    cmocka_unit_test(snapshot_round_trip),
	    cmocka_unit_test(snapshot_keeps_compact_form_and_changes),
	    cmocka_unit_test(activation_delay),
	    cmocka_unit_test(history_dates),
	    cmocka_unit_test(token_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
