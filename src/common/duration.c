/* Durations: a whole number and one unit. */
#include "common/duration.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define YEAR_MS (366LL * 24 * 3600 * 1000)

int duration_parse_ms(const char *text, int64_t *ms)
{
	if (!text || *text < '0' || *text > '9')
		return -1;
	char *end = NULL;
	errno = 0;
	unsigned long long number = strtoull(text, &end, 10);
	if (errno != 0 || number == 0)
		return -1;
	long long unit = 1000;
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		unit = 3600 * 1000;
	else if (strcmp(end, "d") == 0)
		unit = 24 * 3600 * 1000;
	else
		return -1;
	if (number > (unsigned long long)(YEAR_MS / unit))
		return -1;
	*ms = (int64_t)number * unit;
	return 0;
}
