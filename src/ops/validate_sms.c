/* Validator for sms_text: one SMS, no concatenation (the API text says
 * nothing about long messages): at most 160 characters of the GSM 7-bit
 * default alphabet (its extension characters count twice), otherwise at most
 * 70 characters (the text will need UCS-2). */
#include "ops/text.h"
#include "ops/validators.h"

#include <string.h>

/* The non-ASCII code points of the GSM 03.38 default alphabet. */
static const uint32_t gsm7_non_ascii[] = {
    0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
    0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df, 0x00e0, 0x00e4, 0x00e5, 0x00e6,
    0x00e8, 0x00e9, 0x00ec, 0x00f1, 0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393,
    0x0394, 0x0398, 0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
};

/* Returns the septets a character takes in GSM 7-bit (1, or 2 for the
 * extension table), or 0 when it is not in the alphabet. */
static unsigned gsm7_septets(uint32_t code_point)
{
	if (code_point == 0x20ac)
		return 2; /* the euro sign lives in the extension table */
	if (code_point < 0x80) {
		if (code_point == '\n' || code_point == '\r')
			return 1;
		if (code_point < 0x20 || code_point == 0x7f || code_point == '`')
			return 0;
		if (code_point != '\0' && strchr("^{}\\[~]|", (int)code_point))
			return 2;
		return 1;
	}
	for (size_t index = 0; index < sizeof(gsm7_non_ascii) / sizeof(gsm7_non_ascii[0]); index++)
		if (gsm7_non_ascii[index] == code_point)
			return 1;
	return 0;
}

/* Line breaks are part of SMS text; every other control character is refused. */
static bool sms_character(uint32_t code_point)
{
	return code_point == '\n' || !text_is_control(code_point);
}

int validate_sms_text(const char *value, size_t length, const struct validation_options *options,
                      struct strbuf *rule)
{
	(void)options;
	size_t index = 0;
	size_t characters = 0;
	size_t septets = 0;
	size_t utf16_units = 0;
	bool gsm7 = true;
	while (index < length) {
		uint32_t code_point;
		size_t start = index;
		if (utf8_next(value, length, &index, &code_point) < 0) {
			strbuf_appendf(rule, "not valid UTF-8 text (got byte 0x%02X at byte %zu)",
			               (unsigned)(unsigned char)value[start], start + 1);
			return -1;
		}
		characters++;
		utf16_units += code_point > 0xffff ? 2 : 1;
		if (!sms_character(code_point)) {
			strbuf_append_string(rule, "contains a control character (got ");
			text_describe_character(rule, code_point);
			strbuf_appendf(rule, " at position %zu)", characters);
			return -1;
		}
		unsigned cost = gsm7_septets(code_point);
		if (cost == 0)
			gsm7 = false;
		septets += cost;
	}
	if (gsm7 && septets > SMS_GSM7_MAX) {
		strbuf_appendf(rule,
		               "longer than one SMS: %d GSM 7-bit characters, extension "
		               "characters counting 2 (got %zu)",
		               (int)SMS_GSM7_MAX, septets);
		return -1;
	}
	if (!gsm7 && utf16_units > SMS_UCS2_MAX) {
		strbuf_appendf(rule,
		               "longer than one SMS: %d characters when the text needs characters "
		               "outside the GSM 7-bit alphabet (got %zu)",
		               (int)SMS_UCS2_MAX, utf16_units);
		return -1;
	}
	return 0;
}
