/* The simulator's state: devices as fixed-size records (values that repeat are
 * interned strings, fields that never change are regenerated from the seed
 * when shown), open-addressing indexes by device_name, id, ICCID and IMEI,
 * rate plans, users and uploaded IMEIs, behind one read-write lock (reads of
 * devices share it, so concurrent listing pages are written in parallel),
 * with streamed JSON snapshots. Ownership: the store owns everything it holds; look-ups return
 * borrowed pointers valid while the caller holds the lock and adds no device. */
#ifndef LATTIGO_SIM_STORE_H
#define LATTIGO_SIM_STORE_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "sim/strpool.h"

/* The identifiers a device can be named by (the API's id_type values). */
enum id_type {
	ID_TYPE_DEVICE_NAME,
	ID_TYPE_ID,
	ID_TYPE_ICCID,
	ID_TYPE_IMEI,
	ID_TYPE_IMSI,
	ID_TYPE_MSISDN,
	ID_TYPE_MDN,
	ID_TYPE_MEID,
	ID_TYPE_ESN,
	ID_TYPE_MIN,
	ID_TYPE_COUNT
};
/* The id_types with an index (the others are found by a scan). */
#define STORE_INDEXED 4
/* How every answer's JSON is written (server.c): compact, reals to 10 digits. */
#define STORE_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

/* Returns the id_type named name (NULL or "" mean device_name), or -1. */
int id_type_parse(const char *name);
/* Returns the API name of an id_type, e.g. "iccid" (static). */
const char *id_type_name(enum id_type type);

enum device_kind {
	DEVICE_DEFAULT,   /* built-in data set: everything fixed follows from seed and id */
	DEVICE_ACTIVATED, /* created by an activation: fixed fields follow from the ICCID */
	DEVICE_LOADED,    /* from a snapshot, fixed fields kept as compact JSON text */
};

/* One device: 88 bytes. Strings are strpool ids. */
struct device {
	int64_t id;
	int64_t active_at_ms;       /* while state is "pending": when it becomes "active" */
	uint32_t name, iccid, imei; /* ACTIVATED and LOADED (DEFAULT ones are generated) */
	uint32_t fields;            /* LOADED: the device object as compact JSON */
	uint32_t activation_date;   /* ACTIVATED: last_activation_date */
	uint32_t state;
	uint32_t cost_center; /* STRPOOL_NONE: the generated one (DEFAULT) */
	uint32_t note[4];     /* note, note1, note2, note3 */
	uint32_t rate_plan;   /* rate_plan_name */
	uint32_t sku, region; /* device_sku, region_code; STRPOOL_NONE = absent */
	uint32_t sms_sent;    /* SMS sent through the API: added to sms_used */
	uint32_t extra;       /* 1 + index in store->extras, 0 = none */
	uint8_t kind;
	uint8_t sms_capable;
	uint8_t has_id; /* LOADED devices may lack an integer id */
};

/* What few devices have: a usage limit and an SMS log. */
struct device_extra {
	int64_t kb_limit;    /* 0 = no usage limit */
	uint32_t action;     /* STRPOOL_NONE = absent */
	uint32_t usernames;  /* the usernames array as compact JSON */
	uint32_t sms_newest; /* 1 + index in store->sms, 0 = none */
	uint32_t sms_count;
};

/* One SMS sent through the API, in a per-device list, newest first. */
struct sms_entry {
	uint64_t event_id;
	uint32_t when;  /* event_timestamp text */
	uint32_t text;  /* message_body */
	uint32_t older; /* 1 + index of the previous one, 0 = none */
};

struct device_index {
	uint64_t *slots; /* hash tag << 32 | (position + 1); 0 = empty */
	size_t mask;
};

struct store {
	pthread_rwlock_t lock;
	struct device *devices; /* in creation order: the order of v2/devices */
	size_t count;
	size_t capacity;
	struct device_index index[STORE_INDEXED];
	struct strpool strings;
	struct device_extra *extras;
	size_t extra_count, extra_capacity;
	struct sms_entry *sms;
	size_t sms_count, sms_capacity;
	json_t *rate_plans; /* array of rate plan objects */
	json_t *users;      /* array of usernames */
	json_t *uploads;    /* imei -> {"sku","email"} */
	int64_t next_id;
	uint64_t seed;
	unsigned activation_delay_ms;
	uint32_t state_active, state_pending; /* pool ids of "active" and "pending" */
};

