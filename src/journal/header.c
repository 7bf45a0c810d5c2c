/* The journal header: its JSON encoding inside the first frame, and the
 * comparison that decides whether a job may be resumed. */
#include "header.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void journal_header_release(struct journal_header *header)
{
	free(header->options_json);
	header->options_json = NULL;
}

void journal_job_id_text(uint64_t job_id, char *out, size_t size)
{
	snprintf(out, size, "%016" PRIx64, job_id);
}

static void hex_encode(const unsigned char *bytes, size_t count, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t index = 0; index < count; index++) {
		out[2 * index] = digits[bytes[index] >> 4];
		out[2 * index + 1] = digits[bytes[index] & 15];
	}
	out[2 * count] = '\0';
}

static int hex_decode(const char *text, unsigned char *bytes, size_t count)
{
	if (strlen(text) != 2 * count)
		return -1;
	for (size_t index = 0; index < 2 * count; index++) {
		char digit = text[index];
		int value = digit >= '0' && digit <= '9'   ? digit - '0'
		            : digit >= 'a' && digit <= 'f' ? digit - 'a' + 10
		                                           : -1;
		if (value < 0)
			return -1;
		if (index % 2 == 0)
			bytes[index / 2] = (unsigned char)(value << 4);
		else
			bytes[index / 2] |= (unsigned char)value;
	}
	return 0;
}

int header_encode(const struct journal_header *header, struct strbuf *out)
{
	int result = -1;
	json_t *options = NULL;
	char *text = NULL;
	json_error_t parse_error;
	options = json_loads(header->options_json ? header->options_json : "{}", 0, &parse_error);
	if (!options || !json_is_object(options))
		goto out;
	char job[17], sha[65];
	journal_job_id_text(header->job_id, job, sizeof(job));
	hex_encode(header->fingerprint.sha256, sizeof(header->fingerprint.sha256), sha);
	json_t *object =
	    json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:O}", "format",
	              (json_int_t)header->format_version, "job_id", job, "created_at_ms",
	              (json_int_t)header->created_at_ms, "operation", header->operation, "manifest",
	              header->manifest_path, "manifest_size", (json_int_t)header->fingerprint.size,
	              "manifest_sha256", sha, "options", options);
	if (!object)
		goto out;
	text = json_dumps(object, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(object);
	if (!text || strbuf_append_string(out, text))
		goto out;
	result = 0;
out:
	json_decref(options);
	free(text);
	return result;
}

static int copy_text(char *out, size_t size, const char *text)
{
	if (strlen(text) >= size)
		return -1;
	memcpy(out, text, strlen(text) + 1);
	return 0;
}

int header_decode(const void *payload, size_t length, struct journal_header *header,
                  struct error *error)
{
	int result = -1;
	json_error_t parse_error;
	json_t *object = json_loadb(payload, length, 0, &parse_error);
	json_int_t format = 0, created = 0, size = 0;
	const char *job = NULL, *operation = NULL, *manifest = NULL, *sha = NULL;
	json_t *options = NULL;
	journal_header_release(header);
	memset(header, 0, sizeof(*header));
	if (!object || json_unpack(object, "{s:I, s:s, s:I, s:s, s:s, s:I, s:s, s:o}", "format",
	                           &format, "job_id", &job, "created_at_ms", &created, "operation",
	                           &operation, "manifest", &manifest, "manifest_size", &size,
	                           "manifest_sha256", &sha, "options", &options) != 0) {
		error_set(error, "checkpoint header is not readable");
		goto out;
	}
	if (format != JOURNAL_FORMAT_VERSION) {
		error_set(error,
		          "checkpoint has format version %" JSON_INTEGER_FORMAT
		          ", this program reads version %u",
		          format, JOURNAL_FORMAT_VERSION);
		goto out;
	}
	unsigned char job_bytes[8];
	if (hex_decode(job, job_bytes, sizeof(job_bytes)) ||
	    hex_decode(sha, header->fingerprint.sha256, sizeof(header->fingerprint.sha256)) ||
	    copy_text(header->operation, sizeof(header->operation), operation) ||
	    copy_text(header->manifest_path, sizeof(header->manifest_path), manifest) ||
	    !json_is_object(options) || size < 0) {
		error_set(error, "checkpoint header is not readable");
		goto out;
	}
	for (size_t index = 0; index < sizeof(job_bytes); index++)
		header->job_id = header->job_id << 8 | job_bytes[index];
	header->format_version = (uint32_t)format;
	header->created_at_ms = created;
	header->fingerprint.size = (uint64_t)size;
	header->options_json = json_dumps(options, JSON_COMPACT | JSON_SORT_KEYS);
	if (!header->options_json) {
		error_set(error, "out of memory");
		goto out;
	}
	result = 0;
out:
	json_decref(object);
	return result;
}

/* Appends "name was X, now Y" for every option whose value differs. */
static void describe_option_changes(json_t *before, json_t *after, struct strbuf *changes)
{
	const char *key;
	json_t *value;
	json_object_foreach(before, key, value)
	{
		json_t *other = json_object_get(after, key);
		if (other && json_equal(value, other))
			continue;
		char *then = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
		char *now = other ? json_dumps(other, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		strbuf_appendf(changes, "%s%s was %s, now %s", changes->length ? "; " : "", key,
		               then ? then : "?", now ? now : "not set");
		free(then);
		free(now);
	}
	json_object_foreach(after, key, value)
	{
		if (json_object_get(before, key))
			continue;
		char *now = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
		strbuf_appendf(changes, "%s%s was not set, now %s", changes->length ? "; " : "",
		               key, now ? now : "?");
		free(now);
	}
}

int journal_header_compare(const struct journal_header *recorded,
                           const struct journal_header *current, struct error *error)
{
	if (strcmp(recorded->operation, current->operation) != 0)
		return error_set(error, "operation changed: the job was started as '%s', now '%s'",
		                 recorded->operation, current->operation);
	if (recorded->fingerprint.size != current->fingerprint.size)
		return error_set(error,
		                 "manifest '%s' changed since the job started: it had %" PRIu64
		                 " bytes, now %" PRIu64,
		                 current->manifest_path, recorded->fingerprint.size,
		                 current->fingerprint.size);
	if (memcmp(recorded->fingerprint.sha256, current->fingerprint.sha256,
	           sizeof(recorded->fingerprint.sha256)) != 0) {
		char then[65], now[65];
		hex_encode(recorded->fingerprint.sha256, 8, then);
		hex_encode(current->fingerprint.sha256, 8, now);
		return error_set(
		    error,
		    "manifest '%s' changed since the job started: same size, different "
		    "content (SHA-256 %s… then, %s… now)",
		    current->manifest_path, then, now);
	}
	int result = 0;
	json_error_t parse_error;
	json_t *before =
	    json_loads(recorded->options_json ? recorded->options_json : "{}", 0, &parse_error);
	json_t *after =
	    json_loads(current->options_json ? current->options_json : "{}", 0, &parse_error);
	struct strbuf changes;
	strbuf_init(&changes, 1u << 16);
	if (!json_is_object(before) || !json_is_object(after)) {
		result = error_set(error, "result-affecting options are not a JSON object");
		goto out;
	}
	describe_option_changes(before, after, &changes);
	if (changes.length)
		result =
		    error_set(error, "result-affecting options changed: %s", strbuf_text(&changes));
out:
	strbuf_release(&changes);
	json_decref(before);
	json_decref(after);
	return result;
}
