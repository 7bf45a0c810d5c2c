/* RFC 4180 CSV output with cells neutralised against spreadsheet formula
 * injection (SPEC §5). Ownership: the writer borrows the FILE; the caller closes it. */
#ifndef LATTIGO_CSV_WRITER_H
#define LATTIGO_CSV_WRITER_H

#include <stdbool.h>
#include <stdio.h>

struct csv_writer {
	FILE *stream;
	bool at_line_start;
	char delimiter;       /* ',' unless csv_writer_set_format said otherwise */
	const char *line_end; /* "\n" unless csv_writer_set_format said otherwise (static) */
};

/* Binds a writer to an open stream (comma-separated, LF line ends). */
void csv_writer_init(struct csv_writer *writer, FILE *stream);
/* Uses delimiter and line_end (static text, e.g. "\r\n") from now on, so a
 * file can be written in the dialect of the file it came from. */
void csv_writer_set_format(struct csv_writer *writer, char delimiter, const char *line_end);
/* True when csv_writer_cell guards text with a leading ': it starts with
 * = + - @ TAB CR LF (and is not a plain number), or with ' followed by text
 * that needs the guard (so that removing one ' always restores the value). */
bool csv_needs_formula_guard(const char *text);
/* Writes one cell (NULL writes an empty cell), quoting as needed and prefixing
 * a ' to text for which csv_needs_formula_guard is true. */
void csv_writer_cell(struct csv_writer *writer, const char *value);
/* Writes one cell exactly as given, quoted as needed but never neutralised
 * (for values the program itself produced, such as row numbers). */
void csv_writer_cell_raw(struct csv_writer *writer, const char *value);
/* Ends the current line (with the line end in use). */
void csv_writer_end_line(struct csv_writer *writer);
/* True when text is a plain decimal number such as 42, -7 or 3.5. */
bool csv_is_plain_number(const char *text);

#endif
