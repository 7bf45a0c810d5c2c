/* .xlsx manifests: the chosen worksheet's XML is parsed by expat as libzip
 * inflates it, and the parser is suspended at the end of every non-empty row,
 * so memory holds one block and one row whatever the sheet's size. Cells are
 * taken as stored, not as displayed: text as is, numbers as exact integers
 * where they are integers a spreadsheet keeps exactly (at most 15 digits),
 * dates as ISO 8601, booleans as TRUE/FALSE. */
#include "manifest_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/column_name.h"
#include "manifest/xlsx_archive.h"
#include "manifest/xlsx_book.h"
#include "manifest/xlsx_rows_estimate.h"
#include "manifest/xlsx_xml.h"

#define XLSX_MAX_ROWS     1048576u
#define XLSX_MAX_COLUMN   16384u /* XFD */
#define XLSX_EXACT_DIGITS 1e15   /* integers below this keep every digit in a spreadsheet */
#define NO_VALUE          SIZE_MAX

enum cell_type {
	CELL_NUMBER,
	CELL_SHARED,
	CELL_INLINE,
	CELL_FORMULA_TEXT,
	CELL_BOOLEAN,
	CELL_ERROR,
	CELL_DATE_TEXT
};

struct sheet_parse {
	struct xlsx_xml_user xml; /* first: the shared handlers expect it */
	struct manifest *manifest;
	struct xlsx_state *state;
	int sheet_data_depth;
	bool in_row;
	bool skipping_row; /* a row before the resume position, or the header again */
	bool in_cell;
	bool capture;     /* inside <v>, or <t> of an inline string */
	int inline_depth; /* inside <is> */
	int phonetic_depth;
	uint32_t dimension_last_row; /* the sheet's <dimension ref>, 0 without one */
	uint32_t row;                /* the sheet's row number of the current row */
	uint32_t last_row;           /* of the previous row, for rows without r= */
	uint32_t cell_column;        /* 0-based */
	int64_t last_column;         /* of the previous cell in the row, -1 at row start */
	enum cell_type cell_type;
	uint64_t cell_style;
	bool cell_too_long;
	struct strbuf cell;  /* the current cell's raw text */
	struct strbuf text;  /* the row's values, each NUL-terminated */
	size_t *offsets;     /* per manifest column: offset in text or NO_VALUE */
	size_t offset_count; /* entries in offsets */
	bool row_has_value;
	bool row_ready;
};

struct xlsx_state {
	struct xlsx_archive archive;
	struct xlsx_book book;
	struct xlsx_entry entry;
	struct sheet_parse parse;
	bool suspended;
	bool final_fed;
	bool finished;
	bool reading_header;
	uint32_t header_first; /* sheet columns of the header: first and last non-empty */
	uint32_t header_last;
	uint32_t header_row;
	uint32_t skip_before; /* rows numbered below this are passed over (resume) */
	struct strbuf lost_digits_note;
	struct strbuf sheet_label; /* "sheet 'Lot 42'" */
};

/* The sheet's elements this reader acts on; matched without strcmp chains
 * because the handlers run for every element of a sheet of millions. */
enum sheet_tag {
	TAG_OTHER,
	TAG_DIMENSION,
	TAG_SHEET_DATA,
	TAG_ROW,
	TAG_CELL,
	TAG_VALUE,
	TAG_INLINE,
	TAG_TEXT,
	TAG_PHONETIC
};

