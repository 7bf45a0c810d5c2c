/* The first error is the one reported (after jansson's json_error_t).
 * Ownership: the struct holds its text inline; nothing to free. */
#ifndef LATTIGO_ERROR_H
#define LATTIGO_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct error {
	bool set;
	char file[256]; /* "" when the error is not about a file */
	uint64_t line;  /* 0 when not about a line */
	char message[768];
};

/* Clears the error so it can take a new first error. */
void error_clear(struct error *error);
/* Records a message unless one is already recorded; returns -1 for `return error_set(...)`. */
int error_set(struct error *error, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* As error_set, also naming file and line (line 0: none). */
int error_set_at(struct error *error, const char *file, uint64_t line, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
/* Formats "file:line: message" (or less when not known) into out. */
void error_format(const struct error *error, char *out, size_t size);

#endif
