/* Unit tests for UTF-8 validation and the encoding guess behind the
 * "not UTF-8 text (looks like ...)" messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/utf8.h"

static void valid_text(void **state)
{
	(void)state;
	const char *cases[] = {"",
	                       "ascii only",
	                       "caf\xC3\xA9",
	                       "\xE2\x82\xAC 5",
	                       "\xF0\x9F\x98\x80",
	                       "0123456789abcdefghij\xC3\xA9klmnopqrstuvwxyz0123456789",
	                       "\xEF\xBF\xBD",
	                       "\xF4\x8F\xBF\xBF"};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		size_t bad = 99;
		if (!utf8_validate(cases[index], strlen(cases[index]), &bad))
			fail_msg("case %zu rejected at %zu", index, bad);
		assert_int_equal(bad, 99);
	}
}

static void invalid_text_reports_the_first_bad_byte(void **state)
{
	(void)state;
	struct {
		const char *text;
		size_t bad;
	} cases[] = {
	    {"\xC0\xAF", 0},         /* overlong slash */
	    {"\xE0\x80\xAF", 0},     /* overlong */
	    {"ab\xED\xA0\x80", 2},   /* UTF-16 surrogate */
	    {"\xF4\x90\x80\x80", 0}, /* past U+10FFFF */
	    {"abc\x80", 3},          /* stray continuation byte */
	    {"x\xC3", 1},            /* truncated sequence */
	    {"12345678\xE9", 8},     /* after the eight-byte fast path */
	    {"\xF8\x88\x80\x80\x80", 0},
	    {"caf\xC3\xA9\xFF", 5},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		size_t bad = 99;
		if (utf8_validate(cases[index].text, strlen(cases[index].text), &bad))
			fail_msg("case %zu accepted", index);
		assert_int_equal(bad, cases[index].bad);
	}
}

static void encodings_are_guessed(void **state)
{
	(void)state;
	assert_int_equal(text_encoding_guess((const unsigned char *)"caf\xE9", 4),
	                 TEXT_ENCODING_LATIN1);
	assert_int_equal(text_encoding_guess((const unsigned char *)"\x93hi\x94 caf\xE9", 9),
	                 TEXT_ENCODING_WINDOWS_1252);
	assert_int_equal(text_encoding_guess((const unsigned char *)"\xFF\xFEi\0", 4),
	                 TEXT_ENCODING_UTF16_LE);
	assert_int_equal(text_encoding_guess((const unsigned char *)"\xFE\xFF\0i", 4),
	                 TEXT_ENCODING_UTF16_BE);
	assert_int_equal(text_encoding_guess((const unsigned char *)"i\0m\0e\0i\0", 8),
	                 TEXT_ENCODING_UTF16_LE);
	assert_int_equal(text_encoding_guess((const unsigned char *)"\0i\0m\0e\0i", 8),
	                 TEXT_ENCODING_UTF16_BE);
	assert_int_equal(text_encoding_guess((const unsigned char *)"caf\xC3\xA9", 5),
	                 TEXT_ENCODING_UTF8);
	assert_string_equal(text_encoding_name(TEXT_ENCODING_WINDOWS_1252), "Windows-1252");
}

static void problems_are_described(void **state)
{
	(void)state;
	struct strbuf message;
	strbuf_init(&message, 512);
	assert_int_equal(utf8_describe_problem("Acme\x93 5MB\x94", 10, &message), -1);
	assert_string_equal(strbuf_text(&message),
	                    "not UTF-8 text (looks like Windows-1252: byte 0x93 at position 5); "
	                    "re-save the file as UTF-8");
	strbuf_reset(&message);
	assert_int_equal(utf8_describe_problem("M\xFCnchen", 7, &message), -1);
	assert_string_equal(strbuf_text(&message),
	                    "not UTF-8 text (looks like Latin-1 (ISO-8859-1): byte 0xFC at "
	                    "position 2); re-save the file as UTF-8");
	strbuf_reset(&message);
	assert_int_equal(utf8_describe_problem("M\xC3\xBCnchen", 8, &message), 0);
	assert_string_equal(strbuf_text(&message), "");
	strbuf_release(&message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid_text),
	    cmocka_unit_test(invalid_text_reports_the_first_bad_byte),
	    cmocka_unit_test(encodings_are_guessed),
	    cmocka_unit_test(problems_are_described),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
