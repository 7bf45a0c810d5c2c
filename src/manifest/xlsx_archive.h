/* The zip container of an .xlsx workbook, opened through libzip with the
 * checks a hostile file needs: old binary and password-protected workbooks
 * told apart, encrypted entries refused, every entry inflated under a size
 * and ratio cap (zip bombs).
 * Ownership: an archive owns its libzip handle; an entry stream owns its
 * libzip file and buffer; both borrow the path for messages. */
#ifndef LATTIGO_XLSX_ARCHIVE_H
#define LATTIGO_XLSX_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zip.h>

#include "common/error.h"

#define XLSX_MAX_ENTRY    (2048ull * 1024u * 1024u) /* inflated bytes of any one part */
#define XLSX_MAX_SMALL    (16u * 1024u * 1024u)     /* workbook.xml, rels, styles */
#define XLSX_MAX_RATIO    250u                      /* inflated / compressed bytes ... */
#define XLSX_RATIO_FLOOR  (16u * 1024u * 1024u)     /* ... checked past this many bytes */
#define XLSX_STREAM_BLOCK (64u * 1024u)

struct xlsx_archive {
	const char *path; /* borrowed */
	zip_t *zip;
};

/* Inflates one entry block by block, counting what it yields against the caps. */
struct xlsx_entry {
	const struct xlsx_archive *archive;
	const char *name; /* borrowed: the entry name, for messages */
	zip_file_t *file;
	uint64_t compressed;
	uint64_t size; /* inflated size as the archive states it, 0 when it does not */
	uint64_t inflated;
	uint64_t cap;
	char *block;
	size_t block_length; /* of the last block read */
};

/* True when the file at path starts like a zip archive or an OLE compound
 * file (an .xls or a password-protected .xlsx); false when it cannot be read. */
bool xlsx_archive_sniff(const char *path);
/* Opens the workbook at path. Returns 0, or -1 with a one-line error (not a
 * zip, truncated, .xls, password-protected). Release with xlsx_archive_close. */
int xlsx_archive_open(struct xlsx_archive *archive, const char *path, struct error *error);
/* Returns 1 when the archive holds name (case-insensitive), 0 when not. */
int xlsx_archive_has(const struct xlsx_archive *archive, const char *name);
/* Starts inflating entry name, refusing more than cap inflated bytes. Returns
 * 1, 0 when there is no such entry, -1 with error. Release with xlsx_entry_close. */
int xlsx_entry_open(struct xlsx_entry *entry, const struct xlsx_archive *archive, const char *name,
                    uint64_t cap, struct error *error);
/* Inflates the next block; *data points into the entry's buffer. Returns the
 * byte count, 0 at the end, -1 with error (corrupt data, a cap passed). */
long xlsx_entry_read(struct xlsx_entry *entry, const char **data, struct error *error);
/* Frees the entry. Safe on a zeroed or already closed entry. */
void xlsx_entry_close(struct xlsx_entry *entry);
/* Closes the archive. Safe on a zeroed archive. */
void xlsx_archive_close(struct xlsx_archive *archive);

#endif
