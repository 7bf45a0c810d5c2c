/* The rows `verify` reads back: every row of a job whose outcome is ok or
 * unknown, with its record (the manifest row bound and validated as the job
 * read it) and what verification found so far, in manifest row order.
 * Memory: one record copy and a few short texts per verified row (about
 * 300 bytes); the manifest itself is streamed.
 * Ownership: a verify_targets owns its records and texts. */
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

struct verify_target {
	struct record *record;  /* owned (record_clone) */
	enum row_status status; /* the job's outcome: ok or unknown */
	int64_t accepted_at_ms; /* when the job recorded that outcome (UTC epoch ms) */
	enum verify_verdict verdict;
	bool judged;    /* read at least once */
	bool found;     /* the last read found a device */
	char *expected; /* owned texts of the last judgement; NULL before it */
	char *observed;
	char *device_name;
};

struct verify_targets {
	const struct op *op;
	struct verify_target *items;
	size_t count, capacity;
	uint64_t rows_total; /* data rows in the manifest */
	uint64_t skipped;    /* rows not verified: their outcome is neither ok nor unknown */
};

/* Reads the job's rows: streams config's manifest through the pipeline and
 * keeps the rows whose outcome is ok or unknown, read from store (the
 * running job's own, borrowed) or, when NULL, from the outcome store in
 * directory. Returns 0, or -1 with error. */
int verify_targets_load(struct verify_targets *targets, const struct pipeline_config *config,
                        struct outcome_store *store, const char *directory, struct error *error);

/* Stores judgement as target's latest. Returns 0, or -1 when out of memory. */
int verify_target_set(struct verify_target *target, const struct verify_judgement *judgement);

/* The row's own identifier as results.csv shows it (the operation's key
 * field), "" when absent. */
const char *verify_target_identifier(const struct verify_targets *targets,
                                     const struct verify_target *target);

/* Counts targets per verdict into counts (VERIFY_VERDICT_COUNT entries). */
void verify_targets_count(const struct verify_targets *targets, uint64_t *counts);

/* Frees everything; the struct may be loaded again. */
void verify_targets_release(struct verify_targets *targets);

#endif