static enum sheet_tag classify(const char *name)
{
	const char *local = name;
	for (const char *at = name; *at; at++)
		if (*at == ':')
			local = at + 1;
	switch (local[0]) {
	case 'c':
		return local[1] == '\0' ? TAG_CELL : TAG_OTHER;
	case 'd':
		return strcmp(local, "dimension") == 0 ? TAG_DIMENSION : TAG_OTHER;
	case 'v':
		return local[1] == '\0' ? TAG_VALUE : TAG_OTHER;
	case 't':
		return local[1] == '\0' ? TAG_TEXT : TAG_OTHER;
	case 'i':
		return strcmp(local, "is") == 0 ? TAG_INLINE : TAG_OTHER;
	case 'r':
		return strcmp(local, "row") == 0   ? TAG_ROW
		       : strcmp(local, "rPh") == 0 ? TAG_PHONETIC
		                                   : TAG_OTHER;
	case 's':
		return strcmp(local, "sheetData") == 0 ? TAG_SHEET_DATA : TAG_OTHER;
	default:
		return TAG_OTHER;
	}
}

/* The value of the one-letter attribute letter (r, t or s), or NULL. */
static const char *attribute(const char **attributes, char letter)
{
	for (size_t index = 0; attributes[index]; index += 2) {
		const char *name = attributes[index];
		if (name[0] == letter && name[1] == '\0')
			return attributes[index + 1];
		const char *colon = strchr(name, ':');
		if (colon && colon[1] == letter && colon[2] == '\0' &&
		    strncmp(name, "xmlns", 5) != 0)
			return attributes[index + 1];
	}
	return NULL;
}

static void column_letters(uint32_t column, char *out, size_t size)
{
	char reversed[8];
	size_t count = 0;
	uint32_t value = column + 1;
	while (value > 0 && count < sizeof(reversed)) {
		value--;
		reversed[count++] = (char)('A' + value % 26);
		value /= 26;
	}
	size_t index = 0;
	while (count > 0 && index + 1 < size)
		out[index++] = reversed[--count];
	out[index] = '\0';
}

/* The current cell's column letters, written into out (for messages). */
static const char *cell_name(const struct sheet_parse *parse, char *out, size_t size)
{
	column_letters(parse->cell_column, out, size);
	return out;
}

static const char *sheet_name(const struct xlsx_state *state)
{
	return state->book.sheet_names[state->book.sheet];
}

/* "A1"-style reference: letters to a 0-based column; returns -1 when malformed. */
static int parse_reference(const char *reference, uint32_t *column)
{
	uint32_t value = 0;
	const char *at = reference;
	while ((*at >= 'A' && *at <= 'Z') || (*at >= 'a' && *at <= 'z')) {
		uint32_t letter = (uint32_t)((*at | 0x20) - 'a' + 1);
		value = value * 26 + letter;
		if (value > XLSX_MAX_COLUMN)
			return -1;
		at++;
	}
	if (at == reference || value == 0)
		return -1;
	*column = value - 1;
	return 0;
}

