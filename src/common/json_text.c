/* JSON strings written as text (common/json_text.h). */
#include "common/json_text.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

char *json_text_put_string(char *at, const char *text, size_t length)
{
	if (length && !utf8_validate(text, length, NULL))
		length = 0;
	*at++ = '"';
	size_t plain = 0;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		memcpy(at, text + plain, i - plain);
		at += i - plain;
		plain = i + 1;
		static const char short_forms[] = "\b\f\n\r\t";
		const char *form = c ? strchr(short_forms, c) : NULL;
		*at++ = '\\';
		if (c == '"' || c == '\\') {
			*at++ = (char)c;
		} else if (form) {
			*at++ = "bfnrt"[form - short_forms];
		} else {
			memcpy(at, "u00", 3);
			at[3] = "0123456789ABCDEF"[c >> 4];
			at[4] = "0123456789ABCDEF"[c & 15];
			at += 5;
		}
	}
	memcpy(at, text + plain, length - plain);
	at += length - plain;
	*at++ = '"';
	return at;
}

int json_text_string(struct strbuf *out, const char *text)
{
	size_t length = text ? strlen(text) : 0;
	char small[256];
	size_t bound = JSON_TEXT_STRING_BOUND(length);
	char *buffer = bound <= sizeof(small) ? small : malloc(bound);
	if (!buffer)
		return STRBUF_NO_MEMORY;
	char *end = json_text_put_string(buffer, text ? text : "", length);
	int result = strbuf_append(out, buffer, (size_t)(end - buffer));
	if (buffer != small)
		free(buffer);
	return result;
}
