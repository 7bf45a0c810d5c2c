/* The audit record format: one compact JSON object per line, keys in a
 * fixed order, bodies capped, credentials redacted, and "prev" holding the
 * SHA-256 of the previous line's exact bytes (docs/audit.md). */
#include "record.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

void audit_sha256_hex(const void *data, size_t length, char *out)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char digest[32];
	unsigned int size = 0;
	EVP_Digest(data, length, digest, &size, EVP_sha256(), NULL);
	for (unsigned index = 0; index < 32; index++) {
		out[2 * index] = digits[digest[index] >> 4];
		out[2 * index + 1] = digits[digest[index] & 15];
	}
	out[64] = '\0';
}

void audit_genesis(const char *job_id, char *out)
{
	struct strbuf seed;
	strbuf_init(&seed, 4096);
	strbuf_append_string(&seed, "lattigo-batch audit genesis ");
	strbuf_append_string(&seed, job_id ? job_id : "");
	audit_sha256_hex(strbuf_text(&seed), seed.length, out);
	strbuf_release(&seed);
}

static json_t *time_value(int64_t epoch_ms)
{
	char text[40];
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	return json_string(text);
}

/* A text field: redacted, cut at limit bytes on a UTF-8 boundary; binary
 * (not UTF-8) content is kept as base64 under name_base64 instead. */
static int set_text(json_t *object, const char *name, const char *text, size_t length, size_t limit,
                    const struct redactor *redactor)
{
	size_t redacted_length = 0;
	char *redacted = redactor_copy(redactor, text, length, &redacted_length);
	if (!redacted)
		return -1;
	size_t kept = redacted_length;
	if (kept > limit) {
		kept = limit;
		while (kept > 0 && ((unsigned char)redacted[kept] & 0xc0) == 0x80)
			kept--;
	}
	json_t *value = json_stringn(redacted, kept);
	int status = 0;
	if (value) {
		status = json_object_set_new(object, name, value);
	} else {
		char *encoded = malloc(4 * ((kept + 2) / 3) + 1);
		char key[64];
		snprintf(key, sizeof(key), "%s_base64", name);
		status = -1;
		if (encoded) {
			EVP_EncodeBlock((unsigned char *)encoded, (unsigned char *)redacted,
			                (int)kept);
			status = json_object_set_new(object, key, json_string(encoded));
			free(encoded);
		}
	}
	explicit_bzero(redacted, redacted_length);
	free(redacted);
	return status;
}

/* "Name: value\n" lines → {"name": "value"}; an Authorization header is
 * replaced whatever its case. */
static json_t *header_object(const char *text, size_t length, const struct redactor *redactor)
{
	json_t *headers = json_object();
	size_t start = 0;
	while (headers && start < length) {
		const char *line = text + start;
		const char *end = memchr(line, '\n', length - start);
		size_t line_length = end ? (size_t)(end - line) : length - start;
		start += line_length + 1;
		if (line_length && line[line_length - 1] == '\r')
			line_length--;
		const char *colon = memchr(line, ':', line_length);
		if (!colon || colon == line || colon - line > 100)
			continue;
		char name[128];
		size_t name_length = (size_t)(colon - line);
		for (size_t index = 0; index < name_length; index++) {
			char character = line[index];
			name[index] = character >= 'A' && character <= 'Z'
			                  ? (char)(character - 'A' + 'a')
			                  : character;
		}
		name[name_length] = '\0';
		const char *value = colon + 1;
		size_t value_length = line_length - name_length - 1;
		while (value_length && (*value == ' ' || *value == '\t')) {
			value++;
			value_length--;
		}
		if (strcmp(name, "authorization") == 0 ||
		    strcmp(name, "proxy-authorization") == 0) {
			json_object_set_new(headers, name, json_string(REDACTED_TEXT));
			continue;
		}
		if (set_text(headers, name, value, value_length, 4096, redactor)) {
			json_decref(headers);
			return NULL;
		}
	}
	return headers;
}

/* Sets "url" with any user:password@ part replaced: the engine never puts
 * credentials in a URL, but an endpoint typed that way must not reach the file. */
static int set_url(json_t *record, const char *url, const struct redactor *redactor)
{
	const char *scheme_end = url ? strstr(url, "://") : NULL;
	if (!scheme_end)
		return set_text(record, "url", url ? url : "", url ? strlen(url) : 0, 8192,
		                redactor);
	const char *authority = scheme_end + 3;
	size_t authority_length = strcspn(authority, "/?#");
	const char *at = memchr(authority, '@', authority_length);
	if (!at)
		return set_text(record, "url", url, strlen(url), 8192, redactor);
	struct strbuf cleaned;
	strbuf_init(&cleaned, 16384);
	int status = -1;
	if (!strbuf_append(&cleaned, url, (size_t)(authority - url)) &&
	    !strbuf_append_string(&cleaned, REDACTED_TEXT) && !strbuf_append_string(&cleaned, at))
		status = set_text(record, "url", cleaned.data, cleaned.length, 8192, redactor);
	strbuf_release(&cleaned);
	return status;
}

