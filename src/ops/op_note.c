/* note: PUT v2/devices/:device_name/note, one call per row. */
#include "ops/request_body.h"
#include "ops/response_mappers.h"
#include "ops/validators.h"

#include <string.h>

static const struct op_field note_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_FIELD_NAME, OP_FIELD_REQUIRED, validate_field_name},
    {FIELD_NOTE, OP_FIELD_REQUIRED, validate_note_endpoint},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

/* One device may take several notes in a job, one per note field. */
static const struct op_unique_key note_unique_keys[] = {
    {{FIELD_DEVICE_NAME, FIELD_ID_TYPE, FIELD_FIELD_NAME}, 3},
};

/* The device field a row's field_name writes (validated: note, note1..note3). */
static enum device_field note_field(const struct record *record)
{
	const char *name = record->value[FIELD_FIELD_NAME];
	if (name && strcmp(name, "note1") == 0)
		return DEVICE_NOTE1;
	if (name && strcmp(name, "note2") == 0)
		return DEVICE_NOTE2;
	if (name && strcmp(name, "note3") == 0)
		return DEVICE_NOTE3;
	return DEVICE_NOTE;
}

static void compare_note(const struct record *record, const struct device_view *device,
                         struct live_comparison *comparison, struct strbuf *message)
{
	(void)message;
	const char *current = device->value[note_field(record)];
	comparison->current = current ? current : "";
	comparison->match =
	    live_note_equal(current, comparison->target) ? LIVE_IN_PLACE : LIVE_DIFFERS;
}

static const char *previous_note(const struct record *record, const struct device_view *device)
{
	const char *current = device->value[note_field(record)];
	return current ? current : "";
}

static int build_note(const struct op *op, const struct record *const *records, size_t count,
                      struct strbuf *path, json_t **body)
{
	*body = NULL;
	if (count != 1 || request_path(op, records[0], path) < 0)
		return -1;
	json_t *request = json_object();
	if (!request || request_set_field(request, records[0], FIELD_FIELD_NAME) < 0 ||
	    request_set_field(request, records[0], FIELD_NOTE) < 0 ||
	    request_set_field(request, records[0], FIELD_ID_TYPE) < 0) {
		json_decref(request);
		return -1;
	}
	*body = request;
	return 0;
}

const struct op op_note = {
    .name = "note",
    .method = "PUT",
    .path = "v2/devices/{device_name}/note",
    .summary = "write a note field (note, note1, note2 or note3) of each device",
    .fields = note_fields,
    .field_count = sizeof(note_fields) / sizeof(note_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = note_unique_keys,
    .unique_key_count = sizeof(note_unique_keys) / sizeof(note_unique_keys[0]),
    .flags = OP_PER_ROW,
    .check_record = NULL,
    .build_request = build_note,
    .map_response = map_device_status_response,
    .live = {OP_LIVE_UNDO, FIELD_DEVICE_NAME, FIELD_COUNT, FIELD_NOTE, compare_note, previous_note},
};
