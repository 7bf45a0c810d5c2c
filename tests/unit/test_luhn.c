/* Unit tests for the Luhn check digit: published IMEI and ICCID vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ops/luhn.h"

static void known_identifiers_are_valid(void **state)
{
	(void)state;
	const char *valid[] = {"490154203237518", "89014103211118510720", "356938035643809",
	                       "79927398713", "0"};
	for (size_t index = 0; index < sizeof(valid) / sizeof(valid[0]); index++)
		assert_true(luhn_valid(valid[index], strlen(valid[index])));
}

static void one_changed_digit_is_caught(void **state)
{
	(void)state;
	char imei[] = "490154203237518";
	for (size_t position = 0; position < 15; position++) {
		char original = imei[position];
		imei[position] = (char)(original == '9' ? '0' : original + 1);
		assert_false(luhn_valid(imei, 15));
		imei[position] = original;
	}
	assert_false(luhn_valid("89014103211118510721", 20));
}

static void non_digits_and_empty_are_invalid(void **state)
{
	(void)state;
	assert_false(luhn_valid("", 0));
	assert_false(luhn_valid("49015420323751a", 15));
	assert_false(luhn_valid("4901 5420323751", 15));
	assert_int_equal(luhn_check_digit("12a", 3), '\0');
}

static void check_digit_completes_a_body(void **state)
{
	(void)state;
	assert_int_equal(luhn_check_digit("49015420323751", 14), '8');
	assert_int_equal(luhn_check_digit("8901410321111851072", 19), '0');
	assert_int_equal(luhn_check_digit("7992739871", 10), '3');
}

/* The textbook definition, digit by digit from the right, as a reference. */
static int reference_sum(const char *digits, size_t length, int double_rightmost)
{
	int total = 0;
	for (size_t place = 0; place < length; place++) {
		int digit = digits[length - 1 - place] - '0';
		if ((int)(place % 2) == (double_rightmost ? 0 : 1))
			digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
		total += digit;
	}
	return total;
}

static void every_length_agrees_with_the_definition(void **state)
{
	(void)state;
	char digits[32];
	unsigned seed = 12345;
	for (size_t length = 1; length < sizeof(digits); length++) {
		for (int trial = 0; trial < 200; trial++) {
			for (size_t index = 0; index < length; index++) {
				seed = seed * 1103515245u + 12345u;
				digits[index] = (char)('0' + (seed >> 16) % 10);
			}
			assert_int_equal(luhn_valid(digits, length),
			                 reference_sum(digits, length, 0) % 10 == 0);
			assert_int_equal(luhn_check_digit(digits, length),
			                 '0' + (10 - reference_sum(digits, length, 1) % 10) % 10);
		}
	}
}

/* Any byte that is not a digit, at any place of ids of every length, makes
 * the id invalid: the eight-at-a-time path checks its bytes too. */
static void a_non_digit_anywhere_is_invalid(void **state)
{
	(void)state;
	static const char strangers[] = {'/', ':', ' ', 'a', '\x80', '\xb9', '\xff', '\x10', '?'};
	char digits[32];
	for (size_t length = 1; length < sizeof(digits); length++) {
		for (size_t place = 0; place < length; place++) {
			for (size_t stranger = 0; stranger < sizeof(strangers); stranger++) {
				memset(digits, '0', length);
				digits[place] = strangers[stranger];
				assert_false(luhn_valid(digits, length));
				assert_int_equal(luhn_check_digit(digits, length), '\0');
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_identifiers_are_valid),
	    cmocka_unit_test(one_changed_digit_is_caught),
	    cmocka_unit_test(non_digits_and_empty_are_invalid),
	    cmocka_unit_test(check_digit_completes_a_body),
	    cmocka_unit_test(every_length_agrees_with_the_definition),
	    cmocka_unit_test(a_non_digit_anywhere_is_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
