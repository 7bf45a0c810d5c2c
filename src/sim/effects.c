/* What each device_names operation does to one device, with the exact status
 * strings of the API text. */
#include "sim/routes.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMS_LOG_LIMIT 200

static const char device_missing[] = "Error: Device does not exist.";

static void apply_cost_center(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *cost_center = call_param_text(call, "cost_center", scratch, sizeof scratch);
	json_object_set_new(device->fields, "cost_center", json_string(cost_center));
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

static void apply_simstate(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *target =
	    simstate_target(call_param_text(call, "state", scratch, sizeof scratch));
	json_object_set_new(device->fields, "state", json_string(target));
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

static void apply_usage_limit(struct sim_call *call, struct device *device)
{
	char scratch[32];
	const char *action = call_param_text(call, "action", scratch, sizeof scratch);
	json_t *usernames = json_object_get(call->params, "usernames");
	json_t *limit = json_pack("{s:I, s:s?, s:o}", "kb_limit", (json_int_t)kb_limit_of(call),
	                          "action", action, "usernames",
	                          json_is_array(usernames)    ? json_deep_copy(usernames)
	                          : json_is_string(usernames) ? json_pack("[O]", usernames)
	                                                      : json_array());
	json_object_set_new(device->extra, "usage_limit", limit);
}

const struct batch_effect effect_set_usage_limit = {
    .status_map = "status",
    .success = "Success: Device data limit is set.",
    .missing = device_missing,
    .required_param = "kb_limit",
    .check = check_usage_limit,
    .apply = apply_usage_limit,
};

static void apply_remove_usage_limit(struct sim_call *call, struct device *device)
{
	(void)call;
	json_object_del(device->extra, "usage_limit");
}

const struct batch_effect effect_remove_usage_limit = {
    .status_map = "status",
    .success = "Success: Device data limit removed.",
    .missing = device_missing,
    .apply = apply_remove_usage_limit,
};

static int supports_sms(const struct device *device)
{
	return json_is_true(json_object_get(device->extra, "sms_capable"));
}

static void apply_send_sms(struct sim_call *call, struct device *device)
{
	char scratch[32], when[32];
	const char *text = call_param_text(call, "sms_text", scratch, sizeof scratch);
	json_t *log = json_object_get(device->extra, "sms_log");
	if (!json_is_array(log)) {
		log = json_array();
		json_object_set_new(device->extra, "sms_log", log);
	}
	clock_format_iso8601(clock_wall_ms(), when, sizeof when);
	json_array_append_new(log,
	                      json_pack("{s:I, s:s, s:s, s:s, s:O, s:s, s:O, s:s, s:s}", "event_id",
	                                (json_int_t)call->request_number, "event_status", "queued",
	                                "event_timestamp", when, "event_type", "sent", "imsi",
	                                json_object_get(device->fields, "imsi"), "message_body",
	                                text, "msisdn", json_object_get(device->fields, "msisdn"),
	                                "report_timestamp", when, "failure_reason", ""));
	/* Bounded memory: the oldest messages go first. */
	while (json_array_size(log) > SMS_LOG_LIMIT)
		json_array_remove(log, 0);
	json_t *used = json_object_get(device->fields, "sms_used");
	json_object_set_new(device->fields, "sms_used", json_integer(json_integer_value(used) + 1));
}

const struct batch_effect effect_send_sms = {
    .status_map = "status",
    .success = "Success: Attempting SMS Send.",
    .missing = "Error: Device does not exist, or does not support SMS.",
    .required_param = "sms_text",
    .supports = supports_sms,
    .apply = apply_send_sms,
};
