/* `lattigo-batch template OP [--format csv|xlsx] [--output FILE]`: a blank
 * manifest for an operation, built from the operation table: its columns
 * (required first); as .xlsx also Text-formatted identifier columns,
 * drop-down lists for fields that take one of a fixed set, an input message
 * per column with its rule, and an Instructions sheet with an example row. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

#include "cli/commands.h"
#include "pipeline/pipeline.h"
#include "common/csv_writer.h"
#include "common/parse_options.h"
#include "common/strbuf.h"
#include "ops/field_rules.h"
#include "ops/op.h"

#define TEMPLATE_MAX_FIELDS FIELD_COUNT
#define INPUT_MESSAGE_MAX   255 /* Excel's limit for an input message */
#define INPUT_TITLE_MAX     32
#define TEMPLATE_MIN_WIDTH  14.0
#define INSTRUCTIONS_SHEET  "Instructions"

struct template_request {
	const struct op *op;
	bool xlsx;
	const char *output; /* NULL: stdout (csv) or <op>-template.xlsx */
};

static const struct parse_options_table template_option_table; /* below, with its rows */

static void print_usage(FILE *stream)
{
	fputs("usage: lattigo-batch template OP [--format csv|xlsx] [--output FILE]\n"
	      "\n"
	      "Writes a blank manifest for operation OP (list: lattigo-batch ops): its\n"
	      "columns, required ones first. As .xlsx the identifier columns are formatted\n"
	      "as Text (no ICCID can turn into a number), fields that take one of a few\n"
	      "words have drop-down lists, every column shows its rule when selected, and\n"
	      "a second sheet holds instructions and an example row.\n"
	      "\n",
	      stream);
	parse_options_print_help(&template_option_table, 0, stream);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch template activate --output lot-43.xlsx\n"
	      "  lattigo-batch template cost-center > centers.csv\n",
	      stream);
}

/* The op's fields, required ones first, each group in table order. */
static size_t ordered_fields(const struct op *op, const struct op_field **out)
{
	size_t count = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t index = 0; index < op->field_count; index++) {
			bool required = (op->fields[index].flags & OP_FIELD_REQUIRED) != 0;
			if (required == (pass == 0))
				out[count++] = &op->fields[index];
		}
	return count;
}

static int write_csv(const struct template_request *request, struct error *error)
{
	const struct op_field *fields[TEMPLATE_MAX_FIELDS];
	size_t count = ordered_fields(request->op, fields);
	FILE *stream = stdout;
	if (request->output) {
		stream = fopen(request->output, "w");
		if (!stream)
			return error_set(error, "cannot write '%s': %s", request->output,
			                 strerror(errno));
	}
	struct csv_writer csv;
	csv_writer_init(&csv, stream);
	for (size_t index = 0; index < count; index++)
		csv_writer_cell_raw(&csv, field_name(fields[index]->id));
	csv_writer_end_line(&csv);
	bool failed = ferror(stream) != 0;
	if (request->output && fclose(stream) != 0)
		failed = true;
	if (failed)
		return error_set(error, "cannot write '%s'",
		                 request->output ? request->output : "standard output");
	return 0;
}

/* The input message of a column: required or not, then its rule. */
static void column_message(const struct op_field *field, char *out, size_t size)
{
	snprintf(out, size, "%s. %s", (field->flags & OP_FIELD_REQUIRED) ? "Required" : "Optional",
	         field_rule_text(field->validate));
}

static lxw_error add_validation(lxw_worksheet *sheet, lxw_col_t column,
                                const struct op_field *field)
{
	char title[INPUT_TITLE_MAX];
	char message[INPUT_MESSAGE_MAX + 1];
	snprintf(title, sizeof(title), "%s", field_name(field->id));
	column_message(field, message, sizeof(message));
	lxw_data_validation validation = {0};
	const char *const *choices = field_rule_choices(field->validate);
	if (choices) {
		validation.validate = LXW_VALIDATION_TYPE_LIST;
		validation.value_list = (char **)(uintptr_t)choices;
		validation.error_title = title;
		validation.error_message = message;
	} else if (field_rule_is_whole_number(field->validate)) {
		validation.validate = LXW_VALIDATION_TYPE_INTEGER;
		validation.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
		validation.minimum_number = 1;
		validation.maximum_number = 2147483647.0;
		validation.error_title = title;
		validation.error_message = message;
	} else {
		validation.validate = LXW_VALIDATION_TYPE_ANY;
	}
	validation.input_title = title;
	validation.input_message = message;
	return worksheet_data_validation_range(sheet, 1, column, LXW_ROW_MAX - 1, column,
	                                       &validation);
}

