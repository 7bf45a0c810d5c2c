/* ISO 8601 date / date-time checking (calendar dates only: the API text's
 * examples are all YYYY-MM-DD, and week or ordinal dates would only be
 * misread by the service). */
#include "export/iso_date.h"

#include <stdbool.h>
#include <stdio.h>

/* Reads exactly count digits at *text into *value. */
static bool digits(const char **text, int count, int *value)
{
	int result = 0;
	for (int index = 0; index < count; index++) {
		char character = (*text)[index];
		if (character < '0' || character > '9')
			return false;
		result = result * 10 + (character - '0');
	}
	*text += count;
	*value = result;
	return true;
}

static bool leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && leap_year(year) ? 29 : days[month - 1];
}

/* Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t year_of_era = y - era * 400;
	int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;
}

static int refuse(char *reason, size_t size, const char *why)
{
	snprintf(reason, size, "%s", why);
	return -1;
}

/* Reads a zone designator at text (the rest of the value); seconds east of UTC. */
static int parse_zone(const char *text, int *offset_seconds, char *reason, size_t size)
{
	*offset_seconds = 0;
	if (*text == '\0')
		return 0;
	if ((text[0] == 'Z' || text[0] == 'z') && text[1] == '\0')
		return 0;
	if (*text != '+' && *text != '-')
		return refuse(reason, size,
		              "unexpected text after the time (a zone is Z or +hh:mm)");
	int sign = *text == '-' ? -1 : 1;
	text++;
	int hours = 0, minutes = 0;
	if (!digits(&text, 2, &hours))
		return refuse(reason, size, "the zone needs two-digit hours, e.g. +02:00");
	if (*text == ':')
		text++;
	if (*text && !digits(&text, 2, &minutes))
		return refuse(reason, size, "the zone needs two-digit minutes, e.g. +02:00");
	if (*text != '\0')
		return refuse(reason, size, "unexpected text after the zone");
	if (hours > 14 || minutes > 59)
		return refuse(reason, size, "the zone is out of range");
	*offset_seconds = sign * (hours * 3600 + minutes * 60);
	return 0;
}

int iso_date_parse(const char *text, int64_t *instant, char *reason, size_t reason_size)
{
	int year, month, day, hour = 0, minute = 0, second = 0;
	const char *cursor = text;
	if (!digits(&cursor, 4, &year) || *cursor++ != '-' || !digits(&cursor, 2, &month) ||
	    *cursor++ != '-' || !digits(&cursor, 2, &day))
		return refuse(reason, reason_size, "not an ISO 8601 date (YYYY-MM-DD)");
	if (month < 1 || month > 12)
		return refuse(reason, reason_size, "the month does not exist");
	if (day < 1 || day > days_in_month(year, month))
		return refuse(reason, reason_size, "the day does not exist in that month");
	if (*cursor == 'T' || *cursor == 't') {
		cursor++;
		if (!digits(&cursor, 2, &hour) || *cursor++ != ':' || !digits(&cursor, 2, &minute))
			return refuse(reason, reason_size,
			              "the time is not hh:mm[:ss] (e.g. 2026-10-01T00:00:00Z)");
		if (*cursor == ':') {
			cursor++;
			if (!digits(&cursor, 2, &second))
				return refuse(reason, reason_size, "the seconds need two digits");
			if (*cursor == '.' || *cursor == ',') {
				cursor++;
				if (*cursor < '0' || *cursor > '9')
					return refuse(reason, reason_size,
					              "a decimal point needs digits after it");
				while (*cursor >= '0' && *cursor <= '9')
					cursor++;
			}
		}
		if (hour > 23 || minute > 59 || second > 60)
			return refuse(reason, reason_size, "the time is out of range");
		int offset = 0;
		if (parse_zone(cursor, &offset, reason, reason_size) < 0)
			return -1;
		*instant = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
		           second - offset;
		return 0;
	}
	if (*cursor != '\0')
		return refuse(reason, reason_size,
		              "unexpected text after the date (a time starts with T)");
	*instant = days_from_civil(year, month, day) * 86400;
	return 0;
}
