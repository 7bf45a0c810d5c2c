/* Helpers shared by the manifest reader tests: fixture files in a private
 * temporary folder, gzip compression, and a compact text dump of the rows.
 * Ownership: returned strings are malloc'd; the caller frees them. */
#ifndef TEST_MANIFEST_SUPPORT_H
#define TEST_MANIFEST_SUPPORT_H

#include <stddef.h>

#include "manifest/manifest.h"

/* Writes length bytes to a new file called name in the fixture folder; returns its path. */
char *fixture_write(const char *name, const void *data, size_t length);
/* As fixture_write, gzip-compressed. */
char *fixture_write_gzip(const char *name, const void *data, size_t length);
/* Removes the fixture files and folder. */
void fixture_cleanup(void);
/* Opens path with format and delimiter (0 = sniff), failing the test on error. */
struct manifest *open_manifest(const char *path, enum manifest_format format, char delimiter);
/* Opens path expecting a file-level error; returns error_format's text. */
char *open_error(const char *path, enum manifest_format format);
/* One line per row: "number:line:offset:v1|v2|~" ("~" for no value), then
 * " !problem" when the row has one. Stops at the end; fails the test on a file-level error. */
char *dump_rows(struct manifest *manifest);
/* As dump_rows for the rows after the manifest's current position, stopping
 * at a file-level error, whose text is appended as "ERROR: ...". */
char *dump_rows_until_error(struct manifest *manifest);

#endif