static double width_of(const char *text)
{
	double width = (double)strlen(text) + 2;
	return width < TEMPLATE_MIN_WIDTH ? TEMPLATE_MIN_WIDTH : width;
}

struct template_formats {
	lxw_format *bold;
	lxw_format *text;
	lxw_format *wrap;
};

static lxw_error write_manifest_sheet(lxw_workbook *workbook, const struct op *op,
                                      const struct op_field *const *fields, size_t count,
                                      const struct template_formats *formats)
{
	lxw_worksheet *sheet = workbook_add_worksheet(workbook, op->name);
	if (!sheet)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (size_t index = 0; index < count; index++) {
		const struct op_field *field = fields[index];
		lxw_col_t column = (lxw_col_t)index;
		const char *name = field_name(field->id);
		const char *example = field_rule_example(field->validate);
		double width = width_of(strlen(example) > strlen(name) ? example : name);
		lxw_format *format =
		    field_rule_is_whole_number(field->validate) ? NULL : formats->text;
		lxw_error code = worksheet_set_column(sheet, column, column, width, format);
		if (code == LXW_NO_ERROR)
			code = worksheet_write_string(sheet, 0, column, name, formats->bold);
		if (code == LXW_NO_ERROR)
			code = add_validation(sheet, column, field);
		if (code != LXW_NO_ERROR)
			return code;
	}
	worksheet_freeze_panes(sheet, 1, 0);
	worksheet_activate(sheet);
	return LXW_NO_ERROR;
}

static lxw_error write_line(lxw_worksheet *sheet, lxw_row_t *row, const char *text,
                            lxw_format *format)
{
	return worksheet_write_string(sheet, (*row)++, 0, text, format);
}

/* Which columns the example row fills: all of them, unless the operation's
 * cross-field rules (imei or device_sku, not both) refuse that; then one
 * optional column is left empty, the last one whose absence satisfies them. */
static void choose_example(const struct op *op, const struct op_field *const *fields, size_t count,
                           bool *filled)
{
	struct record record;
	memset(&record, 0, sizeof(record));
	for (size_t index = 0; index < count; index++) {
		filled[index] = true;
		record.value[fields[index]->id] = field_rule_example(fields[index]->validate);
	}
	if (!op->check_record)
		return;
	struct strbuf message;
	strbuf_init(&message, 1024);
	bool passes = op->check_record(&record, &message) == 0;
	for (size_t index = count; index-- > 0 && !passes;) {
		if (fields[index]->flags & OP_FIELD_REQUIRED)
			continue;
		const char *kept = record.value[fields[index]->id];
		record.value[fields[index]->id] = NULL;
		strbuf_reset(&message);
		passes = op->check_record(&record, &message) == 0;
		if (passes)
			filled[index] = false;
		else
			record.value[fields[index]->id] = kept;
	}
	strbuf_release(&message);
}

