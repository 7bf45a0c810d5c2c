/* Easy handle set-up, the callbacks of one transfer, and how it ended. */
#include "http/transfer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/version.h"
#include "http/endpoint_policy.h"
#include "http/tls.h"

void http_transfer_init_limit(struct http_transfer *transfer, size_t response_limit)
{
	memset(transfer, 0, sizeof(*transfer));
	strbuf_init(&transfer->path, 8192);
	strbuf_init(&transfer->url, 16384);
	strbuf_init(&transfer->response, response_limit);
	strbuf_init(&transfer->headers, HTTP_HEADERS_LIMIT);
}

void http_transfer_init(struct http_transfer *transfer)
{
	http_transfer_init_limit(transfer, HTTP_RESPONSE_LIMIT);
}

void http_transfer_drop_handle(struct http_transfer *transfer)
{
	if (transfer->easy)
		curl_easy_cleanup(transfer->easy);
	transfer->easy = NULL;
	curl_slist_free_all(transfer->header_list);
	transfer->header_list = NULL;
}

void http_transfer_release(struct http_transfer *transfer)
{
	http_transfer_drop_handle(transfer);
	strbuf_release(&transfer->path);
	strbuf_release(&transfer->url);
	strbuf_release(&transfer->response);
	strbuf_release(&transfer->headers);
	free(transfer->body);
	transfer->body = NULL;
}

static size_t on_body(char *data, size_t size, size_t count, void *context)
{
	struct http_transfer *transfer = context;
	size_t length = size * count;
	curl_off_t expected = -1;
	/* the whole answer in one allocation when its length is told (a page of
	 * a listing is half a megabyte: grown step by step it was copied over
	 * and over); a length past the cap is refused below as it would be */
	if (transfer->response.length == 0 && transfer->easy &&
	    curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected) ==
	        CURLE_OK &&
	    expected > 0 && (uint64_t)expected <= transfer->response.limit)
		strbuf_reserve(&transfer->response, (size_t)expected);
	if (strbuf_append(&transfer->response, data, length) != STRBUF_OK) {
		transfer->response_too_big = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	return length;
}

static bool header_is_kept(const char *line, size_t length)
{
	static const char *const kept[] = {"retry-after:", "content-type:", "location:", "x-"};
	for (size_t index = 0; index < sizeof(kept) / sizeof(kept[0]); index++) {
		size_t prefix = strlen(kept[index]);
		if (length >= prefix && !strncasecmp(line, kept[index], prefix))
			return true;
	}
	return false;
}

static size_t on_header(char *data, size_t size, size_t count, void *context)
{
	struct http_transfer *transfer = context;
	size_t length = size * count;
	/* A new status line (after 100 Continue) starts a new set of headers. */
	if (length >= 5 && !strncmp(data, "HTTP/", 5)) {
		strbuf_reset(&transfer->headers);
		return length;
	}
	size_t text = length;
	while (text && (data[text - 1] == '\r' || data[text - 1] == '\n'))
		text--;
	if (text && header_is_kept(data, text)) {
		/* Over the cap a header is dropped, never the transfer. */
		if (strbuf_append(&transfer->headers, data, text) == STRBUF_OK)
			strbuf_append_char(&transfer->headers, '\n');
	}
	return length;
}

/* The body is handed over through a read callback, not CURLOPT_POSTFIELDS, so
 * the engine knows whether libcurl took it and can veto a silent re-send. */
static size_t on_read(char *buffer, size_t size, size_t count, void *context)
{
	struct http_transfer *transfer = context;
	size_t room = size * count;
	size_t left = transfer->body_length - transfer->body_handed;
	size_t length = left < room ? left : room;
	memcpy(buffer, transfer->body + transfer->body_handed, length);
	transfer->body_handed += length;
	return length;
}

/* libcurl rewinds the body when it re-sends a request by itself, notably on a
 * reused connection that died without answering. For a non-idempotent call
 * whose body was already handed over that re-send could apply the operation
 * twice, so it is refused: the transfer fails and the outcome is ambiguous. */
static int on_seek(void *context, curl_off_t offset, int origin)
{
	struct http_transfer *transfer = context;
	if (origin != SEEK_SET || offset != 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (transfer->refuse_rewind && transfer->body_handed > 0)
		return CURL_SEEKFUNC_FAIL;
	transfer->body_handed = 0;
	return CURL_SEEKFUNC_OK;
}

CURL *http_easy_new(const struct http_settings *settings, const char *url, void *owner,
                    char *error_buffer)
{
	CURL *easy = curl_easy_init();
	if (!easy)
		return NULL;
	const char *protocols = settings->plain_http ? "http,https" : "https";
	CURLcode status = CURLE_OK;
	status |= curl_easy_setopt(easy, CURLOPT_URL, url);
	status |= curl_easy_setopt(easy, CURLOPT_PRIVATE, owner);
	status |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
	status |= curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	status |= curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	status |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	status |= curl_easy_setopt(easy, CURLOPT_USERNAME, settings->key_name);
	status |= curl_easy_setopt(easy, CURLOPT_PASSWORD, settings->api_key);
	status |= curl_easy_setopt(easy, CURLOPT_USERAGENT, LATTIGO_USER_AGENT);
	status |= curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, settings->connect_timeout_ms);
	status |= curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, settings->total_timeout_ms);
	status |= curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, settings->stall_timeout_s);
	status |= curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
	if (settings->ca_bundle)
		status |= curl_easy_setopt(easy, CURLOPT_CAINFO, settings->ca_bundle);
	if (status != CURLE_OK) {
		curl_easy_cleanup(easy);
		return NULL;
	}
	return easy;
}

/* The request headers every exchange sends (Content-Type with a body).
 * Returns the list (freed by the caller), or NULL when out of memory. */
