/* JSON written as text, without building jansson values first: for output
 * that is large and regular (a listing page, a snapshot of an account),
 * where a value per field cost more than the writing. */
#ifndef LATTIGO_JSON_TEXT_H
#define LATTIGO_JSON_TEXT_H

#include "common/strbuf.h"

/* Appends text as a JSON string (quoted, escaped as jansson's compact
 * output escapes it: \" \\ \b \f \n \r \t, other controls as \u00XX, UTF-8
 * kept); NULL and text that is not UTF-8 are written as "". Returns a
 * strbuf_result (0 when appended). */
int json_text_string(struct strbuf *out, const char *text);

/* The most bytes json_text_put_string writes for length bytes of text. */
#define JSON_TEXT_STRING_BOUND(length) (6 * (length) + 2)
/* Writes the length bytes of text at at as json_text_string appends them;
 * at has room for JSON_TEXT_STRING_BOUND(length) bytes. Returns the end of
 * what it wrote (nothing is allocated: for writers that size a whole
 * record first). */
char *json_text_put_string(char *at, const char *text, size_t length);

#endif
