/* Recognises identifiers a spreadsheet turned into numbers, so the operator
 * learns what happened to the column rather than just "not digits". */
#include "ops/validators.h"

#include <string.h>

/* 8.9E+19, 8,9E+19, 4.90154E14: what a spreadsheet shows for long numbers. */
static bool is_scientific(const char *value)
{
	const char *at = value;
	if (*at < '0' || *at > '9')
		return false;
	while (*at >= '0' && *at <= '9')
		at++;
	if (*at == '.' || *at == ',') {
		at++;
		while (*at >= '0' && *at <= '9')
			at++;
	}
	if (*at != 'e' && *at != 'E')
		return false;
	at++;
	if (*at == '+' || *at == '-')
		at++;
	if (*at < '0' || *at > '9')
		return false;
	while (*at >= '0' && *at <= '9')
		at++;
	return *at == '\0';
}

/* 490154203237518.0: digits stored as a float and exported with a decimal part of zeros. */
static bool has_zero_decimals(const char *value)
{
	const char *dot = strchr(value, '.');
	if (!dot || dot == value || dot[1] == '\0')
		return false;
	for (const char *at = value; at < dot; at++)
		if (*at < '0' || *at > '9')
			return false;
	for (const char *at = dot + 1; *at; at++)
		if (*at != '0')
			return false;
	return true;
}

int validate_spreadsheet_damage(const char *value, size_t length, struct strbuf *rule)
{
	/* both kinds of damage need a '.' or an exponent: most values have
	 * neither (a loop, not strpbrk: the values are short) */
	size_t index = 0;
	while (index < length && value[index] != '.' && (value[index] | 0x20) != 'e')
		index++;
	if (index == length)
		return 0;
	if (is_scientific(value)) {
		strbuf_appendf(rule,
		               "in scientific notation (got %.40s) — the spreadsheet turned it "
		               "into a number and lost digits; format the column as text and "
		               "re-export",
		               value);
		return -1;
	}
	if (has_zero_decimals(value)) {
		strbuf_append_string(rule, "ends in .0 — the spreadsheet stored it as a number; "
		                           "remove the .0 / export as text");
		return -1;
	}
	return 0;
}