static struct curl_slist *request_headers(bool with_body)
{
	const char *const lines[] = {"Accept: application/json",
	                             /* no 100-continue round trip before small bodies */
	                             "Expect:", "Content-Type: application/json"};
	size_t count = with_body ? 3 : 2;
	struct curl_slist *list = NULL;
	for (size_t index = 0; index < count; index++) {
		struct curl_slist *grown = curl_slist_append(list, lines[index]);
		if (!grown) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = grown;
	}
	return list;
}

/* A POST, PUT or other method with a body: handed over through on_read /
 * on_seek, or an empty one. Returns libcurl's codes or-ed together. */
static CURLcode set_method_and_body(struct http_transfer *transfer)
{
	CURL *easy = transfer->easy;
	CURLcode status = curl_easy_setopt(easy, CURLOPT_POST, 1L);
	if (transfer->body) {
		status |= curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
		status |= curl_easy_setopt(easy, CURLOPT_READDATA, transfer);
		status |= curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
		status |= curl_easy_setopt(easy, CURLOPT_SEEKDATA, transfer);
		status |= curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		                           (curl_off_t)transfer->body_length);
	} else {
		status |= curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
		status |= curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
		/* Nothing to veto a re-send with: a non-idempotent call without
		 * a body never rides a reused connection. */
		if (transfer->refuse_rewind)
			status |= curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
	}
	if (strcmp(transfer->method, "POST") != 0)
		status |= curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, transfer->method);
	return status;
}

int http_transfer_prepare(struct http_transfer *transfer, const struct http_settings *settings,
                          void *owner)
{
	http_transfer_drop_handle(transfer);
	strbuf_reset(&transfer->response);
	strbuf_reset(&transfer->headers);
	transfer->response_too_big = false;
	transfer->body_handed = 0;
	transfer->curl_error[0] = '\0';
	if (endpoint_join(settings->endpoint, strbuf_text(&transfer->path), &transfer->url))
		return -1;

	CURL *easy =
	    http_easy_new(settings, strbuf_text(&transfer->url), owner, transfer->curl_error);
	if (!easy)
		return -1;
	transfer->easy = easy;
	CURLcode status = CURLE_OK;
	status |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	status |= curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
	/* answers allowed to be large (the read side's pages) come off the
	 * socket in fewer, larger reads than libcurl's 16 KiB */
	if (transfer->response.limit > HTTP_RESPONSE_LIMIT)
		status |= curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, HTTP_READ_BUFFER_SIZE);
	if (status != CURLE_OK)
		return -1;

	transfer->header_list = request_headers(transfer->body != NULL);
	if (!transfer->header_list)
		return -1;
	status |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->header_list);
	if (strcmp(transfer->method, "GET") != 0)
		status |= set_method_and_body(transfer);
	return status == CURLE_OK ? 0 : -1;
}

int http_transfer_header(const struct http_transfer *transfer, const char *name, char *out,
                         size_t size)
{
	size_t name_length = strlen(name);
	const char *line = strbuf_text(&transfer->headers);
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t length = end ? (size_t)(end - line) : strlen(line);
		if (length > name_length && line[name_length] == ':' &&
		    !strncasecmp(line, name, name_length)) {
			const char *value = line + name_length + 1;
			while (*value == ' ' || *value == '\t')
				value++;
			size_t value_length = (size_t)(line + length - value);
			if (value_length >= size)
				value_length = size - 1;
			memcpy(out, value, value_length);
			out[value_length] = '\0';
			return 0;
		}
		line += length + (end ? 1 : 0);
	}
	return -1;
}

int http_query_add(struct strbuf *path, const char *key, const char *value)
{
	if (!value)
		return 0;
	char *escaped = curl_easy_escape(NULL, value, 0);
	if (!escaped)
		return -1;
	int result = strbuf_appendf(path, "%c%s=%s", strchr(strbuf_text(path), '?') ? '&' : '?',
	                            key, escaped);
	curl_free(escaped);
	return result == STRBUF_OK ? 0 : -1;
}

bool http_request_may_have_arrived(CURLcode result, long request_size, size_t body_handed)
{
	switch (result) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return false;
	case CURLE_SEND_FAIL_REWIND:
		return true;
	default:
		return request_size > 0 || body_handed > 0;
	}
}

enum http_transport http_transfer_outcome(struct http_transfer *transfer, CURLcode result,
                                          long *http_status, const char **problem)
{
	long status = 0;
	long request_size = 0;
	curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(transfer->easy, CURLINFO_REQUEST_SIZE, &request_size);
	if (result == CURLE_OK && status > 0) {
		*http_status = status;
		*problem = "";
		return TRANSPORT_ANSWERED;
	}
	*http_status = 0;
	if (transfer->response_too_big) {
		snprintf(transfer->problem_text, sizeof(transfer->problem_text),
		         "the answer exceeded %zu MiB", transfer->response.limit / (1024u * 1024u));
		*problem = transfer->problem_text;
	} else {
		*problem =
		    transfer->curl_error[0] ? transfer->curl_error : curl_easy_strerror(result);
	}
	if (result == CURLE_PEER_FAILED_VERIFICATION || result == CURLE_SSL_CACERT_BADFILE) {
		/* say which: expired, another host, an unknown authority */
		http_tls_explain(transfer->easy, result, *problem, transfer->problem_text,
		                 sizeof(transfer->problem_text));
		*problem = transfer->problem_text;
		return TRANSPORT_UNSAFE;
	}
	if (result == CURLE_UNSUPPORTED_PROTOCOL)
		return TRANSPORT_UNSAFE;
	return http_request_may_have_arrived(result, request_size, transfer->body_handed)
	           ? TRANSPORT_MAY_HAVE_ARRIVED
	           : TRANSPORT_NOT_SENT;
}
