/* Which endpoints the engine may talk to (https only, plain http to loopback
 * or with --insecure-http) and how call URLs are formed. */
#ifndef LATTIGO_ENDPOINT_POLICY_H
#define LATTIGO_ENDPOINT_POLICY_H

#include <stdbool.h>

#include "common/error.h"
#include "common/strbuf.h"

/* True when host names this machine: localhost, 127.0.0.0/8 or ::1 (with or without brackets). */
bool endpoint_host_is_loopback(const char *host);

/* Checks endpoint against the transport policy. Sets *plain_http when calls
 * will use http. Returns 0, or -1 with error set (e.g. "refusing plain http to
 * 'example.com' (use https, or --insecure-http)"); the message never repeats
 * credentials embedded in the URL. */
int endpoint_policy_check(const char *endpoint, bool allow_insecure_http, bool *plain_http,
                          struct error *error);

/* Writes endpoint + "/" + path into url after resetting it (one slash between
 * them whatever the endpoint ends with). Returns 0 or -1 when too big. */
int endpoint_join(const char *endpoint, const char *path, struct strbuf *url);

#endif
