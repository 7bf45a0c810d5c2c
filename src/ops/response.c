/* Outcome messages and the verdicts shared by every response mapper. */
#include "ops/response.h"

#include "ops/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { QUOTE_MAX = 200 };

void outcome_set_text(struct row_outcome *outcome, enum row_status status, const char *text,
                      size_t length)
{
	size_t room = sizeof(outcome->message) - 1;
	if (length > room) {
		length = room;
		/* Step back over continuation bytes so a character is never cut. */
		while (length > 0 && ((unsigned char)text[length] & 0xc0u) == 0x80u)
			length--;
	}
	memcpy(outcome->message, text, length);
	outcome->message[length] = '\0';
	outcome->status = status;
}

void outcome_set(struct row_outcome *outcome, enum row_status status, const char *format, ...)
{
	struct strbuf text;
	strbuf_init(&text, 4096);
	va_list arguments;
	va_start(arguments, format);
	strbuf_vappendf(&text, format, arguments);
	va_end(arguments);
	outcome_set_text(outcome, status, strbuf_text(&text), text.length);
	strbuf_release(&text);
}

void outcomes_reset(struct row_outcome *outcomes, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		outcomes[index].status = ROW_PENDING;
		outcomes[index].message[0] = '\0';
	}
}

void outcomes_mark_unmentioned(struct row_outcome *outcomes, size_t count)
{
	for (size_t index = 0; index < count; index++)
		if (outcomes[index].status == ROW_PENDING)
			outcome_set(&outcomes[index], ROW_UNKNOWN, "not mentioned in the answer");
}

void response_quote(struct strbuf *out, const char *raw, size_t raw_length)
{
	strbuf_append_char(out, '\'');
	if (raw)
		text_quote(out, raw, raw_length, QUOTE_MAX);
	strbuf_append_char(out, '\'');
}

static void set_all(size_t count, struct row_outcome *outcomes, enum row_status status,
                    const struct strbuf *message)
{
	for (size_t index = 0; index < count; index++)
		if (outcomes[index].status == ROW_PENDING)
			outcome_set_text(&outcomes[index], status, strbuf_text(message),
			                 message->length);
}

void response_http_failure(const struct op *op, long http_status, const char *raw,
                           size_t raw_length, size_t count, struct row_outcome *outcomes)
{
	struct strbuf message;
	strbuf_init(&message, 1024);
	enum row_status status = ROW_ERROR;
	if (http_status >= 500 && (op->flags & OP_NON_IDEMPOTENT))
		status = ROW_UNKNOWN;
	if (raw && raw_length) {
		strbuf_appendf(&message, "HTTP %ld: ", http_status);
		text_quote(&message, raw, raw_length, QUOTE_MAX);
	} else {
		strbuf_appendf(&message, "HTTP %ld (empty answer)", http_status);
	}
	if (status == ROW_UNKNOWN)
		strbuf_append_string(&message, " — the service failed after receiving the call; "
		                               "it may or may not have been applied");
	set_all(count, outcomes, status, &message);
	strbuf_release(&message);
}

void response_unexpected(const struct op *op, long http_status, const char *raw, size_t raw_length,
                         const char *why, size_t count, struct row_outcome *outcomes)
{
	struct strbuf message;
	strbuf_init(&message, 1024);
	strbuf_appendf(&message, "unexpected answer (HTTP %ld, %s): ", http_status, why);
	response_quote(&message, raw, raw_length);
	enum row_status status = ROW_ERROR;
	if (op->flags & OP_NON_IDEMPOTENT) {
		status = ROW_UNKNOWN;
		strbuf_append_string(&message,
		                     " — it may have been applied; check before resending");
	}
	set_all(count, outcomes, status, &message);
	strbuf_release(&message);
}

void response_value_text(struct strbuf *out, const json_t *value)
{
	if (json_is_string(value)) {
		strbuf_append(out, json_string_value(value), json_string_length(value));
		return;
	}
	/* 15 significant digits print 52.1 as 52.1, not 52.100000000000001. */
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (text) {
		strbuf_append_string(out, text);
		free(text);
	}
}

const json_t *response_device_map(const json_t *body, const struct record *const *records,
                                  size_t count, bool strict)
{
	if (!json_is_object(body))
		return NULL;
	const json_t *map = json_object_get(body, "change_status");
	if (json_is_object(map))
		return map;
	map = json_object_get(body, "status");
	if (json_is_object(map))
		return map;
	for (size_t index = 0; index < count; index++) {
		const char *name = records[index]->value[FIELD_DEVICE_NAME];
		if (name && json_object_get(body, name))
			return body;
	}
	if (!strict && count == 1 && json_object_size(body) == 1 &&
	    !json_object_get(body, "error") && !json_object_get(body, "errors") &&
	    !json_object_get(body, "message"))
		return body;
	return NULL;
}

const json_t *response_device_entry(const json_t *map, const struct record *record, size_t count)
{
	const char *name = record->value[FIELD_DEVICE_NAME];
	const json_t *entry = name ? json_object_get(map, name) : NULL;
	if (entry)
		return entry;
	if (count == 1 && json_object_size(map) == 1) {
		void *iterator = json_object_iter((json_t *)map);
		return json_object_iter_value(iterator);
	}
	return NULL;
}
