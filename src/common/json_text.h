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

#endif
