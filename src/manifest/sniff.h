/* Looks at the first block of a manifest before parsing it: binary files,
 * UTF-16 text and spreadsheet workbooks are refused with a message saying
 * what the file is; the format and the CSV delimiter are guessed. */
#ifndef LATTIGO_SNIFF_H
#define LATTIGO_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "manifest/format.h"

/* Returns 0 when data looks like text; otherwise -1 with a one-line reason
 * appended to reason (e.g. "looks like a binary file, not CSV or JSONL"). */
int sniff_text(const char *data, size_t length, struct strbuf *reason);
/* True when path is to be read as a workbook: format is XLSX, or AUTO and
 * the path ends in .xlsx/.xlsm or the file starts like a zip archive or an
 * OLE compound file (.xls, encrypted .xlsx). Never for stdin ("-"). */
bool sniff_is_workbook(const char *path, enum manifest_format format);
/* True when data holds only spaces, tabs and line ends. */
bool sniff_is_blank(const char *data, size_t length);
/* Guesses the format from the path's extension (ignoring a final .gz), else
 * from the first non-blank byte ('{' means JSONL). */
enum manifest_format sniff_format(const char *path, const char *data, size_t length);
/* Picks the delimiter among , ; TAB | that occurs most often outside quotes
 * in the first non-blank line of data (',' when none does). */
char sniff_delimiter(const char *data, size_t length);

#endif
