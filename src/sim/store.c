/* Device store: fixed-size records in creation order, open-addressing indexes
 * (a 32-bit hash tag and the position in one 64-bit slot, linear probing, load
 * at most one half) and the interned strings they point to. */
#include "sim/store.h"

#include "common/clock.h"
#include "common/json_text.h"
#include "common/hash.h"
#include "sim/dataset.h"
#include "sim/history.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_SEED 0x1D3A5EEDULL

/* The per-device cost the documentation states (docs/simulator.md). */
_Static_assert(sizeof(struct device) == 88, "a device record is 88 bytes");
#define SMS_LOG_LIMIT 200

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
	pthread_rwlock_init(&store->lock, NULL);
	store->seed = seed;
	store->next_id = 1;
	store->rate_plans = json_array();
	store->users = json_array();
	store->uploads = json_object();
	if (strpool_init(&store->strings) != 0 || !store->rate_plans || !store->users ||
	    !store->uploads)
		return -1;
	store->state_active = strpool_intern_text(&store->strings, "active");
	store->state_pending = strpool_intern_text(&store->strings, "pending");
	return store->state_active == STRPOOL_NONE || store->state_pending == STRPOOL_NONE ? -1 : 0;
}

void store_release(struct store *store)
{
	free(store->devices);
	for (int i = 0; i < STORE_INDEXED; i++)
		free(store->index[i].slots);
	free(store->extras);
	free(store->sms);
	strpool_release(&store->strings);
	json_decref(store->rate_plans);
	json_decref(store->users);
	json_decref(store->uploads);
	pthread_rwlock_destroy(&store->lock);
	memset(store, 0, sizeof *store);
}

void store_lock(struct store *store)
{
	pthread_rwlock_wrlock(&store->lock);
}

void store_read_lock(struct store *store)
{
	pthread_rwlock_rdlock(&store->lock);
}

void store_unlock(struct store *store)
{
	pthread_rwlock_unlock(&store->lock);
}

/* Text of a JSON scalar identifier: strings as they are, integers in decimal. */
static const char *json_identifier(const json_t *value, char *scratch, size_t size)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value)) {
		snprintf(scratch, size, "%lld", (long long)json_integer_value(value));
		return scratch;
	}
	return NULL;
}

const char *store_device_name(const struct store *store, const struct device *device, char *scratch,
                              size_t scratch_size)
{
	if (device->kind == DEVICE_DEFAULT) {
		/* digits by hand: every device of every listing page is named */
		char digits[24];
		size_t at = sizeof digits;
		long long number = (long long)(device->id - DATASET_FIRST_ID + DATASET_FIRST_NAME);
		uint64_t magnitude = number < 0 ? 0 - (uint64_t)number : (uint64_t)number;
		do
			digits[--at] = (char)('0' + magnitude % 10);
		while ((magnitude /= 10) != 0);
		if (number < 0)
			digits[--at] = '-';
		size_t length = sizeof digits - at;
		if (length >= scratch_size)
			length = scratch_size - 1;
		memcpy(scratch, digits + at, length);
		scratch[length] = '\0';
		return scratch;
	}
	return strpool_text(&store->strings, device->name);
}

/* The text of an identifier of device ("" when it has none). scratch holds
 * at least 64 bytes. */
static const char *identifier_of(struct store *store, const struct device *device,
                                 enum id_type type, char *scratch, size_t size)
{
	char iccid[24], imei[20];
	switch (type) {
	case ID_TYPE_DEVICE_NAME:
		return store_device_name(store, device, scratch, size);
	case ID_TYPE_ID:
		if (!device->has_id)
			return "";
		snprintf(scratch, size, "%lld", (long long)device->id);
		return scratch;
	case ID_TYPE_ICCID:
	case ID_TYPE_IMEI:
		if (device->kind != DEVICE_DEFAULT)
			return strpool_text(&store->strings,
			                    type == ID_TYPE_ICCID ? device->iccid : device->imei);
		dataset_identifiers(store->seed, (size_t)(device->id - DATASET_FIRST_ID), iccid,
		                    imei);
		snprintf(scratch, size, "%s", type == ID_TYPE_ICCID ? iccid : imei);
		return scratch;
	default:
		break;
	}
	if (device->kind == DEVICE_LOADED) {
		json_t *fields = json_loads(strpool_text(&store->strings, device->fields), 0, NULL);
		char number[32];
		const char *text = json_identifier(json_object_get(fields, id_type_names[type]),
		                                   number, sizeof number);
		snprintf(scratch, size, "%s", text ? text : "");
		json_decref(fields);
		return scratch;
	}
	struct device_static fixed;
	dataset_static(store->seed, device->kind == DEVICE_ACTIVATED, device->id,
	               strpool_text(&store->strings, device->iccid), &fixed);
	const char *text = type == ID_TYPE_IMSI                         ? fixed.imsi
	                   : type == ID_TYPE_MSISDN                     ? fixed.msisdn
	                   : type == ID_TYPE_MDN || type == ID_TYPE_MIN ? fixed.mdn
	                                                                : "";
	snprintf(scratch, size, "%s", text);
	return scratch;
}

static uint64_t identifier_hash(const char *text, size_t length)
{
	return hash64(text, length, INDEX_SEED);
}

