/* Account-wide lists: v2/rate_plans and v2/users, both paginated. */
#include "sim/routes.h"

/* Answers one page of list (copied under the store lock). */
static void answer_page(struct sim_call *call, json_t *list)
{
	uint64_t first, count;
	store_lock(&call->context->store);
	if (call_paginate(call, json_array_size(list), &first, &count) == 0) {
		json_t *page = json_array();
		for (uint64_t i = first; page && i < first + count; i++)
			json_array_append_new(page, json_deep_copy(json_array_get(list, i)));
		call_respond(call, 200, page);
	}
	store_unlock(&call->context->store);
}

void handle_rate_plans(struct sim_call *call)
{
	answer_page(call, call->context->store.rate_plans);
}

void handle_users(struct sim_call *call)
{
	answer_page(call, call->context->store.users);
}
