/* The read endpoint table and lattigo-sim agree: every endpoint `export`
 * reads is a GET route of the simulator (so the simulator can rehearse every
 * export, and a new read endpoint cannot be added to one side only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "export/read_endpoint.h"
#include "sim/routes.h"

static void every_read_endpoint_is_a_sim_route(void **state)
{
	(void)state;
	for (size_t index = 0; index < read_endpoint_count; index++) {
		bool found = false;
		for (size_t route = 0; route < sim_route_count; route++)
			if (strcmp(sim_routes[route].method, "GET") == 0 &&
			    route_pattern_equal(sim_routes[route].pattern,
			                        read_endpoints[index].path))
				found = true;
		if (!found)
			fail_msg("lattigo-sim has no GET route for %s (%s)",
			         read_endpoints[index].path, read_endpoints[index].kind);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_read_endpoint_is_a_sim_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
