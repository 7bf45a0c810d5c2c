/* Last-line-of-defence redaction of credentials in audit text (internal). */
#ifndef LATTIGO_AUDIT_REDACT_H
#define LATTIGO_AUDIT_REDACT_H

#include <stddef.h>

#include "audit.h"
#include "common/strbuf.h"

#define REDACTED_TEXT    "[REDACTED]"
#define REDACT_MAX_FORMS 4

/* The forms of the secrets to remove: the api key and its base64 forms. */
struct redactor {
	char *forms[REDACT_MAX_FORMS];
	size_t count;
};

/* Derives the forms from secrets (NULL or empty fields are skipped). Returns 0 or -1. */
int redactor_init(struct redactor *redactor, const struct audit_secrets *secrets);
/* Wipes and frees the forms. */
void redactor_release(struct redactor *redactor);
/* Appends text to out with every form replaced by [REDACTED]. Returns a strbuf_result. */
int redactor_append(const struct redactor *redactor, struct strbuf *out, const char *text,
                    size_t length);
/* Returns a redacted malloc'd copy of text (NUL-terminated; caller frees), or NULL. */
char *redactor_copy(const struct redactor *redactor, const char *text, size_t length,
                    size_t *copied_length);

#endif
