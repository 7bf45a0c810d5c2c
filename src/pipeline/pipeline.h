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
	const struct record *record;    /* NULL when the row could not be bound to fields,
	                                   or is settled and its keys were loaded
	                                   (pipeline_continue_after_claims) */
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

/* Told about the duplicates a pass over the whole manifest finds, for the
 * job's duplicate rows (docs/checkpoint.md, "The duplicate rows"). */
struct pipeline_duplicates_sink {
	/* A pass begins (pipeline_open): what an earlier pass told, and did not
	 * end, is forgotten; several passes over one manifest may be told. Returns
	 * 0, or -1 with error set (pipeline_open then fails). */
	int (*begin)(void *context, struct error *error);
	/* row repeats unique key number key (of the operation's unique_keys) of
	 * earlier_row (as messages show it). Returns 0, or -1 with error set. */
	int (*duplicate)(void *context, uint64_t row, size_t key, uint64_t earlier_row,
	                 struct error *error);
	/* The end of the manifest was reached after rows rows. Returns 0 or -1. */
	int (*end)(void *context, uint64_t rows, struct error *error);
	void *context;
};

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
	const struct pipeline_duplicates_sink *duplicates; /* NULL: nobody is told */
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
/* Receives the unique keys a row claimed (for the keys file of a job's
 * checkpoint): manifest_row is its number in the manifest, shown_row the one
 * messages use, fingerprints as dupe_set_last_claimed gives them. Returns 0,
 * or -1 with error set (pipeline_next then fails). */
typedef int pipeline_claims_fn(void *context, uint64_t manifest_row, uint64_t shown_row,
                               const uint64_t *fingerprints, size_t count, struct error *error);
/* Hands every claim from now on to claims (NULL: none). */
void pipeline_on_claims(struct pipeline *pipeline, pipeline_claims_fn *claims, void *context);
/* The seed of the duplicate set's fingerprints. */
uint64_t pipeline_keys_seed(const struct pipeline *pipeline);
/* Before the first row: replaces the duplicate set with an empty one whose
 * fingerprints use seed (seeded) or a new random seed (!seeded: throws away
 * keys loaded from a file that proved unusable). Returns 0 or -1 (memory). */
int pipeline_reset_keys(struct pipeline *pipeline, bool seeded, uint64_t seed);
/* Before the first row: remembers a key claimed in an earlier run (its
 * fingerprint with that seed, and the row messages name). Returns 0 or -1. */
int pipeline_add_claimed_key(struct pipeline *pipeline, uint64_t fingerprint, uint64_t row);
/* Resume with the keys of an earlier run loaded: every row up to
 * claimed_through made its claims then, so those rows are not checked for
 * duplicates again (they would find themselves), and reading continues at
 * from (NULL: at the first row; from->row must not exceed claimed_through + 1
 * unless every row in between is settled and claimed nothing). Returns 0, or
 * -1 with error when the manifest cannot be sought. */
int pipeline_continue_after_claims(struct pipeline *pipeline, const struct manifest_position *from,
                                   uint64_t claimed_through, struct error *error);
/* Says whether manifest row repeats an earlier row, as a pass over the whole
 * manifest found: 1 (key and earlier_row set), 0 not, -1 error set. */
typedef int pipeline_duplicate_fn(void *context, uint64_t row, size_t *key, uint64_t *earlier_row,
                                  struct error *error);
/* Resume with the job's duplicate rows: before the first row, the duplicate
 * set is dropped, each row's duplicate is asked of duplicate instead (no key
 * is claimed, settled rows are only counted) and reading continues at from
 * (NULL: at the first row; every row before from must be settled). Returns
 * 0, or -1 with error when the manifest cannot be sought or out of memory. */
int pipeline_continue_with_duplicates(struct pipeline *pipeline,
                                      const struct manifest_position *from,
                                      pipeline_duplicate_fn *duplicate, void *context,
                                      struct error *error);
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
