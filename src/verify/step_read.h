/* The read of a steps job's verification lane: one row's device read back
 * (GET v2/devices/<identifier>?id_type=...), judged by verify's own verdict
 * (verify_judge) against the step it verifies. It is an operation descriptor
 * like any other, so the engine sends it without knowing what it is.
 * Ownership: a step_read is plain memory of the caller's; it borrows the
 * verified operation (static). */
#ifndef LATTIGO_VERIFY_STEP_READ_H
#define LATTIGO_VERIFY_STEP_READ_H

#include "ops/op.h"

struct step_read {
	struct op op;              /* first member: what the engine is given */
	const struct op *verified; /* the step whose effect is read back */
};

/* Fills read for the step operation verified. The outcomes it maps: ok
 * (verified; outcome.device_name is the device's name), unknown (not there
 * yet: read again while the wait lasts), error (the device holds something
 * this row cannot reach, e.g. its ICCID belongs to another IMEI). */
void step_read_init(struct step_read *read, const struct op *verified);

/* The outcome of reading record's device for the step verified: device is
 * what was read, NULL when no device answers to the row's identifier. The
 * same judgement as a read through the engine (step_read_init). */
void step_read_judge(const struct op *verified, const struct record *record,
                     const struct device_view *device, struct row_outcome *outcome);

#endif
