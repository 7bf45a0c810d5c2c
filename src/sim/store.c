/* Device store: an array in creation order plus one jansson object per id_type
 * mapping identifier text to the device's position (jansson objects are hash maps). */
#include "sim/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const id_type_names[ID_TYPE_COUNT] = {
    "device_name", "id", "iccid", "imei", "imsi", "msisdn", "mdn", "meid", "esn", "min",
};

int id_type_parse(const char *name)
{
	if (!name || !*name)
		return ID_TYPE_DEVICE_NAME;
	for (int i = 0; i < ID_TYPE_COUNT; i++)
		if (strcmp(name, id_type_names[i]) == 0)
			return i;
	return -1;
}

const char *id_type_name(enum id_type type)
{
	return id_type_names[type];
}

int store_init(struct store *store, uint64_t seed)
{
	memset(store, 0, sizeof *store);
	pthread_mutex_init(&store->lock, NULL);
	store->seed = seed;
	store->next_id = 1;
	for (int i = 0; i < ID_TYPE_COUNT; i++)
		if (!(store->index[i] = json_object()))
			return -1;
	store->rate_plans = json_array();
	store->users = json_array();
	store->uploads = json_object();
	return store->rate_plans && store->users && store->uploads ? 0 : -1;
}

static void store_clear(struct store *store)
{
	for (size_t i = 0; i < store->count; i++) {
		json_decref(store->devices[i].fields);
		json_decref(store->devices[i].extra);
	}
	free(store->devices);
	store->devices = NULL;
	store->count = store->capacity = 0;
	for (int i = 0; i < ID_TYPE_COUNT; i++)
		json_object_clear(store->index[i]);
	json_array_clear(store->rate_plans);
	json_array_clear(store->users);
	json_object_clear(store->uploads);
	store->next_id = 1;
}

void store_release(struct store *store)
{
	store_clear(store);
	for (int i = 0; i < ID_TYPE_COUNT; i++)
		json_decref(store->index[i]);
	json_decref(store->rate_plans);
	json_decref(store->users);
	json_decref(store->uploads);
	pthread_mutex_destroy(&store->lock);
}

void store_lock(struct store *store)
{
	pthread_mutex_lock(&store->lock);
}

void store_unlock(struct store *store)
{
	pthread_mutex_unlock(&store->lock);
}

/* The text of one identifier of a device, or NULL when it has none. */
static const char *identifier_text(const json_t *fields, enum id_type type, char *scratch,
                                   size_t size)
{
	const json_t *value = json_object_get(fields, id_type_names[type]);
	if (json_is_string(value))
		return *json_string_value(value) ? json_string_value(value) : NULL;
	if (json_is_integer(value)) {
		snprintf(scratch, size, "%lld", (long long)json_integer_value(value));
		return scratch;
	}
	return NULL;
}

int store_add_device(struct store *store, json_t *fields, json_t *extra)
{
	int result = -1;
	char scratch[32];
	const char *name = identifier_text(fields, ID_TYPE_DEVICE_NAME, scratch, sizeof scratch);
	if (!json_is_object(fields) || !json_is_object(extra) || !name ||
	    json_object_get(store->index[ID_TYPE_DEVICE_NAME], name))
		goto out;
	if (store->count == store->capacity) {
		size_t capacity = store->capacity ? store->capacity * 2 : 512;
		struct device *grown = realloc(store->devices, capacity * sizeof *grown);
		if (!grown)
			goto out;
		store->devices = grown;
		store->capacity = capacity;
	}
	size_t position = store->count;
	for (int type = 0; type < ID_TYPE_COUNT; type++) {
		const char *text = identifier_text(fields, type, scratch, sizeof scratch);
		/* The first device keeps an identifier that two devices share. */
		if (text && !json_object_get(store->index[type], text))
			json_object_set_new(store->index[type], text,
			                    json_integer((json_int_t)position));
	}
	json_t *id = json_object_get(fields, "id");
	if (json_is_integer(id) && json_integer_value(id) >= store->next_id)
		store->next_id = json_integer_value(id) + 1;
	store->devices[position].fields = fields;
	store->devices[position].extra = extra;
	store->count++;
	return 0;
out:
	json_decref(fields);
	json_decref(extra);
	return result;
}

