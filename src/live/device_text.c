/* A one-pass reader of device JSON: the text is checked the way jansson's
 * decoder would check it while the snapshot's fields are taken from each
 * object into a scratch buffer; only once the whole text is known good are
 * the objects handed over. Recursive descent over a cursor, no allocation
 * but the scratch buffers. */
#include "live/device_text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Nesting deeper than this is refused (jansson's JSON_PARSER_MAX_DEPTH). */
#define MAX_DEPTH 2048
/* Keys of an object remembered by position (the API writes every device
 * with the same keys in the same order). */
#define SHAPE_KEYS 64

struct cursor {
	const char *at, *end;
};

/* Where one field's value went in the scratch buffer. */
struct taken {
	size_t offset, length;
	bool present;
};

/* A key seen at one position of an object: its raw text in the answer
 * (no escape in it) and the field it names (-1: none). */
struct shape_key {
	const char *text;
	size_t length;
	int field;
};

struct reader {
	struct strbuf scratch; /* decoded strings and numbers of every object taken */
	struct strbuf key;     /* an escaped key, decoded */
	struct taken (*objects)[DEVICE_FIELD_COUNT]; /* where each object's fields went */
	size_t count, capacity;
	size_t name_length[DEVICE_FIELD_COUNT];
	/* the previous object's keys: a key with the same bytes at the same
	 * position names the same field, and is as valid, without being scanned
	 * and looked up again (most of a page's keys) */
	struct shape_key shape[SHAPE_KEYS];
};

static void skip_white(struct cursor *cursor)
{
	while (cursor->at < cursor->end && (*cursor->at == ' ' || *cursor->at == '\t' ||
	                                    *cursor->at == '\n' || *cursor->at == '\r'))
		cursor->at++;
}

/* Every byte of white space is at most ' ': one test in line passes the
 * usual compact text (a page has a hundred thousand places to look). */
static inline void skip_space(struct cursor *cursor)
{
	if (cursor->at < cursor->end && (unsigned char)*cursor->at <= ' ')
		skip_white(cursor);
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

/* Bytes that end a run of plain string text: '"', '\\' and controls. */
static int stops_string(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20;
}

#ifndef __SSE2__
/* Whether any of the eight bytes of word may end a plain run: '"', '\\' or
 * a control byte (the classic has-zero-byte word trick: a byte equal to c
 * is a zero byte of word ^ c; a false alarm only costs the byte loop). */
static bool word_may_stop(uint64_t word)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t quote = word ^ (ones * '"'), backslash = word ^ (ones * '\\');
	uint64_t stops = ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
	                 ((word - ones * 0x20) & ~word);
	return (stops & highs) != 0;
}
#endif

/* strbuf_append where the room is already there, in line: a page appends a
 * dozen short values a device, and the call was a fifth of reading it.
 * readable is how many bytes may be read at data (the rest of the text). */
static int scratch_append(struct strbuf *out, const char *data, size_t length, size_t readable)
{
	if (out->data && length < out->capacity - out->length &&
	    length <= out->limit - out->length) {
		char *at = out->data + out->length;
#ifdef __SSE2__
		/* a short value in one sixteen-byte move (the bytes past it are
		 * overwritten later or lie past the end) instead of a memcpy call */
		if (length <= 16 && readable >= 16 && out->capacity - out->length > 16)
			_mm_storeu_si128((__m128i *)(void *)at,
			                 _mm_loadu_si128((const __m128i *)(const void *)data));
		else
#endif
			memcpy(at, data, length);
		(void)readable;
		out->length += length;
		out->data[out->length] = '\0';
		return STRBUF_OK;
	}
	return strbuf_append(out, data, length);
}

/* Ends the value just appended to out with its NUL (there already: a
 * strbuf is always terminated), so that the next one follows it. */
static int scratch_terminate(struct strbuf *out)
{
	if (out->data && out->capacity - out->length > 1) {
		out->data[++out->length] = '\0';
		return STRBUF_OK;
	}
	return strbuf_append(out, "", 1);
}

/* The end of the run of plain string text at at: the first '"', '\\' or
 * control byte, or end. Most of a page is plain text in short strings. */
