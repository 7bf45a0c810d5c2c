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
