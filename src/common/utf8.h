/* UTF-8 validation and a best guess at which encoding non-UTF-8 text is in,
 * so a message can tell the operator how to re-save a spreadsheet export. */
#ifndef LATTIGO_UTF8_H
#define LATTIGO_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

enum text_encoding {
	TEXT_ENCODING_UTF8 = 0,
	TEXT_ENCODING_WINDOWS_1252, /* bytes 0x80-0x9F present: curly quotes, dashes, euro sign */
	TEXT_ENCODING_LATIN1,       /* ISO-8859-1: high bytes only in 0xA0-0xFF */
	TEXT_ENCODING_UTF16_LE,
	TEXT_ENCODING_UTF16_BE,
};

/* True when length bytes of text are well-formed UTF-8 (no overlong forms,
 * surrogates or code points past U+10FFFF). Otherwise false, with *bad_offset
 * (when not NULL) set to the 0-based offset of the first offending byte. */
bool utf8_validate(const char *text, size_t length, size_t *bad_offset);
/* True when every one of length bytes of text is ASCII (below 0x80). */
bool utf8_is_ascii(const char *text, size_t length);
/* Appends code_point (at most U+10FFFF, not a surrogate) encoded as UTF-8.
 * Returns a strbuf_result. */
int utf8_append(struct strbuf *out, uint32_t code_point);
/* Guesses the encoding of bytes: a UTF-16 byte order mark or many NUL bytes
 * mean UTF-16, valid UTF-8 means UTF-8, else Windows-1252 or Latin-1. */
enum text_encoding text_encoding_guess(const unsigned char *bytes, size_t length);
/* Returns a display name such as "Windows-1252" (static). */
const char *text_encoding_name(enum text_encoding encoding);
/* Appends, for text that is not UTF-8, "not UTF-8 text (looks like
 * Windows-1252: byte 0x93 at position 5); re-save the file as UTF-8"
 * (position 1-based). Returns 0 when text is valid UTF-8 (nothing appended), -1 otherwise. */
int utf8_describe_problem(const char *text, size_t length, struct strbuf *message);

#endif