static int append_dump(json_t *object, struct strbuf *out)
{
	char *text = json_dumps(object, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return -1;
	int status = strbuf_append_string(out, text);
	free(text);
	return status ? -1 : 0;
}

/* The record's "counts" object. */
static json_t *counts_object(const struct audit_counts *counts)
{
	return json_pack("{s:I, s:I, s:I}", "calls", (json_int_t)counts->calls, "retries",
	                 (json_int_t)counts->retries, "throttled", (json_int_t)counts->throttled);
}

int audit_format_exchange(const struct exchange *exchange, uint64_t sequence, const char *prev,
                          const struct audit_counts *counts, const struct redactor *redactor,
                          struct strbuf *out)
{
	int status = -1;
	json_t *record = json_object();
	json_t *rows = json_array();
	if (!record || !rows)
		goto out;
	for (size_t index = 0; index < exchange->row_count; index++)
		if (json_array_append_new(rows, json_integer((json_int_t)exchange->rows[index])))
			goto out;
	json_t *headers = header_object(
	    exchange->response_headers ? exchange->response_headers : "",
	    exchange->response_headers ? exchange->response_headers_length : 0, redactor);
	if (!headers)
		goto out;
	size_t response_length = exchange->response_body ? exchange->response_length : 0;
	if (json_object_set_new(record, "seq", json_integer((json_int_t)sequence)) ||
	    json_object_set_new(record, "kind", json_string("exchange")) ||
	    json_object_set_new(record, "started_at", time_value(exchange->started_at_ms)) ||
	    json_object_set_new(record, "finished_at", time_value(exchange->finished_at_ms)) ||
	    json_object_set_new(record, "latency_ms",
	                        json_integer(exchange->finished_at_ms - exchange->started_at_ms)) ||
	    json_object_set_new(record, "attempt", json_integer(exchange->attempt)) ||
	    json_object_set(record, "rows", rows) ||
	    set_text(record, "method", exchange->method ? exchange->method : "",
	             exchange->method ? strlen(exchange->method) : 0, 16, redactor) ||
	    set_url(record, exchange->url, redactor) ||
	    set_text(record, "request_body", exchange->request_body,
	             exchange->request_body ? exchange->request_length : 0, AUDIT_BODY_CAP,
	             redactor) ||
	    json_object_set_new(record, "status", json_integer(exchange->http_status)) ||
	    set_text(record, "error", exchange->curl_error ? exchange->curl_error : "",
	             exchange->curl_error ? strlen(exchange->curl_error) : 0, 1024, redactor) ||
	    json_object_set_new(record, "response_headers", headers) ||
	    set_text(record, "response_body", exchange->response_body, response_length,
	             AUDIT_BODY_CAP, redactor))
		goto out;
	if (response_length > AUDIT_BODY_CAP ||
	    (exchange->request_body && exchange->request_length > AUDIT_BODY_CAP)) {
		/* the hashes are of the original bytes, so a copy kept elsewhere can be matched */
		char hash[AUDIT_HASH_HEX];
		if (response_length > AUDIT_BODY_CAP) {
			audit_sha256_hex(exchange->response_body, response_length, hash);
			if (json_object_set_new(record, "response_length",
			                        json_integer((json_int_t)response_length)) ||
			    json_object_set_new(record, "response_sha256", json_string(hash)))
				goto out;
		}
		if (exchange->request_body && exchange->request_length > AUDIT_BODY_CAP) {
			audit_sha256_hex(exchange->request_body, exchange->request_length, hash);
			if (json_object_set_new(
			        record, "request_length",
			        json_integer((json_int_t)exchange->request_length)) ||
			    json_object_set_new(record, "request_sha256", json_string(hash)))
				goto out;
		}
	}
	if (json_object_set_new(record, "counts", counts_object(counts)) ||
	    json_object_set_new(record, "prev", json_string(prev)))
		goto out;
	/* the serialised line is redacted once more, whatever escaping did */
	struct strbuf line;
	strbuf_init(&line, AUDIT_MAX_RECORD);
	if (append_dump(record, &line) == 0 && line.length < AUDIT_MAX_RECORD &&
	    redactor_append(redactor, out, line.data, line.length) == 0)
		status = 0;
	strbuf_release(&line);
out:
	json_decref(rows);
	json_decref(record);
	return status;
}

int audit_format_marker(const char *kind, uint64_t sequence, const char *prev, const char *job_id,
                        const char *operation, int64_t at_ms, const struct audit_counts *counts,
                        struct strbuf *out)
{
	json_t *record = json_object();
	int status = -1;
	if (record && !json_object_set_new(record, "seq", json_integer((json_int_t)sequence)) &&
	    !json_object_set_new(record, "kind", json_string(kind)) &&
	    !json_object_set_new(record, "at", time_value(at_ms)) &&
	    !json_object_set_new(record, "job_id", json_string(job_id ? job_id : "")) &&
	    !json_object_set_new(record, "operation", json_string(operation ? operation : "")) &&
	    !json_object_set_new(record, "counts", counts_object(counts)) &&
	    !json_object_set_new(record, "prev", json_string(prev)))
		status = append_dump(record, out);
	json_decref(record);
	return status;
}

void audit_counts_add(struct audit_counts *counts, unsigned attempt, long http_status)
{
	counts->calls++;
	if (attempt > 1)
		counts->retries++;
	if (http_status == 429)
		counts->throttled++;
}

static uint64_t count_field(const json_t *object, const char *key)
{
	json_int_t value = json_integer_value(json_object_get(object, key));
	return value > 0 ? (uint64_t)value : 0;
}

bool audit_counts_of_record(const char *line, size_t length, struct audit_counts *counts)
{
	json_t *record = json_loadb(line, length, 0, NULL);
	json_t *object = json_object_get(record, "counts");
	bool found = json_is_object(object);
	if (found) {
		counts->calls = count_field(object, "calls");
		counts->retries = count_field(object, "retries");
		counts->throttled = count_field(object, "throttled");
	}
	json_decref(record);
	return found;
}

void audit_counts_add_record(struct audit_counts *counts, const char *line, size_t length)
{
	json_t *record = json_loadb(line, length, 0, NULL);
	const char *kind = json_string_value(json_object_get(record, "kind"));
	if (kind && strcmp(kind, "exchange") == 0)
		audit_counts_add(counts, (unsigned)count_field(record, "attempt"),
		                 (long)count_field(record, "status"));
	json_decref(record);
}
