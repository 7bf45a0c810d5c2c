/* What each device_names operation does to one device, with the exact status
 * strings of the API text. */
#include "sim/routes.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char device_missing[] = "Error: Device does not exist.";

static int apply_cost_center(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *cost_center = call_param_text(call, "cost_center", scratch, sizeof scratch);
	return store_set_cost_center(&call->context->store, device, cost_center);
}

const struct batch_effect effect_cost_center = {
    .status_map = "change_status",
    .success = "Success",
    .missing = device_missing,
    .required_param = "cost_center",
    .apply = apply_cost_center,
};

/* The device state each accepted SIM state request leads to. */
static const char *simstate_target(const char *requested)
{
	if (requested && strcmp(requested, "suspend") == 0)
		return "suspended";
	if (requested && strcmp(requested, "restore") == 0)
		return "active";
	return NULL;
}

static int check_simstate(const struct sim_call *call, char *message, size_t message_size)
{
	char scratch[32];
	if (simstate_target(call_param_text(call, "state", scratch, sizeof scratch)))
		return 0;
	snprintf(message, message_size, "state: must be one of suspend, restore");
	return -1;
}

static int apply_simstate(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *target =
	    simstate_target(call_param_text(call, "state", scratch, sizeof scratch));
	return store_set_state(&call->context->store, device, target);
}

const struct batch_effect effect_simstate = {
    .status_map = "change_status",
    .success = "Success",
    .missing = device_missing,
    .required_param = "state",
    .check = check_simstate,
    .apply = apply_simstate,
};

/* kb_limit as a positive integer, or 0 when it is not one. */
static long long kb_limit_of(const struct sim_call *call)
{
	char scratch[32];
	const char *text = call_param_text(call, "kb_limit", scratch, sizeof scratch);
	char *end = NULL;
	if (!text || *text < '0' || *text > '9')
		return 0;
	long long value = strtoll(text, &end, 10);
	return *end ? 0 : value;
}

static int check_usage_limit(const struct sim_call *call, char *message, size_t message_size)
{
	char scratch[32];
	const char *action = call_param_text(call, "action", scratch, sizeof scratch);
	if (kb_limit_of(call) <= 0) {
		snprintf(message, message_size, "kb_limit: must be a positive integer");
		return -1;
	}
	if (action && *action && strcmp(action, "suspend") != 0 && strcmp(action, "email") != 0) {
		snprintf(message, message_size, "action: must be one of suspend, email");
		return -1;
	}
	json_t *usernames = json_object_get(call->params, "usernames");
	if (usernames && !json_is_array(usernames) && !json_is_string(usernames)) {
		snprintf(message, message_size, "usernames: must be an array of usernames");
		return -1;
	}
	return 0;
}

static int apply_usage_limit(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *action = call_param_text(call, "action", scratch, sizeof scratch);
	json_t *usernames = json_object_get(call->params, "usernames");
	json_t *list = json_is_array(usernames)    ? json_incref(usernames)
	               : json_is_string(usernames) ? json_pack("[O]", usernames)
	                                           : json_array();
	int result = list ? store_set_usage_limit(&call->context->store, device, kb_limit_of(call),
	                                          action, list)
	                  : -1;
	json_decref(list);
	return result;
}

const struct batch_effect effect_set_usage_limit = {
    .status_map = "status",
    .success = "Success: Device data limit is set.",
    .missing = device_missing,
    .required_param = "kb_limit",
    .check = check_usage_limit,
    .apply = apply_usage_limit,
};

static int apply_remove_usage_limit(struct sim_call *call, struct device *device)
{
	store_remove_usage_limit(&call->context->store, device);
	return 0;
}

const struct batch_effect effect_remove_usage_limit = {
    .status_map = "status",
    .success = "Success: Device data limit removed.",
    .missing = device_missing,
    .apply = apply_remove_usage_limit,
};

static int supports_sms(const struct device *device)
{
	return device->sms_capable;
}

static int apply_send_sms(struct sim_call *call, struct device *device)
{
	char scratch[32], when[32];
	const char *text = call_param_text(call, "sms_text", scratch, sizeof scratch);
	clock_format_iso8601(clock_wall_ms(), when, sizeof when);
	return store_log_sms(&call->context->store, device, call->request_number, when,
	                     text ? text : "");
}

const struct batch_effect effect_send_sms = {
    .status_map = "status",
    .success = "Success: Attempting SMS Send.",
    .missing = "Error: Device does not exist, or does not support SMS.",
    .required_param = "sms_text",
    .supports = supports_sms,
    .apply = apply_send_sms,
};
