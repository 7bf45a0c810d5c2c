/* Durations as people type them on a command line ("30m", "90s", "1h30m",
 * "500ms", a bare number of seconds) and as messages print them back.
 * Ownership: plain values; output buffers belong to the caller. */
#ifndef LATTIGO_DURATION_H
#define LATTIGO_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* The longest duration accepted: 7 days (a longer wait is a typo). */
#define DURATION_MAX_MS (7LL * 24 * 3600 * 1000)

/* Parses text into milliseconds: one or more NUMBER UNIT parts (units ms, s,
 * m, h, d; "1h30m"), or a bare whole number of seconds. Returns 0, or -1
 * when text is not a duration or exceeds DURATION_MAX_MS. */
int duration_parse(const char *text, int64_t *milliseconds);

/* Writes milliseconds as the shortest exact text duration_parse reads back
 * ("30m", "1h30m", "2s", "250ms", "0s") into out. Returns out. */
const char *duration_format(int64_t milliseconds, char *out, size_t size);

#endif
