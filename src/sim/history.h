/* Deterministic device history: reports, daily and monthly usages and SMS
 * events, derived from the seed, the device name and the date.
 * Ownership: every function returns a new reference. */
#ifndef LATTIGO_SIM_HISTORY_H
#define LATTIGO_SIM_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Parses the date part of an ISO 8601 text (YYYY-MM-DD, any time part
 * ignored) into days since 1970-01-01. Returns 0 or -1. */
int history_parse_day(const char *text, int64_t *day);
/* Formats days since the epoch as YYYY-MM-DD into out (at least 11 bytes). */
void history_format_day(int64_t day, char *out, size_t size);
/* Returns today's day number (UTC). */
int64_t history_today(void);

/* One device report for day (noon UTC). */
json_t *history_device_report(uint64_t seed, const char *device, int64_t day);
/* The daily usage of day. */
json_t *history_daily_usage(uint64_t seed, const char *device, int64_t day);
/* The usage of the month that starts on month_day (the 1st). */
json_t *history_monthly_usage(uint64_t seed, const char *device, int64_t month_day);
/* The month starting before or on day: returns the day number of its 1st. */
int64_t history_month_start(int64_t day);
/* The 1st of the month before the month starting on month_day. */
int64_t history_previous_month(int64_t month_day);
/* The SMS event of day for a device, or NULL when it had none that day. */
json_t *history_sms_event(uint64_t seed, const char *device, const char *imsi, const char *msisdn,
                          int64_t day);

#endif
