/* Clocks and ISO 8601 formatting. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_monotonic_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t clock_wall_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void clock_format_iso8601(int64_t epoch_ms, char *out, size_t size)
{
	time_t seconds = (time_t)(epoch_ms / 1000);
	struct tm utc;
	gmtime_r(&seconds, &utc);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
	         utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
	         (int)(epoch_ms % 1000));
}

int clock_parse_iso8601(const char *text, int64_t *epoch_ms)
{
	int year, month, day, hour, minute, second, milli, used = 0;
	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &year, &month, &day, &hour, &minute,
	           &second, &milli, &used) != 7 ||
	    text[used] != '\0' || month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	struct tm utc = {.tm_year = year - 1900,
	                 .tm_mon = month - 1,
	                 .tm_mday = day,
	                 .tm_hour = hour,
	                 .tm_min = minute,
	                 .tm_sec = second};
	*epoch_ms = (int64_t)timegm(&utc) * 1000 + milli;
	return 0;
}
