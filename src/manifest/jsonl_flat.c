/* The JSONL fast path: a line that is one flat object (string, number, true,
 * false and null values; plain ASCII keys) is split where it lies, without
 * jansson, with exactly the row jansson's path (jsonl_reader.c) makes of it.
 * Nearly every line of a manifest is such an object, and jansson builds a
 * tree of allocations for each. */
#include "manifest_internal.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Keys of one line the fast path takes; a line with more goes to jansson. */
#define FLAT_MAX_MEMBERS 64u

enum flat_value { FLAT_STRING, FLAT_NUMBER, FLAT_TRUE, FLAT_FALSE, FLAT_NULL };

struct flat_member {
	const char *key;
	size_t key_length;
	char *value; /* the value's first byte (a string's: after its quote) */
	char *stop;  /* a string's closing quote; the byte after a number */
	enum flat_value kind;
	bool escaped; /* a string holding backslash escapes */
	long column;  /* -1 until resolved */
};

static bool is_digit(char character)
{
	return character >= '0' && character <= '9';
}

size_t jsonl_number_length(const char *text, size_t available)
{
	size_t index = 0;
	if (index < available && text[index] == '-')
		index++;
	size_t digits_start = index;
	while (index < available && is_digit(text[index]))
		index++;
	if (index == digits_start)
		return 0;
	if (index < available && text[index] == '.') {
		size_t fraction_start = ++index;
		while (index < available && is_digit(text[index]))
			index++;
		if (index == fraction_start)
			return 0;
	}
	if (index < available && (text[index] == 'e' || text[index] == 'E')) {
		index++;
		if (index < available && (text[index] == '+' || text[index] == '-'))
			index++;
		size_t exponent_start = index;
		while (index < available && is_digit(text[index]))
			index++;
		if (index == exponent_start)
			return 0;
	}
	return index;
}

static char *skip_space(char *at, const char *end)
{
	while (at < end && (*at == ' ' || *at == '\t' || *at == '\r' || *at == '\n'))
		at++;
	return at;
}

static int hex_digit(char character)
{
	if (character >= '0' && character <= '9')
		return character - '0';
	if (character >= 'a' && character <= 'f')
		return character - 'a' + 10;
	if (character >= 'A' && character <= 'F')
		return character - 'A' + 10;
	return -1;
}

/* The four hex digits at text as a number, or -1. */
static long hex4(const char *text)
{
	long value = 0;
	for (int index = 0; index < 4; index++) {
		int digit = hex_digit(text[index]);
		if (digit < 0)
			return -1;
		value = value * 16 + digit;
	}
	return value;
}

/* The escape at text (its backslash): the code point it stands for and its
 * length in *size, or -1 for one jansson would refuse (or that the fast path
 * leaves to it: \u0000, a lone surrogate). */
static long escape_at(const char *text, const char *end, size_t *size)
{
	if (end - text < 2)
		return -1;
	*size = 2;
	switch (text[1]) {
	case '"':
	case '\\':
	case '/':
		return text[1];
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'u':
		break;
	default:
		return -1;
	}
	if (end - text < 6)
		return -1;
	long high = hex4(text + 2);
	*size = 6;
	if (high <= 0 || (high >= 0xDC00 && high <= 0xDFFF))
		return -1;
	if (high < 0xD800 || high > 0xDBFF)
		return high;
	if (end - text < 12 || text[6] != '\\' || text[7] != 'u')
		return -1;
	long low = hex4(text + 8);
	if (low < 0xDC00 || low > 0xDFFF)
		return -1;
	*size = 12;
	return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
}

/* The closing quote of the string whose opening quote is at start, with
 * *escaped set when it holds escapes; NULL when jansson's judgement is
 * needed: a control character, a byte that is not ASCII, an escape it would
 * refuse, or no closing quote. */