/* The position of the device whose indexed identifier is text, or SIZE_MAX. */
static size_t index_find(struct store *store, enum id_type type, const char *text)
{
	struct device_index *index = &store->index[type];
	if (!index->slots)
		return SIZE_MAX;
	size_t length = strlen(text);
	uint64_t hash = identifier_hash(text, length);
	uint64_t tag = hash >> 32;
	char scratch[64];
	for (size_t at = (size_t)hash & index->mask; index->slots[at];
	     at = (at + 1) & index->mask) {
		uint64_t slot = index->slots[at];
		if (slot >> 32 != tag)
			continue;
		size_t position = (size_t)(slot & 0xFFFFFFFFu) - 1;
		const char *candidate =
		    identifier_of(store, &store->devices[position], type, scratch, sizeof scratch);
		if (strcmp(candidate, text) == 0)
			return position;
	}
	return SIZE_MAX;
}

static void index_put(struct device_index *index, uint64_t hash, size_t position)
{
	size_t at = (size_t)hash & index->mask;
	while (index->slots[at])
		at = (at + 1) & index->mask;
	index->slots[at] = (hash >> 32) << 32 | (uint64_t)(position + 1);
}

/* Makes room for count devices in every index (load at most one half). */
static int index_reserve(struct store *store, size_t count)
{
	size_t wanted = 1024;
	while (wanted < count * 2)
		wanted *= 2;
	for (int type = 0; type < STORE_INDEXED; type++) {
		struct device_index *index = &store->index[type];
		if (index->slots && index->mask + 1 >= wanted)
			continue;
		uint64_t *slots = calloc(wanted, sizeof *slots);
		if (!slots)
			return -1;
		struct device_index grown = {slots, wanted - 1};
		for (size_t at = 0; index->slots && at <= index->mask; at++) {
			uint64_t slot = index->slots[at];
			if (!slot)
				continue;
			/* The tag is the high half of the hash; the low half is
			 * recomputed from the identifier. */
			char scratch[64];
			size_t position = (size_t)(slot & 0xFFFFFFFFu) - 1;
			const char *text =
			    identifier_of(store, &store->devices[position], (enum id_type)type,
			                  scratch, sizeof scratch);
			index_put(&grown, identifier_hash(text, strlen(text)), position);
		}
		free(index->slots);
		*index = grown;
	}
	return 0;
}

static int reserve_devices(struct store *store, size_t count)
{
	if (count > UINT32_MAX - 1)
		return -1;
	if (count > store->capacity) {
		size_t capacity = store->capacity ? store->capacity : 512;
		while (capacity < count)
			capacity *= 2;
		struct device *grown = realloc(store->devices, capacity * sizeof *grown);
		if (!grown)
			return -1;
		store->devices = grown;
		store->capacity = capacity;
	}
	return index_reserve(store, count);
}

/* Adds position under text unless a device already has that identifier.
 * Returns 1 when added, 0 when present. One probe sequence does both. */
static int index_add_hashed(struct store *store, enum id_type type, const char *text, uint64_t hash,
                            size_t position)
{
	struct device_index *index = &store->index[type];
	uint64_t tag = hash >> 32;
	char scratch[64];
	size_t at = (size_t)hash & index->mask;
	for (uint64_t slot; (slot = index->slots[at]) != 0; at = (at + 1) & index->mask) {
		if (slot >> 32 != tag)
			continue;
		const struct device *other = &store->devices[(size_t)(slot & 0xFFFFFFFFu) - 1];
		if (strcmp(identifier_of(store, other, type, scratch, sizeof scratch), text) == 0)
			return 0;
	}
	index->slots[at] = tag << 32 | (uint64_t)(position + 1);
	return 1;
}

static int index_add(struct store *store, enum id_type type, const char *text, size_t position)
{
	return index_add_hashed(store, type, text, identifier_hash(text, strlen(text)), position);
}

/* Appends device whose identifiers are texts (indexed types, "" = none):
 * refused when its name is taken; every other identifier no earlier device
 * has is indexed (the first device keeps one that two devices share). */
static int append_with(struct store *store, const struct device *device,
                       const char *const texts[STORE_INDEXED])
{
	if (!*texts[ID_TYPE_DEVICE_NAME] || reserve_devices(store, store->count + 1) != 0)
		return -1;
	size_t position = store->count;
	store->devices[position] = *device;
	if (!index_add(store, ID_TYPE_DEVICE_NAME, texts[ID_TYPE_DEVICE_NAME], position))
		return -1;
	for (int type = 1; type < STORE_INDEXED; type++)
		if (*texts[type])
			index_add(store, (enum id_type)type, texts[type], position);
	if (device->has_id && device->id >= store->next_id)
		store->next_id = device->id + 1;
	store->count++;
	return 0;
}

static int append_device(struct store *store, const struct device *device)
{
	char scratch[STORE_INDEXED][64];
	const char *texts[STORE_INDEXED];
	for (int type = 0; type < STORE_INDEXED; type++)
		texts[type] = identifier_of(store, device, (enum id_type)type, scratch[type],
		                            sizeof scratch[type]);
	return append_with(store, device, texts);
}

struct device *store_find(struct store *store, enum id_type type, const char *value)
{
	if (!value || !*value)
		return NULL;
	if (type < STORE_INDEXED) {
		size_t position = index_find(store, type, value);
		return position == SIZE_MAX ? NULL : &store->devices[position];
	}
	/* Identifiers without an index: a scan, rare and only ever by tests. */
	char scratch[64];
	for (size_t i = 0; i < store->count; i++)
		if (strcmp(identifier_of(store, &store->devices[i], type, scratch, sizeof scratch),
		           value) == 0)
			return &store->devices[i];
	return NULL;
}

