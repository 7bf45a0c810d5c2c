/* Reading the account's live state for a job: the rate plans and users
 * when the operation needs them (read alongside the devices' first reads),
 * and the devices the rows name — the whole
 * account (GET v2/devices?details=true, paged, concurrent) or one GET
 * v2/devices/:id per identifier, whichever needs fewer calls (the account's
 * size from the first pages' X-Total / X-Total-Pages, which are read at
 * once and kept either way). Every read goes through export_run
 * (export/export.h): concurrency, --rate, retries, 429 pauses and the audit
 * trail are the read side's; a per-device read is recorded under the job
 * row that named the identifier.
 * The one path for plan, run's preflight and verify: live_wanted_from_rows,
 * live_snapshot_take, and for a job live_snapshot_for_job.
 * Ownership: a live_wanted owns its identifiers; the request's strings are
 * borrowed for the call; the snapshot returned is the caller's. */
#ifndef LATTIGO_LIVE_TAKE_H
#define LATTIGO_LIVE_TAKE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "common/error.h"
#include "export/export.h"
#include "live/snapshot.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"

/* The distinct identifiers a job's rows name. Beyond LIVE_WANTED_MAX of
 * them they are counted, not kept (the count becomes an upper bound), and
 * the whole account is read: one read per identifier would be far more
 * calls, and memory stays bounded (issue 14). */
#define LIVE_WANTED_MAX 262144u
struct live_wanted;

/* Returns an empty set, or NULL when out of memory. */
struct live_wanted *live_wanted_new(void);
/* Frees the set; NULL is allowed. */
void live_wanted_free(struct live_wanted *wanted);
/* Adds key = value, named by the job's row (a repeat is ignored — the first
 * row is kept —, empty values too). Returns 0 or -1. */
int live_wanted_add(struct live_wanted *wanted, enum device_field key, const char *value,
                    uint64_t row);
/* Adds what a valid record of op names: its device (op_live_device_key) and
 * op->live.also_unique's value. Returns 0 or -1 (out of memory). */
int live_wanted_add_record(struct live_wanted *wanted, const struct op *op,
                           const struct record *record);
/* The number of distinct identifiers. */
size_t live_wanted_count(const struct live_wanted *wanted);
/* Reads the manifest config names (the pipeline's notes on its columns go
 * to notes, NULL: none) and returns the identifiers its valid rows name
 * (the caller's, live_wanted_free), or NULL with error. */
struct live_wanted *live_wanted_from_rows(const struct pipeline_config *config, FILE *notes,
                                          struct error *error);

struct live_take_request {
	struct read_transport transport;
	const char *endpoint_shown; /* the API root as meta.json records it */
	unsigned concurrency;
	double rate;        /* calls per second, 0: unlimited */
	unsigned max_tries; /* tries of one read */
	volatile sig_atomic_t *stop;
	bool verbose;
	struct audit_writer *audit; /* NULL: the reads are not recorded */
	/* hold at most live_spool_budget() devices in memory, the rest on disk
	 * (live/spool.h): for a snapshot judged through live/judge.h only */
	bool bounded;
	bool rate_plans; /* read v2/rate_plans */
	bool users;      /* read v2/users */
};

/* Reads what request and wanted ask for into a new snapshot (*out). 404 to a
 * device read = not in the account. Returns an exit_code: 0; 2 when the
 * credentials were refused; 3 when the API could not be read (stopped,
 * failing, a listing refused) — error filled for 2 and 3. */
int live_snapshot_take(const struct live_take_request *request, const struct live_wanted *wanted,
                       struct live_snapshot **out, struct error *error);

/* A job's baseline (run's preflight), durable in directory before the
 * first write. When *snapshot already holds one (taken before the job
 * directory existed) it is stored. Else the one stored in directory is
 * loaded — a resume keeps the first baseline — and refused when it was
 * taken more than max_age_ms before now_ms (max_age_ms <= 0: any age).
 * Else, with a request, a new one is taken for the rows of the manifest
 * rows names and stored; without one (a job that sent rows before it kept
 * a snapshot: a new one would not show the state before it) *snapshot
 * stays NULL. *taken says whether it was taken (or stored) now. Returns an
 * exit_code: 0; 2 a stale stored snapshot, refused credentials, an
 * unreadable manifest; 3 the account could not be read or the snapshot not
 * written; 4 a damaged stored snapshot — error filled. */
int live_snapshot_for_job(const char *directory, const struct live_take_request *request,
                          const struct pipeline_config *rows, int64_t max_age_ms, int64_t now_ms,
                          struct live_snapshot **snapshot, bool *taken, struct error *error);

/* How the account's listing is read for a job naming identifiers devices
 * with concurrency reads in flight: per_page (at most READ_MAX_PER_PAGE) and
 * the pages asked at once before the account's size is known. The listing
 * is assumed to hold at least the rows' devices, in pages of even size that
 * fill whole rounds of concurrency reads when that costs at most a quarter
 * more calls. Pure. */
void live_listing_plan(size_t identifiers, unsigned concurrency, uint64_t *per_page,
                       uint64_t *first_pages);
/* Whether the whole account (pages of the listing, from the first page's
 * X-Total-Pages, else X-Total / X-Per-Page, else — a page 1 shorter than
 * asked — one) is no more calls than one read per identifier. A listing
 * of unknown size is not read whole. Pure. */
bool live_listing_whole(int64_t total, int64_t total_pages, int64_t per_page, size_t first_count,
                        uint64_t asked_per_page, size_t identifiers);

#endif
