/* JSON strings written as text (common/json_text.h). */
#include "common/json_text.h"

#include <string.h>

#include "common/utf8.h"

int json_text_string(struct strbuf *out, const char *text)
{
	size_t length = text ? strlen(text) : 0;
	if (length && !utf8_validate(text, length, NULL))
		length = 0;
	int result = strbuf_append_char(out, '"');
	size_t plain = 0;
	for (size_t i = 0; i < length && result == STRBUF_OK; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		result = strbuf_append(out, text + plain, i - plain);
		plain = i + 1;
		static const char short_forms[] = "\b\f\n\r\t";
		const char *form = c ? strchr(short_forms, c) : NULL;
		if (c == '"' || c == '\\')
			result |= strbuf_append_char(out, '\\') | strbuf_append_char(out, (char)c);
		else if (form)
			result |= strbuf_append_char(out, '\\') |
			          strbuf_append_char(out, "bfnrt"[form - short_forms]);
		else
			result |= strbuf_appendf(out, "\\u%04X", c);
	}
	result |= strbuf_append(out, text + plain, length - plain);
	return result | strbuf_append_char(out, '"');
}
