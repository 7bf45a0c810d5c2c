/* UTF-8 decoding and character-set checks for field validators. Pure
 * functions: the simulator reuses them. */
#include "ops/text.h"

#include "common/utf8.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

const char text_note_punctuation[] = ".,;:!?'\"-_()[]/&#@+=%*~$";

/* Accented Latin letters: Latin-1 (without the multiplication and division
 * signs) and Latin Extended-A/B, the letters of European names and places. */
static bool latin_letter(uint32_t code_point)
{
	if (code_point == 0xd7 || code_point == 0xf7)
		return false;
	return code_point >= 0xc0 && code_point <= 0x24f;
}

/* Letters, digits, space and text_note_punctuation (test_validators checks
 * the map against that list). */
const struct text_set text_note_alphabet = {
    .ascii = {TEXT_SET_BIT(' ') | TEXT_SET_BIT('!') | TEXT_SET_BIT('"') | TEXT_SET_BIT('#') |
                  TEXT_SET_BIT('$') | TEXT_SET_BIT('%') | TEXT_SET_BIT('&') |
                  TEXT_SET_RUN('\'', '/') | TEXT_SET_RUN('0', ';') | TEXT_SET_BIT('=') |
                  TEXT_SET_BIT('?'),
              TEXT_SET_RUN('@', '[') | TEXT_SET_BIT(']') | TEXT_SET_BIT('_') |
                  TEXT_SET_RUN('a', 'z') | TEXT_SET_BIT('~')},
    .beyond_ascii = latin_letter,
    .name = "the note alphabet",
};

static bool ascii_allowed(const struct text_set *set, unsigned char byte)
{
	return byte < 128 && (set->ascii[byte / 64] >> (byte % 64) & 1u);
}

bool text_set_allows(const struct text_set *set, uint32_t code_point)
{
	if (code_point < 128)
		return ascii_allowed(set, (unsigned char)code_point);
	return set->beyond_ascii && set->beyond_ascii(code_point);
}

int utf8_next(const char *text, size_t length, size_t *index, uint32_t *code_point)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t at = *index;
	unsigned char lead = bytes[at];
	if (lead < 0x80) {
		*code_point = lead;
		*index = at + 1;
		return 0;
	}
	size_t extra;
	uint32_t value;
	uint32_t minimum;
	if (lead >= 0xc2 && lead <= 0xdf) {
		extra = 1;
		value = lead & 0x1fu;
		minimum = 0x80;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		extra = 2;
		value = lead & 0x0fu;
		minimum = 0x800;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		extra = 3;
		value = lead & 0x07u;
		minimum = 0x10000;
	} else {
		return -1;
	}
	if (length - at <= extra)
		return -1;
	for (size_t next = 1; next <= extra; next++) {
		unsigned char continuation = bytes[at + next];
		if ((continuation & 0xc0u) != 0x80u)
			return -1;
		value = (value << 6) | (continuation & 0x3fu);
	}
	if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
		return -1;
	*code_point = value;
	*index = at + extra + 1;
	return 0;
}

bool text_is_control(uint32_t code_point)
{
	return code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f);
}

void text_describe_character(struct strbuf *out, uint32_t code_point)
{
	switch (code_point) {
	case '\t':
		strbuf_append_string(out, "tab (U+0009)");
		return;
	case '\n':
		strbuf_append_string(out, "line feed (U+000A)");
		return;
	case '\r':
		strbuf_append_string(out, "carriage return (U+000D)");
		return;
	default:
		break;
	}
	if (text_is_control(code_point)) {
		strbuf_appendf(out, "control character U+%04X", (unsigned)code_point);
		return;
	}
	strbuf_append_char(out, '\'');
	utf8_append(out, code_point);
	strbuf_append_char(out, '\'');
	if (code_point >= 0x80)
		strbuf_appendf(out, " (U+%04X)", (unsigned)code_point);
}