uint32_t store_device_state(const struct store *store, const struct device *device)
{
	if (device->state == store->state_pending && device->active_at_ms &&
	    clock_wall_ms() >= device->active_at_ms)
		return store->state_active;
	return device->state;
}

static const char *text_of(const struct store *store, uint32_t id)
{
	return strpool_text(&store->strings, id);
}

static json_t *string_or_empty(const char *text)
{
	json_t *value = json_string(text);
	return value ? value : json_string("");
}

/* A device's four notes as the API text names them. */
static const char *const note_keys[4] = {"note", "note1", "note2", "note3"};

/* A device loaded from a snapshot: its stored object with what requests
 * changed since (state, cost center, notes, SMS sent). */
static json_t *loaded_device_json(struct store *store, struct device *device, uint32_t state)
{
	json_t *object = json_loads(text_of(store, device->fields), 0, NULL);
	if (!json_is_object(object)) {
		json_decref(object);
		return NULL;
	}
	json_int_t base = json_integer_value(json_object_get(object, "sms_used"));
	json_object_set_new(object, "state", string_or_empty(text_of(store, state)));
	json_object_set_new(object, "cost_center",
	                    string_or_empty(text_of(store, device->cost_center)));
	for (int i = 0; i < 4; i++)
		json_object_set_new(object, note_keys[i],
		                    string_or_empty(text_of(store, device->note[i])));
	/* Saturating: the loaded base may be any integer. */
	json_int_t sent = (json_int_t)device->sms_sent;
	json_object_set_new(object, "sms_used",
	                    json_integer(base > INT64_MAX - sent ? base : base + sent));
	return object;
}

/* One key of a device object, in the order the API text lists them. */
enum device_value_type { VALUE_TEXT, VALUE_INTEGER, VALUE_REAL, VALUE_BOOLEAN };

struct device_value {
	const char *key;
	size_t key_length;
	enum device_value_type type;
	const char *text; /* VALUE_TEXT (NULL is ""); VALUE_REAL: as printed, or NULL */
	int64_t integer;  /* VALUE_INTEGER, VALUE_BOOLEAN */
	double real;
	bool plain; /* text made by the data set: ASCII with nothing to escape */
};

#define DEVICE_VALUE_COUNT 26

/* What a generated (default or activated) device's values are built from. */
struct device_values {
	struct device_value value[DEVICE_VALUE_COUNT];
	struct device_static fixed;
	char name[32], iccid[24], imei[20];
};

/* A key as its text and length, both known when compiled. */
#define KEY(text) text, sizeof(text) - 1

static void put_text(struct device_value **at, const char *key, size_t key_length, const char *text)
{
	/* an empty text (most notes) has nothing to escape */
	bool plain = !text || !*text;
	*(*at)++ =
	    (struct device_value){key, key_length, VALUE_TEXT, plain ? "" : text, 0, 0, plain};
}

static void put_plain(struct device_value **at, const char *key, size_t key_length,
                      const char *text)
{
	*(*at)++ = (struct device_value){key, key_length, VALUE_TEXT, text, 0, 0, true};
}

static void put_number(struct device_value **at, const char *key, size_t key_length,
                       enum device_value_type type, int64_t integer, double real)
{
	*(*at)++ = (struct device_value){key, key_length, type, NULL, integer, real, false};
}

static void put_real(struct device_value **at, const char *key, size_t key_length, double real,
                     const char *text)
{
	*(*at)++ = (struct device_value){key, key_length, VALUE_REAL, text, 0, real, true};
}

/* The values of a DEFAULT or ACTIVATED device: one table for both the
 * jansson object and the text the listing writes directly. */
static void device_values(struct store *store, struct device *device, uint32_t state,
                          struct device_values *out)
{
	const char *device_iccid, *device_imei, *activation;
	if (device->kind == DEVICE_DEFAULT) {
		dataset_identifiers(store->seed, (size_t)(device->id - DATASET_FIRST_ID),
		                    out->iccid, out->imei);
		device_iccid = out->iccid;
		device_imei = out->imei;
	} else {
		device_iccid = text_of(store, device->iccid);
		device_imei = text_of(store, device->imei);
	}
	struct device_static *fixed = &out->fixed;
	dataset_static(store->seed, device->kind == DEVICE_ACTIVATED, device->id, device_iccid,
	               fixed);
	activation = device->kind == DEVICE_ACTIVATED ? text_of(store, device->activation_date)
	                                              : fixed->activation;
	/* the data set's cost centers and dates are ASCII with nothing to escape */
	bool fixed_cost_center = device->cost_center == STRPOOL_NONE;
	const char *cost_center =
	    fixed_cost_center ? fixed->cost_center : text_of(store, device->cost_center);
	/* a generated device's name, ICCID and IMEI are digits: nothing to escape */
	void (*identifier)(struct device_value **, const char *, size_t, const char *) =
	    device->kind == DEVICE_DEFAULT ? put_plain : put_text;
	struct device_value *at = out->value;
	put_number(&at, KEY("id"), VALUE_INTEGER, device->id, 0);
	identifier(&at, KEY("device_name"),
	           store_device_name(store, device, out->name, sizeof out->name));
	put_plain(&at, KEY("ip_address"), fixed->ip);
	put_plain(&at, KEY("ipv6"), fixed->ipv6);
	put_text(&at, KEY("note"), text_of(store, device->note[0]));
	put_text(&at, KEY("state"), text_of(store, state));
	put_plain(&at, KEY("mdn"), fixed->mdn);
	put_plain(&at, KEY("meid"), "");
	put_plain(&at, KEY("imsi"), fixed->imsi);
	identifier(&at, KEY("imei"), device_imei);
	identifier(&at, KEY("iccid"), device_iccid);
	put_plain(&at, KEY("esn"), "");
	put_plain(&at, KEY("msisdn"), fixed->msisdn);
	put_plain(&at, KEY("min"), fixed->mdn);
	put_number(&at, KEY("connected"), VALUE_BOOLEAN, fixed->connected, 0);
	put_plain(&at, KEY("last_connection_date"), fixed->date);
	(fixed_cost_center ? put_plain : put_text)(&at, KEY("cost_center"), cost_center);
	(device->kind == DEVICE_ACTIVATED ? put_text : put_plain)(&at, KEY("last_activation_date"),
	                                                          activation);
	put_real(&at, KEY("latitude"), fixed->latitude, fixed->latitude_text);
	put_real(&at, KEY("longitude"), fixed->longitude, fixed->longitude_text);
	put_plain(&at, KEY("address"), fixed->address);
	put_number(&at, KEY("bytes_used"), VALUE_INTEGER, fixed->bytes_used, 0);
	put_number(&at, KEY("sms_used"), VALUE_INTEGER, fixed->sms_used + device->sms_sent, 0);
	for (int i = 1; i < 4; i++)
		put_text(&at, note_keys[i], strlen(note_keys[i]), text_of(store, device->note[i]));
}

