/* Easy handle set-up and the callbacks of one call. */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/version.h"
#include "engine/endpoint_policy.h"

struct call *call_new(enum call_kind kind, struct record *const *records, size_t count,
                      unsigned row_attempts)
{
	struct call *call = calloc(1, sizeof(*call));
	if (!call)
		return NULL;
	call->kind = kind;
	call->records = malloc((count ? count : 1) * sizeof(*call->records));
	call->rows = malloc((count ? count : 1) * sizeof(*call->rows));
	if (!call->records || !call->rows) {
		free(call->records);
		free(call->rows);
		free(call);
		return NULL;
	}
	for (size_t index = 0; index < count; index++) {
		call->records[index] = records[index];
		call->rows[index] = records[index]->row;
	}
	call->count = count;
	call->row_attempts = row_attempts;
	strbuf_init(&call->path, 8192);
	strbuf_init(&call->url, 16384);
	strbuf_init(&call->response, CALL_RESPONSE_LIMIT);
	strbuf_init(&call->headers, CALL_HEADERS_LIMIT);
	return call;
}

static void release_transfer(struct call *call)
{
	if (call->easy)
		curl_easy_cleanup(call->easy);
	call->easy = NULL;
	curl_slist_free_all(call->header_list);
	call->header_list = NULL;
}

void call_free_keeping_records(struct call *call)
{
	if (!call)
		return;
	release_transfer(call);
	strbuf_release(&call->path);
	strbuf_release(&call->url);
	strbuf_release(&call->response);
	strbuf_release(&call->headers);
	free(call->body);
	free(call->refusal);
	free(call->records);
	free(call->rows);
	free(call);
}

void call_free(struct call *call)
{
	if (!call)
		return;
	for (size_t index = 0; index < call->count; index++)
		free(call->records[index]);
	call_free_keeping_records(call);
}

static size_t on_body(char *data, size_t size, size_t count, void *context)
{
	struct call *call = context;
	size_t length = size * count;
	if (strbuf_append(&call->response, data, length) != STRBUF_OK) {
		call->response_too_big = true;
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
	struct call *call = context;
	size_t length = size * count;
	/* A new status line (after 100 Continue) starts a new set of headers. */
	if (length >= 5 && !strncmp(data, "HTTP/", 5)) {
		strbuf_reset(&call->headers);
		return length;
	}
	size_t text = length;
	while (text && (data[text - 1] == '\r' || data[text - 1] == '\n'))
		text--;
	if (text && header_is_kept(data, text)) {
		/* Over the cap a header is dropped, never the transfer. */
		if (strbuf_append(&call->headers, data, text) == STRBUF_OK)
			strbuf_append_char(&call->headers, '\n');
	}
	return length;
}

/* The body is handed over through a read callback, not CURLOPT_POSTFIELDS, so
 * the engine knows whether libcurl took it and can veto a silent re-send. */
static size_t on_read(char *buffer, size_t size, size_t count, void *context)
{
	struct call *call = context;
	size_t room = size * count;
	size_t left = call->body_length - call->body_handed;
	size_t length = left < room ? left : room;
	memcpy(buffer, call->body + call->body_handed, length);
	call->body_handed += length;
	return length;
}

/* libcurl rewinds the body when it re-sends a request by itself, notably on a
 * reused connection that died without answering. For a non-idempotent call
 * whose body was already handed over that re-send could apply the operation
 * twice, so it is refused: the transfer fails and the outcome is ambiguous. */
static int on_seek(void *context, curl_off_t offset, int origin)
{
	struct call *call = context;
	if (origin != SEEK_SET || offset != 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (call->refuse_rewind && call->body_handed > 0)
		return CURL_SEEKFUNC_FAIL;
	call->body_handed = 0;
	return CURL_SEEKFUNC_OK;
}

int call_prepare(struct call *call, const struct call_transport *transport)
{
	release_transfer(call);
	strbuf_reset(&call->response);
	strbuf_reset(&call->headers);
	call->response_too_big = false;
	call->body_handed = 0;
	call->curl_error[0] = '\0';
	if (endpoint_join(transport->endpoint, strbuf_text(&call->path), &call->url))
		return -1;

	CURL *easy = curl_easy_init();
	if (!easy)
		return -1;
	call->easy = easy;
	const char *protocols = transport->plain_http ? "http,https" : "https";
	CURLcode status = CURLE_OK;
	status |= curl_easy_setopt(easy, CURLOPT_URL, strbuf_text(&call->url));
	status |= curl_easy_setopt(easy, CURLOPT_PRIVATE, call);
	status |= curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols);
	status |= curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	status |= curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	status |= curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	status |= curl_easy_setopt(easy, CURLOPT_USERNAME, transport->key_name);
	status |= curl_easy_setopt(easy, CURLOPT_PASSWORD, transport->api_key);
	status |= curl_easy_setopt(easy, CURLOPT_USERAGENT, LATTIGO_USER_AGENT);
	status |= curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, transport->connect_timeout_ms);
	status |= curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, transport->total_timeout_ms);
	status |= curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, transport->stall_timeout_s);
	status |= curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
	status |= curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->curl_error);
	status |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	status |= curl_easy_setopt(easy, CURLOPT_WRITEDATA, call);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERDATA, call);
	if (transport->ca_bundle)
		status |= curl_easy_setopt(easy, CURLOPT_CAINFO, transport->ca_bundle);
	if (status != CURLE_OK)
		return -1;

	struct curl_slist *list = NULL;
	const char *const fixed[] = {"Accept: application/json",
	                             /* no 100-continue round trip before small bodies */
	                             "Expect:"};
	for (size_t index = 0; index < 2; index++) {
		struct curl_slist *grown = curl_slist_append(list, fixed[index]);
		if (!grown)
			goto no_memory;
		list = grown;
	}
	if (call->body) {
		struct curl_slist *grown =
		    curl_slist_append(list, "Content-Type: application/json");
		if (!grown)
			goto no_memory;
		list = grown;
	}
	call->header_list = list;
	status |= curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);

	if (strcmp(call->method, "GET") != 0) {
		status |= curl_easy_setopt(easy, CURLOPT_POST, 1L);
		if (call->body) {
			status |= curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
			status |= curl_easy_setopt(easy, CURLOPT_READDATA, call);
			status |= curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
			status |= curl_easy_setopt(easy, CURLOPT_SEEKDATA, call);
			status |= curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
			                           (curl_off_t)call->body_length);
		} else {
			status |= curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
			status |=
			    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
			/* Nothing to veto a re-send with: a non-idempotent call without
			 * a body never rides a reused connection. */
			if (call->refuse_rewind)
				status |= curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
		}
		if (strcmp(call->method, "POST") != 0)
			status |= curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call->method);
	}
	return status == CURLE_OK ? 0 : -1;
no_memory:
	curl_slist_free_all(list);
	return -1;
}

int call_header(const struct call *call, const char *name, char *out, size_t size)
{
	size_t name_length = strlen(name);
	const char *line = strbuf_text(&call->headers);
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

bool call_request_may_have_arrived(CURLcode result, long request_size, size_t body_handed)
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
