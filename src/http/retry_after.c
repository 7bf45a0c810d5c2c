/* Retry-After values: what a 429 or 503 answer asks the client to wait. */
#include "retry_after.h"

#include <ctype.h>
#include <curl/curl.h>
#include <string.h>

static int64_t clamp_delay(int64_t delay_ms)
{
	if (delay_ms < 0)
		return 0;
	return delay_ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : delay_ms;
}

int retry_after_parse(const char *value, int64_t now_wall_ms, int64_t *delay_ms)
{
	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	size_t length = strlen(value);
	while (length && (value[length - 1] == ' ' || value[length - 1] == '\t' ||
	                  value[length - 1] == '\r' || value[length - 1] == '\n'))
		length--;
	if (!length || length > 64)
		return -1;

	size_t digits = 0;
	while (digits < length && isdigit((unsigned char)value[digits]))
		digits++;
	if (digits == length) {
		/* Only the first 9 digits matter: anything longer is clamped anyway. */
		int64_t seconds = 0;
		for (size_t index = 0; index < digits; index++) {
			seconds = seconds * 10 + (value[index] - '0');
			if (seconds > RETRY_AFTER_MAX_MS / 1000) {
				seconds = RETRY_AFTER_MAX_MS / 1000;
				break;
			}
		}
		*delay_ms = clamp_delay(seconds * 1000);
		return 0;
	}

	/* An HTTP-date always names a day and starts with a letter; curl_getdate
	 * alone accepts too much (a bare "5 minutes" reads as a date). */
	if (!isalpha((unsigned char)value[0]))
		return -1;
	char date[65];
	memcpy(date, value, length);
	date[length] = '\0';
	time_t when = curl_getdate(date, NULL);
	if (when == (time_t)-1)
		return -1;
	/* a year far away would overflow in milliseconds (found by fuzzing) */
	int64_t seconds = (int64_t)when;
	int64_t now_seconds = now_wall_ms / 1000;
	if (seconds > now_seconds + RETRY_AFTER_MAX_MS / 1000)
		seconds = now_seconds + RETRY_AFTER_MAX_MS / 1000 + 1;
	else if (seconds < now_seconds - 1)
		seconds = now_seconds - 1;
	*delay_ms = clamp_delay(seconds * 1000 - now_wall_ms);
	return 0;
}
