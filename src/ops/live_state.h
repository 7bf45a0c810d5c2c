/* What an operation knows about the account's live state (issue 10): the
 * device fields a snapshot keeps, a read-only view of one device, and the
 * per-operation hooks (struct op_live, a member of struct op) that say which
 * device a row names, which field it sets and whether that field already
 * holds the row's target. `plan` classifies with them, `run` skips rows
 * already in place and writes undo.csv with them, `verify` reads back with
 * the same comparator — nothing outside the op descriptors switches on the
 * operation.
 * Ownership: a device_view borrows its strings from whoever filled it (a
 * live_snapshot, or a test); the hooks return borrowed or static strings. */
#ifndef LATTIGO_OPS_LIVE_STATE_H
#define LATTIGO_OPS_LIVE_STATE_H

#include <stdbool.h>

#include "common/strbuf.h"

struct record;

/* The fields of the API text's device object a snapshot keeps. The first
 * DEVICE_KEY_COUNT are identifiers (the id_type values), indexed for look-up. */
enum device_field {
	DEVICE_NAME,
	DEVICE_ICCID,
	DEVICE_IMEI,
	DEVICE_IMSI,
	DEVICE_MSISDN,
	DEVICE_MDN,
	DEVICE_MEID,
	DEVICE_ESN,
	DEVICE_MIN,
	DEVICE_KEY_COUNT, /* not a field: the identifiers end here */
	DEVICE_STATE = DEVICE_KEY_COUNT,
	DEVICE_COST_CENTER,
	DEVICE_NOTE,
	DEVICE_NOTE1,
	DEVICE_NOTE2,
	DEVICE_NOTE3,
	DEVICE_FIELD_COUNT
};

/* Returns the device object's key of field, e.g. "cost_center" (static). */
const char *device_field_name(enum device_field field);
/* Returns the identifier field an id_type value names ("iccid" -> DEVICE_ICCID;
 * NULL or "" -> DEVICE_NAME), or -1 for a word that is not an id_type. */
int device_key_from_id_type(const char *id_type);

/* One device as the snapshot read it; value[f] is NULL when the API gave no
 * value (null, absent) and the text otherwise (numbers as their digits). */
struct device_view {
	const char *value[DEVICE_FIELD_COUNT];
};

/* What a device's current state says about a row's target. */
enum live_match {
	LIVE_IN_PLACE,     /* the target already holds: nothing to send ("unchanged", "verified") */
	LIVE_DIFFERS,      /* the row would change it ("change", "mismatch" after a job) */
	LIVE_PENDING,      /* on its way (an activation the API accepted, not yet active) */
	LIVE_INCOMPATIBLE, /* the row cannot apply to this device (message says why) */
	LIVE_UNREADABLE,   /* the API offers no readable state for what the row sets */
};

/* Returns "in place", "differs", "pending", "incompatible" or "unreadable" (static). */
const char *live_match_name(enum live_match match);

/* The comparison of one row with its device. current and target are what
 * plan.csv / verify.csv show (borrowed from the record or the view, or static). */
struct live_comparison {
	enum live_match match;
	const char *current; /* the device's value now; "" when it has none */
	const char *target;  /* the value the row asks for */
};

enum op_live_flags {
	OP_LIVE_RATE_PLANS = 1 << 0, /* rows name a rate plan: read v2/rate_plans */
	OP_LIVE_USERS = 1 << 1,      /* rows name users: read v2/users */
	OP_LIVE_UNDO = 1 << 2,       /* the previous value is readable: undo.csv can restore it */
	OP_LIVE_RESOLVE = 1 << 3,    /* the endpoint takes only device names: a row naming its
	                                device by id_type is sent under the device_name the
	                                snapshot resolves it to */
	OP_LIVE_CREATES = 1 << 4,    /* the row creates the device: not finding it is a change */
	OP_LIVE_NO_DEVICE = 1 << 5, /* the row names no existing device (upload): nothing to read */
};

/* The live-state part of an operation descriptor. */
struct op_live {
	unsigned flags; /* enum op_live_flags */
	/* The row field that names the device: FIELD_DEVICE_NAME (interpreted by
	 * the row's id_type) or FIELD_ICCID (activate). */
	int identify; /* enum field_id */
	/* A row field that must not name another device (activate: the IMEI), or
	 * FIELD_COUNT when none. */
	int also_unique; /* enum field_id */
	/* The row field holding the target value shown in plans and written to
	 * undo.csv (cost_center, note, state; kb_limit, sms_text for display). */
	int target; /* enum field_id */
	/* Compares record's target with device (never NULL) into comparison;
	 * NULL when the op sets nothing readable (the comparison is then
	 * LIVE_UNREADABLE). Writes a reason into message for LIVE_INCOMPATIBLE. */
	void (*compare)(const struct record *record, const struct device_view *device,
	                struct live_comparison *comparison, struct strbuf *message);
	/* The value of the target field that restores device's current state
	 * (undo.csv), or NULL when it cannot be restored (no value, a state no
	 * row can ask for). NULL hook when !(flags & OP_LIVE_UNDO). */
	const char *(*previous)(const struct record *record, const struct device_view *device);
};

/* True when a device's text equals the row's, tolerating the API's note
 * truncation: notes "longer than 100 characters may be truncated
 * arbitrarily", so a stored value of at least 100 characters that starts the
 * row's value counts as equal. Shared by the note comparators. */
bool live_note_equal(const char *stored, const char *wanted);

#endif
