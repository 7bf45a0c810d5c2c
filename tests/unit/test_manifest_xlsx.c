/* The .xlsx reader on workbooks written by libxlsxwriter, with shared strings
 * (its default) and inline strings (its constant-memory mode): cells as
 * stored, empty rows skipped, the sheet's own row numbers, --sheet, and
 * continuing at a recorded position as resume does; shared strings of digits
 * kept packed and read back unchanged; the sheet's rows told before reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xlsxwriter.h>

#include "manifest/xlsx_rows_estimate.h"
#include "test_manifest_support.h"

/* Writes a two-sheet workbook at path: 'Notes' with one cell, then 'Lot 42'
 * with a header in row 2 and rows of every cell kind. */
static void write_book(const char *path, bool constant_memory)
{
	lxw_workbook_options options = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE};
	lxw_workbook *book = workbook_new_opt(path, &options);
	assert_non_null(book);
	lxw_worksheet *notes = workbook_add_worksheet(book, "Notes");
	lxw_worksheet *lot = workbook_add_worksheet(book, "Lot 42");
	lxw_format *date = workbook_add_format(book);
	format_set_num_format(date, "yyyy-mm-dd");
	worksheet_write_string(notes, 0, 0, "read me", NULL);
	/* row 1 (index 0) stays empty: the header is the first non-empty row */
	worksheet_write_string(lot, 1, 1, "iccid", NULL);
	worksheet_write_string(lot, 1, 2, "imei", NULL);
	worksheet_write_string(lot, 1, 3, "kb_limit", NULL);
	worksheet_write_string(lot, 1, 4, "note", NULL);
	worksheet_write_string(lot, 2, 1, "89440000000000000002", NULL);
	worksheet_write_number(lot, 2, 2, 356938035643809.0, NULL); /* exact: 15 digits */
	worksheet_write_number(lot, 2, 3, 5120, NULL);
	worksheet_write_boolean(lot, 2, 4, 1, NULL);
	/* row 4 (index 3) empty */
	worksheet_write_number(lot, 4, 1, 89440000000000000010.0, NULL); /* digits lost */
	worksheet_write_number(lot, 4, 3, 2.5, NULL);
	lxw_datetime day = {2026, 1, 31, 0, 0, 0};
	worksheet_write_datetime(lot, 4, 4, &day, date);
	worksheet_write_string(lot, 5, 1, "89440000000000000028", NULL);
	worksheet_write_string(lot, 5, 4, "=not a formula", NULL);
	worksheet_write_string(lot, 5, 2, "tab\there\x01", NULL); /* written as _x0001_ */
	worksheet_write_string(lot, 6, 6, "stray", NULL);         /* outside the header's columns */
	assert_int_equal(workbook_close(book), LXW_NO_ERROR);
}

static struct manifest *open_sheet(const char *path, const char *sheet)
{
	struct manifest_options options = {.format = MANIFEST_FORMAT_AUTO, .sheet = sheet};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	if (!manifest)
		fail_msg("cannot open %s: %s", path, error.message);
	return manifest;
}

static const char *expected_rows = "1:3:3:89440000000000000002|356938035643809|5120|TRUE\n"
                                   "2:5:5:8.944E+19||2.5|2026-01-31\n"
                                   "3:6:6:89440000000000000028|tab\there\x01||=not a formula\n"
                                   "4:7:7:||| !cell G7 is outside the header's columns (B to E)\n";

static void check_book(bool constant_memory)
{
	char *path = fixture_write("lot.xlsx", "", 0);
	write_book(path, constant_memory);
	struct manifest *manifest = open_sheet(path, "Lot 42");
	assert_int_equal(manifest_format(manifest), MANIFEST_FORMAT_XLSX);
	assert_string_equal(manifest_sheet(manifest), "Lot 42");
	assert_int_equal(manifest_column_count(manifest), 4);
	assert_string_equal(manifest_column_name(manifest, 0), "iccid");
	assert_string_equal(manifest_column_name(manifest, 3), "note");
	assert_int_equal(manifest_header_line(manifest), 2);
	/* <dimension ref="B2:G7">: rows 2 (the header) to 7 */
	assert_int_equal(manifest_estimated_rows(manifest), 6);
	char *rows = dump_rows(manifest);
	assert_string_equal(rows, expected_rows);
	free(rows);
	const char *const *notes = NULL;
	assert_int_equal(manifest_notes(manifest, &notes), 1);
	assert_non_null(strstr(notes[0], "column 'iccid' of sheet 'Lot 42' holds numbers of more "
	                                 "than 15 digits (first in cell B5)"));

	/* resume: continue at row 2 (sheet row 5) as the journal records it */
	struct manifest_position position = {.offset = 5, .row = 2, .line = 5};
	struct error error;
	error_clear(&error);
	assert_int_equal(manifest_seek(manifest, &position, &error), 0);
	rows = dump_rows(manifest);
	assert_string_equal(rows, strchr(expected_rows, '\n') + 1);
	free(rows);
	manifest_close(manifest);

	/* the first sheet by default */
	manifest = open_sheet(path, NULL);
	assert_string_equal(manifest_sheet(manifest), "Notes");
	assert_string_equal(manifest_column_name(manifest, 0), "read me");
	manifest_close(manifest);
	/* a sheet name in another case */
	manifest = open_sheet(path, "lot 42");
	assert_string_equal(manifest_sheet(manifest), "Lot 42");
	manifest_close(manifest);
	free(path);
}