static void refuse(struct sheet_parse *parse, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void refuse(struct sheet_parse *parse, const char *format, ...)
{
	char text[160];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(text, sizeof(text), format, arguments);
	va_end(arguments);
	xlsx_xml_refuse(&parse->xml, text);
}

static void reset_row(struct sheet_parse *parse)
{
	strbuf_reset(&parse->text);
	for (size_t index = 0; index < parse->offset_count; index++)
		parse->offsets[index] = NO_VALUE;
	parse->row_has_value = false;
	parse->last_column = -1;
}

static void on_row_start(struct sheet_parse *parse, const char **attributes)
{
	struct xlsx_state *state = parse->state;
	const char *number = attribute(attributes, 'r');
	uint64_t row = parse->last_row + 1ull;
	if (number) {
		char *end = NULL;
		row = strtoull(number, &end, 10);
		if (end == number || *end) {
			refuse(parse, "row number '%.20s' is not a number", number);
			return;
		}
	}
	if (row == 0 || row > XLSX_MAX_ROWS) {
		refuse(parse,
		       "row number %llu is outside the 1 to 1,048,576 rows a worksheet holds",
		       (unsigned long long)row);
		return;
	}
	if (row <= parse->last_row) {
		refuse(parse, "row %llu comes after row %u (rows out of order)",
		       (unsigned long long)row, parse->last_row);
		return;
	}
	parse->row = (uint32_t)row;
	parse->last_row = parse->row;
	parse->in_row = true;
	parse->skipping_row = !state->reading_header &&
	                      (parse->row <= state->header_row || parse->row < state->skip_before);
	reset_row(parse);
}

static void on_cell_start(struct sheet_parse *parse, const char **attributes)
{
	const char *reference = attribute(attributes, 'r');
	uint32_t column = (uint32_t)(parse->last_column + 1);
	if (reference && parse_reference(reference, &column) < 0) {
		refuse(parse, "row %u has a cell reference '%.20s' outside columns A to XFD",
		       parse->row, reference);
		return;
	}
	if (column >= XLSX_MAX_COLUMN) {
		refuse(parse, "row %u has a cell beyond column XFD", parse->row);
		return;
	}
	if ((int64_t)column <= parse->last_column) {
		refuse(parse, "row %u lists its cells out of order", parse->row);
		return;
	}
	parse->last_column = column;
	parse->cell_column = column;
	parse->in_cell = true;
	parse->cell_too_long = false;
	strbuf_reset(&parse->cell);
	const char *type = attribute(attributes, 't');
	parse->cell_type = CELL_NUMBER;
	if (type) {
		if (strcmp(type, "s") == 0)
			parse->cell_type = CELL_SHARED;
		else if (strcmp(type, "inlineStr") == 0)
			parse->cell_type = CELL_INLINE;
		else if (strcmp(type, "str") == 0)
			parse->cell_type = CELL_FORMULA_TEXT;
		else if (strcmp(type, "b") == 0)
			parse->cell_type = CELL_BOOLEAN;
		else if (strcmp(type, "e") == 0)
			parse->cell_type = CELL_ERROR;
		else if (strcmp(type, "d") == 0)
			parse->cell_type = CELL_DATE_TEXT;
	}
	const char *style = attribute(attributes, 's');
	parse->cell_style = style ? strtoull(style, NULL, 10) : 0;
}

static void on_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
	struct sheet_parse *parse = data;
	enum sheet_tag tag = classify(name);
	if (tag == TAG_DIMENSION) {
		for (size_t index = 0; attributes[index]; index += 2)
			if (strcmp(attributes[index], "ref") == 0)
				parse->dimension_last_row =
				    xlsx_dimension_last_row(attributes[index + 1]);
		return;
	}
	if (tag == TAG_SHEET_DATA) {
		parse->sheet_data_depth++;
		return;
	}
	if (parse->sheet_data_depth == 0 || tag == TAG_OTHER)
		return;
	if (tag == TAG_ROW) {
		on_row_start(parse, attributes);
	} else if (!parse->in_row || parse->skipping_row) {
		return;
	} else if (tag == TAG_CELL) {
		on_cell_start(parse, attributes);
	} else if (!parse->in_cell) {
		return;
	} else if (tag == TAG_VALUE) {
		parse->capture = parse->cell_type != CELL_INLINE;
	} else if (tag == TAG_INLINE) {
		parse->inline_depth++;
	} else if (tag == TAG_PHONETIC) {
		parse->phonetic_depth++;
	} else if (tag == TAG_TEXT) {
		parse->capture = parse->inline_depth > 0 && parse->phonetic_depth == 0;
	}
}

static void on_text(void *data, const XML_Char *text, int length)
{
	struct sheet_parse *parse = data;
	if (!parse->capture || parse->cell_too_long || length <= 0)
		return;
	if (parse->cell.length + (size_t)length > MANIFEST_MAX_FIELD) {
		parse->cell_too_long = true;
		return;
	}
	if (strbuf_append(&parse->cell, text, (size_t)length) != STRBUF_OK)
		parse->cell_too_long = true;
}

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t day_of_era = days - era * 146097;
	int64_t year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year =
	    day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t shifted = (5 * day_of_year + 2) / 153;
	*day = (unsigned)(day_of_year - (153 * shifted + 2) / 5 + 1);
	*month = (unsigned)(shifted < 10 ? shifted + 3 : shifted - 9);
	*year = year_of_era + era * 400 + (*month <= 2);
}

