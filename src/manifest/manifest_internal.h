/* The manifest object shared by the format readers (csv_reader.c,
 * jsonl_reader.c, xlsx_reader.c) and the dispatcher (manifest.c); not for other modules. */
#ifndef LATTIGO_MANIFEST_INTERNAL_H
#define LATTIGO_MANIFEST_INTERNAL_H

#include <csv.h>
#include <jansson.h>

#include "common/strbuf.h"
#include "manifest/line_reader.h"
#include "manifest/manifest.h"

#define MANIFEST_MAX_COLUMNS 1024u /* a header or the keys of a JSONL file */
#define MANIFEST_MAX_KEY     256u  /* longest JSONL key that may become a column */
#define MANIFEST_MAX_NOTES   4u
#define MANIFEST_MAX_PROBLEM 512u

struct manifest;

/* What differs between CSV and JSONL. */
struct manifest_reader_ops {
	int (*next)(struct manifest *manifest, struct manifest_row *row, struct error *error);
	/* Forgets any partly read row (before a seek). */
	void (*restart)(struct manifest *manifest);
	/* Optional: continues at position itself instead of through the line reader. */
	int (*seek)(struct manifest *manifest, const struct manifest_position *position,
	            struct error *error);
	void (*release)(struct manifest *manifest);
};

struct csv_state {
	struct csv_parser parser;
	bool parser_ready;
	struct strbuf text;    /* the current row's stored fields, each NUL-terminated */
	size_t *field_offsets; /* per stored field: offset in text, or SIZE_MAX for none */
	size_t field_capacity;
	size_t field_count;  /* fields seen in the current row, stored or not */
	size_t store_limit;  /* fields worth storing: the header's count */
	bool reading_header; /* stop at the first problem: it is fatal */
	bool row_started;
	bool row_complete;
	bool field_overflow; /* the current field passed the cap and is being discarded */
	bool overflow_in_quotes;
	uint64_t row_line;
	uint64_t row_offset;
	/* the fast path for plain lines (split_plain_line) */
	bool plain_row; /* the current row's values point into the line reader's block */
	bool row_ascii; /* ... and the line is ASCII */
	unsigned char byte_class[256]; /* per byte: 0 text, 1 the delimiter, 2 needs libcsv */
	char delimiter;
	char **field_ends; /* per stored field of a plain line: where it ends */
	bool *field_pairs; /* per stored field of a plain line: quoted, with doubled quotes */
	size_t *lengths;   /* per column: the current row's value lengths (manifest_row.lengths) */
};

struct jsonl_state {
	struct strbuf line;   /* a line that crossed a block boundary */
	struct strbuf quoted; /* the line with bare numbers turned into strings */
	bool line_too_long;
	uint64_t line_number;
	uint64_t line_offset;
	json_t *object; /* the current row's object: values point into it */
	char **dumps;   /* JSON text of the current row's array/object values (malloc) */
	size_t dump_count;
	size_t *lengths; /* MANIFEST_MAX_COLUMNS: a fast-path row's value lengths */
};

struct manifest {
	char *path;
	enum manifest_format format;
	char delimiter;
	uint64_t header_line;
	/* a file this tool wrote (errors.csv: an `error` or `source_row` column):
	 * the ' it put before formula-like cells is taken off again */
	bool unguard;
	const char *line_end; /* "\n", "\r\n" or "\r": the first line's */
	struct line_reader lines;
	const struct manifest_reader_ops *reader;
	char **column_names;
	size_t column_count;
	size_t column_capacity;
	const char **values;  /* the current row, column_capacity entries */
	unsigned char *kinds; /* per value: enum manifest_value_kind (JSONL sets them) */
	uint64_t rows_read;
	uint64_t estimated_rows; /* from the file size, 0 when unknown (manifest_estimated_rows) */
	const char *notes[MANIFEST_MAX_NOTES];
	size_t note_count;
	struct strbuf problem; /* the current row's first problem */
	bool no_fast_paths;    /* every row through libcsv or jansson (manifest_no_fast_paths) */
	struct csv_state csv;
	struct jsonl_state jsonl;
	struct xlsx_state *xlsx; /* .xlsx only (xlsx_reader.c) */
};

/* Appends a column named by length bytes of name. Returns its index, or -1 when out of memory. */
long manifest_add_column(struct manifest *manifest, const char *name, size_t length);
/* Records the row's problem unless one is already recorded (the first one is reported). */
void manifest_row_problem(struct manifest *manifest, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds a file-wide note (static text) once. */
void manifest_add_note(struct manifest *manifest, const char *note);

/* Length of the JSON number at text (leading zeros tolerated), or 0. */
size_t jsonl_number_length(const char *text, size_t available);
/* The code point jsonl_reader.c puts before a number it quoted (U+FDD0). */
#define JSONL_NUMBER_MARK 0xFDD0
/* The JSONL fast path: when line (length bytes, written over) is one flat
 * object of plain values that jansson's path would read without a problem,
 * sets the row's values (pointing into line), kinds and lengths (one per
 * column), *ascii when they are all ASCII, and returns true; else returns
 * false with line untouched. */
bool jsonl_flat_split(struct manifest *manifest, char *line, size_t length, size_t *lengths,
                      bool *ascii);
/* Reads the CSV header and prepares the CSV reader. Returns 0 or -1 with error. */
int csv_reader_open(struct manifest *manifest, struct error *error);
/* Prepares the JSONL reader. Returns 0 or -1 with error. */
int jsonl_reader_open(struct manifest *manifest, struct error *error);
/* Opens the workbook at manifest->path, picks sheet (NULL: the first) and reads
 * its header row. Returns 0 or -1 with error. */
int xlsx_reader_open(struct manifest *manifest, const char *sheet, struct error *error);
/* The name of the sheet being read, or NULL when the manifest is not a workbook. */
const char *xlsx_reader_sheet(const struct manifest *manifest);

#endif
