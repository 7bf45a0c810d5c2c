/* CSV output cells: quoting per RFC 4180 and formula-injection neutralisation. */
#include "csv_writer.h"

#include <string.h>

void csv_writer_init(struct csv_writer *writer, FILE *stream)
{
	writer->stream = stream;
	writer->at_line_start = true;
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

static void write_cell(struct csv_writer *writer, const char *value, bool neutralise)
{
	if (!writer->at_line_start)
		fputc(',', writer->stream);
	writer->at_line_start = false;
	if (!value)
		return;
	bool prefix = neutralise && starts_like_formula(value);
	bool quote = strpbrk(value, ",\"\r\n") != NULL;
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
	fputc('\n', writer->stream);
	writer->at_line_start = true;
}
