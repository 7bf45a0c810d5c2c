/* The simulator's state: devices (looked up by device_name or any id_type),
 * rate plans, users and uploaded IMEIs, behind one lock, with JSON snapshots.
 * Ownership: the store owns every device and JSON value it holds; look-ups
 * return borrowed pointers valid while the caller holds the lock. */
#ifndef LATTIGO_SIM_STORE_H
#define LATTIGO_SIM_STORE_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

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

/* Returns the id_type named name (NULL or "" mean device_name), or -1. */
int id_type_parse(const char *name);
/* Returns the API name of an id_type, e.g. "iccid" (static). */
const char *id_type_name(enum id_type type);

struct device {
	json_t *fields; /* the public device object, keys in the API text's order */
	json_t *extra;  /* simulator-only: rate_plan_name, sms_capable, usage_limit, sms_log… */
};

struct store {
	pthread_mutex_t lock;
	struct device *devices; /* in creation order: the order of v2/devices */
	size_t count;
	size_t capacity;
	json_t *index[ID_TYPE_COUNT]; /* identifier text -> position in devices */
	json_t *rate_plans;           /* array of rate plan objects */
	json_t *users;                /* array of usernames */
	json_t *uploads;              /* imei -> {"sku","email"} */
	int64_t next_id;
	uint64_t seed;
};

/* Prepares an empty store. Returns 0, or -1 when out of memory. */
int store_init(struct store *store, uint64_t seed);
/* Frees everything the store holds. */
void store_release(struct store *store);
/* Locks / unlocks the store for a whole request. */
void store_lock(struct store *store);
void store_unlock(struct store *store);

/* Adds a device, taking ownership of fields and extra (both objects, fields
 * with a unique string device_name). Returns 0, or -1 (duplicate name, no memory). */
int store_add_device(struct store *store, json_t *fields, json_t *extra);
/* Returns the device whose identifier of type equals value, or NULL. */
struct device *store_find(struct store *store, enum id_type type, const char *value);
/* Returns the device's name (borrowed). */
const char *device_name_of(const struct device *device);
/* True when a rate plan of that exact name exists. */
int store_has_rate_plan(const struct store *store, const char *name);

/* Fills the built-in data set: device_count devices, the rate plans and users,
 * all derived from the store's seed. Returns 0 or -1. */
int store_fill_default(struct store *store, size_t device_count);
/* Builds the fields of a newly activated device (new reference) from the
 * request entry; everything not given is derived from the ICCID. */
json_t *store_new_activation(struct store *store, const char *iccid, const char *imei,
                             const json_t *entry);

/* Replaces the store's content with the snapshot in path. Returns 0, or -1
 * with a message (e.g. "state file 'x.json': devices[3]: device_name missing"). */
int store_load(struct store *store, const char *path, char *message, size_t message_size);
/* Writes a snapshot to path (through a temporary file, then rename).
 * Returns 0, or -1 with a message. */
int store_save(struct store *store, const char *path, char *message, size_t message_size);

#endif