static void shared_strings(void **state)
{
	(void)state;
	check_book(false);
}

static void inline_strings(void **state)
{
	(void)state;
	check_book(true);
}

static void unknown_sheet(void **state)
{
	(void)state;
	char *path = fixture_write("sheets.xlsx", "", 0);
	write_book(path, false);
	struct manifest_options options = {.format = MANIFEST_FORMAT_XLSX, .sheet = "Lot 43"};
	struct error error;
	error_clear(&error);
	assert_null(manifest_open(path, &options, &error));
	assert_non_null(strstr(error.message, "no sheet named 'Lot 43'; the workbook has 'Notes', "
	                                      "'Lot 42'"));
	free(path);
}

/* Shared strings of digits alone are kept two a byte; every other string as
 * text. Both read back exactly as written. */
static void packed_digit_strings(void **state)
{
	(void)state;
	char sixty_two[63], sixty_three[64], sixty_four[65];
	for (size_t index = 0; index < 64; index++) {
		char digit = (char)('0' + (index * 7 + 3) % 10);
		if (index < 62)
			sixty_two[index] = digit;
		if (index < 63)
			sixty_three[index] = digit;
		sixty_four[index] = digit;
	}
	sixty_two[62] = sixty_three[63] = sixty_four[64] = '\0';
	const char *values[] = {"7",
	                        "42",
	                        "356938035643809",
	                        "89440000000000000002",
	                        "0012",
	                        "12 34",
	                        "-5",
	                        "\xd9\xa1\xd9\xa2",
	                        sixty_two,
	                        sixty_three,
	                        sixty_four,
	                        "9999999999999999999"};
	size_t count = sizeof(values) / sizeof(values[0]);
	char *path = fixture_write("digits.xlsx", "", 0);
	lxw_workbook *book = workbook_new(path);
	assert_non_null(book);
	lxw_worksheet *sheet = workbook_add_worksheet(book, "ids");
	worksheet_write_string(sheet, 0, 0, "id", NULL);
	worksheet_write_string(sheet, 0, 1, "again", NULL);
	for (size_t index = 0; index < count; index++) {
		worksheet_write_string(sheet, (lxw_row_t)(index + 1), 0, values[index], NULL);
		/* the same string twice: one table entry, read twice */
		worksheet_write_string(sheet, (lxw_row_t)(index + 1), 1, values[index], NULL);
	}
	assert_int_equal(workbook_close(book), LXW_NO_ERROR);

	struct manifest *manifest = open_sheet(path, NULL);
	assert_int_equal(manifest_estimated_rows(manifest), count + 1);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	for (size_t index = 0; index < count; index++) {
		assert_int_equal(manifest_next(manifest, &row, &error), 1);
		assert_string_equal(row.values[0], values[index]);
		assert_string_equal(row.values[1], values[index]);
	}
	assert_int_equal(manifest_next(manifest, &row, &error), 0);
	manifest_close(manifest);
	free(path);
}

static void dimension_last_row(void **state)
{
	(void)state;
	assert_int_equal(xlsx_dimension_last_row("A1:D1000001"), 1000001);
	assert_int_equal(xlsx_dimension_last_row("B2"), 2);
	assert_int_equal(xlsx_dimension_last_row("$A$1:$XFD$9"), 9);
	assert_int_equal(xlsx_dimension_last_row("A1:"), 0);
	assert_int_equal(xlsx_dimension_last_row("rows"), 0);
	assert_int_equal(xlsx_dimension_last_row("A1:D99x"), 0);
	assert_int_equal(xlsx_dimension_last_row("A1:D4294967296"), 0);
}

static void row_starts_in_a_block(void **state)
{
	(void)state;
	const char *block = "<sheetData><row r=\"2\"><c/></row><x:row>\n<c/></x:row>"
	                    "<rows/><arrow/><row/><ro";
	size_t first = 99, last = 99;
	assert_int_equal(xlsx_count_row_starts(block, strlen(block), &first, &last), 3);
	assert_int_equal(first, 11);
	assert_int_equal(last, strstr(block, "<row/>") - block);
	/* a name cut by the block's end: not counted */
	assert_int_equal(xlsx_count_row_starts("<row", 4, &first, &last), 0);
	assert_int_equal(xlsx_count_row_starts("", 0, &first, &last), 0);
}

static void rows_estimated_from_a_block(void **state)
{
	(void)state;
	/* 100-byte rows: a block of four after the header's, in a part of 10,000
	 * bytes more: about 100 rows, a little over, never under */
	char block[401];
	for (size_t index = 0; index < 4; index++)
		snprintf(block + index * 100, 101, "<row>%089zu</row>", index);
	uint64_t rows = xlsx_estimate_rows(block, 400, 5000, 15000);
	assert_true(rows >= 101 && rows <= 130);
	/* the block is the part's end: its rows and the header, exactly */
	assert_int_equal(xlsx_estimate_rows(block, 400, 5000, 5400), 5);
	/* one row, or no size: not known */
	assert_int_equal(xlsx_estimate_rows(block, 100, 5000, 15000), 0);
	assert_int_equal(xlsx_estimate_rows(block, 400, 5000, 0), 0);
}

static int teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shared_strings),
	    cmocka_unit_test(inline_strings),
	    cmocka_unit_test(unknown_sheet),
	    cmocka_unit_test(packed_digit_strings),
	    cmocka_unit_test(dimension_last_row),
	    cmocka_unit_test(row_starts_in_a_block),
	    cmocka_unit_test(rows_estimated_from_a_block),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
