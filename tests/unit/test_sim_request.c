/* Unit tests for how the simulator reads requests: form bodies, Basic auth
 * and the route table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/basic_auth.h"
#include "sim/form.h"
#include "sim/routes.h"

static json_t *parse_form(const char *text, int expected_result, char *message, size_t size)
{
	json_t *params = json_object();
	assert_int_equal(form_parse(params, text, strlen(text), message, size), expected_result);
	return params;
}

static void form_arrays_and_plain_values(void **state)
{
	(void)state;
	char message[128];
	json_t *params = parse_form("device_names[]=123&device_names[]=4%2056&cost_center=Acme+Co"
	                            "&empty=&flag",
	                            0, message, sizeof message);
	char *text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text,
	                    "{\"cost_center\":\"Acme Co\",\"device_names\":[\"123\",\"4 56\"],"
	                    "\"empty\":\"\",\"flag\":\"\"}");
	free(text);
	json_decref(params);
}

static void form_refuses_bad_escapes_and_utf8(void **state)
{
	(void)state;
	char message[128];
	json_t *params = parse_form("a=%zz", -1, message, sizeof message);
	assert_string_equal(message, "malformed form body: bad percent escape");
	json_decref(params);
	params = parse_form("a=%4", -1, message, sizeof message);
	json_decref(params);
	params = parse_form("a=%00", -1, message, sizeof message);
	json_decref(params);
	params = parse_form("note=%ff%fe", -1, message, sizeof message);
	assert_string_equal(message, "note: not valid UTF-8");
	json_decref(params);
	params = parse_form("%ff%fe=x", -1, message, sizeof message);
	assert_string_equal(message, "a parameter name is not valid UTF-8");
	json_decref(params);
	params = parse_form("[]=x", -1, message, sizeof message);
	assert_string_equal(message, "a parameter has an empty name");
	json_decref(params);
}

static void base64_decoding(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(base64_decode("ZGVtbzpkZW1vLXNlY3JldA==", 24, out, sizeof out), 16);
	assert_string_equal(out, "demo:demo-secret");
	assert_int_equal(base64_decode("ZGVtbw", 6, out, sizeof out), 4);
	assert_string_equal(out, "demo");
	assert_int_equal(base64_decode("ZG*t", 4, out, sizeof out), -1);
	assert_int_equal(base64_decode("ZGVtbzpkZW1vLXNlY3JldA==", 24, out, 8), -1);
}

static void basic_auth_accepts_only_the_exact_pair(void **state)
{
	(void)state;
	struct basic_auth auth;
	assert_int_equal(basic_auth_init(&auth, "demo", "demo-secret"), 0);
	assert_true(basic_auth_check(&auth, "Basic ZGVtbzpkZW1vLXNlY3JldA=="));
	assert_true(basic_auth_check(&auth, "basic ZGVtbzpkZW1vLXNlY3JldA=="));
	assert_false(basic_auth_check(&auth, NULL));
	assert_false(basic_auth_check(&auth, "Bearer ZGVtbzpkZW1vLXNlY3JldA=="));
	assert_false(basic_auth_check(&auth, "Basic ZGVtbzpkZW1vLXNlY3Jl")); /* demo:demo-secre */
	assert_false(basic_auth_check(&auth, "Basic ZGVtbzpkZW1vLXNlY3JldDE=")); /* …secret1 */
	assert_false(basic_auth_check(&auth, "Basic "));
	basic_auth_release(&auth);
}

static void routes_match_paths_methods_and_device_names(void **state)
{
	(void)state;
	const struct route *route = NULL;
	char device[64], allow[64];
	assert_int_equal(route_match("PUT", "/v2/devices/36524/note", &route, device, sizeof device,
	                             allow, sizeof allow),
	                 ROUTE_FOUND);
	assert_string_equal(route->pattern, "v2/devices/{device_name}/note");
	assert_string_equal(device, "36524");
	assert_int_equal(
	    route_match("GET", "/v2/devices", &route, device, sizeof device, allow, sizeof allow),
	    ROUTE_FOUND);
	assert_int_equal(route_match("DELETE", "/v2/devices/1", &route, device, sizeof device,
	                             allow, sizeof allow),
	                 ROUTE_WRONG_METHOD);
	assert_string_equal(allow, "GET");
	assert_int_equal(route_match("GET", "/v2/devices/1/nothing", &route, device, sizeof device,
	                             allow, sizeof allow),
	                 ROUTE_NO_PATH);
	assert_int_equal(route_match("GET", "/v2/devices//note", &route, device, sizeof device,
	                             allow, sizeof allow),
	                 ROUTE_NO_PATH);
	assert_int_equal(
	    route_match("GET", "/v2/devices/", &route, device, sizeof device, allow, sizeof allow),
	    ROUTE_FOUND);
	assert_string_equal(route->pattern, "v2/devices");
	assert_int_equal(
	    route_match("GET", "/v2/devices//", &route, device, sizeof device, allow, sizeof allow),
	    ROUTE_NO_PATH);
}

static void every_writing_route_has_an_operation(void **state)
{
	(void)state;
	for (size_t i = 0; i < sim_route_count; i++) {
		if (strcmp(sim_routes[i].method, "GET") == 0)
			continue;
		int found = 0;
		for (size_t j = 0; j < op_table_count; j++)
			if (strcmp(op_table[j]->method, sim_routes[i].method) == 0 &&
			    route_pattern_equal(sim_routes[i].pattern, op_table[j]->path))
				found = 1;
		if (!found)
			fail_msg("route %s %s has no row in the operation table",
			         sim_routes[i].method, sim_routes[i].pattern);
	}
	assert_true(route_pattern_equal("v2/devices/{device_name}/note", "/v2/devices/{x}/note"));
	assert_false(route_pattern_equal("v2/devices/{device_name}/note", "v2/devices/{x}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(form_arrays_and_plain_values),
	    cmocka_unit_test(form_refuses_bad_escapes_and_utf8),
	    cmocka_unit_test(base64_decoding),
	    cmocka_unit_test(basic_auth_accepts_only_the_exact_pair),
	    cmocka_unit_test(routes_match_paths_methods_and_device_names),
	    cmocka_unit_test(every_writing_route_has_an_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
