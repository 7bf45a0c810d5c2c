/* sms: POST v2/device_operations/send_sms, chunks sharing one text. Sending
 * twice reaches the device twice, so an ambiguous failure is never retried. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

static const struct op_field sms_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_SMS_TEXT, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_sms_text},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

static const struct op_unique_key sms_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

const struct op op_sms = {
    .name = "sms",
    .method = "POST",
    .path = "v2/device_operations/send_sms",
    .summary = "send an SMS to devices",
    .fields = sms_fields,
    .field_count = sizeof(sms_fields) / sizeof(sms_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = sms_unique_keys,
    .unique_key_count = sizeof(sms_unique_keys) / sizeof(sms_unique_keys[0]),
    .flags = OP_NON_IDEMPOTENT | OP_NEEDS_YES,
    .check_record = NULL,
    .build_request = request_build_device_operation,
    .map_response = map_device_status_response,
    .live = {OP_LIVE_RESOLVE, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_SMS_TEXT, NULL, NULL},
};
