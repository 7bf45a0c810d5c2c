/* One HTTP exchange with the API on a libcurl easy handle, for any caller
 * that runs its handles on a multi loop (the write engine, the read side):
 * the handle's set-up (TLS always verified, protocols, no redirects, timeouts,
 * user agent, Basic auth from the settings, never a header built by hand),
 * the request body handed over through a read callback (so a silent re-send
 * of a non-idempotent body can be vetoed), capped capture of the body and of
 * the headers decisions need, and how the transfer ended.
 * Ownership: a transfer owns its buffers, body and handle; settings are
 * borrowed for the transfer's life. */
#ifndef LATTIGO_HTTP_TRANSFER_H
#define LATTIGO_HTTP_TRANSFER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "http/status.h"

/* Response bodies beyond this are refused: the API's answers to writes are far smaller. */
#define HTTP_RESPONSE_LIMIT (4u * 1024u * 1024u)
/* A page of 1000 device objects is about 1 MB; anything far above is not an answer. */
#define HTTP_READ_RESPONSE_LIMIT (32u * 1024u * 1024u)
/* libcurl's receive buffer for transfers whose answers may be that large. */
#define HTTP_READ_BUFFER_SIZE (256L * 1024L)
/* Selected response headers kept for retry decisions and the audit trail. */
#define HTTP_HEADERS_LIMIT (16u * 1024u)

/* What every handle is told. All strings are borrowed. */
struct http_settings {
	const char *endpoint; /* API root */
	const char *key_name;
	const char *api_key;
	bool plain_http;       /* http allowed (endpoint_policy_check said so) */
	const char *ca_bundle; /* NULL: the system's trust store */
	long connect_timeout_ms;
	long total_timeout_ms;
	long stall_timeout_s;
};

struct http_transfer {
	const char *method;      /* "GET", "PUT", "POST" (static) */
	struct strbuf path, url; /* path relative to the endpoint; url made by prepare */
	char *body;              /* owned; NULL: no body */
	size_t body_length;
	size_t body_handed;     /* bytes given to libcurl on this try */
	bool refuse_rewind;     /* a non-idempotent body must never be re-sent by libcurl */
	struct strbuf response; /* capped (HTTP_RESPONSE_LIMIT unless init said otherwise) */
	struct strbuf headers;  /* "Name: value\n" lines of the kept headers */
	bool response_too_big;
	CURL *easy;
	struct curl_slist *header_list;
	char curl_error[CURL_ERROR_SIZE];
	char problem_text[CURL_ERROR_SIZE + 160]; /* a refused certificate explained (tls.h), or
	                                            the cap an answer exceeded */
};

/* Prepares an empty transfer whose answers are capped at HTTP_RESPONSE_LIMIT. */
void http_transfer_init(struct http_transfer *transfer);
/* Prepares an empty transfer whose answers are capped at response_limit bytes. */
void http_transfer_init_limit(struct http_transfer *transfer, size_t response_limit);
/* Frees the easy handle (after curl_multi_remove_handle) but keeps the answer. */
void http_transfer_drop_handle(struct http_transfer *transfer);
/* Frees the handle, the buffers and the body. */
void http_transfer_release(struct http_transfer *transfer);

/* Returns a new easy handle set up as every exchange with the API must be:
 * url, owner as CURLOPT_PRIVATE, https only (http when settings allow it), no
 * redirects, Basic auth, the user agent, timeouts and stall limit, the CA
 * bundle, error_buffer (CURL_ERROR_SIZE bytes, kept by the caller) for
 * libcurl's message. The caller adds its callbacks and owns the handle.
 * NULL when out of memory or libcurl refuses an option. */
CURL *http_easy_new(const struct http_settings *settings, const char *url, void *owner,
                    char *error_buffer);

/* Makes a fresh easy handle for the next try (method and path set, body
 * optional); owner becomes CURLOPT_PRIVATE. Returns 0, or -1 when out of memory. */
int http_transfer_prepare(struct http_transfer *transfer, const struct http_settings *settings,
                          void *owner);

/* Returns the value of the captured response header name (case-insensitive)
 * into out, or -1 when absent. */
int http_transfer_header(const struct http_transfer *transfer, const char *name, char *out,
                         size_t size);

/* Appends "?key=value" or "&key=value" (value percent-encoded) to a path or
 * URL; nothing when value is NULL. Returns 0, or -1 when out of memory or too long. */
int http_query_add(struct strbuf *path, const char *key, const char *value);

/* How a finished transfer ended: sets *http_status (0 unless answered) and
 * *problem (static or the transfer's error text; "" when answered). */
enum http_transport http_transfer_outcome(struct http_transfer *transfer, CURLcode result,
                                          long *http_status, const char **problem);

/* True when a transfer that ended with result (no complete answer) may have
 * delivered the request to the server: anything of it was handed to the
 * socket, unless curl reports that the connection itself never came up. */
bool http_request_may_have_arrived(CURLcode result, long request_size, size_t body_handed);

#endif
