/* Help texts of lattigo-batch and its commands.
 * Everything here prints to a stream the caller owns. */
#ifndef LATTIGO_HELP_H
#define LATTIGO_HELP_H

#include <stdio.h>

/* Prints the program's usage: commands, exit codes, where to read more. */
void help_program(FILE *stream);
/* Prints the help of one command (usage line, options with defaults,
 * examples). Returns 0, or -1 when there is no such command. */
int help_command(FILE *stream, const char *command);

#endif