/* Prepares an empty store. Returns 0, or -1 when out of memory. */
int store_init(struct store *store, uint64_t seed);
/* Frees everything the store holds. */
void store_release(struct store *store);
/* Locks the store for a whole request that may change it (alone). */
void store_lock(struct store *store);
/* Locks the store for a whole request that changes nothing (shared with
 * other readers): only the functions taking a const store, and store_find,
 * store_device_json and store_device_write, may be called under it. */
void store_read_lock(struct store *store);
/* Releases either lock. */
void store_unlock(struct store *store);

/* Adds a device from its public object and its simulator-only part (both
 * taken over; see docs/simulator.md for "sim"). Returns 0, or -1 (no string
 * device_name, duplicate name, no memory). */
int store_add_device(struct store *store, json_t *fields, json_t *sim);
/* Adds a device activated now from a request entry (iccid, imei, notes,
 * device_sku, region_code) on rate plan plan: "pending" for the store's
 * activation delay, then "active". Returns 0, or -1 (duplicate, no memory). */
int store_activate(struct store *store, const char *iccid, const char *imei, const json_t *entry,
                   const char *plan, int64_t now_ms);
/* Returns the device whose identifier of type equals value, or NULL. */
struct device *store_find(struct store *store, enum id_type type, const char *value);
/* Returns the device's name: borrowed from the store, or written into
 * scratch (at least 24 bytes). */
const char *store_device_name(const struct store *store, const struct device *device, char *scratch,
                              size_t scratch_size);
/* Returns the device's state id: "active" once a pending one's time came
 * (computed, not written, so that readers may share the lock). */
uint32_t store_device_state(const struct store *store, const struct device *device);
/* Returns the public device object (new reference, NULL when out of memory). */
json_t *store_device_json(struct store *store, struct device *device);
/* Appends the public device object to out as the compact JSON text
 * json_dumps(store_device_json(...), STORE_JSON_FLAGS) gives, without
 * building it (a listing page of a thousand devices is written directly).
 * Returns 0, or -1 when out of memory. */
int store_device_write(struct store *store, struct device *device, struct strbuf *out);
/* Returns the simulator-only part as saved in snapshots (new reference). */
json_t *store_device_sim(const struct store *store, const struct device *device);
/* True when a rate plan of that exact name exists. */
int store_has_rate_plan(const struct store *store, const char *name);

/* Changes: the text is interned; each returns 0, or -1 when out of memory. */
int store_set_cost_center(struct store *store, struct device *device, const char *text);
int store_set_state(struct store *store, struct device *device, const char *text);
/* which: 0 note, 1 note1, 2 note2, 3 note3. */
int store_set_note(struct store *store, struct device *device, unsigned which, const char *text);
/* Sets a usage limit (action may be NULL; usernames an array, borrowed). */
int store_set_usage_limit(struct store *store, struct device *device, int64_t kb_limit,
                          const char *action, const json_t *usernames);
void store_remove_usage_limit(struct store *store, struct device *device);
/* Logs an SMS sent now (when: its timestamp text) and counts it in sms_used. */
int store_log_sms(struct store *store, struct device *device, uint64_t event_id, const char *when,
                  const char *text);
/* Appends the device's SMS log (newest first, fixed fields from device_json)
 * to list as SMS MT objects, those whose day lies in [start, end]. */
void store_sms_log(const struct store *store, const struct device *device,
                   const json_t *device_json, int64_t start, int64_t end, json_t *list);

/* Fills the built-in data set: device_count devices, the rate plans and users,
 * all derived from the store's seed. Returns 0 or -1. */
int store_fill_default(struct store *store, size_t device_count);

/* Replaces the store's content with the snapshot in path, read line by line.
 * Returns 0, or -1 with a message (e.g. "state file 'x.json': devices[3]: …"). */
int store_load(struct store *store, const char *path, char *message, size_t message_size);
/* Writes a snapshot to path, one device a line (through a temporary file,
 * then rename). Returns 0, or -1 with a message. */
int store_save(struct store *store, const char *path, char *message, size_t message_size);

#endif