int text_check(const char *value, size_t length, size_t max_characters, const struct text_set *set,
               struct strbuf *rule)
{
	size_t index = 0;
	/* The leading run of printable ASCII the set allows, nearly always the
	 * whole value, in a tight loop; the loop below takes what is left,
	 * character by character. */
	const unsigned char *bytes = (const unsigned char *)value;
	if (!set) {
#ifdef __SSE2__
		/* sixteen at a time: a byte below 0x20, or 0x7f and up (negative as
		 * a signed byte), ends the run */
		const __m128i space = _mm_set1_epi8(0x20);
		const __m128i delete = _mm_set1_epi8(0x7f);
		while (index + 16 <= length) {
			__m128i chunk =
			    _mm_loadu_si128((const __m128i *)(const void *)(bytes + index));
			__m128i outside = _mm_or_si128(_mm_cmplt_epi8(chunk, space),
			                               _mm_cmpeq_epi8(chunk, delete));
			unsigned mask = (unsigned)_mm_movemask_epi8(outside);
			if (mask) {
				index += (size_t)__builtin_ctz(mask);
				break;
			}
			index += 16;
		}
#endif
		while (index < length && bytes[index] >= 0x20 && bytes[index] < 0x7f)
			index++;
	} else {
		while (index < length && ascii_allowed(set, bytes[index]))
			index++;
	}
	size_t characters = index;
	while (index < length) {
		uint32_t code_point;
		size_t start = index;
		unsigned char byte = (unsigned char)value[index];
		if (byte < 0x80) {
			code_point = byte;
			index++;
		} else if (utf8_next(value, length, &index, &code_point) < 0) {
			strbuf_appendf(rule, "not valid UTF-8 text (got byte 0x%02X at byte %zu)",
			               (unsigned)(unsigned char)value[start], start + 1);
			return -1;
		}
		characters++;
		bool control = text_is_control(code_point);
		if (control || (set && !text_set_allows(set, code_point))) {
			strbuf_append_string(rule, control ? "contains a control character (got "
			                                   : "character not allowed (got ");
			text_describe_character(rule, code_point);
			strbuf_appendf(rule, " at position %zu)", characters);
			if (!control && set)
				strbuf_appendf(rule, "; %s is described in docs/validation.md",
				               set->name);
			return -1;
		}
	}
	if (characters > max_characters) {
		strbuf_appendf(rule, "longer than %zu characters (got %zu)", max_characters,
		               characters);
		return -1;
	}
	return 0;
}

bool text_all_digits(const char *value)
{
	if (!*value)
		return false;
	for (const char *at = value; *at; at++)
		if (*at < '0' || *at > '9')
			return false;
	return true;
}

void text_quote(struct strbuf *out, const char *text, size_t length, size_t max_bytes)
{
	size_t index = 0;
	size_t written = 0;
	while (index < length) {
		size_t start = index;
		uint32_t code_point;
		char escape[8];
		const char *piece = text + start;
		size_t piece_length;
		if (utf8_next(text, length, &index, &code_point) < 0) {
			snprintf(escape, sizeof(escape), "\\x%02X",
			         (unsigned)(unsigned char)text[start]);
			piece = escape;
			piece_length = 4;
			index = start + 1;
		} else if (code_point == '\n' || code_point == '\r' || code_point == '\t') {
			escape[0] = '\\';
			escape[1] = code_point == '\n' ? 'n' : code_point == '\r' ? 'r' : 't';
			piece = escape;
			piece_length = 2;
		} else if (text_is_control(code_point)) {
			snprintf(escape, sizeof(escape), "\\x%02X", (unsigned)code_point);
			piece = escape;
			piece_length = 4;
		} else {
			piece_length = index - start;
		}
		if (written + piece_length > max_bytes) {
			strbuf_append_string(out, "…");
			return;
		}
		strbuf_append(out, piece, piece_length);
		written += piece_length;
	}
}
