/* Zip access for workbooks. libzip does the zip and inflate work; this file
 * adds what a hostile file needs: caps on every inflated entry and
 * recognisable messages for the files that are not an .xlsx at all. */
#include "manifest/xlsx_archive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFB_MAGIC "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"

static int read_prefix(const char *path, unsigned char *buffer, size_t size, size_t *got)
{
	FILE *file = fopen(path, "rb");
	if (!file)
		return -1;
	*got = fread(buffer, 1, size, file);
	fclose(file);
	return 0;
}

bool xlsx_archive_sniff(const char *path)
{
	unsigned char head[8];
	size_t got = 0;
	if (read_prefix(path, head, sizeof(head), &got) < 0)
		return false;
	return (got >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) ||
	       (got >= 8 && memcmp(head, CFB_MAGIC, 8) == 0);
}

static bool contains_utf16(const unsigned char *data, size_t length, const char *ascii)
{
	size_t needle = strlen(ascii);
	for (size_t start = 0; start + needle * 2 <= length; start++) {
		size_t index = 0;
		while (index < needle && data[start + index * 2] == (unsigned char)ascii[index] &&
		       data[start + index * 2 + 1] == 0)
			index++;
		if (index == needle)
			return true;
	}
	return false;
}

/* An OLE compound file is either an old .xls or an Office-encrypted .xlsx
 * (the zip inside an EncryptedPackage stream); the first directory sector
 * names the streams, which tells them apart. */
static int refuse_compound_file(const char *path, struct error *error)
{
	enum { HEADER = 512 };
	unsigned char header[HEADER];
	size_t got = 0;
	bool encrypted = false;
	if (read_prefix(path, header, sizeof(header), &got) == 0 && got == HEADER) {
		unsigned shift = (unsigned)header[0x1E] | (unsigned)header[0x1F] << 8;
		uint32_t first = (uint32_t)header[0x30] | (uint32_t)header[0x31] << 8 |
		                 (uint32_t)header[0x32] << 16 | (uint32_t)header[0x33] << 24;
		if ((shift == 9 || shift == 12) && first < 0xFFFFFFFAu) {
			size_t sector = (size_t)1 << shift;
			unsigned char *directory = malloc(sector);
			FILE *file = fopen(path, "rb");
			if (directory && file &&
			    fseeko(file, (off_t)(((uint64_t)first + 1) << shift), SEEK_SET) == 0) {
				size_t read = fread(directory, 1, sector, file);
				encrypted = contains_utf16(directory, read, "EncryptedPackage") ||
				            contains_utf16(directory, read, "EncryptionInfo");
			}
			if (file)
				fclose(file);
			free(directory);
		}
	}
	if (encrypted)
		return error_set_at(error, path, 0,
		                    "the workbook is password-protected (encrypted); remove the "
		                    "password in Excel (File > Info > Protect Workbook) and save "
		                    "again, or save it as \"CSV UTF-8\"");
	return error_set_at(error, path, 0,
	                    "looks like an old Excel workbook (.xls, binary format), which is not "
	                    "read; save it as \"Excel Workbook (.xlsx)\" or \"CSV UTF-8\"");
}