/* A date-styled serial number as ISO 8601: a date, or a date and time when
 * it has a time of day. */
static void format_date(double serial, bool date1904, char *out, size_t size)
{
	/* 1900 system: day 0 is 1899-12-30 for every serial after Excel's
	 * phantom 1900-02-29 (serial 60); 1904 system: day 0 is 1904-01-01 */
	double base = date1904 ? 24107.0 : (serial < 61 ? 25568.0 : 25569.0);
	double whole = floor(serial);
	int64_t seconds = (int64_t)llround((serial - whole) * 86400.0);
	int64_t days = (int64_t)whole - (int64_t)base;
	if (seconds >= 86400) {
		days++;
		seconds -= 86400;
	}
	int64_t year = 0;
	unsigned month = 0, day = 0;
	civil_from_days(days, &year, &month, &day);
	if (seconds == 0)
		snprintf(out, size, "%04lld-%02u-%02u", (long long)year, month, day);
	else
		snprintf(out, size, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", (long long)year, month,
		         day, (long long)(seconds / 3600), (long long)(seconds / 60 % 60),
		         (long long)(seconds % 60));
}

/* Scientific notation as a spreadsheet shows a long number (8.94412345678901E+19). */
static void format_scientific(double value, char *out, size_t size)
{
	char mantissa[40];
	snprintf(mantissa, sizeof(mantissa), "%.14E", value);
	char *exponent = strchr(mantissa, 'E');
	if (!exponent) {
		snprintf(out, size, "%s", mantissa);
		return;
	}
	char *end = exponent;
	while (end > mantissa && end[-1] == '0')
		end--;
	if (end > mantissa && end[-1] == '.')
		end--;
	snprintf(out, size, "%.*s%s", (int)(end - mantissa), mantissa, exponent);
}

static void note_lost_digits(struct sheet_parse *parse, uint32_t column)
{
	struct xlsx_state *state = parse->state;
	if (state->lost_digits_note.length)
		return;
	char letters[8];
	column_letters(column, letters, sizeof(letters));
	const char *name = "";
	if (!state->reading_header && column >= state->header_first && column <= state->header_last)
		name = parse->manifest->column_names[column - state->header_first];
	strbuf_appendf(&state->lost_digits_note,
	               "column '%.60s' of sheet '%.60s' holds numbers of more than 15 digits "
	               "(first in cell %s%u): the workbook stores them as numbers, which keep "
	               "only 15 significant digits, so digits were lost; format the column as "
	               "Text and re-enter or re-import the values",
	               name, sheet_name(state), cell_name(parse, letters, sizeof(letters)),
	               parse->row);
	manifest_add_note(parse->manifest, strbuf_text(&state->lost_digits_note));
}

/* Turns the cell's raw text into the value the manifest sees; writes it into
 * out (size bytes) or points *value at shared-string text. Returns -1 after
 * recording a row problem. */
