/* Row validation against the operation table: required fields, each field's
 * validator, then the operation's cross-field rules. */
#include "ops/validate.h"

#include <string.h>

/* Copies message into rule without its row-specific details: validators write
 * them as "(got ...)" groups (see validators.h), dropped here with the space
 * before them, so rows failing the same rule share one label. */
static void rule_label(const char *message, struct strbuf *rule)
{
	strbuf_reset(rule);
	const char *at = message;
	while (*at) {
		const char *group = strstr(at, "(got ");
		if (!group) {
			strbuf_append_string(rule, at);
			break;
		}
		const char *kept_end = group;
		if (kept_end > at && kept_end[-1] == ' ')
			kept_end--;
		strbuf_append(rule, at, (size_t)(kept_end - at));
		int depth = 0;
		const char *end = group;
		for (; *end; end++) {
			if (*end == '(')
				depth++;
			else if (*end == ')' && --depth == 0)
				break;
		}
		at = *end ? end + 1 : end;
	}
}

static bool present(const struct record *record, enum field_id field)
{
	return record->value[field] && record->value[field][0];
}

int op_validate_record(const struct op *op, const struct record *record, const size_t *lengths,
                       const struct validation_options *options, struct strbuf *message,
                       struct strbuf *rule)
{
	strbuf_reset(message);
	for (size_t index = 0; index < op->field_count; index++) {
		const struct op_field *field = &op->fields[index];
		if (!present(record, field->id)) {
			if (field->flags & OP_FIELD_REQUIRED) {
				strbuf_appendf(message, "%s: required", field_name(field->id));
				goto invalid;
			}
			continue;
		}
		/* The field's name goes before the validator's words only when the
		 * field fails: writing it first for every field of every row was 8 %
		 * of validate's instructions. rule is free until rule_label. */
		const char *value = record->value[field->id];
		size_t length = lengths ? lengths[field->id] : strlen(value);
		if (field->validate(value, length, options, message) < 0) {
			strbuf_reset(rule);
			strbuf_append_string(rule, field_name(field->id));
			strbuf_append(rule, ": ", 2);
			strbuf_append(rule, strbuf_text(message), message->length);
			strbuf_reset(message);
			strbuf_append(message, strbuf_text(rule), rule->length);
			goto invalid;
		}
		/* a validator that passes may still have written notes to message */
		if (message->length)
			strbuf_reset(message);
	}
	if (op->check_record && op->check_record(record, message) < 0)
		goto invalid;
	strbuf_reset(rule);
	return 0;
invalid:
	rule_label(strbuf_text(message), rule);
	return -1;
}
