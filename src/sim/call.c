/* Helpers every handler uses: answers, parameters, pagination and
 * validation through the shared operation table. */
#include "sim/call.h"

#include "common/strbuf.h"
#include "ops/validate.h"
#include "sim/pagination.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one place an answer is replaced: either body or text. */
static void set_answer(struct sim_call *call, unsigned status, json_t *body, char *text,
                       size_t length)
{
	json_decref(call->body);
	free(call->text);
	call->status = status;
	call->body = body;
	call->text = text;
	call->text_length = length;
}

void call_respond(struct sim_call *call, unsigned status, json_t *body)
{
	set_answer(call, status, body, NULL, 0);
}

void call_respond_text(struct sim_call *call, unsigned status, char *text, size_t length)
{
	set_answer(call, status, NULL, text, length);
}

void call_error(struct sim_call *call, unsigned status, const char *format, ...)
{
	char message[768];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(message, sizeof message, format, arguments);
	va_end(arguments);
	/* Request text quoted in a message may be cut mid-character: keep it valid JSON. */
	json_t *text = json_string(message);
	if (!text)
		text = json_string("the request could not be processed");
	call_respond(call, status, json_pack("{s:o}", "error", text));
}

void call_header(struct sim_call *call, const char *name, const char *value)
{
	if (call->header_count >= CALL_MAX_HEADERS)
		return;
	struct call_header *header = &call->headers[call->header_count++];
	snprintf(header->name, sizeof header->name, "%s", name);
	snprintf(header->value, sizeof header->value, "%s", value);
}

const char *json_scalar_text(const json_t *value, char *scratch, size_t scratch_size)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value)) {
		snprintf(scratch, scratch_size, "%lld", (long long)json_integer_value(value));
		return scratch;
	}
	if (json_is_real(value)) {
		snprintf(scratch, scratch_size, "%.17g", json_real_value(value));
		return scratch;
	}
	if (json_is_boolean(value))
		return json_is_true(value) ? "true" : "false";
	return NULL;
}

const char *call_param_text(const struct sim_call *call, const char *name, char *scratch,
                            size_t scratch_size)
{
	return json_scalar_text(json_object_get(call->params, name), scratch, scratch_size);
}

int call_id_type(struct sim_call *call, enum id_type *type)
{
	char scratch[32];
	const char *text = call_param_text(call, "id_type", scratch, sizeof scratch);
	int parsed = id_type_parse(text);
	if (parsed < 0) {
		call_error(call, 400,
		           "id_type: must be one of device_name, id, iccid, imei, imsi, msisdn, "
		           "mdn, meid, esn, min");
		return -1;
	}
	*type = (enum id_type)parsed;
	return 0;
}

int call_paginate(struct sim_call *call, uint64_t total, uint64_t *first, uint64_t *count)
{
	char page_scratch[32], per_page_scratch[32], offset_scratch[32], message[128], value[32];
	struct pagination pagination;
	const char *page = call_param_text(call, "page", page_scratch, sizeof page_scratch);
	const char *per_page =
	    call_param_text(call, "per_page", per_page_scratch, sizeof per_page_scratch);
	const char *offset = call_param_text(call, "offset", offset_scratch, sizeof offset_scratch);
	if (pagination_compute(page, per_page, offset, total, &pagination, message,
	                       sizeof message) != 0) {
		call_error(call, 400, "%s", message);
		return -1;
	}
	snprintf(value, sizeof value, "%llu", (unsigned long long)pagination.total);
	call_header(call, "X-Total", value);
	snprintf(value, sizeof value, "%llu", (unsigned long long)pagination.total_pages);
	call_header(call, "X-Total-Pages", value);
	snprintf(value, sizeof value, "%llu", (unsigned long long)pagination.page);
	call_header(call, "X-Page", value);
	snprintf(value, sizeof value, "%llu", (unsigned long long)pagination.per_page);
	call_header(call, "X-Per-Page", value);
	pagination_next_page(&pagination, value, sizeof value);
	call_header(call, "X-Next-Page", value);
	pagination_prev_page(&pagination, value, sizeof value);
	call_header(call, "X-Prev-Page", value);
	snprintf(value, sizeof value, "%llu", (unsigned long long)pagination.offset);
	call_header(call, "X-Offset", value);
	*first = pagination.first;
	*count = pagination.count;
	return 0;
}

/* The text of a record field: arrays (usernames) are joined with ';' as in manifests. */
static char *field_text(const json_t *value)
{
	char scratch[64];
	if (json_is_array(value)) {
		struct strbuf joined;
		strbuf_init(&joined, 1 << 20);
		size_t i;
		json_t *item;
		json_array_foreach(value, i, item)
		{
			const char *text = json_scalar_text(item, scratch, sizeof scratch);
			if ((i && strbuf_append_char(&joined, ';') != STRBUF_OK) ||
			    strbuf_append_string(&joined, text ? text : "") != STRBUF_OK) {
				strbuf_release(&joined);
				return NULL;
			}
		}
		char *result = strbuf_detach(&joined, NULL);
		return result ? result : strdup("");
	}
	const char *text = json_scalar_text(value, scratch, sizeof scratch);
	return text && *text ? strdup(text) : NULL;
}

/* True when the first length bytes of text name a record field. */
static int names_field(const char *text, size_t length)
{
	char name[64];
	if (length >= sizeof name)
		return 0;
	memcpy(name, text, length);
	name[length] = '\0';
	return field_lookup(name) >= 0;
}

int call_validate(const struct sim_call *call, const json_t *entry, const json_t *shared,
                  char *field, size_t field_size, char *rule, size_t rule_size)
{
	const struct op *op = call->op;
	if (!op)
		return 0;
	struct record record;
	char *owned[FIELD_COUNT] = {NULL};
	struct strbuf message, rule_label;
	strbuf_init(&message, 4096);
	strbuf_init(&rule_label, 4096);
	memset(&record, 0, sizeof record);
	record.row = call->request_number;
	for (size_t i = 0; i < op->field_count; i++) {
		enum field_id id = op->fields[i].id;
		const char *name = field_name(id);
		const json_t *value = json_object_get(entry, name);
		if (!value && shared)
			value = json_object_get(shared, name);
		owned[id] = value ? field_text(value) : NULL;
		record.value[id] = owned[id];
	}
	int result = op_validate_record(op, &record, NULL, &call->context->options->validation,
	                                &message, &rule_label);
	if (result != 0) {
		const char *text = strbuf_text(&message);
		const char *separator = strstr(text, ": ");
		if (separator && (size_t)(separator - text) < field_size &&
		    names_field(text, (size_t)(separator - text))) {
			snprintf(field, field_size, "%.*s", (int)(separator - text), text);
			snprintf(rule, rule_size, "%s", separator + 2);
		} else {
			snprintf(field, field_size, "base");
			snprintf(rule, rule_size, "%s", *text ? text : "is invalid");
		}
	}
	for (size_t i = 0; i < FIELD_COUNT; i++)
		free(owned[i]);
	strbuf_release(&message);
	strbuf_release(&rule_label);
	return result == 0 ? 0 : -1;
}
