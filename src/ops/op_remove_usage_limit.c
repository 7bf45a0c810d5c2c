/* remove-usage-limit: POST v2/device_operations/remove_usage_limit; every row may share a call. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

static const struct op_field remove_usage_limit_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

static const struct op_unique_key remove_usage_limit_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

const struct op op_remove_usage_limit = {
    .name = "remove-usage-limit",
    .method = "POST",
    .path = "v2/device_operations/remove_usage_limit",
    .summary = "remove the monthly usage limit of devices",
    .fields = remove_usage_limit_fields,
    .field_count = sizeof(remove_usage_limit_fields) / sizeof(remove_usage_limit_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = remove_usage_limit_unique_keys,
    .unique_key_count =
        sizeof(remove_usage_limit_unique_keys) / sizeof(remove_usage_limit_unique_keys[0]),
    .flags = 0,
    .check_record = NULL,
    .build_request = request_build_device_operation,
    .map_response = map_device_status_response,
    .live = {OP_LIVE_RESOLVE, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_COUNT, NULL, NULL},
};
