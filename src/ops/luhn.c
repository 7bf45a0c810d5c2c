/* Luhn mod-10 check digits: computing and verifying them. */
#include "ops/luhn.h"

/* A digit's Luhn weight when it is doubled: 2d, or 2d - 9 past 9. */
static const unsigned char doubled_weight[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};

/* Sum of the Luhn weights over digits, doubling every second digit counted
 * from the right when double_rightmost says the rightmost one is doubled.
 * Two digits a step (one plain, one doubled): it runs for two ids per row. */
static int luhn_sum(const char *digits, size_t length, bool double_rightmost, unsigned *sum)
{
	unsigned total = 0;
	size_t index = length;
	if (double_rightmost && index > 0) {
		unsigned digit = (unsigned)(unsigned char)digits[--index] - '0';
		if (digit > 9)
			return -1;
		total += doubled_weight[digit];
	}
	while (index >= 2) {
		unsigned plain = (unsigned)(unsigned char)digits[index - 1] - '0';
		unsigned doubled = (unsigned)(unsigned char)digits[index - 2] - '0';
		if (plain > 9 || doubled > 9)
			return -1;
		total += plain + doubled_weight[doubled];
		index -= 2;
	}
	if (index == 1) {
		unsigned digit = (unsigned)(unsigned char)digits[0] - '0';
		if (digit > 9)
			return -1;
		total += digit;
	}
	*sum = total;
	return 0;
}

bool luhn_valid(const char *digits, size_t length)
{
	unsigned sum;
	if (length == 0 || luhn_sum(digits, length, false, &sum) < 0)
		return false;
	return sum % 10 == 0;
}

char luhn_check_digit(const char *digits, size_t length)
{
	unsigned sum;
	if (luhn_sum(digits, length, true, &sum) < 0)
		return '\0';
	return (char)('0' + (10 - sum % 10) % 10);
}
