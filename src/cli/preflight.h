/* run's preflight (issue 10): before the first write, the account's live
 * state — taken once per job and kept in OUT/snapshot, so a resume loads the
 * first one (live_snapshot_for_job; `plan` reads the same way) — and every
 * valid row classified against it (live/classify.h).
 * The engine then sends only the rows that change something: through
 * engine_source.settle a row already in place ends `unchanged`, a row whose
 * device is missing or taken, or that names a rate plan or user the account
 * does not have, ends `error` naming what was found and when it was read; a
 * row naming a device an earlier row names another way (by name, then by
 * ICCID) is a duplicate key and ends `invalid`, as validate and plan judge it;
 * a row naming its device by ICCID or IMEI is sent under its device_name.
 * For operations whose previous value is readable it writes OUT/undo.csv.
 * Ownership: a preflight owns its snapshot; what it hands out borrows it. */
#ifndef LATTIGO_PREFLIGHT_H
#define LATTIGO_PREFLIGHT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/confirm.h"
#include "cli/options.h"
#include "common/error.h"
#include "engine/engine.h"
#include "live/classify.h"
#include "live/take.h"
#include "outputs/undo_writer.h"
#include "live/verdicts.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"

/* What classifying the rows found. */
struct preflight_tally {
	uint64_t kinds[LIVE_KIND_COUNT]; /* valid rows not yet final, by verdict */
	uint64_t unknown_name_rows;      /* of them: naming a rate plan / user the account lacks */
	char first_unknown[512];         /* the first such verdict's message */
	struct confirm_cost cost;        /* the rows to change and their activation fees */
	uint64_t undo_lines;             /* lines of undo.csv (whole job) */
	uint64_t undo_unrestorable;      /* rows to change whose value before no row can restore */
	bool undo_written;               /* undo.csv was written (now or by an earlier run) */
};

struct preflight {
	const struct op *op;
	/* owned; NULL until taken or loaded. Once the verdicts are kept it holds
	 * the meta data only: the devices are not looked up any more. */
	struct live_snapshot *snapshot;
	struct live_claims *claims; /* owned: the row naming each device first */
	/* owned: every row's verdict as kept in OUT/snapshot; once there, rows
	 * are settled and resolved from it, not from the snapshot */
	struct live_verdicts *verdicts;
	bool loaded; /* from OUT/snapshot (a resume): not taken now */
	struct preflight_tally tally;
	struct live_verdict verdict; /* scratch of preflight_settle */
	struct record resolved;      /* the row as sent under its resolved device_name */
	char resolved_name[1024];    /* its device_name, copied from a verdict's note */
};

void preflight_init(struct preflight *preflight, const struct op *op);
/* Frees the snapshot. */
void preflight_release(struct preflight *preflight);

/* Fills request with the reads of a job's snapshot as options ask for
 * them (concurrency, --rate, retries, --verbose, the stop flag), the rate
 * plans and users when op compares them; transport, endpoint_shown and
 * audit (NULL: the reads are not recorded) are borrowed. */
void preflight_request(struct live_take_request *request, const struct job_options *options,
                       const struct op *op, const struct read_transport *transport,
                       const char *endpoint_shown, struct audit_writer *audit);

/* Classifies every valid row of the manifest config names, in one pass:
 * counts in preflight->tally the rows settled() does not name as final
 * (settled may be NULL). With out (the job directory, of the job tagged
 * job_tag) it also writes, before anything is sent, out/undo.csv when the
 * operation's previous value is readable (OP_LIVE_UNDO) — a line for every
 * row of the job that changes its device — and then the verdict of every
 * row (out/snapshot/verdicts, live/verdicts.h), which it keeps open: the
 * snapshot's devices are dropped and rows are settled from the verdicts.
 * Returns 0 or -1. */
int preflight_classify(struct preflight *preflight, const struct pipeline_config *config,
                       pipeline_settled_fn *settled, void *context, const char *out,
                       uint64_t job_tag, struct error *error);
/* A resume: opens the verdicts the job's first run kept in out/snapshot and
 * counts in preflight->tally, from them, the rows final() (NULL: none) does
 * not name as final — no row is classified again. Rows 1..settled_prefix are
 * known final without asking final() (a resume's work then grows with what
 * is left, not with the job); the verdicts of the rows after them are
 * checked first. preflight->snapshot must hold the snapshot's meta data.
 * Returns 0, 1 when there are none to use (absent, torn, damaged, another
 * job's: error says why; classify instead), -1 with error. */
int preflight_resume(struct preflight *preflight, const char *out, uint64_t job_tag,
                     uint64_t settled_prefix, live_verdicts_final_fn *final, void *context,
                     struct error *error);
/* Starts a classification by rows (preflight_add_row; a job with steps
 * judges its rows per step this way): an empty tally and claims. Returns 0
 * or -1 (out of memory). */
int preflight_begin(struct preflight *preflight, struct error *error);
/* Classifies record (a valid row of preflight->op) into verdict: claims its
 * device for its row, adds its line to undo (NULL: none) when it changes its
 * device, and when count (a row not final yet) adds it to the tally. A
 * device the snapshot lacks that an earlier step of the job activates
 * (created_earlier) is a change. Returns 0 or -1 with error. */
int preflight_add_row(struct preflight *preflight, const struct record *record,
                      struct undo_writer *undo, bool count, bool created_earlier,
                      struct live_verdict *verdict, struct error *error);
/* Ends a classification by rows: the cost is known or not; undo (taken
 * over, NULL: none) is committed. Returns 0 or -1 with error. */
int preflight_end(struct preflight *preflight, struct undo_writer *undo, struct error *error);
/* True when every row to send names a rate plan or user the account lacks:
 * the job is refused before anything is sent (error says which name). */
bool preflight_refuses(const struct preflight *preflight, struct error *error);

/* engine_source.settle with a preflight as context. */
int preflight_settle(void *context, const struct record *record, const struct record **send,
                     struct row_outcome *outcome, struct error *error);
/* outputs_job.resolve with a preflight as context: the device_name the row's
 * device has in the snapshot, or NULL. */
const char *preflight_device_name(void *context, const struct record *record);

/* Prints what the preflight found, one line on stream ("preflight: ..."). */
void preflight_print(const struct preflight *preflight, FILE *stream);

#endif
