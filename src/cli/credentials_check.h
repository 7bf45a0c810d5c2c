/* One cheap read before a job starts: do the endpoint and the credentials
 * work at all? (GET v2/rate_plans?per_page=1, see docs/api-notes.md.) */
#ifndef LATTIGO_CLI_CREDENTIALS_CHECK_H
#define LATTIGO_CLI_CREDENTIALS_CHECK_H

#include "common/error.h"
#include "http/transfer.h"

/* Reads one rate plan with the given settings. Returns 0 when the API
 * answered anything but 401/403; EXIT_USAGE (2) with error set when it refused
 * the credentials (the message names the key name, never the key) or TLS was
 * refused; EXIT_INTERRUPTED (3) with error set when no answer came. */
int credentials_check(const struct http_settings *settings, struct error *error);

#endif
