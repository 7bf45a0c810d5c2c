/* Thousands separators and plurals. */
#include "common/count_text.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

const char *count_grouped(uint64_t value, char *out, size_t size)
{
	char digits[32];
	int length = snprintf(digits, sizeof(digits), "%" PRIu64, value);
	size_t used = 0;
	if (size == 0)
		return out;
	for (int index = 0; index < length; index++) {
		bool separator = index > 0 && (length - index) % 3 == 0;
		if (used + 1 + (separator ? 1u : 0u) >= size)
			break; /* cut short rather than overflow */
		if (separator)
			out[used++] = ',';
		out[used++] = digits[index];
	}
	out[used] = '\0';
	return out;
}

const char *count_noun(uint64_t value, const char *singular, const char *plural, char *out,
                       size_t size)
{
	char number[32];
	snprintf(out, size, "%s %s", count_grouped(value, number, sizeof(number)),
	         value == 1 ? singular : plural);
	return out;
}
