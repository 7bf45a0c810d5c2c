/* Validators for device identifiers: IMEI (3GPP TS 23.003: 14 digits + Luhn
 * check digit), ICCID (ITU-T E.118: 19-20 digits, "89" prefix, Luhn) and the
 * device_sku an activation may use instead of an IMEI. */
#include "ops/luhn.h"
#include "ops/text.h"
#include "ops/validators.h"

#include <string.h>

/* Appends "must contain only digits (got 'x' at position 3)" for the first
 * character of value (length bytes) that is not an ASCII digit. Returns -1
 * when there is one. */
static int require_digits(const char *value, size_t length, struct strbuf *rule)
{
	size_t index = 0;
	size_t position = 0;
	while (index < length) {
		uint32_t code_point;
		size_t start = index;
		position++;
		if (utf8_next(value, length, &index, &code_point) < 0) {
			strbuf_appendf(rule,
			               "must contain only digits (got byte 0x%02X at position %zu)",
			               (unsigned)(unsigned char)value[start], position);
			return -1;
		}
		if (code_point < '0' || code_point > '9') {
			strbuf_append_string(rule, "must contain only digits (got ");
			text_describe_character(rule, code_point);
			strbuf_appendf(rule, " at position %zu)", position);
			return -1;
		}
	}
	return 0;
}

static bool all_digits(const char *value, size_t length)
{
	for (size_t index = 0; index < length; index++)
		if (value[index] < '0' || value[index] > '9')
			return false;
	return true;
}

/* The checks every identifier starts with: spreadsheet damage (8.9E+19,
 * ...0), then digits only. Returns 0, or -1 with the rule written. A value
 * of digits alone can have neither kind of damage. */
static int identifier_digits(const char *value, size_t length, struct strbuf *rule)
{
	if (all_digits(value, length))
		return 0;
	if (validate_spreadsheet_damage(value, length, rule) < 0 ||
	    require_digits(value, length, rule) < 0)
		return -1;
	return 0;
}

int validate_imei(const char *value, size_t length, const struct validation_options *options,
                  struct strbuf *rule)
{
	bool check_luhn = !(options && options->skip_luhn_imei);
	/* Nearly every value: 15 digits with a right check digit (luhn_valid
	 * checks that they are digits). Anything else is judged step by step. */
	if (length == 15 && check_luhn && luhn_valid(value, length))
		return 0;
	if (identifier_digits(value, length, rule) < 0)
		return -1;
	if (length == 14) {
		/* A 14-digit value is either the body without its check digit, or an
		 * IMEI starting with 0 that a spreadsheet stored as a number. */
		char padded[16] = "0";
		memcpy(padded + 1, value, 14);
		if (check_luhn && luhn_valid(padded, 15)) {
			strbuf_append_string(rule,
			                     "14 digits — the leading 0 was probably dropped by a "
			                     "spreadsheet (0 followed by these digits is a valid "
			                     "IMEI); format the column as text and re-export");
			return -1;
		}
		strbuf_append_string(rule, "14 digits — the check digit is missing");
		return -1;
	}
	if (length == 16) {
		strbuf_append_string(
		    rule, "16 digits — this is an IMEISV (software version), not an IMEI");
		return -1;
	}
	if (length != 15) {
		strbuf_appendf(rule, "must be 15 digits (got %zu)", length);
		return -1;
	}
	if (check_luhn && !luhn_valid(value, length)) {
		strbuf_append_string(rule, "check digit wrong (Luhn)");
		return -1;
	}
	return 0;
}

int validate_iccid(const char *value, size_t length, const struct validation_options *options,
                   struct strbuf *rule)
{
	bool check_luhn = !(options && options->skip_luhn_iccid);
	/* Nearly every value: 19 or 20 digits from 89 with a right check digit
	 * (luhn_valid checks that they are digits). */
	if ((length == 19 || length == 20) && value[0] == '8' && value[1] == '9' && check_luhn &&
	    luhn_valid(value, length))
		return 0;
	if (identifier_digits(value, length, rule) < 0)
		return -1;
	if (length != 19 && length != 20) {
		strbuf_appendf(rule, "must be 19 or 20 digits (got %zu)", length);
		return -1;
	}
	if (value[0] != '8' || value[1] != '9') {
		strbuf_append_string(rule, "must start with 89 (ITU-T E.118 telecom prefix)");
		return -1;
	}
	if (check_luhn && !luhn_valid(value, length)) {
		strbuf_append_string(rule, "check digit wrong (Luhn)");
		return -1;
	}
	return 0;
}

/* Letters, digits and - _ . / + # space. */
static const struct text_set sku_set = {
    .ascii = {TEXT_SET_RUN('0', '9') | TEXT_SET_RUN('-', '/') | TEXT_SET_BIT('+') |
                  TEXT_SET_BIT('#') | TEXT_SET_BIT(' '),
              TEXT_SET_RUN('A', 'Z') | TEXT_SET_RUN('a', 'z') | TEXT_SET_BIT('_')},
    .name = "the SKU character set",
};

int validate_device_sku(const char *value, size_t length, const struct validation_options *options,
                        struct strbuf *rule)
{
	(void)options;
	if (validate_spreadsheet_damage(value, length, rule) < 0)
		return -1;
	return text_check(value, length, SKU_MAX, &sku_set, rule);
}

int validate_upload_sku(const char *value, size_t length, const struct validation_options *options,
                        struct strbuf *rule)
{
	return validate_device_sku(value, length, options, rule);
}
