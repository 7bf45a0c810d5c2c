/* locate: POST v2/devices/:device_name/cellular_locate, one call per row.
 * The carrier charges per call, so it needs --yes and is never retried blindly. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

static const struct op_field locate_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

static const struct op_unique_key locate_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

static int build_locate(const struct op *op, const struct record *const *records, size_t count,
                        struct strbuf *path, json_t **body)
{
	*body = NULL;
	if (count != 1 || request_path(op, records[0], path) < 0)
		return -1;
	const char *id_type = records[0]->value[FIELD_ID_TYPE];
	if (!id_type || !*id_type)
		return 0; /* the API text's example sends no body at all */
	json_t *request = json_object();
	if (!request || request_set_field(request, records[0], FIELD_ID_TYPE) < 0) {
		json_decref(request);
		return -1;
	}
	*body = request;
	return 0;
}

const struct op op_locate = {
    .name = "locate",
    .method = "POST",
    .path = "v2/devices/{device_name}/cellular_locate",
    .summary = "ask the carrier to locate each device (charged per call; needs --yes)",
    .fields = locate_fields,
    .field_count = sizeof(locate_fields) / sizeof(locate_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = locate_unique_keys,
    .unique_key_count = sizeof(locate_unique_keys) / sizeof(locate_unique_keys[0]),
    .flags = OP_PER_ROW | OP_NON_IDEMPOTENT | OP_NEEDS_YES,
    .check_record = NULL,
    .build_request = build_locate,
    .map_response = map_locate_response,
    .live = {0, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_COUNT, NULL, NULL},
};
