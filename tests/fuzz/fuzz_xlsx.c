/* libFuzzer target for the .xlsx reader: the input is the XML of a worksheet
 * and, after its first NUL byte, of a shared-strings table, packed with a
 * fixed workbook, relationships and styles into a real zip archive, so that
 * every input reaches the XML handlers (random bytes would rarely make a zip).
 * Any XML must give rows or one clean error, never a crash, a leak or
 * unbounded memory; reading again from a row in the middle (as resume does)
 * too. The first byte's low bits choose which optional parts the workbook
 * has. Built only with clang (-DLATTIGO_FUZZ=ON); run:
 * fuzz_xlsx -max_total_time=60 [CORPUS_DIR]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "fuzz_manifest_read.h"
#include "fuzz_support.h"
#include "manifest/binding.h"

#define MAIN_NAMESPACE "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RELATIONSHIPS  "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char workbook[] =
    "<?xml version=\"1.0\"?><workbook xmlns=\"" MAIN_NAMESPACE "\" xmlns:r=\"" RELATIONSHIPS
    "\"><sheets><sheet name=\"Lot\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char workbook_relationships[] =
    "<?xml version=\"1.0\"?><Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"" RELATIONSHIPS "/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/></Relationships>";
/* style 1 formats numbers as dates (built-in format 14) */
static const char styles[] = "<?xml version=\"1.0\"?><styleSheet xmlns=\"" MAIN_NAMESPACE
                             "\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
                             "</cellXfs></styleSheet>";

/* Adds name with size bytes of text, stored (not deflated: the reader inflates
 * either way, and deflating every input would slow the fuzzer down). */
static int add_part(zip_t *archive, const char *name, const void *text, size_t size)
{
	zip_source_t *source = zip_source_buffer(archive, text, size, 0);
	if (!source)
		return -1;
	zip_int64_t index = zip_file_add(archive, name, source, ZIP_FL_OVERWRITE);
	if (index < 0) {
		zip_source_free(source);
		return -1;
	}
	return zip_set_file_compression(archive, (zip_uint64_t)index, ZIP_CM_STORE, 0);
}

/* Writes the workbook to path; 0 or -1. */
static int write_workbook(const char *path, uint8_t parts, const uint8_t *sheet, size_t sheet_size,
                          const uint8_t *strings, size_t strings_size)
{
	int error_code = 0;
	zip_t *archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &error_code);
	if (!archive)
		return -1;
	int result = add_part(archive, "xl/workbook.xml", workbook, strlen(workbook));
	result |= add_part(archive, "xl/_rels/workbook.xml.rels", workbook_relationships,
	                   strlen(workbook_relationships));
	result |= add_part(archive, "xl/worksheets/sheet1.xml", sheet, sheet_size);
	if (parts & 1)
		result |= add_part(archive, "xl/sharedStrings.xml", strings, strings_size);
	if (parts & 2)
		result |= add_part(archive, "xl/styles.xml", styles, strlen(styles));
	if (result != 0) {
		zip_discard(archive);
		return -1;
	}
	return zip_close(archive) == 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t parts = data[0];
	const uint8_t *sheet = data + 1;
	const uint8_t *end = data + size;
	const uint8_t *split = memchr(sheet, '\0', (size_t)(end - sheet));
	size_t sheet_size = split ? (size_t)(split - sheet) : (size_t)(end - sheet);
	const uint8_t *strings = split ? split + 1 : end;
	char path[4096];
	snprintf(path, sizeof(path), "%s/book.xlsx", fuzz_directory());
	if (write_workbook(path, parts, sheet, sheet_size, strings, (size_t)(end - strings)) < 0)
		return 0;
	struct manifest_options options = {.format = parts & 4 ? MANIFEST_FORMAT_XLSX
	                                                       : MANIFEST_FORMAT_AUTO};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	if (!manifest)
		return 0;
	(void)manifest_estimated_rows(manifest);
	fuzz_read_bound(manifest, parts & 8);
	return 0;
}
