/* Durations as users write them in job files and on command lines: "30m",
 * "90s", "1h30m", "500ms", a bare number of seconds. */
#ifndef LATTIGO_DURATION_H
#define LATTIGO_DURATION_H

#include <stdint.h>

#define DURATION_MAX_MS (7LL * 24 * 3600 * 1000) /* a week: anything longer is a typo */

/* Parses text ("2h", "30m", "45s", "250ms", "1h30m", "90" = seconds) into
 * milliseconds. Returns 0, or -1 when text is empty, malformed, zero or above
 * DURATION_MAX_MS. */
int duration_parse_ms(const char *text, int64_t *ms);

#endif
