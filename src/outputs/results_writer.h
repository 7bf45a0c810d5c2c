/* The job's final row files by one streaming pass over the manifest joined
 * with the outcome store in row order (constant memory): results.csv, then
 * errors.csv (a second pass, only when some row failed).
 * Ownership: everything is borrowed from the caller. */
#ifndef LATTIGO_RESULTS_WRITER_H
#define LATTIGO_RESULTS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "outputs/outcome_store.h"
#include "ops/op.h"

#define RESULTS_FILE "results.csv"

/* What identifies the job's rows: the same manifest, options and field
 * assignments the job was run with (the manifest must be re-readable: a path,
 * not stdin). */
struct outputs_job {
	const char *directory; /* the job directory (--out) */
	const struct op *op;
	const char *manifest_path;
	const struct manifest_options *manifest_options; /* NULL: defaults */
	const struct field_assignment *maps;
	size_t map_count; /* --map */
	const struct field_assignment *sets;
	size_t set_count;            /* --set */
	const char *skipped_message; /* non-NULL: rows without an outcome are written to
	                                results.csv as skipped, with this message (--max-errors) */
	/* May be NULL. The name the account knows a row's device by (a row naming
	 * it by ICCID or IMEI, resolved through the job's snapshot), or NULL when
	 * not known: results.csv then has a column RESULTS_RESOLVED_COLUMN after
	 * the identifying fields. */
	const char *(*resolve)(void *context, const struct record *record);
	void *resolve_context;
};

#define RESULTS_RESOLVED_COLUMN "resolved_device_name"

struct outputs_report {
	uint64_t rows_total;   /* data rows in the manifest */
	uint64_t rows_written; /* lines of results.csv (rows with an outcome) */
	uint64_t rows_pending; /* rows left out: no outcome yet (interrupted job) */
	uint64_t error_rows;   /* lines of errors.csv */
};

/* Writes results.csv: header `row,status,http_status,message,attempts,
 * finished_at,<key field>[,<other identifying fields>]`, one line per row that
 * has an outcome, in manifest row order. Returns 0 or -1 with error filled. */
int outputs_write_results(const struct outputs_job *job, struct outcome_store *store,
                          struct outputs_report *report, struct error *error);
/* Writes errors.csv from the rows whose status is error, invalid or unknown
 * (always written, header only when none). Returns 0 or -1 with error filled. */
int outputs_write_errors(const struct outputs_job *job, struct outcome_store *store,
                         struct outputs_report *report, struct error *error);
/* Both of the above, in order. Returns 0 or -1 with error filled. */
int outputs_write_rows(const struct outputs_job *job, struct outcome_store *store,
                       struct outputs_report *report, struct error *error);
/* Returns the text errors.csv gives a row with this outcome (static or in
 * buffer, size bytes): the message, prefixed for unknown outcomes with advice
 * to check the device before re-sending. */
const char *outputs_error_text(const struct row_outcome *outcome, char *buffer, size_t size);

#endif
