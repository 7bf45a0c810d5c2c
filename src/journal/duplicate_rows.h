/* OUT/duplicate-rows: the rows that a pass over the whole manifest, made
 * before anything was sent (the preflight's classification), found to be a
 * duplicate of an earlier row, and of which row. A resume that has it judges
 * duplicates from it instead of loading every key the job claimed
 * (docs/checkpoint.md, "The duplicate rows").
 * Layout, little-endian: 16 bytes a duplicate row in row order (u64 row, u32
 * the earlier row as messages show it, u32 the unique key's index in the
 * operation), then a 40-byte trailer: "LTGDUPR\n", u32 version, u32 job tag,
 * u64 rows of the manifest, u64 entries, u32 CRC32 of the entries, u32 CRC32
 * of the trailer's first 36 bytes.
 * Ownership: the writer and the reader are owned by their caller and freed
 * with duplicate_rows_writer_free / duplicate_rows_close. */
#ifndef LATTIGO_JOURNAL_DUPLICATE_ROWS_H
#define LATTIGO_JOURNAL_DUPLICATE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define DUPLICATE_ROWS_NAME "duplicate-rows"

struct duplicate_rows_writer;

/* Starts DIRECTORY/duplicate-rows.creating for job job_id (any leftover of
 * an earlier attempt is overwritten). Returns the writer, or NULL with error. */
struct duplicate_rows_writer *duplicate_rows_writer_open(const char *directory, uint64_t job_id,
                                                         struct error *error);
/* Starts the record over, for another pass over the manifest: a new
 * .creating file; one committed before stays published until the next
 * commit replaces it. Returns 0 or -1 with error. */
int duplicate_rows_writer_restart(struct duplicate_rows_writer *writer, struct error *error);
/* Records that row (rows in increasing order) duplicates key number key of
 * earlier_row (as messages show it). Returns 0 or -1 with error. */
int duplicate_rows_writer_add(struct duplicate_rows_writer *writer, uint64_t row, uint32_t key,
                              uint64_t earlier_row, struct error *error);
/* The pass read the whole manifest, rows rows: writes the trailer, syncs the
 * file, renames it to DIRECTORY/duplicate-rows and syncs the directory.
 * Later calls of add or commit fail. Returns 0 or -1 with error. */
int duplicate_rows_writer_commit(struct duplicate_rows_writer *writer, uint64_t rows,
                                 struct error *error);
/* Frees the writer; an uncommitted file is removed. NULL is allowed. */
void duplicate_rows_writer_free(struct duplicate_rows_writer *writer);

struct duplicate_rows;

/* Opens DIRECTORY/duplicate-rows of job job_id and checks all of it (both
 * CRCs, job tag, rows in increasing order): 1 = usable, *rows set; 0 = not
 * usable (torn, damaged, another job's: reason says which; reason is empty
 * when there is no such file); -1 = out of memory (error). */
int duplicate_rows_open(const char *directory, uint64_t job_id, struct duplicate_rows **rows,
                        char *reason, size_t reason_size, struct error *error);
/* The number of manifest rows the record covers. */
uint64_t duplicate_rows_covered(const struct duplicate_rows *rows);
/* Whether row was found a duplicate: 1 (key and earlier_row set), 0 not,
 * -1 the file could not be read again (error). Cheapest when rows are asked
 * for in increasing order, as a manifest is read. */
int duplicate_rows_find(struct duplicate_rows *rows, uint64_t row, uint32_t *key,
                        uint64_t *earlier_row, struct error *error);
/* Closes the record. NULL is allowed. */
void duplicate_rows_close(struct duplicate_rows *rows);

#endif
