/* CSV output cells: quoting per RFC 4180 and formula-injection neutralisation. */
#include "csv_writer.h"

#include <string.h>

void csv_writer_init(struct csv_writer *writer, FILE *stream)
{
	writer->stream = stream;
	writer->at_line_start = true;
	writer->delimiter = ',';
	writer->line_end = "\n";
}

void csv_writer_set_format(struct csv_writer *writer, char delimiter, const char *line_end)
{
	writer->delimiter = delimiter ? delimiter : ',';
	writer->line_end = line_end ? line_end : "\n";
}

bool csv_is_plain_number(const char *text)
{
	const char *cursor = text;
	if (*cursor == '-' || *cursor == '+')
		cursor++;
	if (*cursor < '0' || *cursor > '9')
		return false;
	while (*cursor >= '0' && *cursor <= '9')
		cursor++;
	if (*cursor == '.') {
		cursor++;
		if (*cursor < '0' || *cursor > '9')
			return false;
		while (*cursor >= '0' && *cursor <= '9')
			cursor++;
	}
	return *cursor == '\0';
}

static bool starts_like_formula(const char *text)
{
	return text[0] != '\0' && strchr("=+-@\t\r\n", text[0]) != NULL &&
	       !csv_is_plain_number(text);
}

bool csv_needs_formula_guard(const char *text)
{
	/* '=1 is guarded too ('': a reader that removes the guard from every '
	 * followed by guarded text then gives back exactly what was written */
	while (*text == '\'')
		text++;
	return starts_like_formula(text);
}

static void write_cell(struct csv_writer *writer, const char *value, bool neutralise)
{
	if (!writer->at_line_start)
		fputc(writer->delimiter, writer->stream);
	writer->at_line_start = false;
	if (!value)
		return;
	bool prefix = neutralise && csv_needs_formula_guard(value);
	bool quote = strpbrk(value, ",\"\r\n") != NULL || strchr(value, writer->delimiter) != NULL;
	if (!quote && (value[0] == ' ' || (value[0] && value[strlen(value) - 1] == ' ')))
		quote = true; /* keep surrounding spaces: readers trim unquoted ones */
	if (quote)
		fputc('"', writer->stream);
	if (prefix)
		fputc('\'', writer->stream);
	for (const char *cursor = value; *cursor; cursor++) {
		if (*cursor == '"')
			fputc('"', writer->stream);
		fputc(*cursor, writer->stream);
	}
	if (quote)
		fputc('"', writer->stream);
}

void csv_writer_cell(struct csv_writer *writer, const char *value)
{
	write_cell(writer, value, true);
}

void csv_writer_cell_raw(struct csv_writer *writer, const char *value)
{
	write_cell(writer, value, false);
}

void csv_writer_end_line(struct csv_writer *writer)
{
	fputs(writer->line_end, writer->stream);
	writer->at_line_start = true;
}
