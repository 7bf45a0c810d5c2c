/* Unit tests for the request every operation builds: method and path per
 * SPEC §4, and the JSON body the API text shows, compared with json_equal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "ops/request_body.h"

struct built {
	struct strbuf path;
	json_t *body;
};

/* Builds the call for records and checks path and body (expected NULL: no body). */
static void expect_request(const char *op_name, const struct record *const *records, size_t count,
                           const char *expected_path, const char *expected_body)
{
	const struct op *op = op_find(op_name);
	assert_non_null(op);
	struct strbuf path;
	strbuf_init(&path, 4096);
	json_t *body = NULL;
	assert_int_equal(op->build_request(op, records, count, &path, &body), 0);
	assert_string_equal(strbuf_text(&path), expected_path);
	if (!expected_body) {
		assert_null(body);
	} else {
		json_error_t error;
		json_t *expected = json_loads(expected_body, 0, &error);
		if (!expected)
			fail_msg("bad expected JSON: %s", error.text);
		if (!json_equal(body, expected)) {
			char *got = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
			print_error("%s: got %s\n", op_name, got ? got : "NULL");
			free(got);
			fail();
		}
		json_decref(expected);
	}
	json_decref(body);
	strbuf_release(&path);
}

static void activation_body_follows_the_api_text(void **state)
{
	(void)state;
	struct record first = {.row = 1}, second = {.row = 2}, third = {.row = 3};
	first.value[FIELD_RATE_PLAN_NAME] = "ACME Co 5mb Rate Plan";
	first.value[FIELD_IMEI] = "111111111111111";
	first.value[FIELD_ICCID] = "89222222222222222222";
	second.value[FIELD_RATE_PLAN_NAME] = "ACME Co 5mb Rate Plan";
	second.value[FIELD_IMEI] = "333333333333333";
	second.value[FIELD_ICCID] = "89444444444444444444";
	second.value[FIELD_NOTE] = "Notes are stored";
	second.value[FIELD_REGION_CODE] = "02134";
	third.value[FIELD_RATE_PLAN_NAME] = "ACME Co 5mb Rate Plan";
	third.value[FIELD_DEVICE_SKU] = "XYZ000000012345";
	third.value[FIELD_ICCID] = "89666666666666666666";
	third.value[FIELD_NOTE3] = "Note fields do not need to be filled in any particular order.";
	third.value[FIELD_NOTE1] = ""; /* empty means absent: never sent */
	const struct record *records[] = {&first, &second, &third};
	expect_request("activate", records, 3, "v2/device_operations/activation_request",
	               "{\"rate_plan_name\":\"ACME Co 5mb Rate Plan\",\"activation_requests\":["
	               "{\"imei\":\"111111111111111\",\"iccid\":\"89222222222222222222\"},"
	               "{\"imei\":\"333333333333333\",\"iccid\":\"89444444444444444444\","
	               "\"region_code\":\"02134\",\"note\":\"Notes are stored\"},"
	               "{\"device_sku\":\"XYZ000000012345\",\"iccid\":\"89666666666666666666\","
	               "\"note3\":\"Note fields do not need to be filled in any particular "
	               "order.\"}]}");
}

static void upload_body_lists_imeis(void **state)
{
	(void)state;
	struct record first = {.row = 1}, second = {.row = 2};
	first.value[FIELD_UPLOAD_EMAIL] = second.value[FIELD_UPLOAD_EMAIL] =
	    "name@vendor_company.com";
	first.value[FIELD_UPLOAD_SKU] = second.value[FIELD_UPLOAD_SKU] = "XYZ000000012345";
	first.value[FIELD_IMEI] = "111111111111111";
	second.value[FIELD_IMEI] = "333333333333333";
	const struct record *records[] = {&first, &second};
	expect_request("upload", records, 2, "v2/device_operations/upload_request",
	               "{\"upload_email\":\"name@vendor_company.com\",\"upload_sku\":"
	               "\"XYZ000000012345\",\"upload_ids\":[{\"imei\":\"111111111111111\"},"
	               "{\"imei\":\"333333333333333\"}]}");
}