static lxw_error write_instructions(lxw_workbook *workbook, const struct op *op,
                                    const struct op_field *const *fields, size_t count,
                                    const struct template_formats *formats)
{
	lxw_worksheet *sheet = workbook_add_worksheet(workbook, INSTRUCTIONS_SHEET);
	if (!sheet)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	worksheet_set_column(sheet, 0, 0, 24, formats->text);
	worksheet_set_column(sheet, 1, 1, 10, formats->text);
	worksheet_set_column(sheet, 2, 2, 70, formats->wrap);
	worksheet_set_column(sheet, 3, 3, 24, formats->text);
	char line[512];
	lxw_row_t row = 0;
	lxw_error code = LXW_NO_ERROR;
	snprintf(line, sizeof(line), "lattigo-batch template: %s (%s %s): %s", op->name, op->method,
	         op->path, op->summary);
	code |= write_line(sheet, &row, line, formats->bold);
	row++;
	snprintf(line, sizeof(line),
	         "1. Fill in one row per device on the sheet '%s', from row 2 on; keep its "
	         "header row as it is.",
	         op->name);
	code |= write_line(sheet, &row, line, NULL);
	code |= write_line(sheet, &row,
	                   "2. Required columns must be filled in on every row; optional ones "
	                   "may stay empty. Selecting a cell shows its column's rule.",
	                   NULL);
	code |= write_line(sheet, &row,
	                   "3. Identifier columns are formatted as Text. Paste with Paste "
	                   "Special > Values so they stay Text: an ICCID stored as a number "
	                   "loses its last digits (8.9E+19).",
	                   NULL);
	snprintf(line, sizeof(line),
	         "4. Save, then check and send: lattigo-batch validate --op %s --manifest "
	         "FILE.xlsx, then lattigo-batch run --op %s --manifest FILE.xlsx",
	         op->name, op->name);
	code |= write_line(sheet, &row, line, NULL);
	code |= write_line(sheet, &row,
	                   "5. Rows that fail come back in errors.xlsx in the job directory: "
	                   "fix them there and run that file the same way.",
	                   NULL);
	row++;
	static const char *const headings[] = {"column", "required", "rule", "example"};
	for (lxw_col_t column = 0; column < 4; column++)
		code |= worksheet_write_string(sheet, row, column, headings[column], formats->bold);
	row++;
	for (size_t index = 0; index < count; index++, row++) {
		const struct op_field *field = fields[index];
		code |= worksheet_write_string(sheet, row, 0, field_name(field->id), NULL);
		code |= worksheet_write_string(
		    sheet, row, 1, (field->flags & OP_FIELD_REQUIRED) ? "yes" : "no", NULL);
		code |= worksheet_write_string(sheet, row, 2, field_rule_text(field->validate),
		                               formats->wrap);
		code |= worksheet_write_string(sheet, row, 3, field_rule_example(field->validate),
		                               formats->text);
	}
	row++;
	code |= write_line(sheet, &row,
	                   "Example row (copy it to the first sheet to try; nothing is sent from "
	                   "this sheet):",
	                   formats->bold);
	bool filled[TEMPLATE_MAX_FIELDS];
	choose_example(op, fields, count, filled);
	for (size_t index = 0; index < count; index++) {
		const struct op_field *field = fields[index];
		code |= worksheet_write_string(sheet, row, (lxw_col_t)index, field_name(field->id),
		                               formats->bold);
		if (filled[index])
			code |= worksheet_write_string(sheet, row + 1, (lxw_col_t)index,
			                               field_rule_example(field->validate),
			                               formats->text);
	}
	return code ? LXW_ERROR_MEMORY_MALLOC_FAILED : LXW_NO_ERROR;
}

