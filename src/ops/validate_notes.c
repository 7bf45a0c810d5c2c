/* Validators for the note fields: the "standard alphabet and limited
 * symbols" of the API text (defined in docs/validation.md), 250 characters
 * in an activation, 100 on the note endpoint. */
#include "ops/text.h"
#include "ops/validators.h"

int validate_note_activation(const char *value, size_t length,
                             const struct validation_options *options, struct strbuf *rule)
{
	(void)options;
	return text_check(value, length, NOTE_ACTIVATION_MAX, &text_note_alphabet, rule);
}

int validate_note_endpoint(const char *value, size_t length,
                           const struct validation_options *options, struct strbuf *rule)
{
	(void)options;
	return text_check(value, length, NOTE_ENDPOINT_MAX, &text_note_alphabet, rule);
}
