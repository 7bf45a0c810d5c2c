/* Judging a read-back of an activated device (see response_readback.h). */
#include "ops/response_readback.h"

#include "ops/text.h"

#include <stdbool.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so no locale or TZ-dependent libc call is involved. */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned year_of_era = (unsigned)(year - era * 400);
	unsigned day_of_year = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

/* Reads exactly count digits at *at into value; advances. */
static bool read_digits(const char **at, size_t count, unsigned *value)
{
	unsigned result = 0;
	for (size_t index = 0; index < count; index++) {
		char digit = (*at)[index];
		if (digit < '0' || digit > '9')
			return false;
		result = result * 10 + (unsigned)(digit - '0');
	}
	*at += count;
	*value = result;
	return true;
}

int readback_parse_time(const char *text, int64_t *epoch_ms)
{
	if (!text)
		return -1;
	const char *at = text;
	unsigned year, month, day, hour, minute, second = 0, millis = 0;
	if (!read_digits(&at, 4, &year) || *at++ != '-' || !read_digits(&at, 2, &month) ||
	    *at++ != '-' || !read_digits(&at, 2, &day))
		return -1;
	if (*at != 'T' && *at != 't' && *at != ' ')
		return -1;
	at++;
	if (!read_digits(&at, 2, &hour) || *at++ != ':' || !read_digits(&at, 2, &minute))
		return -1;
	if (*at == ':') {
		at++;
		if (!read_digits(&at, 2, &second))
			return -1;
		if (*at == '.' || *at == ',') {
			at++;
			size_t digits = 0;
			for (; *at >= '0' && *at <= '9'; at++, digits++)
				if (digits < 3)
					millis = millis * 10 + (unsigned)(*at - '0');
			if (!digits)
				return -1;
			for (; digits < 3; digits++)
				millis *= 10;
		}
	}
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
	    second > 60)
		return -1;
	int64_t offset_minutes = 0;
	while (*at == ' ')
		at++;
	if (*at == 'Z' || *at == 'z') {
		at++;
	} else if (!strcmp(at, "UTC")) {
		at += 3;
	} else if (*at == '+' || *at == '-') {
		int sign = *at++ == '-' ? -1 : 1;
		unsigned offset_hours, offset_mins = 0;
		if (!read_digits(&at, 2, &offset_hours))
			return -1;
		if (*at == ':')
			at++;
		if (*at && !read_digits(&at, 2, &offset_mins))
			return -1;
		if (offset_hours > 23 || offset_mins > 59)
			return -1;
		offset_minutes = sign * (int64_t)(offset_hours * 60 + offset_mins);
	}
	if (*at)
		return -1;
	int64_t seconds = days_from_civil(year, month, day) * 86400 + (int64_t)hour * 3600 +
	                  (int64_t)minute * 60 + second - offset_minutes * 60;
	*epoch_ms = seconds * 1000 + millis;
	return 0;
}

/* Appends a device's text field, quoted and cut, or "none" when empty. */
static void append_field(struct strbuf *out, const char *value)
{
	if (value && *value)
		text_quote(out, value, strlen(value), 64);
	else
		strbuf_append_string(out, "none");
}

static const char *string_field(const json_t *device, const char *name)
{
	return json_string_value(json_object_get(device, name));
}

enum readback_finding readback_judge(const struct record *record, long http_status,
                                     const json_t *body, int64_t sent_after_wall_ms,
                                     struct strbuf *message)
{
	const char *iccid = record->value[FIELD_ICCID];
	if (http_status == 404) {
		strbuf_append_string(message, "no device holds the ICCID (HTTP 404)");
		return READBACK_ABSENT;
	}
	if (http_status != 200) {
		strbuf_appendf(message, "reading the device back gave HTTP %ld", http_status);
		return READBACK_UNCLEAR;
	}
	if (!json_is_object(body)) {
		strbuf_append_string(message, "the read-back answer is not a device object");
		return READBACK_UNCLEAR;
	}
	const char *name = string_field(body, "device_name");
	const char *found_iccid = string_field(body, "iccid");
	if (!iccid || !found_iccid || strcmp(found_iccid, iccid) != 0) {
		strbuf_append_string(message, "the device read back shows ICCID ");
		append_field(message, found_iccid);
		strbuf_append_string(message, ", not the row's");
		return READBACK_UNCLEAR;
	}
	/* The row's hardware identity: its IMEI, else its device_sku. */
	enum field_id identity = record->value[FIELD_IMEI] ? FIELD_IMEI : FIELD_DEVICE_SKU;
	const char *mine = record->value[identity];
	const json_t *shown = json_object_get(body, field_name(identity));
	const char *label = identity == FIELD_IMEI ? "IMEI" : "device_sku";
	if (!mine || !json_is_string(shown)) {
		strbuf_append_string(message, "device ");
		append_field(message, name);
		strbuf_appendf(message, " holds ICCID %s but shows no %s to compare with the row's",
		               iccid, label);
		return READBACK_UNCLEAR;
	}
	const char *theirs = json_string_value(shown);
	if (strcmp(theirs, mine) != 0) {
		strbuf_appendf(message, "ICCID %s already belongs to device ", iccid);
		append_field(message, name);
		strbuf_appendf(message, " with %s ", label);
		append_field(message, theirs);
		strbuf_appendf(message, " (the row's %s is %s)", label, mine);
		return READBACK_NOT_OURS;
	}
	const char *activated = string_field(body, "last_activation_date");
	int64_t activated_ms = 0;
	bool dated = activated && readback_parse_time(activated, &activated_ms) == 0;
	if (dated && sent_after_wall_ms > 0 &&
	    activated_ms < sent_after_wall_ms - READBACK_CLOCK_TOLERANCE_MS) {
		strbuf_appendf(message, "ICCID %s already belongs to device ", iccid);
		append_field(message, name);
		strbuf_appendf(message, " with %s %s, activated ", label, mine);
		append_field(message, activated);
		strbuf_append_string(message, ", before this job's call");
		return READBACK_NOT_OURS;
	}
	strbuf_append_string(message, "device ");
	append_field(message, name);
	strbuf_appendf(message, " holds ICCID %s and %s %s", iccid, label, mine);
	if (dated) {
		strbuf_append_string(message, ", activated ");
		append_field(message, activated);
	}
	return READBACK_OURS;
}
