/* Route table and matching (a path matches segment by segment, a {name}
 * segment matching any one non-empty segment), and the ledger line of a call. */
#include "sim/routes.h"

#include <stdio.h>
#include <string.h>

const struct route sim_routes[] = {
    {"GET", "v2/devices", handle_list_devices, NULL},
    {"GET", "v2/devices/{device_name}", handle_get_device, NULL},
    {"GET", "v2/devices/{device_name}/get_sms", handle_get_sms, NULL},
    {"PUT", "v2/devices/{device_name}/note", handle_put_note, NULL},
    {"GET", "v2/devices/{device_name}/device_reports", handle_device_reports, NULL},
    {"GET", "v2/devices/{device_name}/daily_data_usages", handle_daily_usages, NULL},
    {"GET", "v2/devices/{device_name}/monthly_data_usages", handle_monthly_usages, NULL},
    {"POST", "v2/devices/{device_name}/cellular_locate", handle_cellular_locate, NULL},
    {"POST", "v2/device_operations/activation_request", handle_activation_request, NULL},
    {"POST", "v2/device_operations/upload_request", handle_upload_request, NULL},
    {"PUT", "v2/device_operations/change_cost_center", handle_device_batch, &effect_cost_center},
    {"PUT", "v2/device_operations/change_simstate", handle_device_batch, &effect_simstate},
    {"POST", "v2/device_operations/set_usage_limit", handle_device_batch, &effect_set_usage_limit},
    {"POST", "v2/device_operations/remove_usage_limit", handle_device_batch,
     &effect_remove_usage_limit},
    {"POST", "v2/device_operations/send_sms", handle_device_batch, &effect_send_sms},
    {"GET", "v2/rate_plans", handle_rate_plans, NULL},
    {"GET", "v2/users", handle_users, NULL},
};
const size_t sim_route_count = sizeof sim_routes / sizeof sim_routes[0];

/* Returns the length of the segment at text (up to '/' or the end). */
static size_t segment_length(const char *text)
{
	const char *slash = strchr(text, '/');
	return slash ? (size_t)(slash - text) : strlen(text);
}

/* Matches url against pattern; copies the placeholder's segment into capture. */
static int pattern_match(const char *pattern, const char *url, char *capture, size_t capture_size)
{
	while (*pattern && *url) {
		size_t pattern_segment = segment_length(pattern);
		size_t url_segment = segment_length(url);
		if (pattern[0] == '{') {
			if (url_segment == 0 || url_segment >= capture_size)
				return 0;
			memcpy(capture, url, url_segment);
			capture[url_segment] = '\0';
		} else if (pattern_segment != url_segment ||
		           memcmp(pattern, url, url_segment) != 0) {
			return 0;
		}
		pattern += pattern_segment;
		url += url_segment;
		if (*pattern != *url)
			return 0;
		if (*pattern == '/') {
			pattern++;
			url++;
		}
	}
	return *pattern == '\0' && *url == '\0';
}

enum route_match_result route_match(const char *method, const char *url, const struct route **route,
                                    char *device_id, size_t device_id_size, char *allow,
                                    size_t allow_size)
{
	char capture[512] = "";
	char trimmed[1024];
	while (*url == '/')
		url++;
	/* Tolerate one trailing slash ("v2/devices/"), as most HTTP routers do. */
	size_t length = strlen(url);
	if (length > 0 && length < sizeof trimmed && url[length - 1] == '/') {
		memcpy(trimmed, url, length - 1);
		trimmed[length - 1] = '\0';
		url = trimmed;
	}
	enum route_match_result result = ROUTE_NO_PATH;
	allow[0] = '\0';
	for (size_t i = 0; i < sim_route_count; i++) {
		if (!pattern_match(sim_routes[i].pattern, url, capture, sizeof capture))
			continue;
		if (strcmp(sim_routes[i].method, method) == 0) {
			*route = &sim_routes[i];
			snprintf(device_id, device_id_size, "%s", capture);
			return ROUTE_FOUND;
		}
		size_t used = strlen(allow);
		snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
		         sim_routes[i].method);
		result = ROUTE_WRONG_METHOD;
	}
	return result;
}

int route_pattern_equal(const char *pattern, const char *template_path)
{
	while (*template_path == '/')
		template_path++;
	while (*pattern && *template_path) {
		size_t pattern_segment = segment_length(pattern);
		size_t template_segment = segment_length(template_path);
		int both_placeholders = pattern[0] == '{' && template_path[0] == '{';
		if (!both_placeholders && (pattern_segment != template_segment ||
		                           memcmp(pattern, template_path, pattern_segment) != 0))
			return 0;
		pattern += pattern_segment;
		template_path += template_segment;
		if (*pattern != *template_path)
			return 0;
		if (*pattern == '/') {
			pattern++;
			template_path++;
		}
	}
	return *pattern == '\0' && *template_path == '\0';
}

void call_ledger(struct sim_call *call, const char *key, const char *device)
{
	const char *op = call->op ? call->op->name : call->route->pattern;
	if (ledger_record(&call->context->ledger, op, key, device, call->request_number) != 0)
		fprintf(stderr, "lattigo-sim: cannot write the ledger entry of request %llu\n",
		        (unsigned long long)call->request_number);
}
