/* --state snapshots, streamed: the file is one JSON document laid out one
 * device a line,
 *   {"version":2,"next_id":N,"rate_plans":[…],"users":[…],"uploads":{…},"devices":[
 *   {"fields":{…},"sim":{…}},
 *   …
 *   ]}
 * so it is written and read a device at a time (memory stays that of the
 * store) while any JSON reader still takes it whole. A file in another layout
 * (hand-written, or version 1 written indented) is read whole. */
#include "sim/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEVICES_OPENING "\"devices\":["

/* Takes the header (rate plans, users, uploads, next_id) from snapshot. */
static int read_header(struct store *store, const json_t *snapshot, const char *path, char *message,
                       size_t message_size)
{
	json_t *plans = json_object_get(snapshot, "rate_plans");
	json_t *users = json_object_get(snapshot, "users");
	json_t *uploads = json_object_get(snapshot, "uploads");
	if (!json_is_array(plans) || !json_is_array(users)) {
		snprintf(message, message_size,
		         "state file '%s': expected arrays 'devices', 'rate_plans' and 'users'",
		         path);
		return -1;
	}
	json_array_clear(store->rate_plans);
	json_array_clear(store->users);
	json_object_clear(store->uploads);
	json_array_extend(store->rate_plans, plans);
	json_array_extend(store->users, users);
	if (json_is_object(uploads))
		json_object_update(store->uploads, uploads);
	json_t *next_id = json_object_get(snapshot, "next_id");
	if (json_is_integer(next_id) && json_integer_value(next_id) > store->next_id)
		store->next_id = json_integer_value(next_id);
	return 0;
}

/* Adds devices[index] (entry: borrowed). */
static int read_device(struct store *store, json_t *entry, size_t index, const char *path,
                       char *message, size_t message_size)
{
	json_t *fields = json_object_get(entry, "fields");
	json_t *sim = json_object_get(entry, "sim");
	json_t *name = json_object_get(fields, "device_name");
	if (!json_is_string(name) || !json_is_object(sim)) {
		snprintf(message, message_size,
		         "state file '%s': devices[%zu]: needs 'fields' with a string "
		         "device_name and a 'sim' object",
		         path, index);
		return -1;
	}
	if (store_find(store, ID_TYPE_DEVICE_NAME, json_string_value(name))) {
		snprintf(message, message_size,
		         "state file '%s': devices[%zu]: duplicate device_name '%.200s'", path,
		         index, json_string_value(name));
		return -1;
	}
	if (store_add_device(store, json_incref(fields), json_incref(sim)) != 0) {
		snprintf(message, message_size, "state file '%s': devices[%zu]: cannot be stored",
		         path, index);
		return -1;
	}
	return 0;
}

/* A whole-document snapshot (any layout). */
static int load_whole(struct store *store, const char *path, char *message, size_t message_size)
{
	json_error_t error;
	json_t *snapshot = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
	int result = -1;
	if (!snapshot) {
		snprintf(message, message_size, "cannot read state file '%s': %s (line %d)", path,
		         error.text, error.line);
		return -1;
	}
	json_t *devices = json_object_get(snapshot, "devices");
	if (!json_is_array(devices)) {
		snprintf(message, message_size,
		         "state file '%s': expected arrays 'devices', 'rate_plans' and 'users'",
		         path);
		goto out;
	}
	if (read_header(store, snapshot, path, message, message_size) != 0)
		goto out;
	size_t i;
	json_t *entry;
	json_array_foreach(devices, i, entry)
	{
		if (read_device(store, entry, i, path, message, message_size) != 0)
			goto out;
	}
	result = 0;
out:
	json_decref(snapshot);
	return result;
}

/* Removes trailing white space and one trailing comma; returns the new length. */
static size_t trim_line(char *line, size_t length)
{
	while (length && (line[length - 1] == '\n' || line[length - 1] == '\r' ||
	                  line[length - 1] == ' ' || line[length - 1] == '\t'))
		length--;
	if (length && line[length - 1] == ',')
		length--;
	line[length] = '\0';
	return length;
}

