/* The failure threshold (see max_errors.h). */
#include "engine/max_errors.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int max_errors_parse(const char *text, struct max_errors *threshold, struct error *error)
{
	memset(threshold, 0, sizeof(*threshold));
	size_t length = text ? strlen(text) : 0;
	bool percent = length > 0 && text[length - 1] == '%';
	char digits[32];
	size_t digit_length = percent ? length - 1 : length;
	if (digit_length == 0 || digit_length >= sizeof(digits) || text[0] == '-' ||
	    text[0] == '+' || text[0] == ' ')
		goto bad;
	memcpy(digits, text, digit_length);
	digits[digit_length] = '\0';
	char *end = NULL;
	errno = 0;
	double value = percent ? strtod(digits, &end) : (double)strtoull(digits, &end, 10);
	if (errno || !end || *end || !isfinite(value))
		goto bad;
	if (percent && (value <= 0 || value > 100))
		goto bad;
	threshold->set = true;
	threshold->percent = percent;
	threshold->limit = value;
	return 0;
bad:
	return error_set(error,
	                 "--max-errors: '%s' is neither a number of rows (e.g. 100) nor a "
	                 "percentage above 0 and at most 100 (e.g. 5%%)",
	                 text ? text : "");
}

bool max_errors_exceeded(const struct max_errors *threshold, uint64_t errors, uint64_t finished)
{
	if (!threshold->set)
		return false;
	if (!threshold->percent)
		return (double)errors > threshold->limit;
	if (finished < MAX_ERRORS_MIN_ROWS)
		return false;
	return (double)errors * 100.0 > threshold->limit * (double)finished;
}
