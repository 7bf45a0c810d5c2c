/* What `verify` leaves in the job directory: OUT/verify.csv (one line per
 * verified row, written atomically) and the `verification` section of
 * OUT/summary.json (the rest of the summary kept as it is).
 * Ownership: everything is borrowed from the caller. */
#ifndef LATTIGO_VERIFY_OUTPUTS_H
#define LATTIGO_VERIFY_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/csv_writer.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"
#include "verify/judgements.h"
#include "verify/verdict.h"

#define VERIFY_FILE       "verify.csv"
#define VERIFY_AUDIT_FILE "verify-audit.jsonl.gz" /* verify's own audit trail */

/* The figures of one verification, for summary.json. */
struct verify_figures {
	uint64_t counts[VERIFY_VERDICT_COUNT];
	uint64_t rows_not_verified; /* rows whose outcome was neither ok nor unknown */
	uint64_t calls;             /* reads made, retries included */
	unsigned rounds;
	int64_t started_at_ms, finished_at_ms; /* UTC epoch ms */
	int64_t wait_ms;                       /* how long it was allowed to wait */
	int64_t waited_ms;                     /* how long it waited */
	bool interrupted;                      /* stopped by a signal: what was known is written */
	bool devices_created; /* the rows create their devices (activations): a missing one
	                         may only be slow to show */
	int exit_status;
};

/* directory/verify.csv while it is written: `row,identifier,device_name,
 * expected,observed,verdict`, a line per row read back in row order, given
 * one at a time (the rows are streamed); atomic: a crash leaves the old file
 * or the new one. */
struct verify_csv {
	struct strbuf path;
	struct atomic_file file;
	struct csv_writer csv;
};

/* Starts the file with its header. Returns 0, or -1 with error (nothing to
 * release then). */
int verify_csv_open(struct verify_csv *out, const char *directory, struct error *error);
/* Writes a row's line; texts NULL or their members NULL: empty cells (a row
 * never read). */
void verify_csv_row(struct verify_csv *out, uint64_t row, const char *identifier,
                    const struct verify_texts *texts, enum verify_verdict verdict);
/* Puts the file in place and releases out. Returns 0, or -1 with error. */
int verify_csv_commit(struct verify_csv *out, struct error *error);
/* Drops the file being written (the old one stays) and releases out. */
void verify_csv_abort(struct verify_csv *out);

/* Sets the `verification` member of directory/summary.json to figures
 * (creating the file when the job never wrote one), atomically. Returns 0,
 * or -1 with error. */
int verify_write_summary(const char *directory, const struct verify_figures *figures,
                         struct error *error);

#endif
