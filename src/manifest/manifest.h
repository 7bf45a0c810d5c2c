/* Streaming manifest readers (CSV via libcsv, JSONL via jansson, either one
 * optionally gzip-compressed, or an .xlsx worksheet via libzip and expat):
 * one row at a time, memory bounded by the
 * longest allowed line, never by the file.
 * Ownership: a manifest owns every string it yields; a row's values stay
 * valid until the next manifest_next, manifest_seek or manifest_close. */
#ifndef LATTIGO_MANIFEST_H
#define LATTIGO_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/format.h"

#define MANIFEST_MAX_FIELD (64u * 1024u)   /* longer fields are rejected, never held whole */
#define MANIFEST_MAX_LINE  (1024u * 1024u) /* longer lines are rejected, never held whole */

struct manifest_options {
	/* AUTO: by extension (.csv/.tsv/.txt, .jsonl/.ndjson/.json, under .gz), else sniffed */
	enum manifest_format format;
	char delimiter;    /* CSV only; 0 = sniffed from the header among , ; TAB | */
	const char *sheet; /* .xlsx only: the worksheet to read; NULL = the first (borrowed) */
};

struct manifest_row {
	uint64_t number; /* 1-based position among data rows (blank lines do not count) */
	uint64_t
	    line; /* physical line (1-based) where the row starts; .xlsx: the sheet's row number */
	uint64_t offset;    /* byte offset of the row's first byte in the decompressed stream */
	size_t value_count; /* == manifest_column_count() when the row was read */
	const char *const *values; /* per column; NULL when the row has no value there */
	/* per column, strlen of the value (0 for none); NULL when the reader does
	 * not know them (JSONL, .xlsx), so that callers need not measure again */
	const size_t *lengths;
	/* true when the reader saw every byte of the row's values to be ASCII
	 * (so they are UTF-8 without a check); false when it did not look */
	bool ascii;
	/* non-NULL when the row cannot be used: it becomes `invalid` with this message,
	 * e.g. "not a JSON object (the line holds an array)", "field 3 longer than 65536
	 * bytes", "row has 6 fields, the header has 5" (docs/manifests.md lists them all) */
	const char *problem;
};

/* Where to continue reading: what resume records for a row (see manifest_seek). */
struct manifest_position {
	uint64_t offset; /* decompressed byte offset of the row start */
	uint64_t row;    /* the row number that starts there */
	uint64_t line;   /* the physical line that starts there */
};

struct manifest;

/* Opens path ("-" is stdin) and reads the CSV header. On a file-level problem
 * (missing, unreadable, binary, bad gzip, no header) returns NULL with error
 * naming file, line and problem. Free with manifest_close. */
struct manifest *manifest_open(const char *path, const struct manifest_options *options,
                               struct error *error);
/* Reads the next row: 1 = row filled, 0 = end of file, -1 = file-level error
 * (corrupt or truncated gzip, read error, binary data) with error filled. */
int manifest_next(struct manifest *manifest, struct manifest_row *row, struct error *error);
/* Continues reading at a position recorded earlier for this same file; for a
 * gzip file this re-inflates from the start up to the offset. Returns 0 or -1. */
int manifest_seek(struct manifest *manifest, const struct manifest_position *position,
                  struct error *error);
/* Reads every later line through libcsv (CSV) or jansson (JSONL), none
 * through the readers' fast paths (csv_reader.c, jsonl_flat.c). The rows
 * are the same either way; the tests compare the two paths with it. */
void manifest_no_fast_paths(struct manifest *manifest);
/* Returns the format actually being read. */
enum manifest_format manifest_format(const struct manifest *manifest);
/* Number of columns: the CSV header's, or for JSONL the keys seen so far
 * (new keys append columns, so call it again after each row). */
size_t manifest_column_count(const struct manifest *manifest);
/* Column name as written in the header / JSON key (owned by the manifest). */
const char *manifest_column_name(const struct manifest *manifest, size_t index);
/* What a value of the current row was in the file. */
enum manifest_value_kind {
	MANIFEST_VALUE_TEXT = 0, /* text (every CSV value) */
	MANIFEST_VALUE_NUMBER,   /* a JSON number, given exactly as written ("1e3") */
	MANIFEST_VALUE_ARRAY,    /* a JSON array, given as its compact JSON text */
	MANIFEST_VALUE_OBJECT,   /* a JSON object, given as its compact JSON text */
};
/* The kind of the current row's value in column (TEXT when out of range);
 * valid until the next manifest_next. Lets the binding judge only the values
 * an operation uses. */
enum manifest_value_kind manifest_value_kind(const struct manifest *manifest, size_t column);
/* The delimiter in use (CSV), or 0. */
char manifest_delimiter(const struct manifest *manifest);
/* Whether the file starts with a UTF-8 byte order mark. */
bool manifest_has_bom(const struct manifest *manifest);
/* The line end the file uses, judged by its first line: "\r\n", "\r" or
 * "\n" (static text), so a file derived from it can be written alike. */
const char *manifest_line_end(const struct manifest *manifest);
/* True for a file this tool wrote (an errors.csv: a CSV header with an
 * `error` or `source_row` column): its formula guard is taken off as it is
 * read, and its own bookkeeping columns feed no field. */
bool manifest_written_by_tool(const struct manifest *manifest);
/* About how many rows the file holds, judged from its size and first block
 * (a little over, for sizing tables; for gzip also from how far that block
 * compressed; for .xlsx from the sheet's dimension or first block); 0 when
 * unknown (a pipe). */
uint64_t manifest_estimated_rows(const struct manifest *manifest);
/* Puts standard input back where the manifest's first reading from "-" began
 * (byte_source_rewind_stdin): the job directory then copies it from its start.
 * Returns 0, or -1 with error. */
int manifest_rewind_stdin(struct error *error);
/* The path as given to manifest_open (owned by the manifest). */
const char *manifest_path(const struct manifest *manifest);
/* The physical line of the CSV header (after any blank lines); 0 for JSONL. */
uint64_t manifest_header_line(const struct manifest *manifest);
/* File-wide observations worth one note each (today: CR-only line ends);
 * returns the number of notes and sets *notes to an array owned by the manifest. */
size_t manifest_notes(const struct manifest *manifest, const char *const **notes);
/* The worksheet being read (owned by the manifest), or NULL when not a workbook. */
const char *manifest_sheet(const struct manifest *manifest);
/* Closes the file and frees everything. NULL is allowed. */
void manifest_close(struct manifest *manifest);

#endif
