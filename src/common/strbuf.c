/* Capped growable buffers: every manifest field and response body is bounded. */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *buffer, size_t limit)
{
	buffer->data = NULL;
	buffer->length = 0;
	buffer->capacity = 0;
	buffer->limit = limit;
}

int strbuf_reserve(struct strbuf *buffer, size_t extra)
{
	if (extra > buffer->limit - buffer->length)
		return STRBUF_TOO_BIG;
	size_t needed = buffer->length + extra + 1;
	if (needed <= buffer->capacity)
		return STRBUF_OK;
	size_t capacity = buffer->capacity ? buffer->capacity : 64;
	while (capacity < needed)
		capacity *= 2;
	char *grown = realloc(buffer->data, capacity);
	if (!grown)
		return STRBUF_NO_MEMORY;
	buffer->data = grown;
	buffer->capacity = capacity;
	return STRBUF_OK;
}

int strbuf_append(struct strbuf *buffer, const void *data, size_t length)
{
	int result = strbuf_reserve(buffer, length);
	if (result != STRBUF_OK)
		return result;
	if (length)
		memcpy(buffer->data + buffer->length, data, length);
	buffer->length += length;
	buffer->data[buffer->length] = '\0';
	return STRBUF_OK;
}

int strbuf_append_string(struct strbuf *buffer, const char *text)
{
	return strbuf_append(buffer, text, strlen(text));
}

int strbuf_append_char(struct strbuf *buffer, char character)
{
	return strbuf_append(buffer, &character, 1);
}

int strbuf_vappendf(struct strbuf *buffer, const char *format, va_list arguments)
{
	va_list copy;
	va_copy(copy, arguments);
	int needed = vsnprintf(NULL, 0, format, copy);
	va_end(copy);
	if (needed < 0)
		return STRBUF_NO_MEMORY;
	int result = strbuf_reserve(buffer, (size_t)needed);
	if (result != STRBUF_OK)
		return result;
	vsnprintf(buffer->data + buffer->length, (size_t)needed + 1, format, arguments);
	buffer->length += (size_t)needed;
	return STRBUF_OK;
}

int strbuf_appendf(struct strbuf *buffer, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	int result = strbuf_vappendf(buffer, format, arguments);
	va_end(arguments);
	return result;
}

void strbuf_reset(struct strbuf *buffer)
{
	buffer->length = 0;
	if (buffer->data)
		buffer->data[0] = '\0';
}

const char *strbuf_text(const struct strbuf *buffer)
{
	return buffer->data ? buffer->data : "";
}

void strbuf_release(struct strbuf *buffer)
{
	free(buffer->data);
	strbuf_init(buffer, buffer->limit);
}

char *strbuf_detach(struct strbuf *buffer, size_t *length)
{
	char *data = buffer->data;
	if (!data)
		data = calloc(1, 1);
	if (length)
		*length = buffer->length;
	strbuf_init(buffer, buffer->limit);
	return data;
}