static int cell_value(struct sheet_parse *parse, char *out, size_t size, const char **value,
                      size_t *length)
{
	struct xlsx_state *state = parse->state;
	const char *raw = strbuf_text(&parse->cell);
	char letters[8];
	letters[0] = '\0'; /* filled only for a message: most cells never need it */
	*value = raw;
	*length = parse->cell.length;
	if (parse->cell.length == 0)
		return 0; /* <c/> or an empty <v/>: an empty cell whatever its type */
	switch (parse->cell_type) {
	case CELL_INLINE:
	case CELL_FORMULA_TEXT:
		parse->cell.length = xlsx_xml_unescape(parse->cell.data, parse->cell.length);
		*length = parse->cell.length;
		return 0;
	case CELL_DATE_TEXT:
	case CELL_ERROR:
		return 0;
	case CELL_BOOLEAN:
		*value = strcmp(raw, "0") == 0 ? "FALSE" : "TRUE";
		*length = strlen(*value);
		return 0;
	case CELL_SHARED: {
		char *end = NULL;
		unsigned long long index = strtoull(raw, &end, 10);
		const char *text = end != raw && !*end
		                       ? xlsx_book_string(&state->book, index, out, size, length)
		                       : NULL;
		if (!text) {
			manifest_row_problem(parse->manifest,
			                     "cell %s%u refers to shared string '%.20s', which the "
			                     "workbook does not have (a damaged workbook?)",
			                     cell_name(parse, letters, sizeof(letters)), parse->row,
			                     raw);
			return -1;
		}
		*value = text;
		return 0;
	}
	case CELL_NUMBER:
		break;
	}
	char *end = NULL;
	double number = strtod(raw, &end);
	if (end == raw || *end || !isfinite(number)) {
		manifest_row_problem(parse->manifest,
		                     "cell %s%u is a number cell holding '%.40s', which is not a "
		                     "number (a damaged workbook?)",
		                     cell_name(parse, letters, sizeof(letters)), parse->row, raw);
		return -1;
	}
	if (xlsx_book_is_date_style(&state->book, parse->cell_style) && number >= 0 &&
	    number < 2958466.0)
		format_date(number, state->book.date1904, out, size);
	else if (number == floor(number) && fabs(number) < XLSX_EXACT_DIGITS)
		snprintf(out, size, "%.0f", number == 0 ? 0.0 : number);
	else if (number == floor(number)) {
		format_scientific(number, out, size);
		note_lost_digits(parse, parse->cell_column);
	} else
		snprintf(out, size, "%.15g", number);
	*value = out;
	*length = strlen(out);
	return 0;
}

static int grow_offsets(struct sheet_parse *parse, size_t count)
{
	if (count <= parse->offset_count)
		return 0;
	size_t *grown = realloc(parse->offsets, count * sizeof(*grown));
	if (!grown)
		return -1;
	for (size_t index = parse->offset_count; index < count; index++)
		grown[index] = NO_VALUE;
	parse->offsets = grown;
	parse->offset_count = count;
	return 0;
}

static void on_cell_end(struct sheet_parse *parse)
{
	struct xlsx_state *state = parse->state;
	parse->in_cell = false;
	parse->capture = false;
	parse->inline_depth = 0;
	parse->phonetic_depth = 0;
	char letters[8];
	letters[0] = '\0'; /* filled only for a message: most cells never need it */
	if (parse->cell_too_long) {
		manifest_row_problem(parse->manifest, "cell %s%u longer than %u bytes",
		                     cell_name(parse, letters, sizeof(letters)), parse->row,
		                     MANIFEST_MAX_FIELD);
		parse->row_has_value = true;
		return;
	}
	char number[64];
	const char *value = NULL;
	size_t length = 0;
	if (cell_value(parse, number, sizeof(number), &value, &length) < 0) {
		parse->row_has_value = true;
		return;
	}
	if (length == 0)
		return;
	if (length > MANIFEST_MAX_FIELD) {
		manifest_row_problem(parse->manifest, "cell %s%u longer than %u bytes",
		                     cell_name(parse, letters, sizeof(letters)), parse->row,
		                     MANIFEST_MAX_FIELD);
		parse->row_has_value = true;
		return;
	}
	parse->row_has_value = true;
	size_t slot = 0;
	if (state->reading_header) {
		if (parse->cell_column >= MANIFEST_MAX_COLUMNS) {
			refuse(parse,
			       "the header has a name in column %s; at most %u columns are "
			       "allowed",
			       cell_name(parse, letters, sizeof(letters)), MANIFEST_MAX_COLUMNS);
			return;
		}
		slot = parse->cell_column;
		if (grow_offsets(parse, slot + 1) < 0) {
			refuse(parse, "out of memory");
			return;
		}
	} else if (parse->cell_column < state->header_first ||
	           parse->cell_column > state->header_last) {
		char first[8], last[8];
		column_letters(state->header_first, first, sizeof(first));
		column_letters(state->header_last, last, sizeof(last));
		manifest_row_problem(
		    parse->manifest, "cell %s%u is outside the header's columns (%s to %s)",
		    cell_name(parse, letters, sizeof(letters)), parse->row, first, last);
		return;
	} else {
		slot = parse->cell_column - state->header_first;
	}
	size_t start = parse->text.length;
	if (strbuf_append(&parse->text, value, length) != STRBUF_OK ||
	    strbuf_append_char(&parse->text, '\0') != STRBUF_OK) {
		manifest_row_problem(parse->manifest, "row longer than %u bytes",
		                     MANIFEST_MAX_LINE);
		return;
	}
	parse->offsets[slot] = start;
}

