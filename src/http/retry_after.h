/* Parsing of the Retry-After header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. */
#ifndef LATTIGO_RETRY_AFTER_H
#define LATTIGO_RETRY_AFTER_H

#include <stdint.h>

/* The longest wait a server may impose on one call; longer values are clamped. */
#define RETRY_AFTER_MAX_MS (15 * 60 * 1000)

/* Parses value (delta-seconds such as "3", or an HTTP-date such as
 * "Wed, 21 Oct 2026 07:28:00 GMT") into a delay from now_wall_ms (UTC epoch
 * ms), clamped to 0..RETRY_AFTER_MAX_MS. Returns 0, or -1 when value is
 * missing or not one of the two forms. */
int retry_after_parse(const char *value, int64_t now_wall_ms, int64_t *delay_ms);

#endif
