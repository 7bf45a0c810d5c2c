/* Unit tests for picking one row's part out of audit record bodies: the
 * request element by the row's position, its identifier, and its response
 * entries (a map key, a device_index entry, an entry holding the identifier). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "audit/row_view.h"

static json_t *parse(const char *text)
{
	json_t *value = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(value);
	return value;
}

/* Asserts that value serialises compactly (sorted keys) to expected. */
static void assert_json(const json_t *value, const char *expected)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	assert_non_null(text);
	assert_string_equal(text, expected);
	free(text);
}

static void the_element_is_picked_by_position(void **state)
{
	(void)state;
	json_t *request = parse("{\"cost_center\":\"CC\",\"other\":[1],"
	                        "\"device_names\":[\"a\",\"b\",\"c\"]}");
	json_t *element = audit_row_request_element(request, 1, 3);
	assert_json(element, "\"b\"");
	assert_string_equal(audit_row_identifier(element), "b");
	/* what every row of the call was sent with */
	json_t *shared = audit_row_request_shared(request, 3);
	assert_json(shared, "{\"cost_center\":\"CC\",\"other\":[1]}");
	json_decref(shared);
	assert_null(audit_row_request_shared(request, 2)); /* no per-row list */
	/* no array of the call's size: nothing to pick */
	assert_null(audit_row_request_element(request, 0, 2));
	/* a per-row call: the whole body is the row's */
	json_t *single = parse("{\"note\":\"x\"}");
	assert_ptr_equal(audit_row_request_element(single, 0, 1), single);
	assert_null(audit_row_request_shared(single, 1));
	assert_null(audit_row_request_element(single, 1, 1));
	json_decref(single);
	json_decref(request);
}

static void the_identifier_prefers_device_keys(void **state)
{
	(void)state;
	json_t *element = parse("{\"note\":\"n\",\"imei\":\"35\",\"iccid\":\"89\"}");
	assert_string_equal(audit_row_identifier(element), "89");
	json_t *plain = parse("{\"n\":1,\"label\":\"L\"}");
	assert_string_equal(audit_row_identifier(plain), "L");
	assert_null(audit_row_identifier(NULL));
	json_t *number = parse("7");
	assert_null(audit_row_identifier(number));
	json_decref(number);
	json_decref(plain);
	json_decref(element);
}

static void response_entries_are_the_rows_own(void **state)
{
	(void)state;
	json_t *map = parse("{\"change_status\":{\"a\":\"Success\",\"b\":\"Error: no\"}}");
	json_t *found = audit_row_response_entries(map, 1, "b");
	assert_json(found, "{\"change_status\":{\"b\":\"Error: no\"}}");
	json_decref(found);
	json_t *batch = parse("{\"processed\":[{\"iccid\":\"89a\"},{\"iccid\":\"89c\"}],"
	                      "\"unprocessed\":[{\"device_index\":1,\"input\":{\"iccid\":\"89b\"}},"
	                      "{\"device_index\":\"2\",\"input\":{\"iccid\":\"89b\"}}]}");
	found = audit_row_response_entries(batch, 1, "89b");
	/* device_index decides when present (the second entry names the same
	 * iccid but is row 2's); processed entries match by identifier */
	assert_json(found,
	            "{\"unprocessed\":[{\"device_index\":1,\"input\":{\"iccid\":\"89b\"}}]}");
	json_decref(found);
	found = audit_row_response_entries(batch, 2, "89c");
	assert_json(found,
	            "{\"processed\":[{\"iccid\":\"89c\"}],"
	            "\"unprocessed\":[{\"device_index\":\"2\",\"input\":{\"iccid\":\"89b\"}}]}");
	json_decref(found);
	found = audit_row_response_entries(batch, 5, NULL);
	assert_json(found, "{}");
	json_decref(found);
	json_decref(batch);
	json_decref(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_element_is_picked_by_position),
	    cmocka_unit_test(the_identifier_prefers_device_keys),
	    cmocka_unit_test(response_entries_are_the_rows_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
