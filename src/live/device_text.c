/* A two-pass reader of device JSON: the first pass checks the whole text
 * the way jansson's decoder would, the second takes the snapshot's fields
 * from each object. Recursive descent over a cursor, no allocation but one
 * scratch buffer. */
#include "live/device_text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/utf8.h"

/* Nesting deeper than this is refused (jansson's JSON_PARSER_MAX_DEPTH). */
#define MAX_DEPTH 2048

struct cursor {
	const char *at, *end;
};

/* Where one field's value went in the scratch buffer. */
struct taken {
	size_t offset, length;
	bool present;
};

struct reader {
	struct strbuf scratch; /* decoded strings and numbers of the current object */
	struct strbuf key;     /* the current key, decoded */
	struct taken taken[DEVICE_FIELD_COUNT];
	size_t name_length[DEVICE_FIELD_COUNT];
};

static void skip_space(struct cursor *cursor)
{
	while (cursor->at < cursor->end && (*cursor->at == ' ' || *cursor->at == '\t' ||
	                                    *cursor->at == '\n' || *cursor->at == '\r'))
		cursor->at++;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at cursor; -1 when they are not. */
static long hex4(struct cursor *cursor)
{
	if (cursor->end - cursor->at < 4)
		return -1;
	long value = 0;
	for (int i = 0; i < 4; i++) {
		int digit = hex_digit(cursor->at[i]);
		if (digit < 0)
			return -1;
		value = value * 16 + digit;
	}
	cursor->at += 4;
	return value;
}

/* A string at cursor (past its opening quote): checked, and decoded into
 * out when out is not NULL. Returns 0, 1 (not JSON), -1 (out of memory). */
/* Bytes that end a run of plain string text: '"', '\\' and controls. */
static int stops_string(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20;
}

static int string(struct cursor *cursor, struct strbuf *out)
{
	const char *plain = cursor->at;
	while (cursor->at < cursor->end) {
		/* the plain run first, four bytes a step: most of a page is plain text */
		while (cursor->end - cursor->at >= 4 &&
		       !(stops_string((unsigned char)cursor->at[0]) |
		         stops_string((unsigned char)cursor->at[1]) |
		         stops_string((unsigned char)cursor->at[2]) |
		         stops_string((unsigned char)cursor->at[3])))
			cursor->at += 4;
		if (cursor->at == cursor->end)
			break;
		unsigned char c = (unsigned char)*cursor->at;
		if (c == '"' || c == '\\') {
			if (out &&
			    strbuf_append(out, plain, (size_t)(cursor->at - plain)) != STRBUF_OK)
				return -1;
			cursor->at++;
			if (c == '"')
				return 0;
			if (cursor->at == cursor->end)
				return 1;
			char escape = *cursor->at++;
			unsigned long code;
			const char *simple = strchr("\"\\/bfnrt", escape);
			if (escape && simple) {
				code = (unsigned long)"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			} else if (escape == 'u') {
				long unit = hex4(cursor);
				if (unit <= 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
					return 1; /* \u0000 (jansson refuses NUL) or a lone low
					             surrogate */
				code = (unsigned long)unit;
				if (unit >= 0xD800 && unit <= 0xDBFF) {
					if (cursor->end - cursor->at < 2 || cursor->at[0] != '\\' ||
					    cursor->at[1] != 'u')
						return 1;
					cursor->at += 2;
					long low = hex4(cursor);
					if (low < 0xDC00 || low > 0xDFFF)
						return 1;
					code = 0x10000 + (((unsigned long)unit - 0xD800) << 10) +
					       ((unsigned long)low - 0xDC00);
				}
			} else {
				return 1;
			}
			if (out && utf8_append(out, (uint32_t)code) != STRBUF_OK)
				return -1;
			plain = cursor->at;
			continue;
		}
		if (c < 0x20)
			return 1;
		cursor->at++;
	}
	return 1;
}

/* A number at cursor: checked against JSON's grammar and range (an integer
 * must fit 64 bits, a real must not overflow, as jansson requires), and
 * written into out as the snapshot keeps numbers when out is not NULL. */
static int number(struct cursor *cursor, struct strbuf *out)
{
	const char *start = cursor->at;
	const char *at = start;
	bool integer = true;
	if (at < cursor->end && *at == '-')
		at++;
	if (at == cursor->end || *at < '0' || *at > '9')
		return 1;
	if (*at == '0' && at + 1 < cursor->end && at[1] >= '0' && at[1] <= '9')
		return 1;
	while (at < cursor->end && *at >= '0' && *at <= '9')
		at++;
	if (at < cursor->end && *at == '.') {
		integer = false;
		if (++at == cursor->end || *at < '0' || *at > '9')
			return 1;
		while (at < cursor->end && *at >= '0' && *at <= '9')
			at++;
	}
	if (at < cursor->end && (*at == 'e' || *at == 'E')) {
		integer = false;
		if (++at < cursor->end && (*at == '+' || *at == '-'))
			at++;
		if (at == cursor->end || *at < '0' || *at > '9')
			return 1;
		while (at < cursor->end && *at >= '0' && *at <= '9')
			at++;
	}
	cursor->at = at;
	char small[64];
	size_t length = (size_t)(at - start);
	if (integer && length > 21)
		return 1; /* more digits than 64 bits hold: jansson refuses it too */
	char *text = length < sizeof(small) ? small : malloc(length + 1);
	if (!text)
		return -1;
	memcpy(text, start, length);
	text[length] = '\0';
	char formatted[40];
	int written = 0;
	errno = 0;
	/* only reading a value, or a number near a limit, needs the conversion:
	 * 18 digits always fit 64 bits, and a real without an exponent and
	 * fewer than 300 digits cannot overflow */
	if (!out &&
	    ((integer && length <= 18) || (!integer && length < 300 && !memchr(text, 'e', length) &&
	                                   !memchr(text, 'E', length)))) {
		if (text != small)
			free(text);
		return 0;
	}
	if (integer) {
		long long value = strtoll(text, NULL, 10);
		if (errno == ERANGE)
			return 1;
		if (out)
			written = snprintf(formatted, sizeof(formatted), "%lld", value);
	} else {
		double value = strtod(text, NULL);
		bool overflow = errno == ERANGE && (value > 1.0 || value < -1.0);
		if (text != small)
			free(text);
		if (overflow)
			return 1;
		if (out)
			written = snprintf(formatted, sizeof(formatted), "%.17g", value);
	}
	if (out && written > 0 && strbuf_append(out, formatted, (size_t)written) != STRBUF_OK)
		return -1;
	return 0;
}

static int literal(struct cursor *cursor, const char *word)
{
	size_t length = strlen(word);
	if ((size_t)(cursor->end - cursor->at) < length || memcmp(cursor->at, word, length) != 0)
		return 1;
	cursor->at += length;
	return 0;
}

/* Any value at cursor, checked and passed over. */
static int value(struct cursor *cursor, int depth);

static int container(struct cursor *cursor, int depth, char close, bool object)
{
	if (depth >= MAX_DEPTH)
		return 1;
	skip_space(cursor);
	if (cursor->at < cursor->end && *cursor->at == close) {
		cursor->at++;
		return 0;
	}
	for (;;) {
		int result;
		if (object) {
			if (cursor->at == cursor->end || *cursor->at != '"')
				return 1;
			cursor->at++;
			if ((result = string(cursor, NULL)) != 0)
				return result;
			skip_space(cursor);
			if (cursor->at == cursor->end || *cursor->at != ':')
				return 1;
			cursor->at++;
		}
		if ((result = value(cursor, depth + 1)) != 0)
			return result;
		skip_space(cursor);
		if (cursor->at == cursor->end)
			return 1;
		char c = *cursor->at++;
		if (c == close)
			return 0;
		if (c != ',')
			return 1;
		skip_space(cursor);
	}
}

static int value(struct cursor *cursor, int depth)
{
	skip_space(cursor);
	if (cursor->at == cursor->end)
		return 1;
	switch (*cursor->at) {
	case '{':
		cursor->at++;
		return container(cursor, depth, '}', true);
	case '[':
		cursor->at++;
		return container(cursor, depth, ']', false);
	case '"':
		cursor->at++;
		return string(cursor, NULL);
	case 't':
		return literal(cursor, "true");
	case 'f':
		return literal(cursor, "false");
	case 'n':
		return literal(cursor, "null");
	default:
		return number(cursor, NULL);
	}
}

/* The field a decoded key names, or -1. */
static int field_of(const struct reader *reader, const struct strbuf *key)
{
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if (reader->name_length[field] == key->length &&
		    memcmp(device_field_name((enum device_field)field), key->data, key->length) ==
		        0)
			return field;
	return -1;
}

/* One object of a checked text (cursor past its '{'): its fields into the
 * reader's scratch, then each(). */
static int take_object(struct reader *reader, struct cursor *cursor, device_text_each *each,
                       void *context)
{
	strbuf_reset(&reader->scratch);
	memset(reader->taken, 0, sizeof(reader->taken));
	skip_space(cursor);
	bool empty = cursor->at < cursor->end && *cursor->at == '}';
	if (empty)
		cursor->at++;
	while (!empty) {
		skip_space(cursor);
		cursor->at++; /* '"': the text was checked */
		strbuf_reset(&reader->key);
		if (string(cursor, &reader->key) < 0)
			return -1;
		skip_space(cursor);
		cursor->at++; /* ':' */
		skip_space(cursor);
		int field = field_of(reader, &reader->key);
		struct taken *taken = field >= 0 ? &reader->taken[field] : NULL;
		size_t offset = reader->scratch.length;
		char first = *cursor->at;
		int result = 0;
		bool kept = false;
		if (!taken) {
			result = value(cursor, 1);
		} else if (first == '"') {
			cursor->at++;
			result = string(cursor, &reader->scratch);
			kept = true;
		} else if (first == '-' || (first >= '0' && first <= '9')) {
			result = number(cursor, &reader->scratch);
			kept = true;
		} else if (first == 't' || first == 'f') {
			result = literal(cursor, first == 't' ? "true" : "false");
			result = result ? result
			                : strbuf_append_string(&reader->scratch,
			                                       first == 't' ? "true" : "false");
			kept = true;
		} else {
			result = value(cursor, 1); /* null, an object or an array: no value */
		}
		if (result != 0)
			return -1;
		if (taken) { /* a repeated key: the last one counts, as in jansson */
			*taken = (struct taken){offset, reader->scratch.length - offset, kept};
			/* values lie back to back in the scratch: each ends with a NUL */
			if (kept && strbuf_append(&reader->scratch, "", 1) != STRBUF_OK)
				return -1;
		}
		skip_space(cursor);
		if (*cursor->at++ == '}')
			break;
	}
	const char *values[DEVICE_FIELD_COUNT];
	size_t lengths[DEVICE_FIELD_COUNT];
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
		const struct taken *taken = &reader->taken[field];
		values[field] =
		    taken->present ? strbuf_text(&reader->scratch) + taken->offset : NULL;
		lengths[field] = taken->present ? taken->length : 0;
	}
	return each(context, values, lengths);
}

int device_text_read(const char *text, size_t length, bool single, device_text_each *each,
                     void *context, size_t *count)
{
	*count = 0;
	if (!utf8_validate(text, length, NULL))
		return 1;
	struct cursor cursor = {text, text + length};
	skip_space(&cursor);
	char open = single ? '{' : '[';
	if (cursor.at == cursor.end || *cursor.at != open)
		return 1;
	struct cursor check = cursor;
	if (value(&check, 0) != 0)
		return 1;
	skip_space(&check);
	if (check.at != check.end)
		return 1;
	struct reader reader;
	memset(&reader, 0, sizeof(reader));
	strbuf_init(&reader.scratch, SIZE_MAX);
	strbuf_init(&reader.key, SIZE_MAX);
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		reader.name_length[field] = strlen(device_field_name((enum device_field)field));
	int result = 0;
	cursor.at++;
	if (single) {
		*count = 1;
		result = take_object(&reader, &cursor, each, context);
	} else {
		skip_space(&cursor);
		bool empty = *cursor.at == ']';
		while (!empty && result == 0) {
			skip_space(&cursor);
			(*count)++;
			if (*cursor.at == '{') {
				cursor.at++;
				result = take_object(&reader, &cursor, each, context);
			} else {
				result = value(&cursor, 1);
			}
			skip_space(&cursor);
			if (*cursor.at++ == ']')
				break;
		}
	}
	strbuf_release(&reader.scratch);
	strbuf_release(&reader.key);
	return result < 0 ? -1 : 0;
}
