/* One row's part of an audit record's bodies (see row_view.h). */
#include "audit/row_view.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

json_t *audit_row_request_element(json_t *request, size_t position, size_t count)
{
	if (json_is_object(request)) {
		const char *key;
		json_t *value;
		json_object_foreach(request, key, value)
		{
			if (json_is_array(value) && json_array_size(value) == count &&
			    position < count)
				return json_array_get(value, position);
		}
	}
	return count == 1 && position == 0 ? request : NULL;
}

json_t *audit_row_request_shared(const json_t *request, size_t count)
{
	if (!json_is_object(request))
		return NULL;
	json_t *shared = json_object();
	bool listed = false;
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)request, key, value)
	{
		/* the first list of the call's size is the rows' (as audit_row_request_element) */
		if (!listed && json_is_array(value) && json_array_size(value) == count) {
			listed = true;
			continue;
		}
		json_object_set(shared, key, value);
	}
	if (!listed || json_object_size(shared) == 0) {
		json_decref(shared);
		return NULL;
	}
	return shared;
}

const char *audit_row_identifier(const json_t *element)
{
	if (json_is_string(element))
		return json_string_value(element);
	if (!json_is_object(element))
		return NULL;
	static const char *const keys[] = {"iccid", "imei", "device_name"};
	for (size_t index = 0; index < sizeof(keys) / sizeof(keys[0]); index++) {
		const char *text = json_string_value(json_object_get(element, keys[index]));
		if (text && text[0])
			return text;
	}
	const char *key;
	const json_t *value;
	json_object_foreach((json_t *)element, key, value)
	{
		if (json_is_string(value) && json_string_value(value)[0])
			return json_string_value(value);
	}
	return NULL;
}

/* Whether value holds the string identifier anywhere inside (depth-limited:
 * response bodies are hostile). */
static bool holds_string(const json_t *value, const char *identifier, unsigned depth)
{
	if (depth > 8)
		return false;
	if (json_is_string(value))
		return strcmp(json_string_value(value), identifier) == 0;
	if (json_is_array(value)) {
		for (size_t index = 0; index < json_array_size(value); index++)
			if (holds_string(json_array_get(value, index), identifier, depth + 1))
				return true;
		return false;
	}
	if (json_is_object(value)) {
		const char *key;
		const json_t *member;
		json_object_foreach((json_t *)value, key, member)
		{
			if (holds_string(member, identifier, depth + 1))
				return true;
		}
	}
	return false;
}

/* Whether an entry of a response list is about the row. device_index counts
 * from 0 within the call (docs/api-notes.md), given as a number or a string. */
static bool entry_is_row(const json_t *entry, size_t position, const char *identifier)
{
	const json_t *index = json_object_get(entry, "device_index");
	if (json_is_integer(index))
		return json_integer_value(index) >= 0 &&
		       (size_t)json_integer_value(index) == position;
	if (json_is_string(index)) {
		char expected[32];
		snprintf(expected, sizeof(expected), "%zu", position);
		return strcmp(json_string_value(index), expected) == 0;
	}
	return identifier && holds_string(entry, identifier, 0);
}

json_t *audit_row_response_entries(const json_t *response, size_t position, const char *identifier)
{
	json_t *found = json_object();
	if (!found || !json_is_object(response))
		return found;
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)response, key, value)
	{
		if (json_is_object(value) && identifier) {
			json_t *entry = json_object_get(value, identifier);
			if (entry) {
				json_t *one = json_object();
				json_object_set(one, identifier, entry);
				json_object_set_new(found, key, one);
			}
		} else if (json_is_array(value)) {
			json_t *entries = json_array();
			for (size_t index = 0; entries && index < json_array_size(value); index++) {
				json_t *entry = json_array_get(value, index);
				if (entry_is_row(entry, position, identifier))
					json_array_append(entries, entry);
			}
			if (json_array_size(entries))
				json_object_set_new(found, key, entries);
			else
				json_decref(entries);
		}
	}
	return found;
}
