/* activate: POST v2/device_operations/activation_request, chunks sharing a
 * rate plan; each row is an IMEI (or device SKU) and an ICCID. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

#include <string.h>

static const struct op_field activate_fields[] = {
    {FIELD_IMEI, 0, validate_imei},
    {FIELD_DEVICE_SKU, 0, validate_device_sku},
    {FIELD_ICCID, OP_FIELD_REQUIRED, validate_iccid},
    {FIELD_RATE_PLAN_NAME, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_rate_plan_name},
    {FIELD_REGION_CODE, 0, validate_region_code},
    {FIELD_NOTE, 0, validate_note_activation},
    {FIELD_NOTE1, 0, validate_note_activation},
    {FIELD_NOTE2, 0, validate_note_activation},
    {FIELD_NOTE3, 0, validate_note_activation},
};

static const struct op_unique_key activate_unique_keys[] = {
    {{FIELD_ICCID}, 1},
    {{FIELD_IMEI}, 1},
};

/* The API text makes device_sku an alternative to the IMEI: exactly one of
 * them identifies the hardware. Both at once is refused rather than guessed. */
static int check_activate(const struct record *record, struct strbuf *message)
{
	bool imei = record->value[FIELD_IMEI] && *record->value[FIELD_IMEI];
	bool sku = record->value[FIELD_DEVICE_SKU] && *record->value[FIELD_DEVICE_SKU];
	if (!imei && !sku) {
		strbuf_append_string(message, "imei: required (or device_sku instead)");
		return -1;
	}
	if (imei && sku) {
		strbuf_append_string(message,
		                     "device_sku: give either imei or device_sku, not both");
		return -1;
	}
	return 0;
}

static const enum field_id device_request_fields[] = {
    FIELD_IMEI, FIELD_DEVICE_SKU, FIELD_ICCID, FIELD_REGION_CODE,
    FIELD_NOTE, FIELD_NOTE1,      FIELD_NOTE2, FIELD_NOTE3,
};

static int build_activate(const struct op *op, const struct record *const *records, size_t count,
                          struct strbuf *path, json_t **body)
{
	*body = NULL;
	if (count == 0 || request_path(op, records[0], path) < 0)
		return -1;
	json_t *request = json_object();
	json_t *devices = json_array();
	if (!request || !devices)
		goto fail;
	for (size_t index = 0; index < count; index++) {
		json_t *device = json_object();
		if (json_array_append_new(devices, device) < 0)
			goto fail;
		for (size_t field = 0;
		     field < sizeof(device_request_fields) / sizeof(device_request_fields[0]);
		     field++)
			if (request_set_field(device, records[index],
			                      device_request_fields[field]) < 0)
				goto fail;
	}
	if (request_set_field(request, records[0], FIELD_RATE_PLAN_NAME) < 0)
		goto fail;
	if (json_object_set_new(request, "activation_requests", devices) < 0) {
		devices = NULL;
		goto fail;
	}
	*body = request;
	return 0;
fail:
	json_decref(devices);
	json_decref(request);
	return -1;
}

/* The device the row's ICCID names: the activation is in place when it
 * carries the row's IMEI and is active, on its way while pending; the same
 * ICCID on another IMEI, or a SIM that is suspended or deactivated, is not
 * something an activation request can fix. The target shown is the row's
 * rate plan; the current value the device's state. */
static void compare_activate(const struct record *record, const struct device_view *device,
                             struct live_comparison *comparison, struct strbuf *message)
{
	const char *imei = record->value[FIELD_IMEI];
	const char *device_imei = device->value[DEVICE_IMEI];
	const char *state = device->value[DEVICE_STATE];
	const char *name = device->value[DEVICE_NAME] ? device->value[DEVICE_NAME] : "";
	comparison->current = state ? state : "";
	if (imei && *imei && device_imei && *device_imei && strcmp(imei, device_imei) != 0) {
		comparison->match = LIVE_INCOMPATIBLE;
		strbuf_appendf(message, "iccid %s already belongs to device %s with imei %s",
		               device->value[DEVICE_ICCID] ? device->value[DEVICE_ICCID] : "", name,
		               device_imei);
	} else if (state && strcmp(state, "active") == 0) {
		comparison->match = LIVE_IN_PLACE;
	} else if (state && strcmp(state, "pending") == 0) {
		comparison->match = LIVE_PENDING;
	} else {
		comparison->match = LIVE_INCOMPATIBLE;
		strbuf_appendf(message, "iccid %s already belongs to device %s, which is %s",
		               device->value[DEVICE_ICCID] ? device->value[DEVICE_ICCID] : "", name,
		               comparison->current);
	}
}

const struct op op_activate = {
    .name = "activate",
    .method = "POST",
    .path = "v2/device_operations/activation_request",
    .summary = "activate devices (IMEI or device SKU + ICCID) on a rate plan",
    .fields = activate_fields,
    .field_count = sizeof(activate_fields) / sizeof(activate_fields[0]),
    .key_field = FIELD_ICCID,
    .unique_keys = activate_unique_keys,
    .unique_key_count = sizeof(activate_unique_keys) / sizeof(activate_unique_keys[0]),
    .flags = OP_NON_IDEMPOTENT | OP_RECONCILE_BY_ICCID | OP_REFUSES_REPEATS | OP_NEEDS_YES,
    .check_record = check_activate,
    .build_request = build_activate,
    .map_response = map_batch_results_response,
    .live = {OP_LIVE_RATE_PLANS | OP_LIVE_CREATES, FIELD_ICCID, FIELD_IMEI, FIELD_RATE_PLAN_NAME,
             compare_activate, NULL},
};
