/* The duplicate rows of a job: written once by a pass over the whole
 * manifest and published whole (synced, then renamed), so a resume either
 * finds every duplicate of the job in it or finds it unusable. It replaces the
 * keys file's whole set in memory by one small cursor. */
#include "duplicate_rows.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/file_io.h"
#include "common/little_endian.h"
#include "common/strbuf.h"
#include "frame.h"

#define DUPLICATE_ROWS_MAGIC   "LTGDUPR\n"
#define DUPLICATE_ROWS_VERSION 1u
#define ENTRY_BYTES            16u
#define TRAILER_BYTES          40u
#define WRITE_THRESHOLD        (64u * 1024u)
#define READ_ENTRIES           4096u /* entries a read of the cursor takes at once */

struct duplicate_rows_writer {
	int fd;
	char path[4096];  /* the .creating file */
	char final[4096]; /* its name once published */
	uint64_t job_id;
	struct strbuf unwritten;
	uint64_t entries;
	uint64_t last_row;
	uint32_t crc;
	bool done;      /* committed, or failed: nothing more is accepted */
	bool committed; /* renamed to its name */
};

static uint32_t crc_of(uint32_t crc, const void *data, size_t length)
{
	return (uint32_t)crc32(crc, data, (uInt)length);
}

static int writer_failed(struct duplicate_rows_writer *writer, const char *what,
                         struct error *error)
{
	int cause = errno;
	file_storage_note(writer->path, cause);
	writer->done = true;
	return error_set(error, "cannot %s '%s': %s", what, writer->path, strerror(cause));
}

static int writer_flush(struct duplicate_rows_writer *writer, struct error *error)
{
	if (writer->unwritten.length == 0)
		return 0;
	if (file_write_all(writer->fd, writer->unwritten.data, writer->unwritten.length))
		return writer_failed(writer, "write", error);
	strbuf_reset(&writer->unwritten);
	return 0;
}

struct duplicate_rows_writer *duplicate_rows_writer_open(const char *directory, uint64_t job_id,
                                                         struct error *error)
{
	struct duplicate_rows_writer *writer = calloc(1, sizeof(*writer));
	if (!writer) {
		error_set(error, "out of memory (duplicate rows)");
		return NULL;
	}
	writer->fd = -1;
	writer->job_id = job_id;
	strbuf_init(&writer->unwritten, WRITE_THRESHOLD + ENTRY_BYTES);
	int length =
	    snprintf(writer->final, sizeof(writer->final), "%s/%s", directory, DUPLICATE_ROWS_NAME);
	int creating = snprintf(writer->path, sizeof(writer->path), "%s.creating", writer->final);
	if (length < 0 || (size_t)length >= sizeof(writer->final) || creating < 0 ||
	    (size_t)creating >= sizeof(writer->path)) {
		error_set(error, "job directory name '%s' is too long", directory);
		duplicate_rows_writer_free(writer);
		return NULL;
	}
	if (duplicate_rows_writer_restart(writer, error) < 0) {
		duplicate_rows_writer_free(writer);
		return NULL;
	}
	return writer;
}