static void on_end(void *data, const XML_Char *name)
{
	struct sheet_parse *parse = data;
	enum sheet_tag tag = classify(name);
	if (tag == TAG_SHEET_DATA) {
		if (parse->sheet_data_depth > 0)
			parse->sheet_data_depth--;
		return;
	}
	if (!parse->in_row || tag == TAG_OTHER)
		return;
	if (tag == TAG_ROW) {
		parse->in_row = false;
		if (parse->skipping_row || !parse->row_has_value) {
			/* an empty row is passed over, as a blank line is in CSV */
			strbuf_reset(&parse->manifest->problem);
			return;
		}
		parse->row_ready = true;
		XML_StopParser(parse->xml.parser, XML_TRUE);
	} else if (parse->skipping_row || !parse->in_cell) {
		return;
	} else if (tag == TAG_CELL) {
		on_cell_end(parse);
	} else if (tag == TAG_VALUE || tag == TAG_TEXT) {
		parse->capture = false;
	} else if (tag == TAG_INLINE) {
		parse->inline_depth--;
	} else if (tag == TAG_PHONETIC) {
		parse->phonetic_depth--;
	}
}

static int start_sheet(struct manifest *manifest, struct error *error)
{
	struct xlsx_state *state = manifest->xlsx;
	struct sheet_parse *parse = &state->parse;
	const char *part = state->book.sheet_parts[state->book.sheet];
	int opened = xlsx_entry_open(&state->entry, &state->archive, part, XLSX_MAX_ENTRY, error);
	if (opened < 0)
		return -1;
	if (opened == 0)
		return error_set_at(
		    error, manifest->path, 0,
		    "sheet '%.80s' is listed but its part '%.80s' is missing from the "
		    "workbook",
		    sheet_name(state), part);
	if (!xlsx_xml_create(&parse->xml, on_start, on_end, on_text))
		return error_set_at(error, manifest->path, 0, "out of memory");
	parse->sheet_data_depth = 0;
	parse->in_row = false;
	parse->in_cell = false;
	parse->capture = false;
	parse->last_row = 0;
	state->suspended = false;
	state->final_fed = false;
	state->finished = false;
	return 0;
}

static void stop_sheet(struct xlsx_state *state)
{
	if (state->parse.xml.parser)
		XML_ParserFree(state->parse.xml.parser);
	state->parse.xml.parser = NULL;
	xlsx_entry_close(&state->entry);
}

/* Parses until the next non-empty row is complete: 1 with the row in the
 * parse state, 0 at the end of the sheet, -1 with error. */
