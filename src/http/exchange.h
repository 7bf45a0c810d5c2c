/* One HTTP exchange as the audit trail and the CLI's --verbose lines see it:
 * what was sent, what came back, for which manifest rows. Its own header so
 * that readers of exchanges (audit) need not include the engine.
 * Ownership: every pointer is borrowed for the duration of the callback. */
#ifndef LATTIGO_HTTP_EXCHANGE_H
#define LATTIGO_HTTP_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

/* One HTTP exchange, for the audit trail. Every pointer is borrowed. */
struct exchange {
	uint64_t sequence;
	int64_t started_at_ms; /* UTC epoch ms */
	int64_t finished_at_ms;
	const char *method;
	const char *url;  /* never holds credentials */
	const char *path; /* url relative to the API root, e.g. "v2/devices/x" */
	const char *request_body;
	size_t request_length;
	long http_status;       /* 0: no answer (curl_error says why) */
	const char *curl_error; /* "" when the transfer completed */
	const char *response_headers;
	size_t response_headers_length; /* selected headers, "Name: value\n" lines */
	const char *response_body;
	size_t response_length;
	unsigned attempt; /* 1 for the first try */
	const uint64_t *rows;
	size_t row_count; /* manifest rows the call carried */
};

#endif