json_t *store_device_json(struct store *store, struct device *device)
{
	uint32_t state = store_device_state(store, device);
	if (device->kind == DEVICE_LOADED)
		return loaded_device_json(store, device, state);
	struct device_values values;
	device_values(store, device, state, &values);
	json_t *object = json_object();
	if (!object)
		return NULL;
	for (int i = 0; i < DEVICE_VALUE_COUNT; i++) {
		const struct device_value *value = &values.value[i];
		json_t *item = NULL;
		switch (value->type) {
		case VALUE_TEXT:
			/* texts from requests may be cut mid-character (notes):
			 * string_or_empty keeps the object whole */
			item = string_or_empty(value->text ? value->text : "");
			break;
		case VALUE_INTEGER:
			item = json_integer((json_int_t)value->integer);
			break;
		case VALUE_REAL:
			item = json_real(value->real);
			break;
		case VALUE_BOOLEAN:
			item = json_boolean(value->integer);
			break;
		}
		json_object_set_new(object, value->key, item);
	}
	return object;
}

/* The most bytes value writes after its key (json_text_put_string's bound
 * for a text that may need escaping). */
static size_t value_bound(const struct device_value *value, size_t *text_length)
{
	*text_length = value->text ? strlen(value->text) : 0;
	switch (value->type) {
	case VALUE_TEXT:
		return value->plain ? *text_length + 2 : JSON_TEXT_STRING_BOUND(*text_length);
	case VALUE_INTEGER:
		return 24;
	case VALUE_REAL:
		return (value->text ? *text_length : 40) + 2; /* ".0" */
	case VALUE_BOOLEAN:
		return 5;
	}
	return 0;
}

/* Writes value's JSON text at at (room: value_bound); returns the end. */
static char *put_value(char *at, const struct device_value *value, size_t text_length)
{
	switch (value->type) {
	case VALUE_TEXT:
		if (!value->plain)
			return json_text_put_string(at, value->text ? value->text : "",
			                            text_length);
		*at++ = '"';
		memcpy(at, value->text, text_length);
		at += text_length;
		*at++ = '"';
		return at;
	case VALUE_INTEGER: {
		char digits[24];
		size_t position = sizeof digits;
		uint64_t magnitude =
		    value->integer < 0 ? 0 - (uint64_t)value->integer : (uint64_t)value->integer;
		do
			digits[--position] = (char)('0' + magnitude % 10);
		while ((magnitude /= 10) != 0);
		if (value->integer < 0)
			digits[--position] = '-';
		memcpy(at, digits + position, sizeof digits - position);
		return at + (sizeof digits - position);
	}
	case VALUE_REAL: {
		/* as JSON_REAL_PRECISION(10) prints it: %.10g, ".0" when that
		 * looks like an integer */
		char scratch[40];
		const char *number = value->text;
		if (!number) {
			snprintf(scratch, sizeof scratch, "%.10g", value->real);
			number = scratch;
		}
		size_t length = strlen(number);
		memcpy(at, number, length);
		at += length;
		if (!strpbrk(number, ".eEn")) {
			memcpy(at, ".0", 2);
			at += 2;
		}
		return at;
	}
	case VALUE_BOOLEAN:
		memcpy(at, value->integer ? "true" : "false", value->integer ? 4 : 5);
		return at + (value->integer ? 4 : 5);
	}
	return at;
}

