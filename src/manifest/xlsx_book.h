/* What a workbook says about itself before its rows are read: the sheets in
 * tab order and where each lives, which cell styles are dates, the 1904 date
 * system, and the shared-strings table (the one part held in memory, capped).
 * Ownership: a book owns every string it holds; release with xlsx_book_release. */
#ifndef LATTIGO_XLSX_BOOK_H
#define LATTIGO_XLSX_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/xlsx_archive.h"

#define XLSX_MAX_SHEETS         4096u
#define XLSX_MAX_STYLES         65536u
#define XLSX_MAX_SHARED_BYTES   (128u * 1024u * 1024u) /* text of the shared-strings table */
#define XLSX_MAX_SHARED_STRINGS (16u * 1024u * 1024u)
#define XLSX_ENTRY_CAP_STRINGS  (1024ull * 1024u * 1024u) /* inflated sharedStrings.xml */

struct xlsx_book {
	char **sheet_names; /* tab order */
	char **sheet_parts; /* zip entry of each sheet ("xl/worksheets/sheet1.xml") */
	size_t sheet_count;
	size_t sheet; /* the chosen sheet */
	bool date1904;
	unsigned char *date_styles; /* per cellXfs index: 1 when its number format is a date */
	size_t style_count;
	char *strings; /* shared strings: text and a NUL, or digits packed (xlsx_book_string) */
	uint32_t
	    *string_offsets; /* per shared string, and one past the last: its offset in
	                        strings (4 bytes a string: the text is capped well below 4 GiB) */
	size_t string_count;
};

/* Shared strings of digits alone up to this many (IMEIs, ICCIDs, EIDs: most of
 * a device list's table) are kept two digits a byte. */
#define XLSX_PACKED_MAX_DIGITS 63

/* Reads workbook.xml, its relationships, styles.xml and sharedStrings.xml and
 * picks sheet_name (NULL: the first sheet). Returns 0 or -1 with a one-line
 * error (no sheets, no such sheet with the names it has, shared strings past
 * the cap, malformed XML). */
int xlsx_book_load(struct xlsx_book *book, const struct xlsx_archive *archive,
                   const char *sheet_name, struct error *error);
/* Shared string index (NULL when out of range); *length gets its length. The
 * text is the book's, or, for a packed string of digits, written NUL-terminated
 * to scratch, which must hold XLSX_PACKED_MAX_DIGITS + 1 bytes. */
const char *xlsx_book_string(const struct xlsx_book *book, uint64_t index, char *scratch,
                             size_t scratch_size, size_t *length);
/* True when cell style index formats numbers as dates or times. */
bool xlsx_book_is_date_style(const struct xlsx_book *book, uint64_t style);
/* Frees everything the book holds. */
void xlsx_book_release(struct xlsx_book *book);

#endif
