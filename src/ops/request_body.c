/* Request building shared by the operations: escaped paths and the
 * device_names + shared-fields bodies of the device_operations endpoints. */
#include "ops/request_body.h"

#include <string.h>

static bool unreserved(unsigned char character)
{
	return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
	       (character >= '0' && character <= '9') || character == '-' || character == '.' ||
	       character == '_' || character == '~';
}

int percent_escape(struct strbuf *out, const char *segment)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *at = (const unsigned char *)segment; *at; at++) {
		int result;
		if (unreserved(*at)) {
			result = strbuf_append_char(out, (char)*at);
		} else {
			char escaped[3] = {'%', hex[*at >> 4], hex[*at & 0x0f]};
			result = strbuf_append(out, escaped, 3);
		}
		if (result != STRBUF_OK)
			return -1;
	}
	return 0;
}

int request_path(const struct op *op, const struct record *record, struct strbuf *path)
{
	static const char placeholder[] = "{device_name}";
	strbuf_reset(path);
	const char *found = strstr(op->path, placeholder);
	if (!found)
		return strbuf_append_string(path, op->path) == STRBUF_OK ? 0 : -1;
	const char *name = record->value[FIELD_DEVICE_NAME];
	if (!name || !*name)
		return -1;
	if (strbuf_append(path, op->path, (size_t)(found - op->path)) != STRBUF_OK ||
	    percent_escape(path, name) < 0 ||
	    strbuf_append_string(path, found + strlen(placeholder)) != STRBUF_OK)
		return -1;
	return 0;
}

json_t *request_device_names(const struct record *const *records, size_t count)
{
	json_t *names = json_array();
	if (!names)
		return NULL;
	for (size_t index = 0; index < count; index++) {
		const char *name = records[index]->value[FIELD_DEVICE_NAME];
		if (!name || json_array_append_new(names, json_string(name)) < 0) {
			json_decref(names);
			return NULL;
		}
	}
	return names;
}

int request_set_field(json_t *object, const struct record *record, enum field_id field)
{
	const char *value = record->value[field];
	if (!value || !*value)
		return 0;
	json_t *text = json_string(value);
	if (!text)
		return -1;
	return json_object_set_new(object, field_name(field), text);
}

json_t *request_device_operation(const struct record *const *records, size_t count,
                                 const enum field_id *fields, size_t field_count)
{
	json_t *body = json_object();
	if (!body)
		return NULL;
	/* set_new takes the array's reference, also when it fails. */
	if (json_object_set_new(body, "device_names", request_device_names(records, count)) < 0) {
		json_decref(body);
		return NULL;
	}
	for (size_t index = 0; index < field_count; index++) {
		if (request_set_field(body, records[0], fields[index]) < 0) {
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

int request_build_device_operation(const struct op *op, const struct record *const *records,
                                   size_t count, struct strbuf *path, json_t **body)
{
	enum field_id shared[8];
	size_t shared_count = 0;
	*body = NULL;
	if (count == 0 || request_path(op, records[0], path) < 0)
		return -1;
	for (size_t index = 0; index < op->field_count && shared_count < 8; index++)
		if (op->fields[index].flags & OP_FIELD_BATCH)
			shared[shared_count++] = op->fields[index].id;
	*body = request_device_operation(records, count, shared, shared_count);
	return *body ? 0 : -1;
}