int store_device_write(struct store *store, struct device *device, struct strbuf *out)
{
	uint32_t state = store_device_state(store, device);
	if (device->kind == DEVICE_LOADED) {
		json_t *object = loaded_device_json(store, device, state);
		char *text = object ? json_dumps(object, STORE_JSON_FLAGS) : NULL;
		json_decref(object);
		int result = text ? strbuf_append_string(out, text) : -1;
		free(text);
		return result == STRBUF_OK ? 0 : -1;
	}
	struct device_values values;
	device_values(store, device, state, &values);
	/* The object is sized first and written with plain stores straight into
	 * out: a call per key and value was most of a listing page's time. */
	size_t text_lengths[DEVICE_VALUE_COUNT];
	size_t bound = 2;
	for (int i = 0; i < DEVICE_VALUE_COUNT; i++)
		bound += values.value[i].key_length + 4 +
		         value_bound(&values.value[i], &text_lengths[i]);
	if (strbuf_reserve(out, bound) != STRBUF_OK)
		return -1;
	char *at = out->data + out->length;
	*at++ = '{';
	for (int i = 0; i < DEVICE_VALUE_COUNT; i++) {
		if (i)
			*at++ = ',';
		*at++ = '"';
		memcpy(at, values.value[i].key, values.value[i].key_length);
		at += values.value[i].key_length;
		*at++ = '"';
		*at++ = ':';
		at = put_value(at, &values.value[i], text_lengths[i]);
	}
	*at++ = '}';
	*at = '\0';
	out->length = (size_t)(at - out->data);
	return 0;
}

static struct device_extra *extra_of(const struct store *store, const struct device *device)
{
	return device->extra ? &store->extras[device->extra - 1] : NULL;
}

static struct device_extra *make_extra(struct store *store, struct device *device)
{
	if (device->extra)
		return &store->extras[device->extra - 1];
	if (store->extra_count == store->extra_capacity) {
		size_t capacity = store->extra_capacity ? store->extra_capacity * 2 : 64;
		struct device_extra *grown = capacity > UINT32_MAX - 1
		                                 ? NULL
		                                 : realloc(store->extras, capacity * sizeof *grown);
		if (!grown)
			return NULL;
		store->extras = grown;
		store->extra_capacity = capacity;
	}
	struct device_extra *extra = &store->extras[store->extra_count++];
	memset(extra, 0, sizeof *extra);
	extra->action = STRPOOL_NONE;
	device->extra = (uint32_t)store->extra_count;
	return extra;
}

/* One logged SMS as an SMS MT object. */
static json_t *sms_json(const struct store *store, const struct sms_entry *entry,
                        const json_t *device_json)
{
	const char *when = text_of(store, entry->when);
	return json_pack("{s:I, s:s, s:s, s:s, s:O, s:s, s:O, s:s, s:s}", "event_id",
	                 (json_int_t)entry->event_id, "event_status", "queued", "event_timestamp",
	                 when, "event_type", "sent", "imsi", json_object_get(device_json, "imsi"),
	                 "message_body", text_of(store, entry->text), "msisdn",
	                 json_object_get(device_json, "msisdn"), "report_timestamp", when,
	                 "failure_reason", "");
}

