/* UTF-8 text checks shared by the field validators: decoding, character
 * descriptions for messages, length in characters, allowed-character sets.
 * Ownership: callers own every buffer; nothing here allocates except strbuf appends. */
#ifndef LATTIGO_OPS_TEXT_H
#define LATTIGO_OPS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* Decodes the code point at text[*index] (strict UTF-8: no overlongs, no
 * surrogates) and advances *index. Returns 0, or -1 at an invalid byte
 * (then *index is left on it). */
int utf8_next(const char *text, size_t length, size_t *index, uint32_t *code_point);

/* Appends a readable name for a code point: 'x', 'é' (U+00E9), tab (U+0009). */
void text_describe_character(struct strbuf *out, uint32_t code_point);

/* True for C0 and C1 control characters and DEL. */
bool text_is_control(uint32_t code_point);

/* Decides whether one character past ASCII may appear in a field. */
typedef bool text_allowed(uint32_t code_point);

/* The characters a field allows: its ASCII ones as a 128-bit map (bit c of
 * ascii[c / 64]; never a control character), so that checking a byte is a
 * shift, and the others by a function (NULL: none). */
struct text_set {
	uint64_t ascii[2];
	text_allowed *beyond_ascii;
	const char *name; /* for messages: "the note alphabet" (docs/validation.md) */
};

/* Building ascii maps: one character, or a run of them within one half. */
#define TEXT_SET_BIT(c) (UINT64_C(1) << ((unsigned)(c) % 64u))
#define TEXT_SET_RUN(first, last)                                                                  \
	((~UINT64_C(0) >> (63u - (unsigned)(last) % 64u)) &                                        \
	 (~UINT64_C(0) << ((unsigned)(first) % 64u)))

/* Checks that value (length bytes) is valid UTF-8, holds at most
 * max_characters code points and only characters of set (NULL: anything
 * but control characters). Appends the failed rule and returns -1, or
 * returns 0. */
int text_check(const char *value, size_t length, size_t max_characters, const struct text_set *set,
               struct strbuf *rule);

/* The note alphabet of docs/validation.md: letters (ASCII and accented Latin),
 * digits, space and . , ; : ! ? ' " - _ ( ) [ ] / & # @ + = % * ~ $ */
extern const struct text_set text_note_alphabet;
/* True when set allows code_point. */
bool text_set_allows(const struct text_set *set, uint32_t code_point);

/* The punctuation the note alphabet allows, for messages and docs. */
extern const char text_note_punctuation[];

/* Appends up to max_bytes of text (length bytes) for quoting in a message:
 * control characters and invalid UTF-8 are escaped (\n, \t, \xNN), the cut
 * falls on a character boundary, and "…" marks a truncation. */
void text_quote(struct strbuf *out, const char *text, size_t length, size_t max_bytes);

/* True when value is a non-empty run of ASCII digits. */
bool text_all_digits(const char *value);

#endif