int store_load(struct store *store, const char *path, char *message, size_t message_size)
{
	FILE *file = fopen(path, "r");
	if (!file) {
		snprintf(message, message_size, "cannot read state file '%s': %s", path,
		         strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t line_size = 0;
	int result = -1;
	ssize_t got = getline(&line, &line_size, file);
	size_t length = got > 0 ? (size_t)got : 0;
	while (length && (line[length - 1] == '\n' || line[length - 1] == '\r'))
		line[--length] = '\0';
	size_t opening = strlen(DEVICES_OPENING);
	if (length < opening || strcmp(line + length - opening, DEVICES_OPENING) != 0) {
		fclose(file);
		free(line);
		return load_whole(store, path, message, message_size);
	}
	/* The first line closed with "]}" is the header with no device. */
	char *header_text = malloc(length + 3);
	json_error_t error;
	json_t *header = NULL;
	if (header_text) {
		memcpy(header_text, line, length);
		memcpy(header_text + length, "]}", 3);
		header = json_loads(header_text, JSON_REJECT_DUPLICATES, &error);
		free(header_text);
	}
	if (!header) {
		snprintf(message, message_size, "cannot read state file '%s': line 1: not JSON",
		         path);
		goto out;
	}
	if (read_header(store, header, path, message, message_size) != 0)
		goto out;
	size_t index = 0;
	int closed = 0;
	while ((got = getline(&line, &line_size, file)) > 0) {
		length = trim_line(line, (size_t)got);
		if (strcmp(line, "]}") == 0) {
			closed = 1;
			break;
		}
		json_t *entry = json_loadb(line, length, JSON_REJECT_DUPLICATES, &error);
		if (!entry) {
			snprintf(message, message_size,
			         "cannot read state file '%s': devices[%zu] (line %zu): %s", path,
			         index, index + 2, error.text);
			goto out;
		}
		int failed = read_device(store, entry, index, path, message, message_size);
		json_decref(entry);
		if (failed)
			goto out;
		index++;
	}
	if (!closed || ferror(file)) {
		snprintf(message, message_size,
		         "cannot read state file '%s': it ends before the closing ']}'", path);
		goto out;
	}
	result = 0;
out:
	json_decref(header);
	free(line);
	fclose(file);
	return result;
}

/* Writes the header line (everything but the devices, which follow). */
static int write_header(struct store *store, FILE *file)
{
	json_t *header = json_pack("{s:i, s:I, s:O, s:O, s:O}", "version", 2, "next_id",
	                           (json_int_t)store->next_id, "rate_plans", store->rate_plans,
	                           "users", store->users, "uploads", store->uploads);
	char *text = header ? json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(header);
	if (!text)
		return -1;
	size_t length = strlen(text);
	/* "{…}" becomes "{…,"devices":[". */
	text[length - 1] = '\0';
	int result = fprintf(file, "%s,%s\n", text, DEVICES_OPENING) < 0 ? -1 : 0;
	free(text);
	return result;
}

/* One device a line, dumped into buffer (grown as needed) and written with
 * one fwrite: json_dumpf would make a call per token. */
static int write_device(struct store *store, struct device *device, int last, FILE *file,
                        char **buffer, size_t *buffer_size)
{
	json_t *entry = json_object();
	json_t *fields = store_device_json(store, device);
	json_t *sim = store_device_sim(store, device);
	int result = -1;
	if (entry && fields && sim) {
		json_object_set_new(entry, "fields", fields);
		json_object_set_new(entry, "sim", sim);
		fields = sim = NULL;
		size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
		size_t length = json_dumpb(entry, *buffer, *buffer_size, flags);
		if (length + 2 > *buffer_size) {
			char *grown = realloc(*buffer, length + 2);
			if (grown) {
				*buffer = grown;
				*buffer_size = length + 2;
				length = json_dumpb(entry, *buffer, *buffer_size, flags);
			}
		}
		if (length && length + 2 <= *buffer_size) {
			memcpy(*buffer + length, last ? "\n" : ",\n", 2);
			length += last ? 1 : 2;
			result = fwrite(*buffer, 1, length, file) == length ? 0 : -1;
		}
	}
	json_decref(fields);
	json_decref(sim);
	json_decref(entry);
	return result;
}

int store_save(struct store *store, const char *path, char *message, size_t message_size)
{
	char temporary[4096];
	if ((size_t)snprintf(temporary, sizeof temporary, "%s.tmp", path) >= sizeof temporary) {
		snprintf(message, message_size, "cannot save state: path too long");
		return -1;
	}
	FILE *file = fopen(temporary, "w");
	size_t buffer_size = 4096;
	char *buffer = malloc(buffer_size);
	int failed = !file || !buffer || write_header(store, file) != 0;
	for (size_t i = 0; !failed && i < store->count; i++)
		failed = write_device(store, &store->devices[i], i + 1 == store->count, file,
		                      &buffer, &buffer_size) != 0;
	free(buffer);
	if (!failed)
		failed = fputs("]}\n", file) < 0 || fflush(file) != 0 || fsync(fileno(file)) != 0;
	int saved_errno = errno;
	if (file && fclose(file) != 0)
		failed = 1;
	if (failed || rename(temporary, path) != 0) {
		snprintf(message, message_size, "cannot save state to '%s': %s", path,
		         strerror(failed ? saved_errno : errno));
		remove(temporary);
		return -1;
	}
	return 0;
}
