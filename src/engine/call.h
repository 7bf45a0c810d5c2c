/* One API call of the engine and its libcurl easy handle: the rows it carries,
 * its request, what came back, and whether the request may have reached the
 * server (the ambiguity rule for non-idempotent operations, see docs/engine.md).
 * Ownership: a call owns its records (freed with free()) and its buffers. */
#ifndef LATTIGO_CALL_H
#define LATTIGO_CALL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "ops/op.h"

/* Response bodies beyond this are refused: the API's answers are far smaller. */
#define CALL_RESPONSE_LIMIT (4u * 1024u * 1024u)
/* Selected response headers kept for retry decisions and the audit trail. */
#define CALL_HEADERS_LIMIT (16u * 1024u)

enum call_kind {
	CALL_OPERATION, /* the operation itself, for a chunk of rows */
	CALL_RECONCILE, /* a read-back of one row after an ambiguous outcome */
};

struct call {
	enum call_kind kind;
	uint64_t id;
	struct record **records; /* owned */
	size_t count;
	uint64_t *rows;        /* manifest row numbers, for the audit trail */
	unsigned row_attempts; /* operation calls that carried these rows so far */
	unsigned attempt;      /* tries of this call so far, 1 for the first */
	unsigned retries;      /* tries after the first */
	int64_t not_before_ms; /* monotonic: earliest (re)start */
	const char *method;
	bool built; /* path and body made */
	struct strbuf path, url;
	char *body; /* NULL: no body */
	size_t body_length;
	size_t body_handed; /* bytes given to libcurl on this try */
	bool refuse_rewind; /* a non-idempotent body must never be re-sent by libcurl itself */
	struct strbuf response, headers;
	bool response_too_big;
	CURL *easy;
	struct curl_slist *header_list;
	char curl_error[CURL_ERROR_SIZE];
	CURLcode result; /* how the last try's transfer ended */
	int64_t started_mono_ms, started_wall_ms;
	int64_t sent_after_wall_ms; /* UTC epoch ms before which no try of the operation for these
	                               rows went out (0: unknown): read-backs judge by it */
	char ambiguity[160];        /* why an earlier try's outcome is unknown (read-backs, and
	                               operation calls with possibly_applied) */
	bool send_if_absent;        /* reconcile call of a row in doubt after a crash: a 404 means
	                               the interrupted call never took effect, so send the row */
	bool possibly_applied;      /* an operation call sending rows an earlier try may have
	                               applied (in doubt after a crash, or answered 5xx): the API's
	                               refusal of a repeat may only mean that try landed */
	char *refusal;              /* owned; a read-back confirming that refusal: its message */
	long refusal_status;        /* and its HTTP status */
	unsigned polls_left;        /* read-backs still allowed before the refusal stands */
	bool settling;              /* a read-back of a row in doubt, waiting for the settle time */
	struct call *next;          /* scheduling lists */
};

/* Returns a new call owning count records (the array is copied), or NULL when out of memory. */
struct call *call_new(enum call_kind kind, struct record *const *records, size_t count,
                      unsigned row_attempts);
/* Frees the call, its handle, its buffers and its records. */
void call_free(struct call *call);
/* Frees the call but not its records (they moved to other calls). */
void call_free_keeping_records(struct call *call);

/* What the engine tells every easy handle. All strings are borrowed. */
struct call_transport {
	const char *endpoint;
	const char *key_name;
	const char *api_key;
	bool plain_http;
	const char *ca_bundle; /* NULL: the system's trust store */
	long connect_timeout_ms;
	long total_timeout_ms;
	long stall_timeout_s;
};

/* Makes a fresh easy handle for the next try of call (path and body must be
 * built). Returns 0, or -1 when out of memory. */
int call_prepare(struct call *call, const struct call_transport *transport);

/* Returns the value of the captured response header name (case-insensitive)
 * into out, or -1 when absent. */
int call_header(const struct call *call, const char *name, char *out, size_t size);

/* True when a transfer that ended with result (no complete answer) may have
 * delivered the request to the server: anything of it was handed to the
 * socket, unless curl reports that the connection itself never came up. */
bool call_request_may_have_arrived(CURLcode result, long request_size, size_t body_handed);

#endif
