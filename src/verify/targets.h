/* The rows `verify` reads back: every row of a job whose outcome is ok or
 * unknown (valid as the job read the manifest), in manifest row order.
 * Memory is flat in the job's rows apart from one byte a manifest row
 * (whether verify reads the row back, its verdict so far, whether a device
 * was found): the rows themselves are streamed from the manifest again in
 * the first round and the last pass (verify_targets_each; later rounds walk
 * the pending rows on disk, verify/pending.h), their last judgements are
 * kept on disk (verify/judgements.h), their outcomes stay in the job's
 * outcome store.
 * Ownership: a verify_targets owns its state and the outcome store it
 * opened; it borrows the pipeline config and a store it was given. */
#ifndef LATTIGO_VERIFY_TARGETS_H
#define LATTIGO_VERIFY_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "outputs/outcome_store.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"
#include "verify/verdict.h"

struct verify_targets {
	const struct op *op;
	const struct pipeline_config *config; /* the job's manifest (borrowed) */
	struct outcome_store *store;          /* the job's outcomes (borrowed or opened) */
	struct outcome_store *opened;         /* owned when verify opened the store */
	uint8_t *rows;     /* a byte per manifest row (row number - 1), up to the last read back */
	uint64_t capacity; /* bytes in rows */
	uint64_t rows_total; /* data rows in the manifest */
	uint64_t count;      /* rows read back */
	uint64_t skipped;    /* rows not verified: their outcome is neither ok nor unknown */
	uint64_t counts[VERIFY_VERDICT_COUNT]; /* rows read back per verdict so far */
};

/* Calls each with the record of every row read back, in row order (one
 * pass over the manifest), stopping at the first -1 it returns (each fills
 * error, or leaves it empty for a stop). Returns 0, or -1 with error. */
typedef int verify_target_fn(void *context, const struct record *record, struct error *error);

/* Reads the job's rows: streams config's manifest through the pipeline and
 * marks the rows whose outcome is ok or unknown (pending), read from store
 * (the running job's own, borrowed) or, when NULL, from the outcome store in
 * directory; each (NULL: none) is called with every row marked, as
 * verify_targets_each would, so the first round needs no pass of its own.
 * Returns 0, or -1 with error. */
int verify_targets_load(struct verify_targets *targets, const struct pipeline_config *config,
                        struct outcome_store *store, const char *directory, verify_target_fn *each,
                        void *context, struct error *error);

/* The pass verify_target_fn describes. */
int verify_targets_each(struct verify_targets *targets, verify_target_fn *each, void *context,
                        struct error *error);

/* True when row is one verify reads back. */
bool verify_target_is(const struct verify_targets *targets, uint64_t row);
/* The verdict of a row read back so far (pending before its first read). */
enum verify_verdict verify_target_verdict(const struct verify_targets *targets, uint64_t row);
/* True when the last read of row found a device. */
bool verify_target_found(const struct verify_targets *targets, uint64_t row);
/* Records the latest verdict of row and whether its device was found. */
void verify_target_set(struct verify_targets *targets, uint64_t row, enum verify_verdict verdict,
                       bool found);
/* Reads row's outcome in the job. Returns 0, or -1 with error. */
int verify_target_outcome(struct verify_targets *targets, uint64_t row, struct row_outcome *outcome,
                          struct error *error);

/* The row's own identifier as results.csv shows it (the operation's key
 * field), "" when absent. */
const char *verify_record_identifier(const struct verify_targets *targets,
                                     const struct record *record);

/* Frees everything; the struct may be loaded again. */
void verify_targets_release(struct verify_targets *targets);

#endif
