/* results.xlsx and errors.xlsx: a streaming copy of the CSV just written,
 * every cell a string or a number, never a formula, so no formula guard is
 * needed (the CSV's ' prefix is taken off again); identifier columns are
 * strings and formatted as Text, so IDs typed in later stay text too.
 * Ownership: everything is borrowed from the caller. */
#ifndef LATTIGO_XLSX_COPY_H
#define LATTIGO_XLSX_COPY_H

#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

#define RESULTS_XLSX_FILE "results.xlsx"
#define ERRORS_XLSX_FILE  "errors.xlsx"

struct xlsx_copy_style {
	const char *sheet_name;            /* e.g. "results" */
	const char *const *number_columns; /* written as numbers when they hold one; NULL-ended */
	const char *highlight_column;      /* e.g. "error"; NULL for none */
};

/* Copies the CSV at csv_path into a workbook at xlsx_path (written under a
 * temporary name, then renamed): bold frozen header, autofilter, fitted
 * column widths, the highlight column shaded. Returns 0, 1 when the CSV has
 * more rows than a worksheet holds (nothing written), or -1 with error. */
int xlsx_copy_csv(const char *csv_path, const char *xlsx_path, const struct xlsx_copy_style *style,
                  struct error *error);
/* The style of results.xlsx (row, http_status and attempts as numbers). */
extern const struct xlsx_copy_style xlsx_results_style;
/* The style of errors.xlsx (every cell text, the error column shaded). */
extern const struct xlsx_copy_style xlsx_errors_style;
/* Writes directory/NAME.xlsx from directory/NAME.csv for results and errors
 * (each only when its CSV exists); a CSV too long for a worksheet gets a
 * line on notes (may be NULL) instead of a copy. Returns 0 or -1 with error. */
int xlsx_copy_job_outputs(const char *directory, FILE *notes, struct error *error);

#endif
