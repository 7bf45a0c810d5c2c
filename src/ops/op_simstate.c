/* simstate: PUT v2/device_operations/change_simstate, chunks sharing the
 * target state and the id_type that names the devices. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

#include <string.h>

static const struct op_field simstate_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_STATE, OP_FIELD_REQUIRED | OP_FIELD_BATCH, validate_state},
    {FIELD_ID_TYPE, OP_FIELD_BATCH, validate_id_type},
};

static const struct op_unique_key simstate_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE}, 2},
};

/* The device state a row asks for: suspend -> suspended, restore -> active
 * (the device object's states, docs/api-notes.md). */
static void compare_simstate(const struct record *record, const struct device_view *device,
                             struct live_comparison *comparison, struct strbuf *message)
{
	const char *wanted = record->value[FIELD_STATE];
	const char *current = device->value[DEVICE_STATE];
	comparison->current = current ? current : "";
	comparison->target = wanted && strcmp(wanted, "suspend") == 0 ? "suspended" : "active";
	if (strcmp(comparison->current, comparison->target) == 0) {
		comparison->match = LIVE_IN_PLACE;
	} else if (strcmp(comparison->current, "deactivated") == 0 ||
	           strcmp(comparison->current, "pending") == 0) {
		comparison->match = LIVE_INCOMPATIBLE;
		strbuf_appendf(message,
		               "the device is %s; only an active or suspended SIM can be %s",
		               comparison->current, comparison->target);
	} else {
		comparison->match = LIVE_DIFFERS;
	}
}

/* The state value that brings the device back: only active and suspended are states a row can ask
 * for. */
static const char *previous_simstate(const struct record *record, const struct device_view *device)
{
	(void)record;
	const char *current = device->value[DEVICE_STATE];
	if (current && strcmp(current, "suspended") == 0)
		return "suspend";
	if (current && strcmp(current, "active") == 0)
		return "restore";
	return NULL;
}

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
    .live = {OP_LIVE_UNDO, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_STATE, compare_simstate,
             previous_simstate},
};
