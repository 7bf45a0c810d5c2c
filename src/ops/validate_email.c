/* Validator for upload_email: a pragmatic subset of RFC 5322 addresses
 * (dot-atom local part, dotted domain; no quoted strings, comments or IP
 * literals), as documented in docs/validation.md. */
#include "ops/validators.h"

#include <string.h>

static bool local_character(char character)
{
	return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
	       (character >= '0' && character <= '9') ||
	       (character != '\0' && strchr("!#$%&'*+/=?^_`{|}~-.", character) != NULL);
}

/* Underscores are allowed in domain labels because the API text's own
 * example is name@vendor_company.com. */
static bool domain_character(char character)
{
	return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
	       (character >= '0' && character <= '9') || character == '-' || character == '_';
}

static int check_local_part(const char *local, size_t length, struct strbuf *rule)
{
	if (length == 0 || length > 64) {
		strbuf_appendf(rule,
		               "not an e-mail address: the part before '@' must be 1 to 64 "
		               "characters (got %zu)",
		               length);
		return -1;
	}
	for (size_t index = 0; index < length; index++) {
		if (!local_character(local[index])) {
			strbuf_appendf(rule,
			               "not an e-mail address: character not allowed before '@' "
			               "(got byte 0x%02X at position %zu)",
			               (unsigned)(unsigned char)local[index], index + 1);
			return -1;
		}
	}
	bool double_dot = false;
	for (size_t index = 1; index < length; index++)
		double_dot = double_dot || (local[index] == '.' && local[index - 1] == '.');
	if (local[0] == '.' || local[length - 1] == '.' || double_dot) {
		strbuf_append_string(rule, "not an e-mail address: the part before '@' must not "
		                           "start or end with '.' or contain '..'");
		return -1;
	}
	return 0;
}

static int check_domain(const char *domain, struct strbuf *rule)
{
	size_t labels = 0;
	const char *label = domain;
	for (;;) {
		const char *dot = strchr(label, '.');
		size_t length = dot ? (size_t)(dot - label) : strlen(label);
		if (length == 0 || length > 63) {
			strbuf_append_string(rule,
			                     "not an e-mail address: the domain after '@' needs "
			                     "dot-separated names of 1 to 63 characters");
			return -1;
		}
		for (size_t index = 0; index < length; index++) {
			if (!domain_character(label[index])) {
				strbuf_appendf(
				    rule,
				    "not an e-mail address: character not allowed in the "
				    "domain (got byte 0x%02X)",
				    (unsigned)(unsigned char)label[index]);
				return -1;
			}
		}
		if (label[0] == '-' || label[length - 1] == '-') {
			strbuf_append_string(rule, "not an e-mail address: a domain name must not "
			                           "start or end with '-'");
			return -1;
		}
		labels++;
		if (!dot)
			break;
		label = dot + 1;
	}
	if (labels < 2) {
		strbuf_append_string(
		    rule, "not an e-mail address: the domain needs a dot (e.g. vendor.com)");
		return -1;
	}
	return 0;
}

int validate_upload_email(const char *value, size_t length,
                          const struct validation_options *options, struct strbuf *rule)
{
	(void)options;
	if (length > EMAIL_MAX) {
		strbuf_appendf(rule, "longer than %d characters (got %zu)", (int)EMAIL_MAX, length);
		return -1;
	}
	const char *at = strrchr(value, '@');
	if (!at) {
		strbuf_append_string(rule, "not an e-mail address: no '@'");
		return -1;
	}
	if (memchr(value, '@', (size_t)(at - value))) {
		strbuf_append_string(rule, "not an e-mail address: more than one '@'");
		return -1;
	}
	if (check_local_part(value, (size_t)(at - value), rule) < 0)
		return -1;
	return check_domain(at + 1, rule);
}