static int write_xlsx(const struct template_request *request, const char *path, struct error *error)
{
	const struct op_field *fields[TEMPLATE_MAX_FIELDS];
	size_t count = ordered_fields(request->op, fields);
	struct strbuf temporary;
	strbuf_init(&temporary, 4096);
	if (strbuf_appendf(&temporary, "%s.tmp", path) != STRBUF_OK) {
		strbuf_release(&temporary);
		return error_set(error, "path too long: '%s'", path);
	}
	int result = -1;
	lxw_workbook *workbook = workbook_new(strbuf_text(&temporary));
	if (!workbook) {
		error_set(error, "cannot create '%s'", strbuf_text(&temporary));
		goto out;
	}
	struct template_formats formats = {workbook_add_format(workbook),
	                                   workbook_add_format(workbook),
	                                   workbook_add_format(workbook)};
	if (!formats.bold || !formats.text || !formats.wrap) {
		error_set(error, "out of memory");
		workbook_close(workbook);
		goto out;
	}
	format_set_bold(formats.bold);
	format_set_num_format_index(formats.text, 49); /* builtin Text (@) */
	format_set_num_format_index(formats.wrap, 49); /* builtin Text (@) */
	format_set_text_wrap(formats.wrap);
	lxw_error code = write_manifest_sheet(workbook, request->op, fields, count, &formats);
	if (code == LXW_NO_ERROR)
		code = write_instructions(workbook, request->op, fields, count, &formats);
	lxw_error closed = workbook_close(workbook);
	if (code == LXW_NO_ERROR)
		code = closed;
	if (code != LXW_NO_ERROR) {
		error_set(error, "cannot write '%s': %s", path, lxw_strerror(code));
		goto out;
	}
	if (rename(strbuf_text(&temporary), path) != 0) {
		error_set(error, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	result = 0;
out:
	if (result < 0)
		remove(strbuf_text(&temporary));
	strbuf_release(&temporary);
	return result;
}

static bool ends_with_xlsx(const char *path)
{
	size_t length = strlen(path);
	return length > 5 && strcasecmp(path + length - 5, ".xlsx") == 0;
}

enum template_format { TEMPLATE_FORMAT_UNSET, TEMPLATE_FORMAT_CSV, TEMPLATE_FORMAT_XLSX };

struct template_options {
	int format; /* enum template_format */
	char *output;
};

static const struct parse_option_word template_format_words[] = {
    {"csv", TEMPLATE_FORMAT_CSV},
    {"xlsx", TEMPLATE_FORMAT_XLSX},
};

static const struct parse_option template_option_rows[] = {
    {.name = "format",
     .type = PARSE_OPTION_CHOICE,
     .offset = offsetof(struct template_options, format),
     .size = sizeof(int),
     .value_name = "csv|xlsx",
     .words = template_format_words,
     .word_count = 2,
     .rejection = "unknown format '{}' (csv or xlsx)",
     .default_text = "xlsx when --output ends in .xlsx, else csv",
     .help = "file format"},
    {.name = "output",
     .type = PARSE_OPTION_STRING,
     .offset = offsetof(struct template_options, output),
     .size = sizeof(char *),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .default_text = "standard output (csv), <OP>-template.xlsx (xlsx)",
     .help = "where to write"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table template_option_table = {
    .rows = template_option_rows,
    .count = sizeof(template_option_rows) / sizeof(template_option_rows[0]),
    .program = "lattigo-batch",
};

/* Parses the arguments into options and request (whose output points into
 * options). Returns 0, 1 for --help, -1 with error. */
static int parse_arguments(int argc, char **argv, struct template_options *options,
                           struct template_request *request, struct error *error)
{
	struct parsed_command_line line;
	int parsed = parse_options_command(&template_option_table, 0, "template", options, argc,
	                                   argv, &line, error);
	const char *op_name = line.positional_count ? line.positional[0] : NULL;
	if (parsed == 0 && line.positional_count > 1)
		parsed = error_set(error, "template: one operation only ('%s' and '%s')", op_name,
		                   line.positional[1]);
	parsed_command_line_release(&line);
	if (parsed != 0)
		return parsed;
	if (!op_name)
		return error_set(error, "template: which operation? (list: lattigo-batch ops)");
	request->op = pipeline_find_op(op_name, error);
	if (!request->op)
		return -1;
	request->output = options->output;
	if (options->format == TEMPLATE_FORMAT_UNSET)
		request->xlsx = request->output && ends_with_xlsx(request->output);
	else
		request->xlsx = options->format == TEMPLATE_FORMAT_XLSX;
	return 0;
}

int command_template(int argc, char **argv)
{
	struct error error;
	error_clear(&error);
	struct template_request request = {0};
	struct template_options options = {0};
	int parsed = parse_arguments(argc, argv, &options, &request, &error);
	if (parsed == 1) {
		print_usage(stdout);
		parse_options_release(&template_option_table, &options);
		return EXIT_ALL_OK;
	}
	int result = parsed;
	char default_path[128];
	if (result == 0 && request.xlsx) {
		const char *path = request.output;
		if (!path) {
			snprintf(default_path, sizeof(default_path), "%s-template.xlsx",
			         request.op->name);
			path = default_path;
		}
		result = write_xlsx(&request, path, &error);
		if (result == 0)
			fprintf(stderr, "lattigo-batch: wrote %s\n", path);
	} else if (result == 0) {
		result = write_csv(&request, &error);
	}
	parse_options_release(&template_option_table, &options);
	return result < 0 ? report_error(&error, EXIT_USAGE) : EXIT_ALL_OK;
}
