/* Header-name comparison without allocating: both sides are normalised
 * character by character while walking them. */
#include "column_name.h"

#include <stddef.h>
#include <string.h>

static bool is_blank(char character)
{
	return character == ' ' || character == '\t';
}

/* Trims surrounding blanks: sets *start and returns the trimmed length. */
static size_t trimmed(const char *name, const char **start)
{
	while (is_blank(*name))
		name++;
	size_t length = strlen(name);
	while (length > 0 && is_blank(name[length - 1]))
		length--;
	*start = name;
	return length;
}

static char fold(char character, bool separators)
{
	if (character >= 'A' && character <= 'Z')
		return (char)(character - 'A' + 'a');
	if (separators && (character == ' ' || character == '-'))
		return '_';
	return character;
}

static bool compare(const char *left, const char *right, bool separators)
{
	const char *left_start = NULL;
	const char *right_start = NULL;
	size_t left_length = trimmed(left, &left_start);
	size_t right_length = trimmed(right, &right_start);
	if (left_length != right_length)
		return false;
	for (size_t index = 0; index < left_length; index++)
		if (fold(left_start[index], separators) != fold(right_start[index], separators))
			return false;
	return true;
}

bool column_name_equal(const char *left, const char *right)
{
	return compare(left, right, true);
}

bool column_name_equal_loosely(const char *left, const char *right)
{
	return compare(left, right, false);
}

enum { NEAR_MAX = 64 };

/* Lower-case letters and digits of name, at most NEAR_MAX; returns the count. */
static size_t letters_and_digits(const char *name, char *out)
{
	size_t count = 0;
	for (; *name && count < NEAR_MAX; name++) {
		char character = fold(*name, false);
		if ((character >= 'a' && character <= 'z') ||
		    (character >= '0' && character <= '9'))
			out[count++] = character;
	}
	return count;
}

/* Edit distance of a and b, stopping early once it exceeds limit. */
static size_t distance(const char *a, size_t a_length, const char *b, size_t b_length)
{
	size_t previous[NEAR_MAX + 1], current[NEAR_MAX + 1];
	for (size_t j = 0; j <= b_length; j++)
		previous[j] = j;
	for (size_t i = 1; i <= a_length; i++) {
		current[0] = i;
		for (size_t j = 1; j <= b_length; j++) {
			size_t substitute = previous[j - 1] + (a[i - 1] != b[j - 1]);
			size_t remove = previous[j] + 1;
			size_t insert = current[j - 1] + 1;
			size_t best = substitute < remove ? substitute : remove;
			current[j] = best < insert ? best : insert;
		}
		memcpy(previous, current, (b_length + 1) * sizeof(previous[0]));
	}
	return previous[b_length];
}

bool column_name_near(const char *left, const char *right)
{
	char a[NEAR_MAX], b[NEAR_MAX];
	size_t a_length = letters_and_digits(left, a);
	size_t b_length = letters_and_digits(right, b);
	if (a_length == 0 || b_length == 0)
		return false;
	if (a_length == b_length && memcmp(a, b, a_length) == 0)
		return true;
	size_t shorter = a_length < b_length ? a_length : b_length;
	size_t longer = a_length < b_length ? b_length : a_length;
	/* "IMEI No." for imei, "ICCIDs" for iccid: a short word added at the end */
	if (shorter >= 4 && longer - shorter <= 3 && memcmp(a, b, shorter) == 0)
		return true;
	return shorter >= 5 && distance(a, a_length, b, b_length) <= 1;
}

bool column_name_looks_like_data(const char *name)
{
	size_t digits = 0;
	for (const char *cursor = name; *cursor; cursor++) {
		if (*cursor >= '0' && *cursor <= '9')
			digits++;
		else if (!strchr(" +-.eE", *cursor))
			return false;
	}
	return digits >= 6;
}
