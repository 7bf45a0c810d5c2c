/* What reading a device back after a job says about one row: `verified`,
 * `pending`, `mismatch` or `missing`. A pure function of the operation, the
 * row, the device read (or none) and whether the wait is over; the
 * comparison itself is the operation's own live-state comparator
 * (op_live_compare, shared with `plan` and `run`).
 * Ownership: the caller owns every argument; texts are appended to the
 * caller's buffers. */
#ifndef LATTIGO_VERIFY_VERDICT_H
#define LATTIGO_VERIFY_VERDICT_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "ops/live_state.h"
#include "ops/op.h"

enum verify_verdict {
	VERIFY_VERIFIED, /* the device holds what the row asked for */
	VERIFY_PENDING,  /* on its way: an accepted activation not active (or not readable) yet */
	VERIFY_MISMATCH, /* the device holds something else, or is in a state the row cannot reach
	                  */
	VERIFY_MISSING,  /* no such device (after the wait, for activations) */
	VERIFY_VERDICT_COUNT
};

/* Returns "verified", "pending", "mismatch" or "missing" (static). */
const char *verify_verdict_name(enum verify_verdict verdict);

/* True when op leaves state the API lets us read back (its live comparator
 * exists and its rows name a device); sms, locate, upload and the usage
 * limits do not. */
bool verify_op_readable(const struct op *op);

/* The judgement of one row: the verdict and what verify.csv shows. */
struct verify_judgement {
	enum verify_verdict verdict;
	struct strbuf expected;    /* the row's target */
	struct strbuf observed;    /* what the device holds, or why it does not match */
	struct strbuf device_name; /* the device read back, "" when none */
};

/* Prepares the buffers (free with verify_judgement_release). */
void verify_judgement_init(struct verify_judgement *judgement);
void verify_judgement_release(struct verify_judgement *judgement);

/* Judges record (a row of op the job reported ok or unknown) against device,
 * the device read back (NULL: no device answers to the row's identifier).
 * wait_over: no further read follows, so a device still absent is missing
 * even for an operation that creates it. Overwrites judgement. */
void verify_judge(const struct op *op, const struct record *record,
                  const struct device_view *device, bool wait_over,
                  struct verify_judgement *judgement);

#endif
