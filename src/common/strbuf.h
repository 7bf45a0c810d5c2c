/* Growable byte buffers with a hard size cap (after curl's dynbuf).
 * Ownership: a strbuf owns its data; strbuf_detach hands it to the caller. */
#ifndef LATTIGO_STRBUF_H
#define LATTIGO_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t length;
	size_t capacity;
	size_t limit; /* appending past this many bytes fails with STRBUF_TOO_BIG */
};

enum strbuf_result { STRBUF_OK = 0, STRBUF_NO_MEMORY = -1, STRBUF_TOO_BIG = -2 };

/* Prepares an empty buffer that refuses to grow beyond limit bytes. */
void strbuf_init(struct strbuf *buffer, size_t limit);
/* Makes room for extra more bytes (and the NUL) without appending, so a
 * writer that knows a bound can write at data + length; returns a strbuf_result. */
int strbuf_reserve(struct strbuf *buffer, size_t extra);
/* Appends length bytes; returns a strbuf_result. */
int strbuf_append(struct strbuf *buffer, const void *data, size_t length);
/* Appends a NUL-terminated string; returns a strbuf_result. */
int strbuf_append_string(struct strbuf *buffer, const char *text);
/* Appends one byte; returns a strbuf_result. */
int strbuf_append_char(struct strbuf *buffer, char character);
/* Appends printf-style formatted text; returns a strbuf_result. */
int strbuf_appendf(struct strbuf *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* As strbuf_appendf with a va_list. */
int strbuf_vappendf(struct strbuf *buffer, const char *format, va_list arguments)
    __attribute__((format(printf, 2, 0)));
/* Empties the buffer but keeps its memory for reuse. */
void strbuf_reset(struct strbuf *buffer);
/* Returns the text (never NULL: "" when empty); owned by the buffer. */
const char *strbuf_text(const struct strbuf *buffer);
/* Frees the contents; the buffer may be reused after strbuf_init. */
void strbuf_release(struct strbuf *buffer);
/* Hands the caller the data (malloc'd, NUL-terminated, never NULL unless out of memory) and empties
 * the buffer. */
char *strbuf_detach(struct strbuf *buffer, size_t *length);

#endif
