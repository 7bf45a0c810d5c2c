/* What the snapshot's file format (snapshot_file.c) needs beyond the public
 * API: every user and every identifier recorded absent.
 * Ownership: returned strings borrow the snapshot's memory. */
#ifndef LATTIGO_LIVE_SNAPSHOT_INTERNAL_H
#define LATTIGO_LIVE_SNAPSHOT_INTERNAL_H

#include "live/snapshot.h"
#include "live/spool.h"

/* The spool a spilled snapshot's devices are in (borrowed), or NULL. */
struct live_spool *live_snapshot_spool(const struct live_snapshot *snapshot);
/* Adds the devices of a file in the stored snapshot's format (a spool's
 * listing). Returns 0 or -1 with error. */
int live_snapshot_load_devices(struct live_snapshot *snapshot, const char *path,
                               struct error *error);

/* The number of users, and the index-th one. */
size_t live_snapshot_user_count(const struct live_snapshot *snapshot);
const char *live_snapshot_user_at(const struct live_snapshot *snapshot, size_t index);
/* The size of the identifier table, and whether slot index records an
 * identifier read and not found (filling key and value). */
size_t live_snapshot_slot_count(const struct live_snapshot *snapshot);
bool live_snapshot_slot_absent(const struct live_snapshot *snapshot, size_t index,
                               enum device_field *key, const char **value);

#endif