static const char *plain_run_end(const char *at, const char *end)
{
#ifdef __SSE2__
	/* sixteen bytes a step, the stop found exactly (no byte loop after) */
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');
	const __m128i control = _mm_set1_epi8(0x1F);
	while (end - at >= 16) {
		__m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)at);
		/* unsigned bytes <= 0x1F: their minimum with 0x1F is themselves */
		__m128i stops = _mm_or_si128(
		    _mm_cmpeq_epi8(_mm_min_epu8(bytes, control), bytes),
		    _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
		unsigned mask = (unsigned)_mm_movemask_epi8(stops);
		if (mask)
			return at + __builtin_ctz(mask);
		at += 16;
	}
#else
	uint64_t word;
	while (end - at >= 8 && (memcpy(&word, at, sizeof(word)), !word_may_stop(word)))
		at += 8;
#endif
	while (at < end && !stops_string((unsigned char)*at))
		at++;
	return at;
}

/* A string at cursor (past its opening quote): checked, and decoded into
 * out when out is not NULL. Returns 0, 1 (not JSON), -1 (out of memory). */
static int string(struct cursor *cursor, struct strbuf *out)
{
	const char *plain = cursor->at;
	while (cursor->at < cursor->end) {
		cursor->at = plain_run_end(cursor->at, cursor->end);
		if (cursor->at == cursor->end)
			break;
		unsigned char c = (unsigned char)*cursor->at;
		if (c == '"' || c == '\\') {
			if (out && scratch_append(out, plain, (size_t)(cursor->at - plain),
			                          (size_t)(cursor->end - plain)) != STRBUF_OK)
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
	bool integer = true, exponent = false;
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
		exponent = true;
		if (++at < cursor->end && (*at == '+' || *at == '-'))
			at++;
		if (at == cursor->end || *at < '0' || *at > '9')
			return 1;
		while (at < cursor->end && *at >= '0' && *at <= '9')
			at++;
	}
	cursor->at = at;
	size_t length = (size_t)(at - start);
	if (integer && length > 21)
		return 1; /* more digits than 64 bits hold: jansson refuses it too */
	/* only reading a value, or a number near a limit, needs the conversion:
	 * 18 digits always fit 64 bits, and a real without an exponent and
	 * fewer than 300 digits cannot overflow */
	if (!out && ((integer && length <= 18) || (!integer && !exponent && length < 300)))
		return 0;
	char small[64];
	char *text = length < sizeof(small) ? small : malloc(length + 1);
	if (!text)
		return -1;
	memcpy(text, start, length);
	text[length] = '\0';
	char formatted[40];
	int written = 0;
	errno = 0;
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

/* The field key names, or -1: by length first (most keys of a page are not
 * the snapshot's), then the bytes. */
static int field_of(const struct reader *reader, const char *key, size_t length)
{
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if (reader->name_length[field] == length &&
		    memcmp(device_field_name((enum device_field)field), key, length) == 0)
			return field;
	return -1;
}

/* Whether the length bytes at at (available bytes up to the text's end)
 * are those at known, which lies before at in the same text: a key and its
 * closing quote against the previous object's key at the same position. */
static bool same_key(const char *at, const char *known, size_t length, size_t available)
{
	if (available < length)
		return false;
#ifdef __SSE2__
	/* in line, not a memcmp call: a page compares twenty thousand keys */
	if (length <= 16 && available >= 16) {
		__m128i equal =
		    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)at),
		                   _mm_loadu_si128((const __m128i *)(const void *)known));
		unsigned wanted = (1u << length) - 1u;
		return ((unsigned)_mm_movemask_epi8(equal) & wanted) == wanted;
	}
	if (length <= 32 && available >= 32) {
		__m128i low = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)at),
		                             _mm_loadu_si128((const __m128i *)(const void *)known));
		__m128i high =
		    _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(at + 16)),
		                   _mm_loadu_si128((const __m128i *)(const void *)(known + 16)));
		uint32_t mask = (uint32_t)_mm_movemask_epi8(low) | (uint32_t)_mm_movemask_epi8(high)
		                                                       << 16;
		uint32_t wanted = length == 32 ? UINT32_MAX : (UINT32_C(1) << length) - 1u;
		return (mask & wanted) == wanted;
	}