struct device *store_find(struct store *store, enum id_type type, const char *value)
{
	if (!value)
		return NULL;
	json_t *position = json_object_get(store->index[type], value);
	if (!json_is_integer(position))
		return NULL;
	return &store->devices[json_integer_value(position)];
}

const char *device_name_of(const struct device *device)
{
	return json_string_value(json_object_get(device->fields, "device_name"));
}

int store_has_rate_plan(const struct store *store, const char *name)
{
	size_t i;
	json_t *plan;
	json_array_foreach(store->rate_plans, i, plan)
	{
		const char *plan_name = json_string_value(json_object_get(plan, "name"));
		if (plan_name && strcmp(plan_name, name) == 0)
			return 1;
	}
	return 0;
}

int store_load(struct store *store, const char *path, char *message, size_t message_size)
{
	json_error_t error;
	json_t *snapshot = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
	json_t *devices = NULL;
	int result = -1;
	if (!snapshot) {
		snprintf(message, message_size, "cannot read state file '%s': %s (line %d)", path,
		         error.text, error.line);
		return -1;
	}
	devices = json_object_get(snapshot, "devices");
	json_t *plans = json_object_get(snapshot, "rate_plans");
	json_t *users = json_object_get(snapshot, "users");
	json_t *uploads = json_object_get(snapshot, "uploads");
	if (!json_is_array(devices) || !json_is_array(plans) || !json_is_array(users)) {
		snprintf(message, message_size,
		         "state file '%s': expected arrays 'devices', 'rate_plans' and 'users'",
		         path);
		goto out;
	}
	store_clear(store);
	json_array_extend(store->rate_plans, plans);
	json_array_extend(store->users, users);
	if (json_is_object(uploads))
		json_object_update(store->uploads, uploads);
	size_t i;
	json_t *entry;
	json_array_foreach(devices, i, entry)
	{
		json_t *fields = json_object_get(entry, "fields");
		json_t *extra = json_object_get(entry, "sim");
		if (!json_is_string(json_object_get(fields, "device_name")) ||
		    !json_is_object(extra)) {
			snprintf(message, message_size,
			         "state file '%s': devices[%zu]: needs 'fields' with a string "
			         "device_name and a 'sim' object",
			         path, i);
			goto out;
		}
		if (store_add_device(store, json_incref(fields), json_incref(extra)) != 0) {
			snprintf(message, message_size,
			         "state file '%s': devices[%zu]: duplicate device_name '%s'", path,
			         i, json_string_value(json_object_get(fields, "device_name")));
			goto out;
		}
	}
	json_t *next_id = json_object_get(snapshot, "next_id");
	if (json_is_integer(next_id) && json_integer_value(next_id) > store->next_id)
		store->next_id = json_integer_value(next_id);
	result = 0;
out:
	json_decref(snapshot);
	return result;
}

int store_save(struct store *store, const char *path, char *message, size_t message_size)
{
	int result = -1;
	char temporary[4096];
	json_t *snapshot =
	    json_pack("{s:i, s:I, s:[], s:O, s:O, s:O}", "version", 1, "next_id",
	              (json_int_t)store->next_id, "devices", "rate_plans", store->rate_plans,
	              "users", store->users, "uploads", store->uploads);
	if (!snapshot) {
		snprintf(message, message_size, "cannot save state to '%s': out of memory", path);
		return -1;
	}
	json_t *devices = json_object_get(snapshot, "devices");
	for (size_t i = 0; i < store->count; i++)
		json_array_append_new(devices,
		                      json_pack("{s:O, s:O}", "fields", store->devices[i].fields,
		                                "sim", store->devices[i].extra));
	if ((size_t)snprintf(temporary, sizeof temporary, "%s.tmp", path) >= sizeof temporary) {
		snprintf(message, message_size, "cannot save state: path too long");
		goto out;
	}
	if (json_dump_file(snapshot, temporary, JSON_INDENT(1)) != 0 ||
	    rename(temporary, path) != 0) {
		snprintf(message, message_size, "cannot save state to '%s': %s", path,
		         strerror(errno));
		remove(temporary);
		goto out;
	}
	result = 0;
out:
	json_decref(snapshot);
	return result;
}
