/* upload: POST v2/device_operations/upload_request, chunks sharing the
 * vendor's e-mail and SKU; each row is one IMEI for the carrier's database. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

static const struct op_field upload_fields[] = {
    {FIELD_IMEI, OP_FIELD_REQUIRED, validate_imei},
    {FIELD_UPLOAD_EMAIL, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_upload_email},
    {FIELD_UPLOAD_SKU, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_upload_sku},
};

static const struct op_unique_key upload_unique_keys[] = {
    {{FIELD_IMEI}, 1},
};

static int build_upload(const struct op *op, const struct record *const *records, size_t count,
                        struct strbuf *path, json_t **body)
{
	*body = NULL;
	if (count == 0 || request_path(op, records[0], path) < 0)
		return -1;
	json_t *request = json_object();
	json_t *ids = json_array();
	if (!request || !ids)
		goto fail;
	for (size_t index = 0; index < count; index++) {
		json_t *device = json_object();
		if (json_array_append_new(ids, device) < 0 ||
		    request_set_field(device, records[index], FIELD_IMEI) < 0)
			goto fail;
	}
	if (request_set_field(request, records[0], FIELD_UPLOAD_EMAIL) < 0 ||
	    request_set_field(request, records[0], FIELD_UPLOAD_SKU) < 0)
		goto fail;
	if (json_object_set_new(request, "upload_ids", ids) < 0) {
		ids = NULL;
		goto fail;
	}
	*body = request;
	return 0;
fail:
	json_decref(ids);
	json_decref(request);
	return -1;
}

const struct op op_upload = {
    .name = "upload",
    .method = "POST",
    .path = "v2/device_operations/upload_request",
    .summary = "upload IMEIs to the carrier's device database for a vendor e-mail and SKU",
    .fields = upload_fields,
    .field_count = sizeof(upload_fields) / sizeof(upload_fields[0]),
    .key_field = FIELD_IMEI,
    .unique_keys = upload_unique_keys,
    .unique_key_count = sizeof(upload_unique_keys) / sizeof(upload_unique_keys[0]),
    .flags = OP_NON_IDEMPOTENT | OP_REFUSES_REPEATS,
    .check_record = NULL,
    .build_request = build_upload,
    .map_response = map_batch_results_response,
    .live = {OP_LIVE_NO_DEVICE, FIELD_IMEI, FIELD_COUNT, FIELD_COUNT, NULL, NULL},
};
