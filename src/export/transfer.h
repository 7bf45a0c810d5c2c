/* One GET of the read side and its libcurl easy handle: URL, the answer's
 * body (capped), its pagination and retry headers.
 * Ownership: a read_transfer owns its handle and buffers; the transport's
 * strings are borrowed and must outlive every transfer. */
#ifndef LATTIGO_READ_TRANSFER_H
#define LATTIGO_READ_TRANSFER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "export/paging.h"

/* A page of 1000 device objects is about 1 MB; anything far above is not an answer. */
#define READ_RESPONSE_LIMIT (32u * 1024u * 1024u)
#define READ_HEADERS_LIMIT  (16u * 1024u)

/* What every read's handle is told. */
struct read_transport {
	const char *api_root;
	const char *key_name;
	const char *api_key;
	bool plain_http;
	const char *ca_bundle; /* NULL: the system's trust store */
	long connect_timeout_ms;
	long total_timeout_ms;
	long stall_timeout_s; /* below 1 byte/s for this long: stalled */
};

struct read_transfer {
	CURL *easy;
	struct strbuf url;      /* full URL (no credentials) */
	struct strbuf response; /* the body */
	struct strbuf headers;  /* kept headers, "Name: value\n" (for the audit trail) */
	struct page_headers paging;
	char retry_after[64]; /* the Retry-After value, "" when none */
	bool too_big;
	char curl_error[CURL_ERROR_SIZE];
	int64_t started_wall_ms, started_mono_ms;
};

/* Prepares an empty transfer. */
void read_transfer_init(struct read_transfer *transfer);
/* Makes a fresh handle for GET url (already built into transfer->url) with
 * private as CURLOPT_PRIVATE. Returns 0, or -1 when out of memory. */
int read_transfer_prepare(struct read_transfer *transfer, const struct read_transport *transport,
                          void *private_pointer);
/* Frees the handle (after curl_multi_remove_handle) but keeps the answer. */
void read_transfer_drop_handle(struct read_transfer *transfer);
/* Frees everything. */
void read_transfer_release(struct read_transfer *transfer);

/* Appends "?key=value" or "&key=value" (value percent-encoded) to url;
 * nothing when value is NULL. Returns 0 or -1. */
int read_url_add(struct strbuf *url, const char *key, const char *value);

#endif