static int pump(struct manifest *manifest, struct error *error)
{
	struct xlsx_state *state = manifest->xlsx;
	struct sheet_parse *parse = &state->parse;
	XML_Parser parser = parse->xml.parser;
	parse->row_ready = false;
	while (!state->finished) {
		enum XML_Status status;
		if (state->suspended) {
			status = XML_ResumeParser(parser);
		} else {
			const char *data = NULL;
			long got = xlsx_entry_read(&state->entry, &data, error);
			if (got < 0)
				return -1;
			state->final_fed = got == 0;
			status = XML_Parse(parser, data, (int)got, got == 0);
		}
		state->suspended = status == XML_STATUS_SUSPENDED;
		if (status == XML_STATUS_ERROR) {
			char part[200];
			snprintf(part, sizeof(part), "%s (sheet '%.60s')", state->entry.name,
			         sheet_name(state));
			return xlsx_xml_error(&parse->xml, manifest->path, part, error);
		}
		if (state->suspended)
			return 1;
		if (state->final_fed)
			state->finished = true;
	}
	return 0;
}

static int xlsx_next(struct manifest *manifest, struct manifest_row *row, struct error *error)
{
	struct xlsx_state *state = manifest->xlsx;
	struct sheet_parse *parse = &state->parse;
	int result = pump(manifest, error);
	if (result <= 0)
		return result;
	for (size_t index = 0; index < manifest->column_count; index++) {
		size_t offset = parse->offsets[index];
		manifest->values[index] = offset == NO_VALUE ? "" : parse->text.data + offset;
	}
	row->number = ++manifest->rows_read;
	row->line = parse->row;
	row->offset = parse->row;
	row->value_count = manifest->column_count;
	row->values = manifest->values;
	row->problem = manifest->problem.length ? strbuf_text(&manifest->problem) : NULL;
	return 1;
}

static void xlsx_restart(struct manifest *manifest)
{
	(void)manifest;
}

/* Starts the sheet again and passes over the rows before position->line
 * (the sheet's row number of the row to continue at). */
static int xlsx_seek(struct manifest *manifest, const struct manifest_position *position,
                     struct error *error)
{
	struct xlsx_state *state = manifest->xlsx;
	stop_sheet(state);
	if (start_sheet(manifest, error) < 0)
		return -1;
	state->skip_before = position->line > UINT32_MAX ? UINT32_MAX : (uint32_t)position->line;
	manifest->rows_read = position->row - 1;
	return 0;
}

static void xlsx_release(struct manifest *manifest)
{
	struct xlsx_state *state = manifest->xlsx;
	if (!state)
		return;
	stop_sheet(state);
	xlsx_book_release(&state->book);
	xlsx_archive_close(&state->archive);
	strbuf_release(&state->parse.cell);
	strbuf_release(&state->parse.text);
	free(state->parse.offsets);
	strbuf_release(&state->lost_digits_note);
	strbuf_release(&state->sheet_label);
	free(state);
	manifest->xlsx = NULL;
}

static const struct manifest_reader_ops xlsx_ops = {
    .next = xlsx_next,
    .restart = xlsx_restart,
    .seek = xlsx_seek,
    .release = xlsx_release,
};

