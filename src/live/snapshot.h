/* The account's live state as one job reads it (issue 10): the devices its
 * rows name (or the whole account), the rate plans and the users, with the
 * time they were read. Kept in memory compactly — one string arena, one
 * fixed-size record per device, an open-addressing index over every
 * identifier (device_name, iccid, imei, imsi, msisdn, mdn, meid, esn, min);
 * no allocation per device — and stored in the job directory
 * (OUT/snapshot/: devices.jsonl.gz + meta.json, see docs/outputs.md) so a
 * resume and a later `verify` compare against the same baseline.
 *
 * Who uses it: `plan` (cli/cmd_plan.c) and `run`'s preflight take or load a
 * snapshot and classify rows (live/classify.h); `verify` loads the stored
 * one as the "before" and reads the account again for the "after".
 *
 * Ownership: a live_snapshot owns everything it holds. Views and names it
 * hands out borrow its memory and stay valid until the next add or free. */
#ifndef LATTIGO_LIVE_SNAPSHOT_H
#define LATTIGO_LIVE_SNAPSHOT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "ops/live_state.h"

/* The directory a job keeps its snapshot in, under OUT. */
#define LIVE_SNAPSHOT_DIRECTORY "snapshot"

/* How much of the account's devices the snapshot saw. */
enum live_scope {
	LIVE_SCOPE_NONE,    /* no devices were read (the operation names none) */
	LIVE_SCOPE_ACCOUNT, /* every device of the account (v2/devices?details=true) */
	LIVE_SCOPE_DEVICES, /* only the identifiers asked for (GET v2/devices/:id each) */
};

/* Returns "none", "account" or "devices" (static). */
const char *live_scope_name(enum live_scope scope);

/* When and how the snapshot was read (meta.json). */
struct live_snapshot_meta {
	int64_t taken_at_ms; /* UTC epoch ms when the reads started */
	char endpoint[512];  /* the API root read (never credentials) */
	enum live_scope scope;
	bool rate_plans_read, users_read;
	uint64_t calls;          /* reads made, retries included */
	int64_t account_devices; /* X-Total of v2/devices, -1 when unknown */
	uint64_t identifiers;    /* distinct identifiers the rows named */
	int64_t read_ms;         /* how long the reads took */
};

/* A rate plan's name and the fees `plan` prices activations with; a fee the
 * API gave no number for is NAN. */
struct live_rate_plan {
	const char *name;
	double activation_fee;
	double monthly_data_plan_cost;
	double monthly_sms_plan_cost;
};

struct live_snapshot;

/* Returns an empty snapshot (scope NONE, taken now), or NULL when out of memory. Free with
 * live_snapshot_free. */
struct live_snapshot *live_snapshot_new(void);
/* Frees the snapshot; NULL is allowed. */
void live_snapshot_free(struct live_snapshot *snapshot);
/* Returns an empty snapshot with from's meta data, rate plans and users
 * (one partition's devices are added to it), or NULL when out of memory. */
struct live_snapshot *live_snapshot_new_like(const struct live_snapshot *from);
/* Bounds the devices held in memory (0: no bound): from the max_devices-th
 * on, the devices go to a spool on disk (live/spool.h) and the snapshot no
 * longer finds any of them — a spilled snapshot's rows are judged by
 * partitions (live/judge.h); storing it copies the spool's listing. */
void live_snapshot_set_budget(struct live_snapshot *snapshot, size_t max_devices);
/* The listing told how many devices it holds: the snapshot makes room for
 * them (within its budget, or about a million when it has none: the count
 * is the API's word) once the first ones show what a device takes. */
void live_snapshot_expect(struct live_snapshot *snapshot, size_t devices);
/* True when the snapshot spilled its devices to disk. */
bool live_snapshot_spilled(const struct live_snapshot *snapshot);

/* The snapshot's meta data, to read or (while building it) to fill. */
struct live_snapshot_meta *live_snapshot_meta(struct live_snapshot *snapshot);
const struct live_snapshot_meta *live_snapshot_info(const struct live_snapshot *snapshot);

/* Adds one device object as the API returns it (unknown keys ignored,
 * numbers kept as their digits). A second device with an identifier already
 * indexed takes it over only when the first is deactivated. Returns 0, or -1
 * when out of memory or object is not an object. */
