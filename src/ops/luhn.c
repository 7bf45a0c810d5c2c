/* Luhn mod-10 check digits: computing and verifying them. */
#include "ops/luhn.h"

#include <stdint.h>
#include <string.h>

/* A digit's Luhn weight when it is doubled: 2d, or 2d - 9 past 9. */
static const unsigned char doubled_weight[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};

/* Sum of the Luhn weights over digits, doubling every second digit counted
 * from the right when double_rightmost says the rightmost one is doubled.
 * Two digits a step (one plain, one doubled): it runs for two ids per row. */
static int luhn_sum(const char *digits, size_t length, bool double_rightmost, unsigned *sum)
{
	unsigned total = 0;
	size_t index = length;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Eight digits a step from the right while the plain digit is the
	 * rightmost (as luhn_valid asks): in each little-endian word the bytes
	 * 1, 3, 5, 7 are plain and 0, 2, 4, 6 doubled. */
	while (!double_rightmost && index >= 8) {
		uint64_t word;
		memcpy(&word, digits + index - 8, sizeof(word));
		/* every byte '0'..'9': high nibble 3, low nibble + 6 still a nibble */
		if ((word & UINT64_C(0xF0F0F0F0F0F0F0F0)) != UINT64_C(0x3030303030303030) ||
		    (((word & UINT64_C(0x0F0F0F0F0F0F0F0F)) + UINT64_C(0x0606060606060606)) &
		     UINT64_C(0xF0F0F0F0F0F0F0F0)) != 0)
			return -1;
		uint64_t values = word & UINT64_C(0x0F0F0F0F0F0F0F0F);
		uint64_t doubled = values & UINT64_C(0x00FF00FF00FF00FF);
		uint64_t plain = (values >> 8) & UINT64_C(0x00FF00FF00FF00FF);
		/* 2d, less 9 when d >= 5 (d + 3 has bit 3 set): per 16-bit lane, never negative */
		uint64_t past_nine =
		    ((doubled + UINT64_C(0x0003000300030003)) >> 3) & UINT64_C(0x0001000100010001);
		uint64_t weights = (doubled << 1) - past_nine * 9 + plain;
		/* the bytes' sum (at most 8 x 18) in the top byte */
		total += (unsigned)((weights * UINT64_C(0x0101010101010101)) >> 56);
		index -= 8;
	}
#endif
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
