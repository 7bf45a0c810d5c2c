/* The row stream shared by validate, run --dry-run and run: opens the
 * manifest, binds its columns to the operation's fields and yields every row
 * with its verdict (valid, or invalid with a message naming field and rule),
 * counting invalid rows per rule.
 * Ownership: the pipeline owns the manifest, binding, record and message
 * buffers; what pipeline_next yields stays valid until the next call. */
#ifndef LATTIGO_PIPELINE_H
#define LATTIGO_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "ops/op.h"

#define PIPELINE_MAX_RULES   256 /* distinct rules counted; the rest are counted as "other" */
#define PIPELINE_SAMPLE_ROWS 20  /* invalid rows remembered for the summary */

/* One manifest row and what validation made of it. */
struct pipeline_row {
	const struct manifest_row *row; /* the row as read (values per manifest column) */
	const struct record *record;    /* NULL when the row could not be bound to fields */
	bool valid;
	const char *message; /* invalid: e.g. "imei: check digit wrong (Luhn)"; else "" */
	const char *rule;    /* invalid: a stable label for counting; else "" */
	bool settled;        /* an earlier run finished this row: not judged again (see
	                        pipeline_skip_settled); valid tells what it was */
};

struct pipeline_rule_count {
	char *rule;
	uint64_t rows;
};

struct pipeline_counts {
	uint64_t rows;
	uint64_t valid;
	uint64_t invalid;
	struct pipeline_rule_count *rules; /* in order of first appearance */
	size_t rule_count;
	uint64_t other_rule_rows; /* invalid rows of rules beyond PIPELINE_MAX_RULES */
};

struct pipeline;

/* Returns the operation named name, or NULL with error saying so, with the
 * closest operation name as a hint. */
const struct op *pipeline_find_op(const char *name, struct error *error);

/* What a pipeline reads and how it judges rows. The pipeline copies what it
 * keeps; the caller's strings and arrays need only outlive pipeline_open. */
struct pipeline_config {
	const char *op;       /* operation name (resolved as pipeline_find_op does) */
	const char *manifest; /* path; "-" is stdin */
	struct manifest_options manifest_options; /* format and delimiter; 0 = detected */
	const struct field_assignment *maps;      /* FIELD=COLUMN */
	size_t map_count;
	const struct field_assignment *sets; /* FIELD=VALUE for every row */
	size_t set_count;
	struct validation_options validation;
	bool no_unused_note; /* one step of several: a column unused here may feed
	                        another step, so "not used" would mislead */
};

/* Opens config->manifest for config->op. File-level problems (unreadable
 * file, missing required column, unknown --map field) return NULL with error
 * naming file and line. Notes about the file (unused columns, BOM, ...) go
 * once to notes (may be NULL). Free with pipeline_close. */
struct pipeline *pipeline_open(const struct pipeline_config *config, FILE *notes,
                               struct error *error);
/* Says whether an earlier run of the job finished row (setting *was_valid to
 * whether the row passed validation then). */
typedef bool pipeline_settled_fn(void *context, uint64_t row, bool *was_valid);
/* Makes pipeline_next pass the rows settled() names without validating them
 * again (resume: only their unique keys are remembered, for duplicates). */
void pipeline_skip_settled(struct pipeline *pipeline, pipeline_settled_fn *settled, void *context);
/* Reads and judges the next row: 1 = *row filled, 0 = end of the manifest
 * (the manifest's notes are printed then), -1 = file-level error (error filled). */
int pipeline_next(struct pipeline *pipeline, struct pipeline_row *row, struct error *error);
/* The operation being validated. */
const struct op *pipeline_op(const struct pipeline *pipeline);
/* The manifest being read (owned by the pipeline), e.g. for its column names. */
struct manifest *pipeline_manifest(struct pipeline *pipeline);
/* Counts so far; rules are in order of first appearance. */
const struct pipeline_counts *pipeline_counts(const struct pipeline *pipeline);
/* Fills order (rule_count entries) with rule indexes sorted by descending
 * row count, ties by first appearance. */
void pipeline_rules_by_count(const struct pipeline *pipeline, size_t *order);
/* Prints what was read and found: the manifest and operation, rows, valid,
 * invalid, invalid rows per rule (most frequent first) and the first
 * PIPELINE_SAMPLE_ROWS invalid rows with their line and message. */
void pipeline_print_summary(struct pipeline *pipeline, FILE *stream);
/* Closes the manifest and frees everything. NULL is allowed. */
void pipeline_close(struct pipeline *pipeline);

#endif
