/* RFC 4180 CSV output with cells neutralised against spreadsheet formula
 * injection (SPEC §5). Ownership: the writer borrows the FILE; the caller closes it. */
#ifndef LATTIGO_CSV_WRITER_H
#define LATTIGO_CSV_WRITER_H

#include <stdbool.h>
#include <stdio.h>

struct csv_writer {
	FILE *stream;
	bool at_line_start;
};

/* Binds a writer to an open stream. */
void csv_writer_init(struct csv_writer *writer, FILE *stream);
/* Writes one cell (NULL writes an empty cell), quoting as needed and prefixing
 * a ' to text starting with = + - @ TAB CR LF unless the cell is a plain number. */
void csv_writer_cell(struct csv_writer *writer, const char *value);
/* Writes one cell exactly as given, quoted as needed but never neutralised
 * (for values the program itself produced, such as row numbers). */
void csv_writer_cell_raw(struct csv_writer *writer, const char *value);
/* Ends the current line with CRLF-free "\n". */
void csv_writer_end_line(struct csv_writer *writer);
/* True when text is a plain decimal number such as 42, -7 or 3.5. */
bool csv_is_plain_number(const char *text);

#endif
