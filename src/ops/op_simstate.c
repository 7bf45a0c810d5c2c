/* simstate: PUT v2/device_operations/change_simstate, chunks sharing the
 * target state and the id_type that names the devices. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

static const struct op_field simstate_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_STATE, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_state},
    {FIELD_ID_TYPE, OP_FIELD_BATCH, validate_id_type},
};

static const struct op_unique_key simstate_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

const struct op op_simstate = {
    .name = "simstate",
    .method = "PUT",
    .path = "v2/device_operations/change_simstate",
    .summary = "suspend or restore SIMs",
    .fields = simstate_fields,
    .field_count = sizeof(simstate_fields) / sizeof(simstate_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = simstate_unique_keys,
    .unique_key_count = sizeof(simstate_unique_keys) / sizeof(simstate_unique_keys[0]),
    .flags = 0,
    .check_record = NULL,
    .build_request = request_build_device_operation,
    .map_response = map_device_status_response,
};
