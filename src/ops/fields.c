/* Field names, row status names and record copies: the vocabulary every
 * other part of the operation table uses. */
#include "ops/op.h"

#include <stdlib.h>
#include <string.h>

/* Indexed by enum field_id, which is alphabetical, so field_lookup can bisect. */
static const char *const field_names[FIELD_COUNT] = {
    [FIELD_ACTION] = "action",
    [FIELD_COST_CENTER] = "cost_center",
    [FIELD_DEVICE_NAME] = "device_name",
    [FIELD_DEVICE_SKU] = "device_sku",
    [FIELD_FIELD_NAME] = "field_name",
    [FIELD_ICCID] = "iccid",
    [FIELD_ID_TYPE] = "id_type",
    [FIELD_IMEI] = "imei",
    [FIELD_KB_LIMIT] = "kb_limit",
    [FIELD_NOTE] = "note",
    [FIELD_NOTE1] = "note1",
    [FIELD_NOTE2] = "note2",
    [FIELD_NOTE3] = "note3",
    [FIELD_RATE_PLAN_NAME] = "rate_plan_name",
    [FIELD_REGION_CODE] = "region_code",
    [FIELD_SMS_TEXT] = "sms_text",
    [FIELD_STATE] = "state",
    [FIELD_UPLOAD_EMAIL] = "upload_email",
    [FIELD_UPLOAD_SKU] = "upload_sku",
    [FIELD_USERNAMES] = "usernames",
};

const char *field_name(enum field_id field)
{
	if ((unsigned)field >= FIELD_COUNT)
		return "unknown";
	return field_names[field];
}

int field_lookup(const char *name)
{
	if (!name)
		return -1;
	size_t low = 0;
	size_t high = FIELD_COUNT;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		int order = strcmp(name, field_names[middle]);
		if (order == 0)
			return (int)middle;
		if (order < 0)
			high = middle;
		else
			low = middle + 1;
	}
	return -1;
}

struct record *record_clone(const struct record *record)
{
	size_t text_size = 0;
	for (size_t field = 0; field < FIELD_COUNT; field++)
		if (record->value[field])
			text_size += strlen(record->value[field]) + 1;
	struct record *copy = malloc(sizeof(*copy) + text_size);
	if (!copy)
		return NULL;
	copy->row = record->row;
	copy->line = record->line;
	copy->offset = record->offset;
	copy->source_row = record->source_row;
	copy->source_line = record->source_line;
	copy->lane = record->lane;
	/* The strings live right after the struct, so one free() releases all. */
	char *text = (char *)(copy + 1);
	for (size_t field = 0; field < FIELD_COUNT; field++) {
		if (!record->value[field]) {
			copy->value[field] = NULL;
			continue;
		}
		size_t length = strlen(record->value[field]) + 1;
		memcpy(text, record->value[field], length);
		copy->value[field] = text;
		text += length;
	}
	return copy;
}

uint64_t record_shown_row(const struct record *record)
{
	return record->source_row ? record->source_row : record->row;
}