#endif
	return memcmp(at, known, length) == 0;
}

/* The key at cursor (past its opening quote), checked; returns the field it
 * names in *field (-1: none). position is the key's place in its object.
 * Returns 0, 1 (not JSON), -1 (out of memory). */
static int key_of(struct reader *reader, struct cursor *cursor, size_t position, int *field)
{
	struct shape_key *known = position < SHAPE_KEYS ? &reader->shape[position] : NULL;
	if (known && known->text &&
	    same_key(cursor->at, known->text, known->length + 1,
	             (size_t)(cursor->end - cursor->at))) {
		cursor->at += known->length + 1;
		*field = known->field;
		return 0;
	}
	const char *start = cursor->at;
	int result = string(cursor, NULL);
	if (result != 0)
		return result;
	size_t length = (size_t)(cursor->at - start) - 1; /* the closing quote */
	if (!memchr(start, '\\', length)) {
		*field = field_of(reader, start, length);
		if (known)
			*known = (struct shape_key){start, length, *field};
		return 0;
	}
	/* an escaped key ("\u0069ccid" is "iccid"): decoded, as jansson does */
	struct cursor again = {start, cursor->at};
	strbuf_reset(&reader->key);
	if (string(&again, &reader->key) < 0)
		return -1;
	*field = field_of(reader, reader->key.data ? reader->key.data : "", reader->key.length);
	return 0;
}

/* Passes c at cursor, white space before it allowed; false (cursor past
 * the white space) when another byte or the end comes first. In the usual
 * compact text c is right there: one test. */
static inline bool pass(struct cursor *cursor, char c)
{
	if (cursor->at < cursor->end && *cursor->at == c) {
		cursor->at++;
		return true;
	}
	skip_space(cursor);
	if (cursor->at < cursor->end && *cursor->at == c) {
		cursor->at++;
		return true;
	}
	return false;
}

/* Room for one more object's fields. */
static struct taken *next_object(struct reader *reader)
{
	if (reader->count == reader->capacity) {
		size_t capacity = reader->capacity ? reader->capacity * 2 : 64;
		struct taken(*objects)[DEVICE_FIELD_COUNT] =
		    realloc(reader->objects, capacity * sizeof(*objects));
		if (!objects)
			return NULL;
		reader->objects = objects;
		reader->capacity = capacity;
	}
	struct taken *taken = reader->objects[reader->count++];
	memset(taken, 0, sizeof(struct taken) * DEVICE_FIELD_COUNT);
	return taken;
}

/* One object at cursor (past its '{', at depth): checked, its fields taken
 * into the scratch buffer as the next object. Returns 0, 1 (not JSON), -1
 * (out of memory). */
static int take_object(struct reader *reader, struct cursor *cursor, int depth)
{
	struct taken *taken = next_object(reader);
	if (!taken)
		return -1;
	if (depth >= MAX_DEPTH)
		return 1;
	skip_space(cursor);
	if (cursor->at < cursor->end && *cursor->at == '}') {
		cursor->at++;
		return 0;
	}
	for (size_t position = 0;; position++) {
		if (cursor->at == cursor->end || *cursor->at != '"')
			return 1;
		cursor->at++;
		int field = -1;
		int result = key_of(reader, cursor, position, &field);
		if (result != 0)
			return result;
		if (!pass(cursor, ':'))
			return 1;
		skip_space(cursor);
		if (cursor->at == cursor->end)
			return 1;
		size_t offset = reader->scratch.length;
		char first = *cursor->at;
		bool kept = field >= 0;
		if (field < 0) {
			result = value(cursor, depth + 1);
		} else if (first == '"') {
			cursor->at++;
			result = string(cursor, &reader->scratch);
		} else if (first == '-' || (first >= '0' && first <= '9')) {
			result = number(cursor, &reader->scratch);
		} else if (first == 't' || first == 'f') {
			const char *word = first == 't' ? "true" : "false";
			result = literal(cursor, word);
			if (result == 0 &&
			    strbuf_append_string(&reader->scratch, word) != STRBUF_OK)
				result = -1;
		} else {
			kept = false; /* null, an object or an array: no value */
			result = value(cursor, depth + 1);
		}
		if (result != 0)
			return result;
		if (field >= 0) { /* a repeated key: the last one counts, as in jansson */
			taken[field] =
			    (struct taken){offset, reader->scratch.length - offset, kept};
			/* values lie back to back in the scratch: each ends with a NUL */
			if (kept && scratch_terminate(&reader->scratch) != STRBUF_OK)
				return -1;
		}
		if (pass(cursor, ',')) {
			skip_space(cursor);
			continue;
		}
		return cursor->at < cursor->end && *cursor->at++ == '}' ? 0 : 1;
	}
}

