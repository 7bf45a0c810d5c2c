/* Validators for names the API stores or looks up: device_name (it becomes a
 * path segment), rate_plan_name, cost_center, region_code and usernames. */
#include "ops/text.h"
#include "ops/validators.h"

#include <string.h>

int validate_device_name(const char *value, size_t length, const struct validation_options *options,
                         struct strbuf *rule)
{
	(void)options;
	if (text_check(value, length, DEVICE_NAME_MAX, NULL, rule) < 0)
		return -1;
	/* A device name is a path segment of v2/devices/:device_name: a '/'
	 * would name another resource, and "." or ".." are removed by URL
	 * normalisation even when escaped. */
	const char *slash = strchr(value, '/');
	if (slash) {
		strbuf_appendf(rule, "must not contain '/' (got '/' at position %zu)",
		               (size_t)(slash - value) + 1);
		return -1;
	}
	if (strcmp(value, ".") == 0 || strcmp(value, "..") == 0) {
		strbuf_append_string(rule, "must not be '.' or '..'");
		return -1;
	}
	return 0;
}

int validate_rate_plan_name(const char *value, size_t length,
                            const struct validation_options *options, struct strbuf *rule)
{
	(void)options;
	return text_check(value, length, NAME_MAX_CHARACTERS, NULL, rule);
}

int validate_cost_center(const char *value, size_t length, const struct validation_options *options,
                         struct strbuf *rule)
{
	(void)options;
	return text_check(value, length, NAME_MAX_CHARACTERS, NULL, rule);
}

/* Letters, digits, '-' and space (a 5-digit zip code in the US). */
static const struct text_set region_code_set = {
    .ascii = {TEXT_SET_RUN('0', '9') | TEXT_SET_BIT('-') | TEXT_SET_BIT(' '),
              TEXT_SET_RUN('A', 'Z') | TEXT_SET_RUN('a', 'z')},
    .name = "the region code character set",
};

int validate_region_code(const char *value, size_t length, const struct validation_options *options,
                         struct strbuf *rule)
{
	(void)options;
	/* A US zip code stored as a number loses nothing but may gain ".0". */
	if (validate_spreadsheet_damage(value, length, rule) < 0)
		return -1;
	return text_check(value, length, REGION_CODE_MAX, &region_code_set, rule);
}

int validate_usernames(const char *value, size_t length, const struct validation_options *options,
                       struct strbuf *rule)
{
	(void)options;
	if (text_check(value, length, (size_t)USERNAMES_MAX * (NAME_MAX_CHARACTERS + 1), NULL,
	               rule) < 0)
		return -1;
	size_t count = 0;
	const char *start = value;
	for (;;) {
		const char *end = strchr(start, ';');
		const char *first = start;
		const char *last = end ? end : value + length;
		while (first < last && *first == ' ')
			first++;
		while (last > first && last[-1] == ' ')
			last--;
		count++;
		if (first == last) {
			strbuf_appendf(rule,
			               "empty name in the ';'-separated list (got an empty name "
			               "at position %zu)",
			               count);
			return -1;
		}
		if (count > USERNAMES_MAX) {
			strbuf_appendf(rule, "more than %d names", (int)USERNAMES_MAX);
			return -1;
		}
		if (!end)
			break;
		start = end + 1;
	}
	return 0;
}
