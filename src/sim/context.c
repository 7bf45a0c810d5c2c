/* Context life cycle: data set or snapshot, ledger, limits, credentials and
 * the link from each route to its row of the shared operation table. */
#include "sim/context.h"

#include "sim/routes.h"
#include "common/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The operation whose method and path template match the route, or NULL. */
static const struct op *route_op(const struct route *route)
{
	if (strcmp(route->method, "GET") == 0)
		return NULL;
	for (size_t i = 0; i < op_table_count; i++) {
		const struct op *op = op_table[i];
		if (op->method && op->path && strcmp(op->method, route->method) == 0 &&
		    route_pattern_equal(route->pattern, op->path))
			return op;
	}
	return NULL;
}

int sim_context_init(struct sim_context *context, const struct sim_options *options, char *message,
                     size_t message_size)
{
	struct stat status;
	memset(context, 0, sizeof *context);
	context->options = options;
	atomic_init(&context->request_counter, 0);
	pthread_mutex_init(&context->random_lock, NULL);
	random_seed(&context->random, options->seed ^ 0xFA017ULL);
	rate_limit_init(&context->rate_limit, options->rate, clock_monotonic_ms());
	if (ledger_open(&context->ledger, options->ledger_path) != 0) {
		snprintf(message, message_size, "cannot open ledger '%s': %s", options->ledger_path,
		         strerror(errno));
		return -1;
	}
	if (basic_auth_init(&context->auth, options->key_name, options->api_key) != 0 ||
	    store_init(&context->store, options->seed) != 0) {
		snprintf(message, message_size, "out of memory");
		return -1;
	}
	context->store.activation_delay_ms = options->activation_delay_ms;
	if (options->state_path && stat(options->state_path, &status) == 0) {
		if (store_load(&context->store, options->state_path, message, message_size) != 0)
			return -1;
	} else if (store_fill_default(&context->store, options->device_count) != 0) {
		snprintf(message, message_size, "out of memory while building the data set");
		return -1;
	}
	context->route_ops = calloc(sim_route_count, sizeof *context->route_ops);
	if (!context->route_ops) {
		snprintf(message, message_size, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sim_route_count; i++)
		context->route_ops[i] = route_op(&sim_routes[i]);
	return 0;
}

int sim_context_release(struct sim_context *context, int save, char *message, size_t message_size)
{
	int result = 0;
	if (save && context->options && context->options->state_path)
		result = store_save(&context->store, context->options->state_path, message,
		                    message_size);
	free(context->route_ops);
	context->route_ops = NULL;
	store_release(&context->store);
	ledger_close(&context->ledger);
	rate_limit_release(&context->rate_limit);
	basic_auth_release(&context->auth);
	pthread_mutex_destroy(&context->random_lock);
	return result;
}