int live_snapshot_add_device(struct live_snapshot *snapshot, const json_t *object);
/* Adds the device objects of an answer's JSON text — with single, one
 * object; else an array, whose items that are not objects are passed over —
 * as live_snapshot_add_device would, without building JSON values
 * (live/device_text.h). Returns 0 with *count the items, 1 when text is not
 * that JSON (nothing added), -1 when out of memory. */
int live_snapshot_add_devices_text(struct live_snapshot *snapshot, const char *text, size_t length,
                                   bool single, size_t *count);
/* Adds a device from a view (tests, loading). Returns 0 or -1. */
int live_snapshot_add_view(struct live_snapshot *snapshot, const struct device_view *device);
/* Records that the account has no device with identifier key = value (a 404
 * to GET v2/devices/:id): a devices-scope snapshot then knows it is missing.
 * Returns 0 or -1. */
int live_snapshot_add_absent(struct live_snapshot *snapshot, enum device_field key,
                             const char *value);
/* Adds a rate plan object (its name and fees; numbers or numeric strings).
 * Returns 0, or -1 when out of memory or it has no name. */
int live_snapshot_add_rate_plan(struct live_snapshot *snapshot, const json_t *object);
/* Adds a user: a username string, or an object with "username" or "name". Returns 0 or -1. */
int live_snapshot_add_user(struct live_snapshot *snapshot, const json_t *item);

/* Finds the device whose identifier key equals value and fills device.
 * Returns true when found. Empty values never match. */
bool live_snapshot_find(const struct live_snapshot *snapshot, enum device_field key,
                        const char *value, struct device_view *device);
/* As live_snapshot_find, giving the device's index (live_snapshot_device_at). */
bool live_snapshot_find_index(const struct live_snapshot *snapshot, enum device_field key,
                              const char *value, size_t *index);
/* True when the snapshot can say whether key = value exists: every
 * identifier for an account-scope snapshot, only those that were read (found
 * or recorded absent) for a devices-scope one. */
bool live_snapshot_covers(const struct live_snapshot *snapshot, enum device_field key,
                          const char *value);
/* The number of devices read (held, or spilled to disk). */
size_t live_snapshot_device_count(const struct live_snapshot *snapshot);
/* Fills device with the index-th device (0-based, in the order added). */
void live_snapshot_device_at(const struct live_snapshot *snapshot, size_t index,
                             struct device_view *device);

/* The rate plan named name (exact), or NULL. */
const struct live_rate_plan *live_snapshot_rate_plan(const struct live_snapshot *snapshot,
                                                     const char *name);
/* True when username is one of the account's users (exact). */
bool live_snapshot_has_user(const struct live_snapshot *snapshot, const char *username);
/* The closest rate plan name / username to a mistyped one ("did you mean"),
 * or NULL when none is close (common/suggest.c). */
const char *live_snapshot_suggest_rate_plan(const struct live_snapshot *snapshot, const char *name);
const char *live_snapshot_suggest_user(const struct live_snapshot *snapshot, const char *name);
/* The rate plans (count in *count), in the order read. */
const struct live_rate_plan *live_snapshot_rate_plans(const struct live_snapshot *snapshot,
                                                      size_t *count);

/* Writes the snapshot to directory (created when missing): devices.jsonl.gz
 * first, meta.json last, each complete or not at all (fsynced, renamed), so
 * a present meta.json means a complete snapshot. Returns 0, or -1 with error. */
int live_snapshot_store(const struct live_snapshot *snapshot, const char *directory,
                        struct error *error);
/* Reads the snapshot stored in directory into *out (free with
 * live_snapshot_free). Returns 0, 1 when directory holds none (no
 * meta.json), or -1 with error (unreadable, damaged). */
int live_snapshot_load(const char *directory, struct live_snapshot **out, struct error *error);
/* As live_snapshot_load, reading meta.json only: a snapshot that says when
 * and how the account was read and holds no device (a resume that settles
 * its rows from the preflight's verdicts, live/verdicts.h, needs no more). */
int live_snapshot_load_meta(const char *directory, struct live_snapshot **out, struct error *error);
/* --max-snapshot-age: returns 0 when the snapshot was taken at most
 * max_age_ms before now_ms (max_age_ms <= 0: any age), else -1 with error
 * saying how old it is, when it was read and what to do. */
int live_snapshot_check_age(const struct live_snapshot *snapshot, int64_t max_age_ms,
                            int64_t now_ms, struct error *error);

#endif
