/* What reading one row's device back (GET v2/devices/<iccid>?id_type=iccid)
 * proves about this job's activation of it: the device must hold the row's
 * ICCID and its IMEI (or device_sku), and, where the device object shows
 * last_activation_date, have been activated no earlier than the job's call.
 * Pure: no I/O, no clock (the caller passes the time of its call).
 * Ownership: the caller owns every argument; message is appended to. */
#ifndef LATTIGO_RESPONSE_READBACK_H
#define LATTIGO_RESPONSE_READBACK_H

#include <stdint.h>

#include "ops/op.h"

/* How far the service's clock may be behind ours before an activation of
 * ours would look older than the call that made it. */
#define READBACK_CLOCK_TOLERANCE_MS (15 * 60 * 1000)

enum readback_finding {
	READBACK_OURS,     /* the device is this row's activation: message holds the evidence */
	READBACK_NOT_OURS, /* the ICCID belongs to another device or an older activation */
	READBACK_ABSENT,   /* 404: no device holds the ICCID (yet) */
	READBACK_UNCLEAR,  /* the answer cannot tell (another status, no IMEI shown, not JSON) */
};

/* Judges a read-back answer for record. sent_after_wall_ms is the UTC epoch ms
 * before which this job cannot have activated the row (0: unknown, no date
 * check). Appends to message what was found, e.g. "ICCID 8901… already belongs
 * to device dev7 with IMEI 3514…" or "device dev7 holds ICCID … and IMEI …". */
enum readback_finding readback_judge(const struct record *record, long http_status,
                                     const json_t *body, int64_t sent_after_wall_ms,
                                     struct strbuf *message);

/* Parses an ISO 8601 date-time as the API writes last_activation_date
 * ("2026-12-02T15:40:00Z", "…+01:00", ".123", a space for the T, no zone =
 * UTC) into UTC epoch ms. Returns 0, or -1 when text is not one. */
int readback_parse_time(const char *text, int64_t *epoch_ms);

#endif
