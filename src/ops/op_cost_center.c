/* cost-center: PUT v2/device_operations/change_cost_center, chunks sharing a cost center. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

#include <string.h>

static const struct op_field cost_center_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_COST_CENTER, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_cost_center},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

static const struct op_unique_key cost_center_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

static void compare_cost_center(const struct record *record, const struct device_view *device,
                                struct live_comparison *comparison, struct strbuf *message)
{
	(void)record;
	(void)message;
	const char *current = device->value[DEVICE_COST_CENTER];
	comparison->current = current ? current : "";
	comparison->match =
	    strcmp(comparison->current, comparison->target) == 0 ? LIVE_IN_PLACE : LIVE_DIFFERS;
}

static const char *previous_cost_center(const struct record *record,
                                        const struct device_view *device)
{
	(void)record;
	return device->value[DEVICE_COST_CENTER] ? device->value[DEVICE_COST_CENTER] : "";
}

const struct op op_cost_center = {
    .name = "cost-center",
    .method = "PUT",
    .path = "v2/device_operations/change_cost_center",
    .summary = "set the cost center of devices",
    .fields = cost_center_fields,
    .field_count = sizeof(cost_center_fields) / sizeof(cost_center_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = cost_center_unique_keys,
    .unique_key_count = sizeof(cost_center_unique_keys) / sizeof(cost_center_unique_keys[0]),
    .flags = 0,
    .check_record = NULL,
    .build_request = request_build_device_operation,
    .map_response = map_device_status_response,
    .live = {OP_LIVE_UNDO | OP_LIVE_RESOLVE, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_COST_CENTER,
             compare_cost_center, previous_cost_center},
};
