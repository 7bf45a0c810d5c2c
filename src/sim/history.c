/* Generated history: a hash of (seed, device, day) drives every number, so a
 * report read twice is the same report. Calendar maths after Howard Hinnant's
 * days_from_civil / civil_from_days. */
#include "sim/history.h"

#include "common/clock.h"
#include "common/hash.h"

#include <stdio.h>
#include <string.h>

static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned year_of_era = (unsigned)(year - era * 400);
	unsigned day_of_year = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	unsigned day_of_era = (unsigned)(days - era * 146097);
	unsigned year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	unsigned day_of_year =
	    day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	unsigned mp = (5 * day_of_year + 2) / 153;
	*day = day_of_year - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int64_t)year_of_era + era * 400 + (*month <= 2);
}

static int digits(const char *text, size_t count, unsigned *value)
{
	*value = 0;
	for (size_t i = 0; i < count; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		*value = *value * 10 + (unsigned)(text[i] - '0');
	}
	return 0;
}

int history_parse_day(const char *text, int64_t *day)
{
	unsigned year, month, day_of_month;
	if (!text || strlen(text) < 10 || text[4] != '-' || text[7] != '-' ||
	    digits(text, 4, &year) || digits(text + 5, 2, &month) ||
	    digits(text + 8, 2, &day_of_month))
		return -1;
	if (year < 1970 || month < 1 || month > 12 || day_of_month < 1 || day_of_month > 31)
		return -1;
	if (text[10] && text[10] != 'T' && text[10] != 't' && text[10] != ' ')
		return -1;
	*day = days_from_civil(year, month, day_of_month);
	return 0;
}

void history_format_day(int64_t day, char *out, size_t size)
{
	int64_t year;
	unsigned month, day_of_month;
	civil_from_days(day, &year, &month, &day_of_month);
	snprintf(out, size, "%04lld-%02u-%02u", (long long)year, month, day_of_month);
}

int64_t history_today(void)
{
	return clock_wall_ms() / 86400000;
}

int64_t history_month_start(int64_t day)
{
	int64_t year;
	unsigned month, day_of_month;
	civil_from_days(day, &year, &month, &day_of_month);
	return days_from_civil(year, month, 1);
}

int64_t history_previous_month(int64_t month_day)
{
	return history_month_start(month_day - 1);
}

static uint64_t history_hash(uint64_t seed, const char *device, int64_t day, uint64_t salt)
{
	return hash64(device, strlen(device),
	              seed ^ ((uint64_t)day * 0x9E3779B97F4A7C15ULL) ^ salt);
}

json_t *history_device_report(uint64_t seed, const char *device, int64_t day)
{
	uint64_t h = history_hash(seed, device, day, 1);
	char date[16], fix[32], created[32];
	history_format_day(day, date, sizeof date);
	snprintf(fix, sizeof fix, "%sT12:00:00Z", date);
	snprintf(created, sizeof created, "%sT12:00:05Z", date);
	return json_pack(
	    "{s:I, s:f, s:f, s:i, s:i, s:i, s:i, s:s, s:s, s:i, s:f, s:i, s:f, s:s,"
	    " s:s, s:i, s:f, s:i}",
	    "id", (json_int_t)(h >> 34), "latitude", 30.0 + (double)(h % 150000) / 10000.0,
	    "longitude", -120.0 + (double)(h >> 20 & 0x3FFFF) / 1000.0, "speed",
	    (int)(h >> 8 & 127), "heading", (int)(h >> 16 & 0xFF) % 360, "altitude",
	    (int)(h >> 24 & 0x3FF), "gps_quality", (int)(h >> 34 & 3), "unit_status",
	    (h >> 36 & 7) ? "ok" : "alarm", "time_of_fix", fix, "battery",
	    (int)(h >> 40 & 0x3F) + 36, "voltage", 11.5 + (double)(h >> 46 & 31) / 10.0,
	    "event_code", (int)(h >> 51 & 31), "temperature", (double)(h >> 56 & 63) - 10.0,
	    "created_at", created, "type", "periodic", "fuel_level", (int)(h >> 3 & 0x7F) % 101,
	    "distance", (double)(h >> 12 & 0xFFFF) / 100.0, "rssi", -(int)(h >> 28 & 63) - 50);
}

json_t *history_daily_usage(uint64_t seed, const char *device, int64_t day)
{
	uint64_t h = history_hash(seed, device, day, 2);
	char date[16];
	history_format_day(day, date, sizeof date);
	return json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)(h >> 34), "date_for", date,
	                 "bytes_used", (json_int_t)(h % 2000000), "sms_used",
	                 (json_int_t)(h >> 40 & 15));
}

json_t *history_monthly_usage(uint64_t seed, const char *device, int64_t month_day)
{
	uint64_t h = history_hash(seed, device, month_day, 3);
	char date[16];
	history_format_day(month_day, date, sizeof date);
	return json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)(h >> 34), "date_for", date,
	                 "bytes_used", (json_int_t)(h % 60000000), "sms_used",
	                 (json_int_t)(h >> 40 & 255));
}

json_t *history_sms_event(uint64_t seed, const char *device, const char *imsi, const char *msisdn,
                          int64_t day)
{
	uint64_t h = history_hash(seed, device, day, 4);
	if (h % 3 != 0)
		return NULL;
	char date[16], when[32], reported[32];
	history_format_day(day, date, sizeof date);
	snprintf(when, sizeof when, "%sT%02u:%02u:00Z", date, (unsigned)(h >> 8 & 15) + 4,
	         (unsigned)(h >> 12 & 63) % 60);
	snprintf(reported, sizeof reported, "%sT%02u:%02u:30Z", date, (unsigned)(h >> 8 & 15) + 4,
	         (unsigned)(h >> 12 & 63) % 60);
	int received = (int)(h >> 20 & 1);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event_id",
	                 (json_int_t)(h >> 34), "event_status", "delivered", "event_timestamp",
	                 when, "event_type", received ? "received" : "sent", "imsi", imsi,
	                 "message_body", received ? "STATUS OK" : "PING", "msisdn", msisdn,
	                 "report_timestamp", reported, "failure_reason", "");
}
