/* The vocabulary of the operations' live-state knowledge: device field
 * names, id_type to identifier, match names and the note comparison. */
#include "ops/live_state.h"

#include <string.h>

/* Indexed by enum device_field; the identifiers' names are the id_type words. */
static const char *const device_field_names[DEVICE_FIELD_COUNT] = {
    [DEVICE_NAME] = "device_name",
    [DEVICE_ICCID] = "iccid",
    [DEVICE_IMEI] = "imei",
    [DEVICE_IMSI] = "imsi",
    [DEVICE_MSISDN] = "msisdn",
    [DEVICE_MDN] = "mdn",
    [DEVICE_MEID] = "meid",
    [DEVICE_ESN] = "esn",
    [DEVICE_MIN] = "min",
    [DEVICE_STATE] = "state",
    [DEVICE_COST_CENTER] = "cost_center",
    [DEVICE_NOTE] = "note",
    [DEVICE_NOTE1] = "note1",
    [DEVICE_NOTE2] = "note2",
    [DEVICE_NOTE3] = "note3",
};

const char *device_field_name(enum device_field field)
{
	if ((unsigned)field >= DEVICE_FIELD_COUNT)
		return "unknown";
	return device_field_names[field];
}

int device_key_from_id_type(const char *id_type)
{
	if (!id_type || !*id_type)
		return DEVICE_NAME;
	for (int key = 0; key < DEVICE_KEY_COUNT; key++)
		if (strcmp(id_type, device_field_names[key]) == 0)
			return key;
	return -1;
}

const char *live_match_name(enum live_match match)
{
	switch (match) {
	case LIVE_IN_PLACE:
		return "in place";
	case LIVE_DIFFERS:
		return "differs";
	case LIVE_PENDING:
		return "pending";
	case LIVE_INCOMPATIBLE:
		return "incompatible";
	case LIVE_UNREADABLE:
		return "unreadable";
	}
	return "unknown";
}

bool live_note_equal(const char *stored, const char *wanted)
{
	const char *have = stored ? stored : "";
	const char *want = wanted ? wanted : "";
	if (strcmp(have, want) == 0)
		return true;
	size_t length = strlen(have);
	/* NOTE_ENDPOINT_MAX: the API text's "longer than 100 characters may be truncated" */
	return length >= 100 && strncmp(have, want, length) == 0;
}
