/* One streaming pass over a job's manifest that writes a row file
 * (results.csv of a one-operation job or of a job with steps): each row read
 * and bound to the operation's fields with the job's maps and sets — a row
 * with a reader-level problem still shows the identifying values it has —,
 * the file written under a temporary name and published whole, and the
 * identifying columns (the operation's key field, then the other device
 * identifiers it has) written the same way for every kind of job.
 * Ownership: a results_pass owns its manifest, binding and file until
 * results_pass_close; the job is borrowed. */
#ifndef LATTIGO_RESULTS_PASS_H
#define LATTIGO_RESULTS_PASS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/csv_writer.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "outputs/atomic_file.h"
#include "ops/op.h"

#define RESULTS_IDENTITY_MAX 8

/* The manifest a row file lists and how its columns bind to op's fields:
 * the same as the job was run with (the manifest must be re-readable). */
struct results_source {
	const char *directory; /* the job directory: the file goes there */
	const struct op *op;
	const char *manifest_path;
	const struct manifest_options *manifest_options; /* NULL: defaults */
	const struct field_assignment *maps;
	size_t map_count;
	const struct field_assignment *sets;
	size_t set_count;
};

struct results_pass {
	struct manifest *manifest;
	struct binding *binding;
	struct atomic_file file;
	bool file_open;
	struct csv_writer csv; /* write the lines here */
	struct strbuf path, problem;
	enum field_id identity[RESULTS_IDENTITY_MAX];
	size_t identity_count;
	struct manifest_row row; /* the row read by results_pass_next */
	struct record record;    /* ... bound to the operation's fields */
};

/* Opens source's manifest and directory/name (under a temporary name).
 * Returns 0 or -1 with error; results_pass_close either way. */
int results_pass_open(struct results_pass *pass, const struct results_source *job, const char *name,
                      struct error *error);
/* Writes the identifying columns' names (header cells). */
void results_pass_identity_header(struct results_pass *pass);
/* Writes the identifying cells of the row read. */
void results_pass_identity(struct results_pass *pass);
/* Reads and binds the next row: 1 (pass->row, pass->record), 0 at the end,
 * -1 with error. */
int results_pass_next(struct results_pass *pass, struct error *error);
/* Publishes the file (after a write error: -1 with error). */
int results_pass_commit(struct results_pass *pass, struct error *error);
/* Hands over the manifest (read to its end: its columns are final) to the
 * caller, who closes it. */
struct manifest *results_pass_take_manifest(struct results_pass *pass);
/* Drops an unpublished file and frees what the pass holds. */
void results_pass_close(struct results_pass *pass);

#endif