/* The items of the array at cursor (past its '['): objects taken, the others
 * checked and passed over. */
static int take_array(struct reader *reader, struct cursor *cursor, size_t *count)
{
	skip_space(cursor);
	if (cursor->at < cursor->end && *cursor->at == ']') {
		cursor->at++;
		return 0;
	}
	for (;;) {
		skip_space(cursor);
		if (cursor->at == cursor->end)
			return 1;
		int result;
		if (*cursor->at == '{') {
			cursor->at++;
			result = take_object(reader, cursor, 1);
		} else {
			result = value(cursor, 1);
		}
		if (result != 0)
			return result;
		(*count)++;
		skip_space(cursor);
		if (cursor->at == cursor->end)
			return 1;
		char c = *cursor->at++;
		if (c == ']')
			return 0;
		if (c != ',')
			return 1;
	}
}

/* Hands every object taken to each(), in order. */
static int hand_over(struct reader *reader, device_text_each *each, void *context)
{
	const char *values[DEVICE_FIELD_COUNT];
	size_t lengths[DEVICE_FIELD_COUNT];
	for (size_t object = 0; object < reader->count; object++) {
		const struct taken *taken = reader->objects[object];
		for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
			values[field] = taken[field].present
			                    ? strbuf_text(&reader->scratch) + taken[field].offset
			                    : NULL;
			lengths[field] = taken[field].present ? taken[field].length : 0;
		}
		if (each(context, values, lengths) != 0)
			return -1;
	}
	return 0;
}

void device_text_buffers_init(struct device_text_buffers *buffers)
{
	strbuf_init(&buffers->scratch, SIZE_MAX);
	strbuf_init(&buffers->key, SIZE_MAX);
	buffers->objects = NULL;
	buffers->capacity = 0;
}

void device_text_buffers_release(struct device_text_buffers *buffers)
{
	strbuf_release(&buffers->scratch);
	strbuf_release(&buffers->key);
	free(buffers->objects);
	device_text_buffers_init(buffers);
}

int device_text_read(struct device_text_buffers *buffers, const char *text, size_t length,
                     bool single, device_text_each *each, void *context, size_t *count)
{
	*count = 0;
	if (!utf8_validate(text, length, NULL))
		return 1;
	struct cursor cursor = {text, text + length};
	skip_space(&cursor);
	char open = single ? '{' : '[';
	if (cursor.at == cursor.end || *cursor.at != open)
		return 1;
	cursor.at++;
	struct device_text_buffers own;
	if (!buffers) {
		device_text_buffers_init(&own);
		buffers = &own;
	}
	struct reader reader;
	memset(&reader, 0, sizeof(reader));
	reader.scratch = buffers->scratch;
	reader.key = buffers->key;
	reader.objects = buffers->objects;
	reader.capacity = buffers->capacity;
	strbuf_reset(&reader.scratch);
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		reader.name_length[field] = strlen(device_field_name((enum device_field)field));
	size_t items = 0;
	int result =
	    single ? take_object(&reader, &cursor, 0) : take_array(&reader, &cursor, &items);
	skip_space(&cursor);
	if (result == 0 && cursor.at != cursor.end)
		result = 1;
	if (result == 0) {
		*count = single ? 1 : items;
		result = hand_over(&reader, each, context);
	}
	buffers->scratch = reader.scratch;
	buffers->key = reader.key;
	buffers->objects = reader.objects;
	buffers->capacity = reader.capacity;
	if (buffers == &own)
		device_text_buffers_release(&own);
	return result;
}
