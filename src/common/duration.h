/* Durations as users write them on the command line: "90s", "30m", "2h",
 * "1d", or a plain number of seconds (--max-snapshot-age, verify --wait).
 * Ownership: plain values. */
#ifndef LATTIGO_DURATION_H
#define LATTIGO_DURATION_H

#include <stdint.h>

/* Parses text into milliseconds (ms, s, m, h, d suffixes; none = seconds).
 * Returns 0, or -1 when text is not a positive duration of at most a year. */
int duration_parse_ms(const char *text, int64_t *ms);

#endif
