/* UTF-8 well-formedness (RFC 3629 table 3-7) with an ASCII fast path, and the
 * encoding guess used to explain spreadsheet exports that are not UTF-8. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Length of the leading ASCII run: eight bytes at a time, since nearly every
 * manifest value is plain ASCII and this check runs on each of them. */
static size_t ascii_prefix(const unsigned char *bytes, size_t length)
{
	size_t index = 0;
#ifdef __SSE2__
	/* sixteen bytes a step for long texts (a listing page is half a
	 * megabyte): the high bits of all of them in one mask */
	while (index + 16 <= length) {
		__m128i block = _mm_loadu_si128((const __m128i *)(const void *)(bytes + index));
		if (_mm_movemask_epi8(block))
			break;
		index += 16;
	}
#endif
	while (index + 8 <= length) {
		uint64_t word;
		memcpy(&word, bytes + index, sizeof(word));
		if (word & 0x8080808080808080ULL)
			break;
		index += 8;
	}
	if (index + 8 > length && length >= 8) {
		/* the last 1 to 7 bytes: one word ending at the end, overlapping
		 * bytes already known to be ASCII */
		uint64_t word;
		memcpy(&word, bytes + length - 8, sizeof(word));
		if (!(word & 0x8080808080808080ULL))
			return length;
	}
	while (index < length && bytes[index] < 0x80)
		index++;
	return index;
}

bool utf8_is_ascii(const char *text, size_t length)
{
	return ascii_prefix((const unsigned char *)text, length) == length;
}

static bool is_continuation(unsigned char byte)
{
	return (byte & 0xC0) == 0x80;
}

/* Length of the well-formed sequence starting at bytes[0], or 0 when it is not. */
static size_t sequence_length(const unsigned char *bytes, size_t available)
{
	unsigned char lead = bytes[0];
	if (lead < 0x80)
		return 1;
	if (lead >= 0xC2 && lead <= 0xDF)
		return available >= 2 && is_continuation(bytes[1]) ? 2 : 0;
	if (lead >= 0xE0 && lead <= 0xEF) {
		if (available < 3 || !is_continuation(bytes[1]) || !is_continuation(bytes[2]))
			return 0;
		if (lead == 0xE0 && bytes[1] < 0xA0)
			return 0; /* overlong */
		if (lead == 0xED && bytes[1] > 0x9F)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (lead >= 0xF0 && lead <= 0xF4) {
		if (available < 4 || !is_continuation(bytes[1]) || !is_continuation(bytes[2]) ||
		    !is_continuation(bytes[3]))
			return 0;
		if (lead == 0xF0 && bytes[1] < 0x90)
			return 0; /* overlong */
		if (lead == 0xF4 && bytes[1] > 0x8F)
			return 0; /* past U+10FFFF */
		return 4;
	}
	return 0;
}

bool utf8_validate(const char *text, size_t length, size_t *bad_offset)
{
	const unsigned char *bytes = (const unsigned char *)text;
	size_t index = ascii_prefix(bytes, length);
	while (index < length) {
		size_t step = sequence_length(bytes + index, length - index);
		if (step == 0) {
			if (bad_offset)
				*bad_offset = index;
			return false;
		}
		index += step;
		if (step == 1)
			index += ascii_prefix(bytes + index, length - index);
	}
	return true;
}

enum text_encoding text_encoding_guess(const unsigned char *bytes, size_t length)
{
	if (length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
		return TEXT_ENCODING_UTF16_LE;
	if (length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
		return TEXT_ENCODING_UTF16_BE;
	size_t even_nuls = 0;
	size_t odd_nuls = 0;
	for (size_t index = 0; index < length; index++) {
		if (bytes[index] != 0)
			continue;
		if (index % 2)
			odd_nuls++;
		else
			even_nuls++;
	}
	/* ASCII text in UTF-16 has a NUL in every other byte. */
	if (length >= 4 && odd_nuls * 4 >= length && odd_nuls > even_nuls * 4)
		return TEXT_ENCODING_UTF16_LE;
	if (length >= 4 && even_nuls * 4 >= length && even_nuls > odd_nuls * 4)
		return TEXT_ENCODING_UTF16_BE;
	if (utf8_validate((const char *)bytes, length, NULL))
		return TEXT_ENCODING_UTF8;
	for (size_t index = 0; index < length; index++)
		if (bytes[index] >= 0x80 && bytes[index] <= 0x9F)
			return TEXT_ENCODING_WINDOWS_1252;
	return TEXT_ENCODING_LATIN1;
}

const char *text_encoding_name(enum text_encoding encoding)
{
	switch (encoding) {
	case TEXT_ENCODING_UTF8:
		return "UTF-8";
	case TEXT_ENCODING_WINDOWS_1252:
		return "Windows-1252";
	case TEXT_ENCODING_LATIN1:
		return "Latin-1 (ISO-8859-1)";
	case TEXT_ENCODING_UTF16_LE:
		return "UTF-16 little-endian";
	case TEXT_ENCODING_UTF16_BE:
		return "UTF-16 big-endian";
	}
	return "an unknown encoding";
}

int utf8_describe_problem(const char *text, size_t length, struct strbuf *message)
{
	size_t bad_offset = 0;
	if (utf8_validate(text, length, &bad_offset))
		return 0;
	enum text_encoding guess = text_encoding_guess((const unsigned char *)text, length);
	unsigned byte = (unsigned char)text[bad_offset];
	if (guess == TEXT_ENCODING_UTF8) /* cannot happen for invalid text; keep the message sane */
		strbuf_appendf(message, "not UTF-8 text (byte 0x%02X at position %zu)", byte,
		               bad_offset + 1);
	else
		strbuf_appendf(message,
		               "not UTF-8 text (looks like %s: byte 0x%02X at position %zu)",
		               text_encoding_name(guess), byte, bad_offset + 1);
	strbuf_append_string(message, "; re-save the file as UTF-8");
	return -1;
}

int utf8_append(struct strbuf *out, uint32_t code_point)
{
	char bytes[4];
	size_t length;
	if (code_point < 0x80) {
		bytes[0] = (char)code_point;
		length = 1;
	} else if (code_point < 0x800) {
		bytes[0] = (char)(0xc0 | (code_point >> 6));
		bytes[1] = (char)(0x80 | (code_point & 0x3f));
		length = 2;
	} else if (code_point < 0x10000) {
		bytes[0] = (char)(0xe0 | (code_point >> 12));
		bytes[1] = (char)(0x80 | ((code_point >> 6) & 0x3f));
		bytes[2] = (char)(0x80 | (code_point & 0x3f));
		length = 3;
	} else {
		bytes[0] = (char)(0xf0 | (code_point >> 18));
		bytes[1] = (char)(0x80 | ((code_point >> 12) & 0x3f));
		bytes[2] = (char)(0x80 | ((code_point >> 6) & 0x3f));
		bytes[3] = (char)(0x80 | (code_point & 0x3f));
		length = 4;
	}
	return strbuf_append(out, bytes, length);
}