static char *string_end(char *start, const char *end, bool *escaped)
{
	*escaped = false;
	for (char *at = start + 1; at < end; at++) {
#ifdef __SSE2__
		/* sixteen plain bytes a step: a quote, a backslash, a control byte or
		 * one past ASCII (negative as a signed byte) stops the run */
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i backslash = _mm_set1_epi8('\\');
		const __m128i space = _mm_set1_epi8(0x20);
		while (end - at >= 16) {
			__m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)at);
			unsigned stop = (unsigned)_mm_movemask_epi8(
			    _mm_or_si128(_mm_cmplt_epi8(bytes, space),
			                 _mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
			                              _mm_cmpeq_epi8(bytes, backslash))));
			if (stop) {
				at += __builtin_ctz(stop);
				break;
			}
			at += 16;
		}
		if (at == end)
			break;
#endif
		unsigned char byte = (unsigned char)*at;
		if (byte == '"')
			return at;
		if (byte < 0x20 || byte >= 0x80)
			return NULL;
		if (byte == '\\') {
			size_t size = 0;
			if (escape_at(at, end, &size) < 0)
				return NULL;
			*escaped = true;
			at += size - 1;
		}
	}
	return NULL;
}

/* Writes the UTF-8 form of code_point at out; returns its length. */
static size_t put_utf8(char *out, long code_point)
{
	if (code_point < 0x80) {
		out[0] = (char)code_point;
		return 1;
	}
	if (code_point < 0x800) {
		out[0] = (char)(0xC0 | (code_point >> 6));
		out[1] = (char)(0x80 | (code_point & 0x3F));
		return 2;
	}
	if (code_point < 0x10000) {
		out[0] = (char)(0xE0 | (code_point >> 12));
		out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
		out[2] = (char)(0x80 | (code_point & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (code_point >> 18));
	out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
	out[3] = (char)(0x80 | (code_point & 0x3F));
	return 4;
}

/* Decodes the escapes of a string checked by string_end, in place (the text
 * only shrinks), and NUL-terminates it. Returns its length. */
static size_t unescape(char *value, const char *stop)
{
	char *write = value;
	for (const char *read = value; read < stop;) {
		if (*read != '\\') {
			*write++ = *read++;
			continue;
		}
		size_t size = 0;
		long code_point = escape_at(read, stop, &size);
		write += put_utf8(write, code_point);
		read += size;
	}
	*write = '\0';
	return (size_t)(write - value);
}

/* What follows a value: space, then a comma or the closing brace. */
static bool ends_value(char character)
{
	return character == ',' || character == '}' || character == ' ' || character == '\t' ||
	       character == '\r' || character == '\n';
}

/* Reads one value at at into member; returns the byte after it, or NULL. */
static char *read_value(char *at, char *end, struct flat_member *member)
{
	member->escaped = false;
	if (*at == '"') {
		char *stop = string_end(at, end, &member->escaped);
		size_t size = 0;
		/* jansson's path takes a value starting with U+FDD0 for its own
		 * mark of a number (jsonl_reader.c) */
		if (!stop || (member->escaped && at[1] == '\\' &&
		              escape_at(at + 1, stop, &size) == JSONL_NUMBER_MARK))
			return NULL;
		member->kind = FLAT_STRING;
		member->value = at + 1;
		member->stop = stop;
		return stop + 1;
	}
	static const struct {
		const char *word;
		size_t length;
		enum flat_value kind;
	} words[] = {{"true", 4, FLAT_TRUE}, {"false", 5, FLAT_FALSE}, {"null", 4, FLAT_NULL}};
	for (size_t index = 0; index < sizeof(words) / sizeof(words[0]); index++)
		if ((size_t)(end - at) > words[index].length &&
		    memcmp(at, words[index].word, words[index].length) == 0 &&
		    ends_value(at[words[index].length])) {
			member->kind = words[index].kind;
			return at + words[index].length;
		}
	size_t number = jsonl_number_length(at, (size_t)(end - at));
	if (number == 0 || number == (size_t)(end - at) || !ends_value(at[number]))
		return NULL;
	member->kind = FLAT_NUMBER;
	member->value = at;
	member->stop = at + number;
	return at + number;
}

/* Splits line into members; returns their count, or -1 when jansson must
 * read the line. */
static long read_members(char *line, char *end, struct flat_member *members)
{
	char *at = skip_space(line, end);
	if (at == end || *at != '{')
		return -1;
	at = skip_space(at + 1, end);
	size_t count = 0;
	if (at < end && *at == '}')
		return skip_space(at + 1, end) == end ? 0 : -1;
	for (;;) {
		if (at == end || *at != '"' || count == FLAT_MAX_MEMBERS)
			return -1;
		struct flat_member *member = &members[count++];
		bool escaped = false;
		char *key_end = string_end(at, end, &escaped);
		if (!key_end || escaped || key_end - at - 1 > (long)MANIFEST_MAX_KEY)
			return -1;
		member->key = at + 1;
		member->key_length = (size_t)(key_end - at - 1);
		at = skip_space(key_end + 1, end);
		if (at == end || *at != ':')
			return -1;
		at = skip_space(at + 1, end);
		if (at == end || !(at = read_value(at, end, member)))
			return -1;
		at = skip_space(at, end);
		if (at == end)
			return -1;
		if (*at == '}')
			return skip_space(at + 1, end) == end ? (long)count : -1;
		if (*at != ',')
			return -1;
		at = skip_space(at + 1, end);
	}
}

static bool same_key(const char *name, const struct flat_member *member)
{
	return strncmp(name, member->key, member->key_length) == 0 &&
	       name[member->key_length] == '\0';
}

/* The column named by member's key, trying column hint first, or -1. */
static long find_column(const struct manifest *manifest, const struct flat_member *member,
                        size_t hint)
{
	if (hint < manifest->column_count && same_key(manifest->column_names[hint], member))
		return (long)hint;
	for (size_t index = 0; index < manifest->column_count; index++)
		if (same_key(manifest->column_names[index], member))
			return (long)index;
	return -1;
}

/* Finds each member's column, then adds the new ones, in the line's order
 * (as jansson's path does). False, with nothing added, for a key given twice
 * (jansson's path refuses the line) or too many keys in the file. */
static bool resolve_columns(struct manifest *manifest, struct flat_member *members, size_t count)
{
	size_t new_keys = 0;
	for (size_t index = 0; index < count; index++) {
		members[index].column = find_column(manifest, &members[index], index);
		if (members[index].column < 0)
			new_keys++;
		for (size_t other = 0; other < index; other++)
			if (members[other].key_length == members[index].key_length &&
			    memcmp(members[other].key, members[index].key,
			           members[index].key_length) == 0)
				return false;
	}
	if (new_keys > MANIFEST_MAX_COLUMNS - manifest->column_count)
		return false;
	for (size_t index = 0; index < count && new_keys; index++) {
		if (members[index].column >= 0)
			continue;
		members[index].column =
		    manifest_add_column(manifest, members[index].key, members[index].key_length);
		if (members[index].column < 0)
			return false; /* out of memory: jansson's path says so */
	}
	return true;
}

bool jsonl_flat_split(struct manifest *manifest, char *line, size_t length, size_t *lengths,
                      bool *ascii)
{
	struct flat_member members[FLAT_MAX_MEMBERS];
	long count = read_members(line, line + length, members);
	if (count < 0 || !resolve_columns(manifest, members, (size_t)count))
		return false;
	/* the line is taken: from here on it is written over */
	for (size_t index = 0; index < manifest->column_count; index++)
		lengths[index] = 0;
	*ascii = true; /* string_end let no other byte through; an escape may make one */
	for (long index = 0; index < count; index++) {
		struct flat_member *member = &members[index];
		size_t column = (size_t)member->column;
		switch (member->kind) {
		case FLAT_STRING:
		case FLAT_NUMBER:
			manifest->values[column] = member->value;
			lengths[column] = member->escaped ? unescape(member->value, member->stop)
			                                  : (size_t)(member->stop - member->value);
			if (member->escaped)
				*ascii = false;
			if (!member->escaped)
				*member->stop = '\0';
			if (member->kind == FLAT_NUMBER)
				manifest->kinds[column] = MANIFEST_VALUE_NUMBER;
			break;
		case FLAT_TRUE:
			manifest->values[column] = "true";
			lengths[column] = 4;
			break;
		case FLAT_FALSE:
			manifest->values[column] = "false";
			lengths[column] = 5;
			break;
		case FLAT_NULL:
			break;
		}
	}
	return true;
}
