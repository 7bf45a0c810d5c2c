/* CSV to .xlsx for the job's row files, one row in memory at a time
 * (libxlsxwriter's constant_memory mode keeps only the current row). */
#include "outputs/xlsx_copy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "common/csv_writer.h"
#include "common/strbuf.h"
#include "manifest/column_name.h"
#include "manifest/manifest.h"

#define MAX_WIDTH     60.0
#define MIN_WIDTH     6.0
#define EXCEL_ROW_CAP 1048576u

static const char *const results_numbers[] = {"row", "http_status", "attempts", NULL};
const struct xlsx_copy_style xlsx_results_style = {"results", results_numbers, NULL};
static const char *const no_numbers[] = {NULL};
const struct xlsx_copy_style xlsx_errors_style = {"errors", no_numbers, "error"};

/* csv_writer prefixes ' to cells a spreadsheet would take for a formula;
 * an .xlsx string cell is never a formula, so the prefix goes. The CSV
 * reader already takes it off in a file with an error or source_row column
 * (an errors.csv), so it is taken off here only in the others. */
static const char *without_guard(const char *value, bool already_unguarded)
{
	if (!already_unguarded && value[0] == '\'' && csv_needs_formula_guard(value + 1))
		return value + 1;
	return value;
}

static bool is_listed(const char *name, const char *const *names)
{
	for (size_t index = 0; names && names[index]; index++)
		if (strcasecmp(name, names[index]) == 0)
			return true;
	return false;
}

/* Display width in characters, UTF-8 continuation bytes not counted. */
static double text_width(const char *text)
{
	double width = 0;
	for (const unsigned char *at = (const unsigned char *)text; *at; at++)
		if ((*at & 0xC0) != 0x80)
			width += 1;
	return width;
}

struct copy {
	lxw_workbook *workbook;
	lxw_worksheet *sheet;
	lxw_format *header;
	lxw_format *header_highlight;
	lxw_format *text;
	lxw_format *highlight;
	size_t columns;
	bool *numeric;
	double *widths;
	size_t highlight_column;
	bool unguarded; /* the CSV reader took the guards off already */
};

static const char *lxw_text(lxw_error code)
{
	return lxw_strerror(code);
}

static int write_header(struct copy *copy, struct manifest *manifest,
                        const struct xlsx_copy_style *style, struct error *error)
{
	copy->columns = manifest_column_count(manifest);
	copy->numeric = calloc(copy->columns + 1, sizeof(*copy->numeric));
	copy->widths = calloc(copy->columns + 1, sizeof(*copy->widths));
	if (!copy->numeric || !copy->widths)
		return error_set(error, "out of memory");
	copy->highlight_column = SIZE_MAX;
	for (size_t column = 0; column < copy->columns; column++) {
		const char *name = manifest_column_name(manifest, column);
		copy->numeric[column] = is_listed(name, style->number_columns);
		if (column_name_equal(name, "error") || column_name_equal(name, "source_row"))
			copy->unguarded = true;
		if (style->highlight_column && strcasecmp(name, style->highlight_column) == 0)
			copy->highlight_column = column;
		bool shaded = column == copy->highlight_column;
		lxw_error code =
		    worksheet_write_string(copy->sheet, 0, (lxw_col_t)column, name,
		                           shaded ? copy->header_highlight : copy->header);
		if (code != LXW_NO_ERROR)
			return error_set(error, "cannot write the header: %s", lxw_text(code));
		copy->widths[column] = text_width(name) + 2;
	}
	return 0;
}

static int write_row(struct copy *copy, lxw_row_t at, const struct manifest_row *row,
                     struct error *error)
{
	for (size_t column = 0; column < copy->columns && column < row->value_count; column++) {
		const char *value = row->values[column];
		if (!value || !value[0])
			continue;
		lxw_format *format =
		    column == copy->highlight_column ? copy->highlight : copy->text;
		lxw_error code;
		if (copy->numeric[column] && csv_is_plain_number(value)) {
			code = worksheet_write_number(copy->sheet, at, (lxw_col_t)column,
			                              strtod(value, NULL), NULL);
		} else {
			value = without_guard(value, copy->unguarded);
			code = worksheet_write_string(copy->sheet, at, (lxw_col_t)column, value,
			                              format);
		}
		if (code != LXW_NO_ERROR)
			return error_set(error, "cannot write row %u: %s", (unsigned)at,
			                 lxw_text(code));
		double width = text_width(value) + 2;
		if (width > copy->widths[column])
			copy->widths[column] = width;
	}
	return 0;
}

static void finish_sheet(struct copy *copy, lxw_row_t last_row)
{
	for (size_t column = 0; column < copy->columns; column++) {
		double width = copy->widths[column];
		width = width < MIN_WIDTH ? MIN_WIDTH : width > MAX_WIDTH ? MAX_WIDTH : width;
		lxw_format *format = copy->numeric[column] ? NULL : copy->text;
		worksheet_set_column(copy->sheet, (lxw_col_t)column, (lxw_col_t)column, width,
		                     format);
	}
	worksheet_freeze_panes(copy->sheet, 1, 0);
	if (copy->columns)
		worksheet_autofilter(copy->sheet, 0, 0, last_row, (lxw_col_t)(copy->columns - 1));
}

