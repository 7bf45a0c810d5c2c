/* Decoding of application/x-www-form-urlencoded text into a JSON object, so
 * handlers read JSON and form requests the same way. */
#include "sim/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hex_value(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	if (digit >= 'a' && digit <= 'f')
		return digit - 'a' + 10;
	if (digit >= 'A' && digit <= 'F')
		return digit - 'A' + 10;
	return -1;
}

/* Decodes length bytes of text into a new NUL-terminated string (caller frees),
 * or returns NULL when an escape is malformed or memory is short. */
static char *percent_decode(const char *text, size_t length)
{
	char *decoded = malloc(length + 1);
	if (!decoded)
		return NULL;
	size_t used = 0;
	for (size_t i = 0; i < length; i++) {
		if (text[i] == '+') {
			decoded[used++] = ' ';
		} else if (text[i] == '%') {
			int high = i + 1 < length ? hex_value(text[i + 1]) : -1;
			int low = i + 2 < length ? hex_value(text[i + 2]) : -1;
			if (high < 0 || low < 0) {
				free(decoded);
				return NULL;
			}
			decoded[used++] = (char)(high * 16 + low);
			i += 2;
		} else {
			decoded[used++] = text[i];
		}
	}
	decoded[used] = '\0';
	if (memchr(decoded, '\0', used)) {
		free(decoded);
		return NULL;
	}
	return decoded;
}

int form_add_pair(json_t *params, const char *name, const char *value, char *message,
                  size_t message_size)
{
	size_t name_length = strlen(name);
	int is_array = name_length >= 2 && strcmp(name + name_length - 2, "[]") == 0;
	if (is_array)
		name_length -= 2;
	if (name_length == 0) {
		snprintf(message, message_size, "a parameter has an empty name");
		return -1;
	}
	char key[128];
	if (name_length >= sizeof key) {
		snprintf(message, message_size, "a parameter name is longer than %zu bytes",
		         sizeof key - 1);
		return -1;
	}
	memcpy(key, name, name_length);
	key[name_length] = '\0';
	json_t *key_check = json_string(key);
	if (!key_check) {
		snprintf(message, message_size, "a parameter name is not valid UTF-8");
		return -1;
	}
	json_decref(key_check);
	json_t *string = json_string(value ? value : "");
	if (!string) {
		snprintf(message, message_size, "%s: not valid UTF-8", key);
		return -1;
	}
	if (!is_array)
		return json_object_set_new(params, key, string) == 0 ? 0 : -1;
	json_t *array = json_object_get(params, key);
	if (!json_is_array(array)) {
		array = json_array();
		if (!array || json_object_set_new(params, key, array) != 0) {
			json_decref(string);
			return -1;
		}
	}
	return json_array_append_new(array, string) == 0 ? 0 : -1;
}

int form_parse(json_t *params, const char *text, size_t length, char *message, size_t message_size)
{
	size_t start = 0;
	while (start <= length) {
		const char *end = memchr(text + start, '&', length - start);
		size_t piece_end = end ? (size_t)(end - text) : length;
		size_t piece_length = piece_end - start;
		if (piece_length > 0) {
			const char *piece = text + start;
			const char *equals = memchr(piece, '=', piece_length);
			size_t name_length = equals ? (size_t)(equals - piece) : piece_length;
			char *name = percent_decode(piece, name_length);
			char *value =
			    equals ? percent_decode(equals + 1, piece_length - name_length - 1)
			           : percent_decode("", 0);
			int result = -1;
			if (!name || !value)
				snprintf(message, message_size,
				         "malformed form body: bad percent escape");
			else
				result = form_add_pair(params, name, value, message, message_size);
			free(name);
			free(value);
			if (result != 0)
				return -1;
		}
		if (!end)
			break;
		start = piece_end + 1;
	}
	return 0;
}
