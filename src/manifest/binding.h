/* Binds manifest columns to an operation's fields (header names case-
 * insensitive and trimmed, --map FIELD=COLUMN, --set FIELD=VALUE) and turns
 * each manifest row into a record.
 * Ownership: a binding copies what it needs from its arguments but keeps
 * pointing at the manifest (close the manifest after binding_free); records it
 * fills point into the row (valid until the next manifest_next) or the binding. */
#ifndef LATTIGO_BINDING_H
#define LATTIGO_BINDING_H

#include "common/error.h"
#include "common/strbuf.h"
#include "manifest/manifest.h"
#include "ops/op.h"

struct field_assignment {
	const char *field; /* an op field name */
	const char *value; /* --map: the column name; --set: the value */
};

struct binding;

/* Resolves the op's fields against the manifest's columns. Returns NULL with
 * error (file, line 1, problem) when a required field has neither a column
 * nor a --set (CSV), or a --map/--set names an unknown field or column. */
struct binding *binding_new(const struct op *op, const struct manifest *manifest,
                            const struct field_assignment *maps, size_t map_count,
                            const struct field_assignment *sets, size_t set_count,
                            struct error *error);
/* The value binding_apply starts from for field in row, before any trimming:
 * the --set value, or the first of the field's columns the row has; NULL
 * when there is none. For looking ahead (the duplicate set's prefetch before
 * the row is bound), never for judging: a value binding_apply leaves as it
 * is comes back as the very same pointer. */
const char *binding_raw_value(struct binding *binding, const struct manifest_row *row,
                              enum field_id field);
/* Fills record from row. Returns 0, or -1 with problem set (e.g. a row-level
 * read problem, or "note: not UTF-8 text (looks like Windows-1252)"). */
int binding_apply(struct binding *binding, const struct manifest_row *row, struct record *record,
                  struct strbuf *problem);
/* strlen of each value the last binding_apply set, by field (the entries
 * of fields it left NULL mean nothing), for op_validate_record. Owned by
 * the binding, valid until the next binding_apply. */
const size_t *binding_lengths(const struct binding *binding);
/* Columns that feed no field (kept for errors.csv), as a one-line note such as
 * "extra columns kept but not used: Colour, Batch"; NULL when none. Owned by the
 * binding (valid until the next call). A JSONL file gains columns as it is read:
 * ask again at the end for the complete list. */
const char *binding_unused_note(struct binding *binding, const struct manifest *manifest);
/* What --set replaces: a one-line note such as "--set cost_center=CC-9
 * replaces the manifest's column 'Cost Center' in every row", or NULL when
 * no --set field also has a column. Owned by the binding. */
const char *binding_set_note(struct binding *binding);
/* True when column feeds a field that --set overrides; *value is then the
 * value sent instead (NULL for an empty --set). */
bool binding_column_override(struct binding *binding, size_t column, const char **value);
/* Frees the binding. NULL is allowed. */
void binding_free(struct binding *binding);

#endif
