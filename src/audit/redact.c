/* Redaction of the api key, base64(api_key) and base64(key_name:api_key):
 * the engine never hands them to the audit trail, but a body or header that
 * echoes them must still not reach the file. */
#include "redact.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static char *base64_of(const char *text)
{
	size_t length = strlen(text);
	char *out = malloc(4 * ((length + 2) / 3) + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text, (int)length);
	return out;
}

static int add_form(struct redactor *redactor, char *form)
{
	if (!form)
		return -1;
	/* a very short form would redact ordinary text; such keys are refused elsewhere */
	if (strlen(form) < 4 || redactor->count == REDACT_MAX_FORMS) {
		explicit_bzero(form, strlen(form));
		free(form);
		return 0;
	}
	redactor->forms[redactor->count++] = form;
	return 0;
}

int redactor_init(struct redactor *redactor, const struct audit_secrets *secrets)
{
	memset(redactor, 0, sizeof(*redactor));
	if (!secrets || !secrets->api_key || !secrets->api_key[0])
		return 0;
	if (add_form(redactor, strdup(secrets->api_key)) ||
	    add_form(redactor, base64_of(secrets->api_key)))
		return -1;
	if (secrets->key_name) {
		size_t length = strlen(secrets->key_name) + 1 + strlen(secrets->api_key) + 1;
		char *pair = malloc(length);
		if (!pair)
			return -1;
		memcpy(pair, secrets->key_name, strlen(secrets->key_name));
		pair[strlen(secrets->key_name)] = ':';
		memcpy(pair + strlen(secrets->key_name) + 1, secrets->api_key,
		       strlen(secrets->api_key) + 1);
		int status = add_form(redactor, base64_of(pair));
		explicit_bzero(pair, length);
		free(pair);
		if (status)
			return -1;
	}
	return 0;
}

void redactor_release(struct redactor *redactor)
{
	for (size_t index = 0; index < redactor->count; index++) {
		explicit_bzero(redactor->forms[index], strlen(redactor->forms[index]));
		free(redactor->forms[index]);
	}
	redactor->count = 0;
}

/* memmem without needing _GNU_SOURCE: memchr finds candidates fast. */
static const char *find_bytes(const char *text, size_t length, const char *needle,
                              size_t needle_length)
{
	const char *end = text + length;
	while (needle_length && (size_t)(end - text) >= needle_length) {
		const char *candidate =
		    memchr(text, needle[0], (size_t)(end - text) - needle_length + 1);
		if (!candidate)
			return NULL;
		if (memcmp(candidate, needle, needle_length) == 0)
			return candidate;
		text = candidate + 1;
	}
	return NULL;
}

/* Finds the earliest occurrence of any form in text; returns its position
 * (length when none) and sets *matched to the form's length. */
static size_t earliest_form(const struct redactor *redactor, const char *text, size_t length,
                            size_t *matched)
{
	size_t best = length;
	*matched = 0;
	for (size_t index = 0; index < redactor->count; index++) {
		size_t form_length = strlen(redactor->forms[index]);
		const char *found = find_bytes(text, length, redactor->forms[index], form_length);
		if (found && (size_t)(found - text) < best) {
			best = (size_t)(found - text);
			*matched = form_length;
		}
	}
	return best;
}

int redactor_append(const struct redactor *redactor, struct strbuf *out, const char *text,
                    size_t length)
{
	while (length > 0) {
		size_t matched = 0;
		size_t position =
		    redactor->count ? earliest_form(redactor, text, length, &matched) : length;
		int status = strbuf_append(out, text, position);
		if (status || matched == 0)
			return status;
		status = strbuf_append_string(out, REDACTED_TEXT);
		if (status)
			return status;
		text += position + matched;
		length -= position + matched;
	}
	return 0;
}

char *redactor_copy(const struct redactor *redactor, const char *text, size_t length,
                    size_t *copied_length)
{
	struct strbuf buffer;
	/* every replaced form has at least 4 bytes and becomes 10 */
	strbuf_init(&buffer, 3 * length + 64);
	if (redactor_append(redactor, &buffer, text ? text : "", text ? length : 0)) {
		strbuf_release(&buffer);
		return NULL;
	}
	return strbuf_detach(&buffer, copied_length);
}
