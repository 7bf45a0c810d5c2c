/* Time helpers: a monotonic clock for scheduling and UTC wall time for records. */
#ifndef LATTIGO_CLOCK_H
#define LATTIGO_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on a monotonic clock (for deadlines, never for records). */
int64_t clock_monotonic_ms(void);
/* Milliseconds since the Unix epoch (UTC wall time). */
int64_t clock_wall_ms(void);
/* Formats epoch milliseconds as ISO 8601 UTC with milliseconds, e.g. 2026-11-25T19:15:47.123Z, into
 * out (at least 25 bytes). */
void clock_format_iso8601(int64_t epoch_ms, char *out, size_t size);
/* Parses what clock_format_iso8601 writes back into epoch milliseconds.
 * Returns 0, or -1 when text is not in that form. */
int clock_parse_iso8601(const char *text, int64_t *epoch_ms);

#endif
