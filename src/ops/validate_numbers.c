/* Validator for kb_limit: a positive whole number of kilobytes that fits a
 * signed 32-bit integer, written as plain digits (JSONL numbers arrive as
 * their text, e.g. "1024"). */
#include "ops/text.h"
#include "ops/validators.h"

#include <stdint.h>
#include <string.h>

int kb_limit_parse(const char *value, long long *limit)
{
	long long parsed = 0;
	if (!*value)
		return -1;
	for (const char *at = value; *at; at++) {
		if (*at < '0' || *at > '9')
			return -1;
		parsed = parsed * 10 + (*at - '0');
		if (parsed > INT32_MAX)
			return -1;
	}
	*limit = parsed;
	return 0;
}

int validate_kb_limit(const char *value, size_t length, const struct validation_options *options,
                      struct strbuf *rule)
{
	(void)options;
	if (validate_spreadsheet_damage(value, length, rule) < 0)
		return -1;
	long long limit = 0;
	bool digits = strspn(value, "0123456789") == length;
	if (!digits) {
		strbuf_append_string(rule, "must be a positive whole number of kilobytes (got '");
		text_quote(rule, value, length, 20);
		strbuf_append_string(rule, "')");
		return -1;
	}
	if (kb_limit_parse(value, &limit) < 0) {
		strbuf_appendf(rule, "must be at most %ld (got %.20s%s)", (long)INT32_MAX, value,
		               length > 20 ? "…" : "");
		return -1;
	}
	if (limit == 0) {
		strbuf_append_string(rule, "must be a positive whole number of kilobytes (got 0)");
		return -1;
	}
	return 0;
}
