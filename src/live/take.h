/* Reading the account's live state for a job: the rate plans and users
 * when the operation needs them, and the devices the rows name — the whole
 * account (GET v2/devices?details=true, paged, concurrent) or one GET
 * v2/devices/:id per identifier, whichever needs fewer calls (the account's
 * size from X-Total of a one-record probe). Every read goes through
 * export_run (export/export.h): concurrency, --rate, retries, 429 pauses and
 * the audit trail are the read side's.
 * Ownership: a live_wanted owns its identifiers; the request's strings are
 * borrowed for the call; the snapshot returned is the caller's. */
#ifndef LATTIGO_LIVE_TAKE_H
#define LATTIGO_LIVE_TAKE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "common/error.h"
#include "export/export.h"
#include "live/snapshot.h"
#include "ops/op.h"

/* The distinct identifiers a job's rows name. */
struct live_wanted;

/* Returns an empty set, or NULL when out of memory. */
struct live_wanted *live_wanted_new(void);
/* Frees the set; NULL is allowed. */
void live_wanted_free(struct live_wanted *wanted);
/* Adds key = value (a repeat is ignored; empty values too). Returns 0 or -1. */
int live_wanted_add(struct live_wanted *wanted, enum device_field key, const char *value);
/* Adds what a valid record of op names: its device (op_live_device_key) and
 * op->live.also_unique's value. Returns 0 or -1 (out of memory). */
int live_wanted_add_record(struct live_wanted *wanted, const struct op *op,
                           const struct record *record);
/* The number of distinct identifiers. */
size_t live_wanted_count(const struct live_wanted *wanted);

struct live_take_request {
	struct read_transport transport;
	const char *endpoint_shown; /* the API root as meta.json records it */
	unsigned concurrency;
	double rate;        /* calls per second, 0: unlimited */
	unsigned max_tries; /* tries of one read */
	volatile sig_atomic_t *stop;
	bool verbose;
	struct audit_writer *audit; /* NULL: the reads are not recorded */
	bool rate_plans;            /* read v2/rate_plans */
	bool users;                 /* read v2/users */
	/* Where the identifiers manifest of per-device reads is written
	 * (identifiers.csv); created when missing. The snapshot's own directory
	 * in a job. */
	const char *work_directory;
};

/* Reads what request and wanted ask for into a new snapshot (*out). 404 to a
 * device read = not in the account. Returns an exit_code: 0; 2 when the
 * credentials were refused; 3 when the API could not be read (stopped,
 * failing, a listing refused) — error filled for 2 and 3. */
int live_snapshot_take(const struct live_take_request *request, const struct live_wanted *wanted,
                       struct live_snapshot **out, struct error *error);

/* A job's baseline (run's preflight): the snapshot stored in directory when
 * there is one — a resume keeps the first job's baseline — refused when it
 * was taken more than max_age_ms before now_ms (max_age_ms <= 0: any age);
 * else a new one taken for wanted (request->work_directory should be
 * directory) and stored in directory before it is returned, so it is durable
 * before the first write. *taken says which. Returns an exit_code: 0; 2 a
 * stale or unreadable stored snapshot, refused credentials; 3 the account
 * could not be read or the snapshot not written — error filled. */
int live_snapshot_for_job(const char *directory, const struct live_take_request *request,
                          const struct live_wanted *wanted, int64_t max_age_ms, int64_t now_ms,
                          struct live_snapshot **out, bool *taken, struct error *error);

#endif
