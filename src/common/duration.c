/* Parsing and printing durations (see duration.h). */
#include "common/duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct duration_unit {
	const char *name;
	int64_t milliseconds;
};

/* "ms" before "m": the longest unit name that matches wins. */
static const struct duration_unit units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 24 * 3600 * 1000},
};
#define UNIT_COUNT (sizeof(units) / sizeof(units[0]))

static const struct duration_unit *match_unit(const char *text, size_t *length)
{
	const struct duration_unit *best = NULL;
	for (size_t index = 0; index < UNIT_COUNT; index++) {
		size_t unit_length = strlen(units[index].name);
		if (strncmp(text, units[index].name, unit_length) == 0 &&
		    (!best || unit_length > *length)) {
			best = &units[index];
			*length = unit_length;
		}
	}
	return best;
}

int duration_parse(const char *text, int64_t *milliseconds)
{
	if (!text || !*text)
		return -1;
	int64_t total = 0;
	const char *at = text;
	bool any_unit = false;
	while (*at) {
		if (*at < '0' || *at > '9')
			return -1;
		int64_t number = 0;
		while (*at >= '0' && *at <= '9') {
			number = number * 10 + (*at++ - '0');
			if (number > DURATION_MAX_MS)
				return -1;
		}
		size_t unit_length = 0;
		const struct duration_unit *unit = match_unit(at, &unit_length);
		if (!unit) {
			/* a bare number is seconds, but only on its own ("90", not "1m30") */
			if (*at || any_unit)
				return -1;
			unit = &units[1];
		}
		any_unit = true;
		at += unit_length;
		if (number > DURATION_MAX_MS / unit->milliseconds)
			return -1;
		total += number * unit->milliseconds;
		if (total > DURATION_MAX_MS)
			return -1;
	}
	*milliseconds = total;
	return 0;
}

const char *duration_format(int64_t milliseconds, char *out, size_t size)
{
	if (milliseconds <= 0) {
		snprintf(out, size, "0s");
		return out;
	}
	size_t used = 0;
	out[0] = '\0';
	for (size_t index = UNIT_COUNT; index-- > 0 && used < size;) {
		int64_t count = milliseconds / units[index].milliseconds;
		if (!count)
			continue;
		milliseconds -= count * units[index].milliseconds;
		int written = snprintf(out + used, size - used, "%lld%s", (long long)count,
		                       units[index].name);
		if (written < 0)
			break;
		used += (size_t)written;
	}
	return out;
}
