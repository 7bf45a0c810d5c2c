/* What one row would do to the account, judged against a snapshot: a pure
 * function of the operation's descriptor (op->live), the row and the
 * snapshot, shared by `plan`, `run`'s preflight and (through op_live_compare)
 * `verify`.
 * Ownership: a verdict's strings borrow the record, the snapshot or static
 * text; its message is its own. */
#ifndef LATTIGO_LIVE_CLASSIFY_H
#define LATTIGO_LIVE_CLASSIFY_H

#include "live/snapshot.h"
#include "ops/op.h"

enum live_kind {
	LIVE_CHANGE,    /* the row would change the account (current -> target) */
	LIVE_UNCHANGED, /* already in the target state (or an activation already on its way) */
	LIVE_MISSING,   /* no such device in the account */
	LIVE_CONFLICT,  /* the row cannot apply (e.g. the ICCID belongs to another device) */
	LIVE_INVALID, /* the row is invalid (validation, or a rate plan / user that does not exist)
	               */
	LIVE_KIND_COUNT
};

/* Returns "change", "unchanged", "missing", "conflict" or "invalid" (static). */
const char *live_kind_name(enum live_kind kind);

struct live_verdict {
	enum live_kind kind;
	/* The device the row names, by its device_name ("" when not found, or for
	 * an activation not yet made): what an id_type row is sent as when the
	 * operation has OP_LIVE_RESOLVE. */
	const char *device_name;
	const char *current; /* the device's value now ("" when none or unreadable) */
	const char *target;  /* what the row asks for */
	/* why (missing, conflict, invalid; also "pending" for an activation on its
	 * way); names what was found and when the account was read */
	char message[512];
	/* for an unknown rate plan or username: the closest existing name, or NULL */
	const char *suggestion;
	/* what the comparator said of the device found (verify tells "pending"
	 * from "verified" by it); LIVE_UNREADABLE when no device was compared */
	enum live_match match;
	/* the rate plan or username the row names that does not exist, or "" */
	char unknown_name[128];
};

/* Classifies a valid record for op against snapshot into verdict. */
void live_classify(const struct op *op, const struct record *record,
                   const struct live_snapshot *snapshot, struct live_verdict *verdict);

#endif
