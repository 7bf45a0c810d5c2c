/* Luhn mod-10 check digits: computing and verifying them. */
#include "ops/luhn.h"

/* Sum of the Luhn weights over digits, doubling every second digit counted
 * from the right when double_rightmost says the rightmost one is doubled. */
static int luhn_sum(const char *digits, size_t length, bool double_rightmost, unsigned *sum)
{
	unsigned total = 0;
	bool doubled = double_rightmost;
	for (size_t index = length; index-- > 0;) {
		char character = digits[index];
		if (character < '0' || character > '9')
			return -1;
		unsigned digit = (unsigned)(character - '0');
		if (doubled) {
			digit *= 2;
			if (digit > 9)
				digit -= 9;
		}
		total += digit;
		doubled = !doubled;
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
