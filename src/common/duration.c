/* Parsing durations: a sequence of NUMBER UNIT parts (h, m, s, ms), or one
 * bare number of seconds. */
#include "common/duration.h"

#include <ctype.h>
#include <string.h>

/* Milliseconds per unit, or 0 for an unknown unit; *length receives the
 * unit's length. "ms" is tried before "m". */
static int64_t unit_ms(const char *text, size_t *length)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {{"ms", 1}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
	for (size_t index = 0; index < sizeof(units) / sizeof(units[0]); index++) {
		size_t name_length = strlen(units[index].name);
		if (strncmp(text, units[index].name, name_length) == 0) {
			*length = name_length;
			return units[index].ms;
		}
	}
	return 0;
}

int duration_parse_ms(const char *text, int64_t *ms)
{
	if (!text || !*text)
		return -1;
	int64_t total = 0;
	const char *cursor = text;
	while (*cursor) {
		if (!isdigit((unsigned char)*cursor))
			return -1;
		const char *part = cursor;
		int64_t number = 0;
		while (isdigit((unsigned char)*cursor)) {
			number = number * 10 + (*cursor - '0');
			if (number > DURATION_MAX_MS)
				return -1;
			cursor++;
		}
		size_t length = 0;
		int64_t unit = *cursor ? unit_ms(cursor, &length) : 0;
		if (!*cursor) {
			/* a bare number is seconds, and only alone ("1h30" is a typo) */
			if (part != text)
				return -1;
			unit = 1000;
		} else if (!unit) {
			return -1;
		}
		if (number > DURATION_MAX_MS / unit)
			return -1;
		total += number * unit;
		if (total > DURATION_MAX_MS)
			return -1;
		cursor += length;
	}
	if (total <= 0)
		return -1;
	*ms = total;
	return 0;
}
