/* errors.csv: the failed, invalid and unknown rows with the manifest's own
 * columns plus `error`, so that the file, once fixed, is a manifest again.
 * Shared by `run` (from the outcome store) and `validate --out`.
 * Ownership: the writer copies the column names it needs; values are borrowed
 * for the duration of each call. */
#ifndef LATTIGO_ERRORS_WRITER_H
#define LATTIGO_ERRORS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define ERRORS_FILE "errors.csv"

struct errors_writer;

/* How errors.csv is written: like the manifest it lists rows of, so it can be
 * fed back through the same job file (same delimiter, BOM and line ends). */
struct errors_format {
	char delimiter;       /* 0: ',' */
	const char *line_end; /* NULL: "\n" (static text) */
	bool bom;             /* start with a UTF-8 byte order mark */
};

/* Starts directory/errors.csv (under a temporary name) in format (NULL:
 * comma, LF, no BOM) and writes the header: the column names as given, then
 * `error`, `source_row` and `source_line` — each unless a column of that name
 * is already there (a re-fed errors.csv), which is then reused instead of
 * adding a second one. Returns NULL with error filled. */
struct errors_writer *errors_writer_open(const char *directory, const char *const *column_names,
                                         size_t column_count, const struct errors_format *format,
                                         struct error *error);
/* Writes one row: values[i] for column i (NULL or missing trailing values are
 * empty cells; values beyond the header's columns are dropped, since such a
 * row is reported as invalid), then error_text, and where the row came from:
 * row and line in the manifest — unless the manifest already says (a
 * non-empty source_row / source_line cell of a re-fed errors.csv), which is
 * kept, so positions always point into the original file. Every cell is
 * formula-safe. */
int errors_writer_row(struct errors_writer *writer, const char *const *values, size_t value_count,
                      uint64_t row, uint64_t line, const char *error_text, struct error *error);
/* Returns the number of rows written so far. */
uint64_t errors_writer_rows(const struct errors_writer *writer);
/* Publishes errors.csv atomically and frees the writer. Returns 0 or -1. */
int errors_writer_commit(struct errors_writer *writer, struct error *error);
/* Drops the temporary file and frees the writer. NULL is allowed. */
void errors_writer_abort(struct errors_writer *writer);

#endif