int xlsx_archive_open(struct xlsx_archive *archive, const char *path, struct error *error)
{
	memset(archive, 0, sizeof(*archive));
	archive->path = path;
	unsigned char head[8];
	size_t got = 0;
	if (read_prefix(path, head, sizeof(head), &got) < 0)
		return error_set_at(error, path, 0, "cannot open manifest: %s", strerror(errno));
	if (got == 8 && memcmp(head, CFB_MAGIC, 8) == 0)
		return refuse_compound_file(path, error);
	if (got < 4 || memcmp(head, "PK\x03\x04", 4) != 0)
		return error_set_at(error, path, 0,
		                    "not an Excel workbook (.xlsx): the file is not a zip archive");
	int code = 0;
	archive->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	if (!archive->zip) {
		zip_error_t reason;
		zip_error_init_with_code(&reason, code);
		error_set_at(error, path, 0,
		             "looks like an Excel workbook (.xlsx) but cannot be read: %s (the "
		             "zip archive is corrupt or truncated)",
		             zip_error_strerror(&reason));
		zip_error_fini(&reason);
		return -1;
	}
	zip_int64_t entries = zip_get_num_entries(archive->zip, 0);
	for (zip_int64_t index = 0; index < entries; index++) {
		zip_stat_t stat;
		if (zip_stat_index(archive->zip, (zip_uint64_t)index, 0, &stat) == 0 &&
		    (stat.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    stat.encryption_method != ZIP_EM_NONE) {
			xlsx_archive_close(archive);
			return error_set_at(error, path, 0,
			                    "the workbook's zip entries are encrypted "
			                    "(password-protected); save it again without a "
			                    "password");
		}
	}
	if (!xlsx_archive_has(archive, "xl/workbook.xml")) {
		xlsx_archive_close(archive);
		return error_set_at(error, path, 0,
		                    "a zip archive but not an Excel workbook (.xlsx): it has no "
		                    "xl/workbook.xml");
	}
	return 0;
}

int xlsx_archive_has(const struct xlsx_archive *archive, const char *name)
{
	return zip_name_locate(archive->zip, name, ZIP_FL_NOCASE) >= 0;
}

int xlsx_entry_open(struct xlsx_entry *entry, const struct xlsx_archive *archive, const char *name,
                    uint64_t cap, struct error *error)
{
	memset(entry, 0, sizeof(*entry));
	entry->archive = archive;
	entry->name = name;
	entry->cap = cap;
	zip_int64_t index = zip_name_locate(archive->zip, name, ZIP_FL_NOCASE);
	if (index < 0)
		return 0;
	zip_stat_t stat;
	if (zip_stat_index(archive->zip, (zip_uint64_t)index, 0, &stat) < 0)
		return error_set_at(error, archive->path, 0,
		                    "cannot read the workbook part '%s': %s", name,
		                    zip_strerror(archive->zip));
	entry->compressed = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0;
	entry->size = (stat.valid & ZIP_STAT_SIZE) ? stat.size : 0;
	if ((stat.valid & ZIP_STAT_SIZE) && stat.size > cap)
		return error_set_at(error, archive->path, 0,
		                    "the workbook part '%s' inflates to %llu bytes, more than the "
		                    "%llu allowed (a zip bomb?)",
		                    name, (unsigned long long)stat.size, (unsigned long long)cap);
	entry->block = malloc(XLSX_STREAM_BLOCK);
	if (!entry->block)
		return error_set_at(error, archive->path, 0, "out of memory");
	entry->file = zip_fopen_index(archive->zip, (zip_uint64_t)index, 0);
	if (!entry->file) {
		error_set_at(error, archive->path, 0, "cannot read the workbook part '%s': %s",
		             name, zip_strerror(archive->zip));
		xlsx_entry_close(entry);
		return -1;
	}
	return 1;
}

long xlsx_entry_read(struct xlsx_entry *entry, const char **data, struct error *error)
{
	const char *path = entry->archive->path;
	zip_int64_t got = zip_fread(entry->file, entry->block, XLSX_STREAM_BLOCK);
	if (got < 0) {
		zip_error_t *reason = zip_file_get_error(entry->file);
		return error_set_at(
		    error, path, 0,
		    "cannot inflate the workbook part '%s': %s (the file is corrupt "
		    "or truncated)",
		    entry->name, zip_error_strerror(reason));
	}
	entry->inflated += (uint64_t)got;
	if (entry->inflated > entry->cap)
		return error_set_at(
		    error, path, 0,
		    "the workbook part '%s' inflates to more than %llu bytes (a zip "
		    "bomb?)",
		    entry->name, (unsigned long long)entry->cap);
	if (entry->inflated > XLSX_RATIO_FLOOR &&
	    entry->inflated / XLSX_MAX_RATIO > entry->compressed)
		return error_set_at(error, path, 0,
		                    "the workbook part '%s' inflates more than %u times its "
		                    "compressed size (a zip bomb?)",
		                    entry->name, XLSX_MAX_RATIO);
	entry->block_length = (size_t)got;
	*data = entry->block;
	return (long)got;
}

void xlsx_entry_close(struct xlsx_entry *entry)
{
	if (entry->file)
		zip_fclose(entry->file);
	free(entry->block);
	entry->file = NULL;
	entry->block = NULL;
}

void xlsx_archive_close(struct xlsx_archive *archive)
{
	if (archive->zip)
		zip_discard(archive->zip);
	archive->zip = NULL;
}