static int make_formats(struct copy *copy, struct error *error)
{
	copy->header = workbook_add_format(copy->workbook);
	copy->header_highlight = workbook_add_format(copy->workbook);
	copy->text = workbook_add_format(copy->workbook);
	copy->highlight = workbook_add_format(copy->workbook);
	if (!copy->header || !copy->header_highlight || !copy->text || !copy->highlight)
		return error_set(error, "out of memory");
	format_set_bold(copy->header);
	format_set_bold(copy->header_highlight);
	format_set_bg_color(copy->header_highlight, 0xF4B183);
	format_set_num_format_index(copy->text, 49);      /* builtin Text (@) */
	format_set_num_format_index(copy->highlight, 49); /* builtin Text (@) */
	format_set_bg_color(copy->highlight, 0xFCE4D6);
	format_set_text_wrap(copy->highlight);
	return 0;
}

int xlsx_copy_csv(const char *csv_path, const char *xlsx_path, const struct xlsx_copy_style *style,
                  struct error *error)
{
	struct copy copy = {0};
	struct manifest *manifest = NULL;
	struct strbuf temporary;
	strbuf_init(&temporary, 4096);
	int result = -1;
	if (strbuf_appendf(&temporary, "%s.tmp", xlsx_path) != STRBUF_OK) {
		error_set(error, "path too long: '%s'", xlsx_path);
		goto out;
	}
	struct manifest_options options = {.format = MANIFEST_FORMAT_CSV, .delimiter = ','};
	manifest = manifest_open(csv_path, &options, error);
	if (!manifest)
		goto out;
	lxw_workbook_options workbook_options = {.constant_memory = LXW_TRUE};
	copy.workbook = workbook_new_opt(strbuf_text(&temporary), &workbook_options);
	if (!copy.workbook) {
		error_set(error, "cannot create '%s'", strbuf_text(&temporary));
		goto out;
	}
	copy.sheet = workbook_add_worksheet(copy.workbook, style->sheet_name);
	if (!copy.sheet || make_formats(&copy, error) < 0) {
		error_set(error, "cannot create '%s': out of memory", xlsx_path);
		goto out;
	}
	if (write_header(&copy, manifest, style, error) < 0)
		goto out;
	lxw_row_t at = 0;
	for (;;) {
		struct manifest_row row;
		int got = manifest_next(manifest, &row, error);
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		if (at + 1u >= EXCEL_ROW_CAP) {
			error_set(error,
			          "'%s' has more rows than a worksheet holds (1,048,576); "
			          "use '%s'",
			          csv_path, csv_path);
			goto out;
		}
		if (write_row(&copy, ++at, &row, error) < 0)
			goto out;
	}
	finish_sheet(&copy, at);
	lxw_error code = workbook_close(copy.workbook);
	copy.workbook = NULL;
	if (code != LXW_NO_ERROR) {
		error_set(error, "cannot write '%s': %s", xlsx_path, lxw_text(code));
		goto out;
	}
	if (rename(strbuf_text(&temporary), xlsx_path) != 0) {
		error_set(error, "cannot rename '%s' to '%s': %s", strbuf_text(&temporary),
		          xlsx_path, strerror(errno));
		goto out;
	}
	result = 0;
out:
	if (copy.workbook) {
		/* closing writes the file; the partial copy is then removed */
		workbook_close(copy.workbook);
	}
	if (result != 0 && temporary.length)
		unlink(strbuf_text(&temporary));
	free(copy.numeric);
	free(copy.widths);
	manifest_close(manifest);
	strbuf_release(&temporary);
	return result;
}

static int copy_one(const char *directory, const char *stem, const struct xlsx_copy_style *style,
                    FILE *notes, struct error *error)
{
	struct strbuf csv, xlsx;
	strbuf_init(&csv, 4096);
	strbuf_init(&xlsx, 4096);
	int result = 0;
	if (strbuf_appendf(&csv, "%s/%s.csv", directory, stem) != STRBUF_OK ||
	    strbuf_appendf(&xlsx, "%s/%s.xlsx", directory, stem) != STRBUF_OK)
		result = error_set(error, "job directory path too long: '%s'", directory);
	else if (access(strbuf_text(&csv), F_OK) == 0)
		result = xlsx_copy_csv(strbuf_text(&csv), strbuf_text(&xlsx), style, error);
	if (result == 1) {
		if (notes)
			fprintf(notes,
			        "lattigo-batch: note: %s has more rows than a worksheet holds "
			        "(1,048,576); %s.xlsx is not written\n",
			        strbuf_text(&csv), stem);
		unlink(strbuf_text(&xlsx)); /* an older copy would disagree with the CSV */
		result = 0;
	}
	strbuf_release(&csv);
	strbuf_release(&xlsx);
	return result;
}

int xlsx_copy_job_outputs(const char *directory, FILE *notes, struct error *error)
{
	if (copy_one(directory, "results", &xlsx_results_style, notes, error) < 0)
		return -1;
	return copy_one(directory, "errors", &xlsx_errors_style, notes, error);
}
