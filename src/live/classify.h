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

/* Which row of a job first named each device of a snapshot: two rows that
 * name one device differently (a device_name and an ICCID, say) pass the
 * offline duplicate check, but the second must not be sent — it is a
 * duplicate of the first. A claim is the device with the values of the
 * operation's other unique-key fields (a note's field_name: two rows may
 * write two note fields of one device). */
struct live_claims;

/* True when claims can make a row of op a duplicate: one of its unique keys
 * names the device (not activate or upload, whose keys are the
 * identifiers themselves and are checked offline). */
bool live_claims_possible(const struct op *op);
/* Returns empty claims over snapshot's devices (borrowed; it must outlive
 * them), or NULL when out of memory. Free with live_claims_free. */
struct live_claims *live_claims_new(const struct live_snapshot *snapshot);
/* Frees claims; NULL is allowed. */
void live_claims_free(struct live_claims *claims);
/* Forgets every claim (a new pass over the job's rows). */
void live_claims_reset(struct live_claims *claims);
/* For the verdict of record (row: its shown row number), rows read in
 * manifest order: when an earlier row claimed the same device (and the
 * same other key fields), turns the verdict into LIVE_INVALID "duplicate of
 * row N: same device D (…)"; else, with claim, the claim becomes row's.
 * Without claim (claims filled by an earlier pass over every row) only a
 * claim of another row makes a duplicate. Operations whose unique keys do
 * not name the device (activate, upload) never have duplicates here.
 * Returns 1 when the verdict became a duplicate, 0 when not, -1 when out
 * of memory. */
int live_claims_check(struct live_claims *claims, uint64_t row, bool claim,
                      const struct record *record, const struct op *op,
                      struct live_verdict *verdict);

#endif
