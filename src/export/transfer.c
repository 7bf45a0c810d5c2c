/* The read side's easy handles: same security settings as the engine's calls
 * (https only unless a loopback host or --insecure-http, no redirects, Basic
 * auth through libcurl so the key never sits in a printable buffer). */
#include "export/transfer.h"

#include <string.h>
#include <strings.h>

#include "http/transfer.h"

static size_t on_body(char *data, size_t size, size_t count, void *context)
{
	struct read_transfer *transfer = context;
	size_t length = size * count;
	if (strbuf_append(&transfer->response, data, length) != STRBUF_OK) {
		transfer->too_big = true;
		return 0; /* aborts the transfer */
	}
	return length;
}

static bool header_is_kept(const char *data, size_t length)
{
	static const char *const kept[] = {"retry-after:", "content-type:", "location:", "x-"};
	for (size_t index = 0; index < sizeof(kept) / sizeof(kept[0]); index++) {
		size_t prefix = strlen(kept[index]);
		if (length >= prefix && strncasecmp(data, kept[index], prefix) == 0)
			return true;
	}
	return false;
}

static size_t on_header(char *data, size_t size, size_t count, void *context)
{
	struct read_transfer *transfer = context;
	size_t length = size * count;
	if (length >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		strbuf_reset(&transfer->headers);
		page_headers_init(&transfer->paging);
		transfer->retry_after[0] = '\0';
		return length;
	}
	size_t text = length;
	while (text && (data[text - 1] == '\r' || data[text - 1] == '\n'))
		text--;
	if (!text || !header_is_kept(data, text))
		return length;
	if (strbuf_append(&transfer->headers, data, text) == STRBUF_OK)
		strbuf_append_char(&transfer->headers, '\n');
	page_headers_take(&transfer->paging, data, text);
	if (text > 12 && strncasecmp(data, "retry-after:", 12) == 0) {
		const char *value = data + 12;
		size_t value_length = text - 12;
		while (value_length && (*value == ' ' || *value == '\t')) {
			value++;
			value_length--;
		}
		if (value_length >= sizeof(transfer->retry_after))
			value_length = sizeof(transfer->retry_after) - 1;
		memcpy(transfer->retry_after, value, value_length);
		transfer->retry_after[value_length] = '\0';
	}
	return length;
}

void read_transfer_init(struct read_transfer *transfer)
{
	memset(transfer, 0, sizeof(*transfer));
	strbuf_init(&transfer->url, 16384);
	strbuf_init(&transfer->response, READ_RESPONSE_LIMIT);
	strbuf_init(&transfer->headers, READ_HEADERS_LIMIT);
	page_headers_init(&transfer->paging);
}

int read_transfer_prepare(struct read_transfer *transfer, const struct read_transport *transport,
                          void *private_pointer)
{
	read_transfer_drop_handle(transfer);
	strbuf_reset(&transfer->response);
	strbuf_reset(&transfer->headers);
	page_headers_init(&transfer->paging);
	transfer->retry_after[0] = '\0';
	transfer->too_big = false;
	transfer->curl_error[0] = '\0';
	struct http_settings settings = {
	    .endpoint = transport->api_root,
	    .key_name = transport->key_name,
	    .api_key = transport->api_key,
	    .plain_http = transport->plain_http,
	    .ca_bundle = transport->ca_bundle,
	    .connect_timeout_ms = transport->connect_timeout_ms,
	    .total_timeout_ms = transport->total_timeout_ms,
	    .stall_timeout_s = transport->stall_timeout_s,
	};
	CURL *easy = http_easy_new(&settings, strbuf_text(&transfer->url), private_pointer,
	                           transfer->curl_error);
	if (!easy)
		return -1;
	transfer->easy = easy;
	CURLcode status = CURLE_OK;
	status |= curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	status |= curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	status |= curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
	return status == CURLE_OK ? 0 : -1;
}

void read_transfer_drop_handle(struct read_transfer *transfer)
{
	if (transfer->easy)
		curl_easy_cleanup(transfer->easy);
	transfer->easy = NULL;
}

void read_transfer_release(struct read_transfer *transfer)
{
	read_transfer_drop_handle(transfer);
	strbuf_release(&transfer->url);
	strbuf_release(&transfer->response);
	strbuf_release(&transfer->headers);
}

int read_url_add(struct strbuf *url, const char *key, const char *value)
{
	if (!value)
		return 0;
	char *escaped = curl_easy_escape(NULL, value, 0);
	if (!escaped)
		return -1;
	int result =
	    strbuf_appendf(url, "%c%s=%s", strchr(strbuf_text(url), '?') ? '&' : '?', key, escaped);
	curl_free(escaped);
	return result == STRBUF_OK ? 0 : -1;
}