json_t *store_device_sim(const struct store *store, const struct device *device)
{
	json_t *sim = json_pack("{s:s, s:b}", "rate_plan_name", text_of(store, device->rate_plan),
	                        "sms_capable", device->sms_capable);
	if (!sim)
		return NULL;
	const struct device_extra *extra = extra_of(store, device);
	json_t *log = json_array();
	if (extra && extra->kb_limit > 0) {
		json_t *usernames = json_loads(text_of(store, extra->usernames), 0, NULL);
		json_object_set_new(
		    sim, "usage_limit",
		    json_pack("{s:I, s:s?, s:o}", "kb_limit", (json_int_t)extra->kb_limit, "action",
		              extra->action == STRPOOL_NONE ? NULL : text_of(store, extra->action),
		              "usernames", json_is_array(usernames) ? usernames : json_array()));
		if (!json_is_array(usernames))
			json_decref(usernames);
	}
	/* Oldest first, as the log was appended. */
	for (uint32_t at = extra ? extra->sms_newest : 0; log && at;
	     at = store->sms[at - 1].older) {
		const struct sms_entry *entry = &store->sms[at - 1];
		json_array_insert_new(log, 0,
		                      json_pack("{s:I, s:s, s:s}", "event_id",
		                                (json_int_t)entry->event_id, "event_timestamp",
		                                text_of(store, entry->when), "message_body",
		                                text_of(store, entry->text)));
	}
	json_object_set_new(sim, "sms_log", log ? log : json_array());
	if (device->sku != STRPOOL_NONE)
		json_object_set_new(sim, "device_sku", json_string(text_of(store, device->sku)));
	if (device->region != STRPOOL_NONE)
		json_object_set_new(sim, "region_code",
		                    json_string(text_of(store, device->region)));
	if (store_device_state(store, device) == store->state_pending && device->active_at_ms)
		json_object_set_new(sim, "active_at_ms", json_integer(device->active_at_ms));
	return sim;
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

static int set_text(struct store *store, uint32_t *field, const char *text)
{
	uint32_t id = strpool_intern_text(&store->strings, text);
	if (id == STRPOOL_NONE)
		return -1;
	*field = id;
	return 0;
}

int store_set_cost_center(struct store *store, struct device *device, const char *text)
{
	return set_text(store, &device->cost_center, text);
}

int store_set_state(struct store *store, struct device *device, const char *text)
{
	device->active_at_ms = 0;
	return set_text(store, &device->state, text);
}

int store_set_note(struct store *store, struct device *device, unsigned which, const char *text)
{
	return which < 4 ? set_text(store, &device->note[which], text) : -1;
}

int store_set_usage_limit(struct store *store, struct device *device, int64_t kb_limit,
                          const char *action, const json_t *usernames)
{
	char *names = json_dumps(usernames, JSON_COMPACT | JSON_ENCODE_ANY);
	uint32_t names_id = names ? strpool_intern_text(&store->strings, names) : STRPOOL_NONE;
	free(names);
	uint32_t action_id = action ? strpool_intern_text(&store->strings, action) : STRPOOL_NONE;
	struct device_extra *extra = make_extra(store, device);
	if (!extra || names_id == STRPOOL_NONE || (action && action_id == STRPOOL_NONE))
		return -1;
	extra->kb_limit = kb_limit;
	extra->action = action_id;
	extra->usernames = names_id;
	return 0;
}

void store_remove_usage_limit(struct store *store, struct device *device)
{
	struct device_extra *extra = extra_of(store, device);
	if (extra)
		extra->kb_limit = 0;
}

int store_log_sms(struct store *store, struct device *device, uint64_t event_id, const char *when,
                  const char *text)
{
	uint32_t when_id = strpool_intern_text(&store->strings, when);
	uint32_t text_id = strpool_intern_text(&store->strings, text);
	struct device_extra *extra = make_extra(store, device);
	if (!extra || when_id == STRPOOL_NONE || text_id == STRPOOL_NONE)
		return -1;
	if (store->sms_count == store->sms_capacity) {
		size_t capacity = store->sms_capacity ? store->sms_capacity * 2 : 256;
		struct sms_entry *grown = capacity > UINT32_MAX - 1
		                              ? NULL
		                              : realloc(store->sms, capacity * sizeof *grown);
		if (!grown)
			return -1;
		store->sms = grown;
		store->sms_capacity = capacity;
	}
	struct sms_entry *entry = &store->sms[store->sms_count++];
	entry->event_id = event_id;
	entry->when = when_id;
	entry->text = text_id;
	entry->older = extra->sms_newest;
	extra->sms_newest = (uint32_t)store->sms_count;
	/* Bounded log: the oldest message goes first (its slot is not reused). */
	if (++extra->sms_count > SMS_LOG_LIMIT) {
		uint32_t at = extra->sms_newest;
		for (uint32_t kept = 1; kept < SMS_LOG_LIMIT; kept++)
			at = store->sms[at - 1].older;
		store->sms[at - 1].older = 0;
		extra->sms_count = SMS_LOG_LIMIT;
	}
	device->sms_sent++;
	return 0;
}

void store_sms_log(const struct store *store, const struct device *device,
                   const json_t *device_json, int64_t start, int64_t end, json_t *list)
{
	const struct device_extra *extra = extra_of(store, device);
	for (uint32_t at = extra ? extra->sms_newest : 0; at; at = store->sms[at - 1].older) {
		const struct sms_entry *entry = &store->sms[at - 1];
		int64_t day;
		if (history_parse_day(text_of(store, entry->when), &day) == 0 && day >= start &&
		    day <= end)
			json_array_append_new(list, sms_json(store, entry, device_json));
	}
}

/* A record with every string empty and no optional value. */
static void blank_device(struct device *device)
{
	memset(device, 0, sizeof *device);
	device->cost_center = 0;
	device->sku = device->region = STRPOOL_NONE;
	device->sms_capable = 1;
	device->has_id = 1;
}

/* Writes value in decimal (what snprintf "%llu" would, without its cost:
 * a million devices start in well under a second). */
static void format_decimal(char *out, uint64_t value)
{
	char reversed[24];
	size_t length = 0;
	do {
		reversed[length++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	for (size_t i = 0; i < length; i++)
		out[i] = reversed[length - 1 - i];
	out[length] = '\0';
}

/* Built-in devices are indexed in batches: the slots a batch will probe are
 * prefetched first, so their cache misses overlap instead of queueing
 * (a million devices start in well under a second). */
#define FILL_BATCH 32

struct fill_identifiers {
	char text[STORE_INDEXED][24];
	uint64_t hash[STORE_INDEXED];
};

int store_fill_default(struct store *store, size_t device_count)
{
	if (dataset_add_rate_plans(store->rate_plans) != 0 ||
	    dataset_add_users(store->users) != 0 ||
	    reserve_devices(store, store->count + device_count) != 0)
		return -1;
	size_t plan_count = json_array_size(store->rate_plans);
	uint32_t plans[8], states[3];
	for (size_t i = 0; i < plan_count && i < 8; i++)
		plans[i] = strpool_intern_text(&store->strings,
		                               json_string_value(json_object_get(
		                                   json_array_get(store->rate_plans, i), "name")));
	states[0] = strpool_intern_text(&store->strings, dataset_initial_state(0));
	states[1] = strpool_intern_text(&store->strings, dataset_initial_state(6));
	states[2] = strpool_intern_text(&store->strings, dataset_initial_state(12));
	struct fill_identifiers batch[FILL_BATCH];
	for (size_t first = 0; first < device_count; first += FILL_BATCH) {
		size_t size = device_count - first < FILL_BATCH ? device_count - first : FILL_BATCH;
		for (size_t k = 0; k < size; k++) {
			size_t i = first + k;
			struct fill_identifiers *ids = &batch[k];
			format_decimal(ids->text[ID_TYPE_DEVICE_NAME],
			               (uint64_t)(DATASET_FIRST_NAME + i));
			format_decimal(ids->text[ID_TYPE_ID], (uint64_t)(DATASET_FIRST_ID + i));
			dataset_identifiers(store->seed, i, ids->text[ID_TYPE_ICCID],
			                    ids->text[ID_TYPE_IMEI]);
			for (int type = 0; type < STORE_INDEXED; type++) {
				const char *text = ids->text[type];
				ids->hash[type] = identifier_hash(text, strlen(text));
				__builtin_prefetch(
				    &store->index[type]
				         .slots[(size_t)ids->hash[type] & store->index[type].mask],
				    1);
			}
		}
		for (size_t k = 0; k < size; k++) {
			size_t i = first + k;
			struct device device;
			blank_device(&device);
			device.kind = DEVICE_DEFAULT;
			device.id = (int64_t)(DATASET_FIRST_ID + i);
			device.cost_center = STRPOOL_NONE;
			device.state = i % 13 == 12 ? states[2]
			               : i % 7 == 6 ? states[1]
			                            : states[0];
			device.rate_plan = plans[i % plan_count];
			/* Every tenth device is on a carrier without SMS support (the text: VDF
			 * only). */
			device.sms_capable = i % 10 != 9;
			size_t position = store->count;
			store->devices[position] = device;
			if (!index_add_hashed(store, ID_TYPE_DEVICE_NAME,
			                      batch[k].text[ID_TYPE_DEVICE_NAME],
			                      batch[k].hash[ID_TYPE_DEVICE_NAME], position))
				return -1;
			for (int type = 1; type < STORE_INDEXED; type++)
				index_add_hashed(store, (enum id_type)type, batch[k].text[type],
				                 batch[k].hash[type], position);
			store->next_id =
			    device.id + 1 > store->next_id ? device.id + 1 : store->next_id;
			store->count++;
		}
	}
	return 0;
}

/* The pool id of an entry's member (a string, or an integer in decimal), or
 * STRPOOL_NONE when absent or of another type; *failed set when out of memory. */
static uint32_t member_id(struct store *store, const json_t *entry, const char *key, int *failed)
{
	char scratch[32];
	const char *text = json_identifier(json_object_get(entry, key), scratch, sizeof scratch);
	if (!text)
		return STRPOOL_NONE;
	uint32_t id = strpool_intern_text(&store->strings, text);
	if (id == STRPOOL_NONE)
		*failed = 1;
	return id;
}

int store_activate(struct store *store, const char *iccid, const char *imei, const json_t *entry,
                   const char *plan, int64_t now_ms)
{
	struct device device;
	char when[32];
	int failed = 0;
	blank_device(&device);
	device.kind = DEVICE_ACTIVATED;
	device.id = store->next_id;
	device.name = device.iccid = strpool_intern_text(&store->strings, iccid);
	device.imei = strpool_intern_text(&store->strings, imei ? imei : "");
	device.cost_center = 0;
	device.rate_plan = strpool_intern_text(&store->strings, plan);
	int64_t active_at = now_ms + (int64_t)store->activation_delay_ms;
	/* The text's HTTP 200 means "accepted, will be worked on": with a delay
	 * the device shows as pending until then. */
	device.state = store->activation_delay_ms ? store->state_pending : store->state_active;
	device.active_at_ms = store->activation_delay_ms ? active_at : 0;
	/* Second precision, as the built-in devices' dates. */
	clock_format_iso8601(active_at - active_at % 1000, when, sizeof when);
	char *dot = strchr(when, '.');
	if (dot)
		snprintf(dot, sizeof when - (size_t)(dot - when), "Z");
	device.activation_date = strpool_intern_text(&store->strings, when);
	for (int i = 0; i < 4; i++) {
		uint32_t note = member_id(store, entry, note_keys[i], &failed);
		device.note[i] = note == STRPOOL_NONE ? 0 : note;
	}
	device.sku = member_id(store, entry, "device_sku", &failed);
	device.region = member_id(store, entry, "region_code", &failed);
	if (failed || device.name == STRPOOL_NONE || device.imei == STRPOOL_NONE ||
	    device.rate_plan == STRPOOL_NONE || device.activation_date == STRPOOL_NONE)
		return -1;
	return append_device(store, &device);
}

/* True when the device rendered from record equals fields exactly. */
static int renders_as(struct store *store, struct device *record, const json_t *fields)
{
	json_t *rendered = store_device_json(store, record);
	int equal = rendered && json_equal(rendered, (json_t *)fields);
	json_decref(rendered);
	return equal;
}

/* Reads what the "sim" part of a snapshot says into the record. */
static int read_sim_part(struct store *store, struct device *device, const json_t *sim)
{
	int failed = 0;
	uint32_t plan = member_id(store, sim, "rate_plan_name", &failed);
	device->rate_plan = plan == STRPOOL_NONE ? 0 : plan;
	device->sms_capable = json_is_true(json_object_get(sim, "sms_capable"));
	device->sku = member_id(store, sim, "device_sku", &failed);
	device->region = member_id(store, sim, "region_code", &failed);
	json_t *active_at = json_object_get(sim, "active_at_ms");
	if (device->state == store->state_pending && json_is_integer(active_at))
		device->active_at_ms = json_integer_value(active_at);
	return failed ? -1 : 0;
}

/* Applies the usage limit and SMS log of the "sim" part to a stored device. */
static int read_sim_history(struct store *store, struct device *device, const json_t *sim)
{
	const json_t *limit = json_object_get(sim, "usage_limit");
	json_t *usernames = json_object_get(limit, "usernames");
	json_t *empty = json_array();
	int result = 0;
	if (json_is_object(limit) && json_integer_value(json_object_get(limit, "kb_limit")) > 0)
		result = store_set_usage_limit(
		    store, device, json_integer_value(json_object_get(limit, "kb_limit")),
		    json_string_value(json_object_get(limit, "action")),
		    json_is_array(usernames) ? usernames : empty);
	json_decref(empty);
	size_t i;
	json_t *sent;
	uint32_t sms_sent = device->sms_sent;
	json_array_foreach(json_object_get(sim, "sms_log"), i, sent)
	{
		const char *when = json_string_value(json_object_get(sent, "event_timestamp"));
		const char *text = json_string_value(json_object_get(sent, "message_body"));
		json_t *event_id = json_object_get(sent, "event_id");
		if (result == 0)
			result =
			    store_log_sms(store, device, (uint64_t)json_integer_value(event_id),
			                  when ? when : "", text ? text : "");
	}
	device->sms_sent = sms_sent; /* sms_used already counts them */
	return result;
}

/* A loaded device that is a built-in one with its generated fields: stored
 * as DEVICE_DEFAULT. Returns true when it is. */
static bool stored_as_default(struct store *store, struct device *device, json_t *fields,
                              const char *name, json_int_t sms_used)
{
	char id_scratch[32];
	if (!device->has_id || device->id < DATASET_FIRST_ID ||
	    device->id - DATASET_FIRST_ID >= (int64_t)UINT32_MAX)
		return false;
	snprintf(id_scratch, sizeof id_scratch, "%lld",
	         (long long)(device->id - DATASET_FIRST_ID + DATASET_FIRST_NAME));
	if (strcmp(id_scratch, name) != 0)
		return false;
	struct device_static fixed;
	device->kind = DEVICE_DEFAULT;
	dataset_static(store->seed, device->kind == DEVICE_ACTIVATED, device->id, NULL, &fixed);
	/* Compared before subtracting: a hostile file may hold any integer. */
	bool found =
	    sms_used >= fixed.sms_used && sms_used - fixed.sms_used <= (json_int_t)UINT32_MAX;
	device->sms_sent = found ? (uint32_t)(sms_used - fixed.sms_used) : 0;
	return found && renders_as(store, device, fields);
}

/* A loaded device activated by a request whose fixed fields are still the
 * generated ones: stored as DEVICE_ACTIVATED. Returns true when it is. */
static bool stored_as_activated(struct store *store, struct device *device, json_t *fields,
                                const char *name, json_int_t sms_used)
{
	const char *iccid = json_string_value(json_object_get(fields, "iccid"));
	const char *imei = json_string_value(json_object_get(fields, "imei"));
	if (!device->has_id || !iccid || !imei || strcmp(iccid, name) != 0 || sms_used < 0 ||
	    sms_used > (json_int_t)UINT32_MAX)
		return false;
	int failed = 0;
	device->kind = DEVICE_ACTIVATED;
	device->name = device->iccid = strpool_intern_text(&store->strings, iccid);
	device->imei = strpool_intern_text(&store->strings, imei);
	device->activation_date = member_id(store, fields, "last_activation_date", &failed);
	device->sms_sent = (uint32_t)sms_used;
	return !failed && device->name != STRPOOL_NONE && device->imei != STRPOOL_NONE &&
	       device->activation_date != STRPOOL_NONE && renders_as(store, device, fields);
}

/* Any other loaded device: its object kept as JSON text. Returns 0 or -1. */
static int stored_as_text(struct store *store, struct device *device, json_t *fields,
                          const char *name)
{
	int failed = 0;
	char *text = json_dumps(fields, JSON_COMPACT);
	device->kind = DEVICE_LOADED;
	device->sms_sent = 0;
	device->fields = text ? strpool_intern_text(&store->strings, text) : STRPOOL_NONE;
	free(text);
	device->name = strpool_intern_text(&store->strings, name);
	device->iccid = member_id(store, fields, "iccid", &failed);
	device->imei = member_id(store, fields, "imei", &failed);
	if (device->iccid == STRPOOL_NONE)
		device->iccid = 0;
	if (device->imei == STRPOOL_NONE)
		device->imei = 0;
	return failed || device->fields == STRPOOL_NONE || device->name == STRPOOL_NONE ? -1 : 0;
}

int store_add_device(struct store *store, json_t *fields, json_t *sim)
{
	char name_scratch[32];
	struct device device;
	int failed = 0, result = -1;
	blank_device(&device);
	const char *name = json_identifier(json_object_get(fields, "device_name"), name_scratch,
	                                   sizeof name_scratch);
	if (!json_is_object(fields) || !json_is_object(sim) || !name || !*name)
		goto out;
	json_t *id = json_object_get(fields, "id");
	device.has_id = json_is_integer(id);
	device.id = device.has_id ? json_integer_value(id) : 0;
	uint32_t state = member_id(store, fields, "state", &failed);
	device.state = state == STRPOOL_NONE ? 0 : state;
	uint32_t cost_center = member_id(store, fields, "cost_center", &failed);
	device.cost_center = cost_center == STRPOOL_NONE ? 0 : cost_center;
	for (int i = 0; i < 4; i++) {
		uint32_t note = member_id(store, fields, note_keys[i], &failed);
		device.note[i] = note == STRPOOL_NONE ? 0 : note;
	}
	if (failed || read_sim_part(store, &device, sim) != 0)
		goto out;
	/* Stored compactly when it is a built-in or an activated device whose
	 * fixed fields are still the generated ones; else kept as JSON text. */
	json_int_t sms_used = json_integer_value(json_object_get(fields, "sms_used"));
	if (!stored_as_default(store, &device, fields, name, sms_used) &&
	    !stored_as_activated(store, &device, fields, name, sms_used) &&
	    stored_as_text(store, &device, fields, name) < 0)
		goto out;
	if (append_device(store, &device) != 0)
		goto out;
	result = read_sim_history(store, &store->devices[store->count - 1], sim);
out:
	json_decref(fields);
	json_decref(sim);
	return result;
}
