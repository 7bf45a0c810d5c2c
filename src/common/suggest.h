/* "Did you mean" hints: the closest of a list of names to a mistyped one.
 * Ownership: returns one of the caller's strings; allocates nothing. */
#ifndef LATTIGO_SUGGEST_H
#define LATTIGO_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_LENGTH 64 /* names are compared on their first 64 bytes */

/* Returns the candidate closest to given by edit distance when it is close
 * enough to be a plausible typo, else NULL (one of the caller's strings). */
const char *closest_name(const char *given, const char *const *candidates, size_t count);

#endif