int duplicate_rows_writer_restart(struct duplicate_rows_writer *writer, struct error *error)
{
	/* after a commit the descriptor names the published file: never reused */
	if (writer->fd >= 0)
		close(writer->fd);
	strbuf_reset(&writer->unwritten);
	writer->entries = 0;
	writer->last_row = 0;
	writer->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	writer->done = false;
	writer->committed = false;
	writer->fd = open(writer->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (writer->fd < 0)
		return writer_failed(writer, "create", error);
	return 0;
}

int duplicate_rows_writer_add(struct duplicate_rows_writer *writer, uint64_t row, uint32_t key,
                              uint64_t earlier_row, struct error *error)
{
	if (writer->done)
		return error_set(error, "duplicate rows: '%s' is closed", writer->path);
	/* earlier_row is the row as messages show it: a re-fed errors.csv's
	 * source row, which may exceed row itself */
	if (row <= writer->last_row || earlier_row == 0 || earlier_row > UINT32_MAX)
		return error_set(error, "duplicate rows: row %llu out of order or out of range",
		                 (unsigned long long)row);
	unsigned char entry[ENTRY_BYTES];
	little_endian_put(entry, row, 8);
	little_endian_put(entry + 8, earlier_row, 4);
	little_endian_put(entry + 12, key, 4);
	if (strbuf_append(&writer->unwritten, entry, sizeof(entry)) != STRBUF_OK)
		return error_set(error, "out of memory (duplicate rows)");
	writer->crc = crc_of(writer->crc, entry, sizeof(entry));
	writer->entries++;
	writer->last_row = row;
	return writer->unwritten.length >= WRITE_THRESHOLD ? writer_flush(writer, error) : 0;
}

int duplicate_rows_writer_commit(struct duplicate_rows_writer *writer, uint64_t rows,
                                 struct error *error)
{
	if (writer->done)
		return error_set(error, "duplicate rows: '%s' is closed", writer->path);
	if (rows < writer->last_row)
		return error_set(error, "duplicate rows: %llu rows, but row %llu recorded",
		                 (unsigned long long)rows, (unsigned long long)writer->last_row);
	unsigned char trailer[TRAILER_BYTES];
	memcpy(trailer, DUPLICATE_ROWS_MAGIC, 8);
	little_endian_put(trailer + 8, DUPLICATE_ROWS_VERSION, 4);
	little_endian_put(trailer + 12, frame_job_tag(writer->job_id), 4);
	little_endian_put(trailer + 16, rows, 8);
	little_endian_put(trailer + 24, writer->entries, 8);
	little_endian_put(trailer + 32, writer->crc, 4);
	little_endian_put(trailer + 36, crc_of((uint32_t)crc32(0L, Z_NULL, 0), trailer, 36), 4);
	if (strbuf_append(&writer->unwritten, trailer, sizeof(trailer)) != STRBUF_OK)
		return error_set(error, "out of memory (duplicate rows)");
	if (writer_flush(writer, error) < 0)
		return -1;
	/* published only once whole on disk: a resume never reads a partial one */
	if (fsync(writer->fd) != 0)
		return writer_failed(writer, "sync", error);
	if (rename(writer->path, writer->final) != 0)
		return writer_failed(writer, "rename", error);
	writer->done = true;
	writer->committed = true;
	if (file_sync_directory_of(writer->final) != 0)
		return writer_failed(writer, "sync the directory of", error);
	return 0;
}

void duplicate_rows_writer_free(struct duplicate_rows_writer *writer)
{
	if (!writer)
		return;
	if (writer->fd >= 0) {
		close(writer->fd);
		if (!writer->committed)
			unlink(writer->path);
	}
	strbuf_release(&writer->unwritten);
	free(writer);
}

struct duplicate_rows {
	int fd;
	char path[4096];
	uint64_t covered; /* manifest rows */
	uint64_t entries;
	/* the cursor: entries [first, first + held) are in block */
	uint64_t first;
	uint64_t held;
	uint64_t asked; /* the row asked for last */
	unsigned char block[READ_ENTRIES * ENTRY_BYTES];
};

/* Reads count entries from entry index at into rows->block. Returns 0 or -1. */
static int read_entries(struct duplicate_rows *rows, uint64_t at, uint64_t count)
{
	size_t wanted = (size_t)(count * ENTRY_BYTES);
	size_t got = 0;
	while (got < wanted) {
		ssize_t step = pread(rows->fd, rows->block + got, wanted - got,
		                     (off_t)(at * ENTRY_BYTES + got));
		if (step < 0 && errno == EINTR)
			continue;
		if (step <= 0)
			return -1;
		got += (size_t)step;
	}
	rows->first = at;
	rows->held = count;
	return 0;
}

static int unusable(char *reason, size_t size, const char *text, const char *path)
{
	if (size)
		snprintf(reason, size, "%s '%s'", text, path);
	return 0;
}

/* Checks the trailer and every entry. Returns 1 usable, 0 not (reason). */
static int check_record(struct duplicate_rows *rows, uint64_t job_id, char *reason,
                        size_t reason_size)
{
	struct stat info;
	unsigned char trailer[TRAILER_BYTES];
	if (fstat(rows->fd, &info) != 0 || info.st_size < (off_t)TRAILER_BYTES ||
	    pread(rows->fd, trailer, sizeof(trailer), info.st_size - (off_t)TRAILER_BYTES) !=
	        (ssize_t)sizeof(trailer) ||
	    memcmp(trailer, DUPLICATE_ROWS_MAGIC, 8) != 0 ||
	    little_endian_get(trailer + 36, 4) !=
	        crc_of((uint32_t)crc32(0L, Z_NULL, 0), trailer, 36))
		return unusable(reason, reason_size, "damaged duplicate rows in", rows->path);
	if (little_endian_get(trailer + 8, 4) != DUPLICATE_ROWS_VERSION)
		return unusable(reason, reason_size, "duplicate rows made by another version in",
		                rows->path);
	if (little_endian_get(trailer + 12, 4) != frame_job_tag(job_id))
		return unusable(reason, reason_size, "not this job's duplicate rows:", rows->path);
	rows->covered = little_endian_get(trailer + 16, 8);
	rows->entries = little_endian_get(trailer + 24, 8);
	if (rows->entries > (uint64_t)info.st_size / ENTRY_BYTES ||
	    rows->entries * ENTRY_BYTES + TRAILER_BYTES != (uint64_t)info.st_size)
		return unusable(reason, reason_size, "damaged duplicate rows in", rows->path);
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	uint64_t last = 0;
	for (uint64_t at = 0; at < rows->entries; at += rows->held) {
		uint64_t count =
		    rows->entries - at < READ_ENTRIES ? rows->entries - at : READ_ENTRIES;
		if (read_entries(rows, at, count) < 0)
			return unusable(reason, reason_size, "cannot read", rows->path);
		crc = crc_of(crc, rows->block, (size_t)(count * ENTRY_BYTES));
		for (uint64_t index = 0; index < count; index++) {
			uint64_t row = little_endian_get(rows->block + index * ENTRY_BYTES, 8);
			if (row <= last || row > rows->covered)
				return unusable(reason, reason_size, "damaged duplicate rows in",
				                rows->path);
			last = row;
		}
	}
	if (crc != little_endian_get(trailer + 32, 4))
		return unusable(reason, reason_size, "damaged duplicate rows in", rows->path);
	rows->held = 0;
	rows->first = 0;
	return 1;
}

int duplicate_rows_open(const char *directory, uint64_t job_id, struct duplicate_rows **out,
                        char *reason, size_t reason_size, struct error *error)
{
	*out = NULL;
	if (reason_size)
		reason[0] = '\0';
	struct duplicate_rows *rows = calloc(1, sizeof(*rows));
	if (!rows)
		return error_set(error, "out of memory (duplicate rows)");
	int length =
	    snprintf(rows->path, sizeof(rows->path), "%s/%s", directory, DUPLICATE_ROWS_NAME);
	int status = 0;
	rows->fd = -1;
	if (length < 0 || (size_t)length >= sizeof(rows->path)) {
		status = unusable(reason, reason_size, "path too long:", directory);
		goto out;
	}
	rows->fd = open(rows->path, O_RDONLY | O_CLOEXEC);
	if (rows->fd < 0) {
		/* none kept (no preflight, an older job): nothing to report */
		if (errno != ENOENT)
			status = unusable(reason, reason_size, "cannot open", rows->path);
		goto out;
	}
	status = check_record(rows, job_id, reason, reason_size);
out:
	if (status == 1)
		*out = rows;
	else
		duplicate_rows_close(rows);
	return status;
}

uint64_t duplicate_rows_covered(const struct duplicate_rows *rows)
{
	return rows->covered;
}

int duplicate_rows_find(struct duplicate_rows *rows, uint64_t row, uint32_t *key,
                        uint64_t *earlier_row, struct error *error)
{
	if (rows->entries == 0)
		return 0;
	/* a step back starts the cursor over */
	if (row < rows->asked) {
		rows->held = 0;
		rows->first = 0;
	}
	rows->asked = row;
	for (;;) {
		if (rows->held == 0) {
			if (rows->first >= rows->entries)
				return 0;
			uint64_t count = rows->entries - rows->first < READ_ENTRIES
			                     ? rows->entries - rows->first
			                     : READ_ENTRIES;
			if (read_entries(rows, rows->first, count) < 0)
				return error_set(error, "cannot read '%s': %s", rows->path,
				                 errno ? strerror(errno) : "file cut short");
		}
		const unsigned char *last = rows->block + (rows->held - 1) * ENTRY_BYTES;
		if (little_endian_get(last, 8) >= row)
			break;
		/* every entry held is before row: take the next block */
		rows->first += rows->held;
		rows->held = 0;
	}
	/* the block's entries are sorted: find row among them */
	uint64_t low = 0, high = rows->held;
	while (low < high) {
		uint64_t middle = low + (high - low) / 2;
		if (little_endian_get(rows->block + middle * ENTRY_BYTES, 8) < row)
			low = middle + 1;
		else
			high = middle;
	}
	const unsigned char *entry = rows->block + low * ENTRY_BYTES;
	if (low >= rows->held || little_endian_get(entry, 8) != row)
		return 0;
	*earlier_row = little_endian_get(entry + 8, 4);
	*key = (uint32_t)little_endian_get(entry + 12, 4);
	return 1;
}

void duplicate_rows_close(struct duplicate_rows *rows)
{
	if (!rows)
		return;
	if (rows->fd >= 0)
		close(rows->fd);
	free(rows);
}