static int read_header(struct manifest *manifest, struct error *error)
{
	struct xlsx_state *state = manifest->xlsx;
	struct sheet_parse *parse = &state->parse;
	state->reading_header = true;
	strbuf_reset(&manifest->problem);
	int result = pump(manifest, error);
	state->reading_header = false;
	if (result < 0)
		return -1;
	if (result == 0)
		return error_set_at(
		    error, manifest->path, 0,
		    "sheet '%.80s' is empty (a manifest needs at least a header row)",
		    sheet_name(state));
	state->header_row = parse->row;
	manifest->header_line = parse->row;
	if (manifest->problem.length)
		return error_set_at(error, manifest->path, 0,
		                    "row %u of sheet '%.80s' (the header): %s", parse->row,
		                    sheet_name(state), strbuf_text(&manifest->problem));
	size_t first = NO_VALUE, last = 0;
	for (size_t index = 0; index < parse->offset_count; index++) {
		if (parse->offsets[index] == NO_VALUE)
			continue;
		if (first == NO_VALUE)
			first = index;
		last = index;
	}
	state->header_first = (uint32_t)first;
	state->header_last = (uint32_t)last;
	for (size_t index = first; index <= last; index++) {
		size_t offset = parse->offsets[index];
		const char *name = offset == NO_VALUE ? "" : parse->text.data + offset;
		if (manifest_add_column(manifest, name, strlen(name)) < 0)
			return error_set_at(error, manifest->path, 0, "out of memory");
	}
	/* the row's slots are manifest columns from here on */
	if (grow_offsets(parse, manifest->column_count) < 0)
		return error_set_at(error, manifest->path, 0, "out of memory");
	for (size_t index = 0; index < manifest->column_count; index++) {
		const char *name = manifest->column_names[index];
		char letters[8];
		column_letters((uint32_t)(first + index), letters, sizeof(letters));
		if (column_name_looks_like_data(name))
			return error_set_at(error, manifest->path, 0,
			                    "row %u of sheet '%.80s' looks like data, not a header "
			                    "(cell %s%u is '%.40s'); add a header row naming the "
			                    "columns",
			                    parse->row, sheet_name(state), letters, parse->row,
			                    name);
		if (name[0] == '\0')
			continue;
		for (size_t other = 0; other < index; other++)
			if (column_name_equal(name, manifest->column_names[other]))
				return error_set_at(error, manifest->path, 0,
				                    "the header (row %u of sheet '%.80s') names "
				                    "column '%.80s' twice; rename one",
				                    parse->row, sheet_name(state), name);
	}
	return 0;
}

/* The sheet's rows, header included, told once its header is read (see
 * xlsx_rows_estimate.h); 0 when unknown. At most a sheet's row limit. */
static uint64_t estimate_rows(const struct xlsx_state *state)
{
	const struct sheet_parse *parse = &state->parse;
	uint64_t rows = 0;
	if (parse->dimension_last_row > state->header_row) {
		rows = parse->dimension_last_row - state->header_row + 1;
	} else if (state->suspended) {
		/* the parser stopped at the header row's end, inside the block last read */
		const struct xlsx_entry *entry = &state->entry;
		uint64_t block_offset = entry->inflated - entry->block_length;
		XML_Index at = XML_GetCurrentByteIndex(parse->xml.parser);
		if (at >= 0 && (uint64_t)at >= block_offset && (uint64_t)at <= entry->inflated) {
			size_t skip = (size_t)((uint64_t)at - block_offset);
			rows = xlsx_estimate_rows(entry->block + skip, entry->block_length - skip,
			                          (uint64_t)at, entry->size);
		}
	}
	return rows < XLSX_MAX_ROWS ? rows : XLSX_MAX_ROWS;
}

int xlsx_reader_open(struct manifest *manifest, const char *sheet, struct error *error)
{
	struct xlsx_state *state = calloc(1, sizeof(*state));
	if (!state)
		return error_set_at(error, manifest->path, 0, "out of memory");
	manifest->xlsx = state;
	manifest->reader = &xlsx_ops;
	manifest->format = MANIFEST_FORMAT_XLSX;
	state->parse.manifest = manifest;
	state->parse.state = state;
	strbuf_init(&state->parse.cell, MANIFEST_MAX_FIELD + 1);
	strbuf_init(&state->parse.text, MANIFEST_MAX_LINE);
	strbuf_init(&state->lost_digits_note, 1024);
	strbuf_init(&state->sheet_label, 256);
	if (xlsx_archive_open(&state->archive, manifest->path, error) < 0)
		return -1;
	if (xlsx_book_load(&state->book, &state->archive, sheet, error) < 0)
		return -1;
	strbuf_appendf(&state->sheet_label, "sheet '%s'", sheet_name(state));
	if (start_sheet(manifest, error) < 0)
		return -1;
	if (read_header(manifest, error) < 0)
		return -1;
	manifest->estimated_rows = estimate_rows(state);
	return 0;
}

const char *xlsx_reader_sheet(const struct manifest *manifest)
{
	return manifest->xlsx ? sheet_name(manifest->xlsx) : NULL;
}
