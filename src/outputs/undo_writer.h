/* OUT/undo.csv (SPEC §5, issue 10): a manifest that puts back, for each row a
 * job changes, the value the account held before — for the operations whose
 * previous value can be read (cost-center, note, simstate). Running it with
 * the same operation (`run --op cost-center --manifest OUT/undo.csv`)
 * restores the account. Its columns: device_name (as the API names the
 * device, whatever identifier the row used), the operation's other fields
 * (the target field holding the previous value), and source_row (the row of
 * the job it undoes; it also makes the manifest reader take off the formula
 * guard, so a value is restored exactly as it was read).
 * The file is written whole under a temporary name, synced and renamed: it
 * exists complete or not at all.
 * Ownership: the writer owns its file; values passed in are copied out at once. */
#ifndef LATTIGO_UNDO_WRITER_H
#define LATTIGO_UNDO_WRITER_H

#include <stdint.h>

#include "common/error.h"
#include "ops/op.h"

#define UNDO_FILE "undo.csv"

struct undo_writer;

/* Starts OUT/undo.csv (or OUT/name: a step's of a job with steps) for op in
 * directory (under a temporary name) and writes its header. Returns NULL with
 * error filled. */
struct undo_writer *undo_writer_open(const char *directory, const char *name, const struct op *op,
                                     struct error *error);
/* Adds the line that restores record's device: device_name is the device's
 * name in the account, previous the value of target (a field of op) before
 * the job; the other fields are the record's own. Returns 0 or -1. */
int undo_writer_add(struct undo_writer *writer, const struct record *record,
                    const char *device_name, enum field_id target, const char *previous,
                    struct error *error);
/* Lines added so far. */
uint64_t undo_writer_lines(const struct undo_writer *writer);
/* Syncs and renames the file to its final name, then frees the writer.
 * Returns 0, or -1 with error filled (nothing left behind). */
int undo_writer_commit(struct undo_writer *writer, struct error *error);
/* Removes the temporary file and frees the writer. NULL is allowed. */
void undo_writer_abort(struct undo_writer *writer);
/* The columns undo.csv has for op after device_name, before source_row: the
 * op's fields other than device_name and id_type, in table order. Fills
 * fields (FIELD_COUNT entries at most) and returns how many. */
size_t undo_columns(const struct op *op, enum field_id *fields);

#endif