static void device_operation_bodies(void **state)
{
	(void)state;
	struct record first = {.row = 1}, second = {.row = 2};
	first.value[FIELD_DEVICE_NAME] = "123";
	second.value[FIELD_DEVICE_NAME] = "789";
	first.value[FIELD_COST_CENTER] = second.value[FIELD_COST_CENTER] = "Acme";
	const struct record *records[] = {&first, &second};
	expect_request("cost-center", records, 2, "v2/device_operations/change_cost_center",
	               "{\"device_names\":[\"123\",\"789\"],\"cost_center\":\"Acme\"}");

	first.value[FIELD_STATE] = second.value[FIELD_STATE] = "restore";
	expect_request("simstate", records, 2, "v2/device_operations/change_simstate",
	               "{\"device_names\":[\"123\",\"789\"],\"state\":\"restore\"}");
	first.value[FIELD_ID_TYPE] = second.value[FIELD_ID_TYPE] = "iccid";
	expect_request("simstate", records, 2, "v2/device_operations/change_simstate",
	               "{\"device_names\":[\"123\",\"789\"],\"state\":\"restore\","
	               "\"id_type\":\"iccid\"}");

	expect_request("remove-usage-limit", records, 2, "v2/device_operations/remove_usage_limit",
	               "{\"device_names\":[\"123\",\"789\"]}");

	first.value[FIELD_SMS_TEXT] = second.value[FIELD_SMS_TEXT] = "This is the SMS message";
	expect_request("sms", records, 2, "v2/device_operations/send_sms",
	               "{\"device_names\":[\"123\",\"789\"],\"sms_text\":\"This is the SMS "
	               "message\"}");
}

static void usage_limit_sends_an_integer_and_a_username_array(void **state)
{
	(void)state;
	struct record first = {.row = 1}, second = {.row = 2};
	first.value[FIELD_DEVICE_NAME] = "123";
	second.value[FIELD_DEVICE_NAME] = "907";
	first.value[FIELD_KB_LIMIT] = second.value[FIELD_KB_LIMIT] = "1024";
	first.value[FIELD_USERNAMES] = second.value[FIELD_USERNAMES] = "a valid username; bob";
	const struct record *records[] = {&first, &second};
	expect_request("usage-limit", records, 2, "v2/device_operations/set_usage_limit",
	               "{\"device_names\":[\"123\",\"907\"],\"usernames\":[\"a valid username\","
	               "\"bob\"],\"kb_limit\":1024}");
	first.value[FIELD_USERNAMES] = NULL;
	first.value[FIELD_ACTION] = "suspend";
	first.value[FIELD_KB_LIMIT] = "2147483647";
	expect_request(
	    "usage-limit", records, 1, "v2/device_operations/set_usage_limit",
	    "{\"device_names\":[\"123\"],\"action\":\"suspend\",\"kb_limit\":2147483647}");
	/* A value the validator would refuse never becomes a body. */
	first.value[FIELD_KB_LIMIT] = "12x";
	struct strbuf path;
	strbuf_init(&path, 256);
	json_t *body = NULL;
	const struct op *op = op_find("usage-limit");
	assert_int_equal(op->build_request(op, records, 1, &path, &body), -1);
	assert_null(body);
	strbuf_release(&path);
}

static void note_puts_to_the_escaped_device(void **state)
{
	(void)state;
	struct record record = {.row = 1};
	record.value[FIELD_DEVICE_NAME] = "36524";
	record.value[FIELD_FIELD_NAME] = "note";
	record.value[FIELD_NOTE] = "Meaningful text";
	const struct record *records[] = {&record};
	expect_request("note", records, 1, "v2/devices/36524/note",
	               "{\"field_name\":\"note\",\"note\":\"Meaningful text\"}");
	record.value[FIELD_DEVICE_NAME] = "Truck 7?#é%";
	record.value[FIELD_ID_TYPE] = "device_name";
	expect_request("note", records, 1, "v2/devices/Truck%207%3F%23%C3%A9%25/note",
	               "{\"field_name\":\"note\",\"note\":\"Meaningful text\",\"id_type\":"
	               "\"device_name\"}");
}

static void locate_sends_a_body_only_with_id_type(void **state)
{
	(void)state;
	struct record record = {.row = 1};
	record.value[FIELD_DEVICE_NAME] = "36524";
	const struct record *records[] = {&record};
	expect_request("locate", records, 1, "v2/devices/36524/cellular_locate", NULL);
	record.value[FIELD_DEVICE_NAME] = "89014103211118510720";
	record.value[FIELD_ID_TYPE] = "iccid";
	expect_request("locate", records, 1, "v2/devices/89014103211118510720/cellular_locate",
	               "{\"id_type\":\"iccid\"}");
}

static void percent_escape_keeps_only_unreserved(void **state)
{
	(void)state;
	struct strbuf out;
	strbuf_init(&out, 256);
	assert_int_equal(percent_escape(&out, "aZ09-._~ /?:@!$&'()*+,;=\x01"), 0);
	assert_string_equal(strbuf_text(&out),
	                    "aZ09-._~%20%2F%3F%3A%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%01");
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(activation_body_follows_the_api_text),
	    cmocka_unit_test(upload_body_lists_imeis),
	    cmocka_unit_test(device_operation_bodies),
	    cmocka_unit_test(usage_limit_sends_an_integer_and_a_username_array),
	    cmocka_unit_test(note_puts_to_the_escaped_device),
	    cmocka_unit_test(locate_sends_a_body_only_with_id_type),
	    cmocka_unit_test(percent_escape_keeps_only_unreserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
