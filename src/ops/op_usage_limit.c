/* usage-limit: POST v2/device_operations/set_usage_limit, chunks sharing the
 * limit, the action and the users alerted. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

#include <string.h>

static const struct op_field usage_limit_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_KB_LIMIT, OP_FIELD_REQUIRED | OP_FIELD_BATCH | OP_FIELD_NUMBER, validate_kb_limit},
    {FIELD_ACTION, OP_FIELD_BATCH, validate_action},
    {FIELD_USERNAMES, OP_FIELD_BATCH, validate_usernames},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

static const struct op_unique_key usage_limit_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

/* The API text: "At least one of 'suspend,' or 'email' must be specified";
 * usernames are who the e-mail goes to, so either one says what happens at
 * the limit. */
static int check_usage_limit(const struct record *record, struct strbuf *message)
{
	bool action = record->value[FIELD_ACTION] && *record->value[FIELD_ACTION];
	bool usernames = record->value[FIELD_USERNAMES] && *record->value[FIELD_USERNAMES];
	if (action || usernames)
		return 0;
	strbuf_append_string(message, "action: required when usernames is empty (give action, "
	                              "usernames or both)");
	return -1;
}

/* "alice; bob" becomes ["alice","bob"]: the manifest's ';'-separated list,
 * each name trimmed of spaces. */
static json_t *usernames_array(const char *list)
{
	json_t *names = json_array();
	const char *start = list;
	while (names) {
		const char *end = strchr(start, ';');
		const char *last = end ? end : start + strlen(start);
		const char *first = start;
		while (first < last && *first == ' ')
			first++;
		while (last > first && last[-1] == ' ')
			last--;
		if (last > first &&
		    json_array_append_new(names, json_stringn(first, (size_t)(last - first))) < 0) {
			json_decref(names);
			return NULL;
		}
		if (!end)
			break;
		start = end + 1;
	}
	return names;
}

static int build_usage_limit(const struct op *op, const struct record *const *records, size_t count,
                             struct strbuf *path, json_t **body)
{
	static const enum field_id shared[] = {FIELD_ACTION};
	long long limit;
	*body = NULL;
	if (count == 0 || request_path(op, records[0], path) < 0 ||
	    !records[0]->value[FIELD_KB_LIMIT] ||
	    kb_limit_parse(records[0]->value[FIELD_KB_LIMIT], &limit) < 0)
		return -1;
	json_t *request = request_device_operation(records, count, shared, 1);
	if (!request)
		return -1;
	if (json_object_set_new(request, "kb_limit", json_integer(limit)) < 0)
		goto fail;
	const char *usernames = records[0]->value[FIELD_USERNAMES];
	if (usernames && *usernames &&
	    json_object_set_new(request, "usernames", usernames_array(usernames)) < 0)
		goto fail;
	*body = request;
	return 0;
fail:
	json_decref(request);
	return -1;
}

const struct op op_usage_limit = {
    .name = "usage-limit",
    .method = "POST",
    .path = "v2/device_operations/set_usage_limit",
    .summary = "set a monthly usage limit (kB) with the action and users to alert",
    .fields = usage_limit_fields,
    .field_count = sizeof(usage_limit_fields) / sizeof(usage_limit_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = usage_limit_unique_keys,
    .unique_key_count = sizeof(usage_limit_unique_keys) / sizeof(usage_limit_unique_keys[0]),
    .flags = 0,
    .check_record = check_usage_limit,
    .build_request = build_usage_limit,
    .map_response = map_device_status_response,
    .live = {OP_LIVE_RESOLVE | OP_LIVE_USERS, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_KB_LIMIT, NULL,
             NULL},
};
