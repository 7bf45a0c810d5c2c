/* Parameters of a request as one JSON object: query strings, form bodies
 * (application/x-www-form-urlencoded, `name[]=` for arrays) and JSON bodies.
 * Ownership: functions add to an object the caller owns. */
#ifndef LATTIGO_SIM_FORM_H
#define LATTIGO_SIM_FORM_H

#include <jansson.h>
#include <stddef.h>

/* Adds one decoded name/value pair to params: "names[]" appends to the array
 * "names", a plain name sets (replaces) a string. Returns 0, or -1 when the
 * value is not valid UTF-8 or the name is empty (message says which). */
int form_add_pair(json_t *params, const char *name, const char *value, char *message,
                  size_t message_size);

/* Parses an urlencoded body of length bytes into params. Returns 0, or -1
 * with a message naming the problem (bad percent escape, invalid UTF-8). */
int form_parse(json_t *params, const char *text, size_t length, char *message, size_t message_size);

#endif
