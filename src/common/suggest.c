/* Typo hints: Levenshtein distance over short names, abbreviations counted
 * as one edit. */
#include "common/suggest.h"

#include <string.h>

/* Levenshtein distance between two short strings (longer ones are cut). */
static size_t edit_distance(const char *left, const char *right)
{
	size_t left_length = strnlen(left, SUGGEST_MAX_LENGTH);
	size_t right_length = strnlen(right, SUGGEST_MAX_LENGTH);
	size_t previous[SUGGEST_MAX_LENGTH + 1];
	size_t current[SUGGEST_MAX_LENGTH + 1];
	for (size_t column = 0; column <= right_length; column++)
		previous[column] = column;
	for (size_t row = 1; row <= left_length; row++) {
		current[0] = row;
		for (size_t column = 1; column <= right_length; column++) {
			size_t substitution =
			    previous[column - 1] + (left[row - 1] == right[column - 1] ? 0 : 1);
			size_t deletion = previous[column] + 1;
			size_t insertion = current[column - 1] + 1;
			size_t best = substitution < deletion ? substitution : deletion;
			current[column] = best < insertion ? best : insertion;
		}
		memcpy(previous, current, (right_length + 1) * sizeof(previous[0]));
	}
	return previous[right_length];
}

const char *closest_name(const char *given, const char *const *candidates, size_t count)
{
	const char *best = NULL;
	size_t best_distance = (size_t)-1;
	size_t given_length = strlen(given);
	if (given_length == 0)
		return NULL;
	for (size_t index = 0; index < count; index++) {
		size_t distance = edit_distance(given, candidates[index]);
		/* an abbreviation ("--conc") is as plausible as a one-letter typo */
		if (given_length >= 3 && strncmp(candidates[index], given, given_length) == 0)
			distance = 1;
		if (distance < best_distance) {
			best_distance = distance;
			best = candidates[index];
		}
	}
	size_t allowed = given_length / 3 > 2 ? given_length / 3 : 2;
	if (best && best_distance <= allowed && best_distance < given_length)
		return best;
	return NULL;
}
