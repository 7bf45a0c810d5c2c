/* Help texts of lattigo-batch and its commands, and "did you mean" hints.
 * Everything here prints to a stream the caller owns. */
#ifndef LATTIGO_HELP_H
#define LATTIGO_HELP_H

#include <stddef.h>
#include <stdio.h>

/* Returns the candidate closest to given by edit distance when it is close
 * enough to be a plausible typo, else NULL (one of the caller's strings). */
const char *closest_name(const char *given, const char *const *candidates, size_t count);

/* Prints the program's usage: commands, exit codes, where to read more. */
void help_program(FILE *stream);
/* Prints the help of one command (usage line, options with defaults,
 * examples). Returns 0, or -1 when there is no such command. */
int help_command(FILE *stream, const char *command);

#endif
