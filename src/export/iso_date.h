/* ISO 8601 dates and date-times as `export` accepts them for --start-date /
 * --end-date, checked on our side before anything is sent.
 * Ownership: plain values, nothing to free. */
#ifndef LATTIGO_ISO_DATE_H
#define LATTIGO_ISO_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Parses YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fraction]] with an optional zone
 * (Z, ±hh, ±hh:mm, ±hhmm; none means UTC, as the API text says). Sets *instant
 * to seconds since the epoch (UTC) and returns 0; returns -1 and writes why to
 * reason (e.g. "month 13 does not exist") when text is not such a value. */
int iso_date_parse(const char *text, int64_t *instant, char *reason, size_t reason_size);

#endif
