/* A manifest piped to a command that reads it in one pass, made a file. */
#ifndef LATTIGO_CLI_STDIN_COPY_H
#define LATTIGO_CLI_STDIN_COPY_H

#include "common/error.h"

/* When standard input is not a regular file (a pipe, a terminal), copies it
 * to an unnamed temporary file and puts that file on descriptor 0 at its
 * start, so the manifest read from "-" has a size known in advance: the
 * duplicate set is then reserved for all of it instead of growing, and a
 * set that grows keeps fewer fingerprint bits (about 50 for 20 million keys:
 * a false "duplicate of row N" became likely). Returns 0 (at once when stdin
 * already is a file), or -1 with error. */
int stdin_copy_to_file(struct error *error);

#endif
