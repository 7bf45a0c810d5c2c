/* The keys file: an append-only record of the duplicate keys the rows of a
 * job claimed, so a resume loads them in bulk instead of reading every
 * settled row of the manifest again. Nothing in it is trusted beyond what a
 * snapshot vouches for (length, count and CRC32, recorded after the file was
 * synced); whatever follows that length is cut off before appending. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/file_io.h"
#include "frame.h"
#include "common/little_endian.h"

#define KEYS_WRITE_THRESHOLD (1u << 20) /* gathered bytes handed to the kernel at once */
#define KEYS_READ_BLOCK      (1u << 20)

void keys_writer_init(struct keys_writer *writer)
{
	memset(writer, 0, sizeof(*writer));
	writer->fd = -1;
	strbuf_init(&writer->unwritten, KEYS_WRITE_THRESHOLD + 64 * KEYS_ENTRY_BYTES);
}

void keys_writer_release(struct keys_writer *writer)
{
	if (writer->fd >= 0)
		close(writer->fd);
	writer->fd = -1;
	strbuf_release(&writer->unwritten);
}

static uint32_t crc_update(uint32_t crc, const void *data, size_t length)
{
	const unsigned char *bytes = data;
	uLong value = crc;
	while (length > 0) {
		uInt step = length > (1u << 30) ? (1u << 30) : (uInt)length;
		value = crc32(value, bytes, step);
		bytes += step;
		length -= step;
	}
	return (uint32_t)value;
}

static int keys_failed(struct keys_writer *writer, const char *what, struct error *error)
{
	int cause = errno;
	file_storage_note(writer->path, cause);
	writer->failed = true;
	return error_set(error, "cannot %s '%s': %s", what, writer->path, strerror(cause));
}

/* Hands the gathered entries to the kernel. Returns 0 or -1. */
static int keys_write_gathered(struct keys_writer *writer, struct error *error)
{
	if (writer->unwritten.length == 0)
		return 0;
	if (file_write_all(writer->fd, writer->unwritten.data, writer->unwritten.length))
		return keys_failed(writer, "write", error);
	strbuf_reset(&writer->unwritten);
	return 0;
}

/* Gathers bytes, keeping length and CRC current. Returns 0 or -1. */
static int keys_gather(struct keys_writer *writer, const void *data, size_t length,
                       struct error *error)
{
	if (strbuf_append(&writer->unwritten, data, length) != STRBUF_OK)
		return error_set(error, "out of memory (keys file)");
	writer->crc = crc_update(writer->crc, data, length);
	writer->length += length;
	return writer->unwritten.length >= KEYS_WRITE_THRESHOLD ? keys_write_gathered(writer, error)
	                                                        : 0;
}

static int keys_path(const char *directory, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, JOURNAL_KEYS_NAME);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

int keys_writer_start(struct keys_writer *writer, const char *directory, uint32_t job_tag,
                      uint64_t seed, uint32_t scheme, const struct journal_keys_mark *mark,
                      struct error *error)
{
	if (keys_path(directory, writer->path, sizeof(writer->path)))
		return error_set(error, "job directory name '%s' is too long", directory);
	if (writer->fd >= 0)
		close(writer->fd);
	strbuf_reset(&writer->unwritten);
	writer->failed = false;
	writer->fd = open(writer->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (writer->fd < 0)
		return keys_failed(writer, "open", error);
	/* a mark is only ever given after a sync: whatever follows it was never
	 * vouched for (a crash between the file's sync and the snapshot's) */
	uint64_t keep = mark ? mark->length : 0;
	if (ftruncate(writer->fd, (off_t)keep) != 0 || lseek(writer->fd, (off_t)keep, SEEK_SET) < 0)
		return keys_failed(writer, "truncate", error);
	if (mark) {
		writer->length = mark->length;
		writer->count = mark->count;
		writer->crc = mark->crc;
		writer->claimed_through = mark->claimed_through;
		return 0;
	}
	writer->length = 0;
	writer->count = 0;
	writer->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	writer->claimed_through = 0;
	unsigned char header[KEYS_HEADER_BYTES];
	memcpy(header, KEYS_MAGIC, 8);
	little_endian_put(header + 8, job_tag, 4);
	little_endian_put(header + 12, scheme, 4);
	little_endian_put(header + 16, seed, 8);
	return keys_gather(writer, header, sizeof(header), error);
}

int keys_writer_claim(struct keys_writer *writer, uint64_t manifest_row, uint64_t shown_row,
                      const uint64_t *fingerprints, size_t count, struct error *error)
{
	if (writer->fd < 0 || writer->failed)
		return 0; /* not kept: the next resume reads the manifest from its start */
	if (shown_row == 0 || shown_row >= UINT32_MAX)
		return error_set(error, "row %llu is out of range for the keys file",
		                 (unsigned long long)shown_row);
	for (size_t index = 0; index < count; index++) {
		unsigned char entry[KEYS_ENTRY_BYTES];
		little_endian_put(entry, fingerprints[index], 8);
		little_endian_put(entry + 8, shown_row, 4);
		if (keys_gather(writer, entry, sizeof(entry), error))
			return -1;
		writer->count++;
	}
	if (manifest_row > writer->claimed_through)
		writer->claimed_through = manifest_row;
	return 0;
}

int keys_writer_sync(struct keys_writer *writer, struct journal_keys_mark *mark,
                     struct error *error)
{
	memset(mark, 0, sizeof(*mark));
	if (writer->fd < 0 || writer->failed)
		return 0;
	if (keys_write_gathered(writer, error))
		return -1;
	if (fdatasync(writer->fd) != 0)
		return keys_failed(writer, "sync", error);
	mark->known = true;
	mark->length = writer->length;
	mark->count = writer->count;
	mark->crc = writer->crc;
	mark->claimed_through = writer->claimed_through;
	return 0;
}

static int unusable(char *reason, size_t size, const char *text, const char *path)
{
	snprintf(reason, size, "%s '%s'", text, path);
	return 0;
}

int journal_keys_load(const char *directory, uint64_t job_id, uint32_t scheme,
                      const struct journal_keys_mark *mark,
                      const struct journal_keys_visitor *visitor, char *reason, size_t reason_size,
                      struct error *error)
{
	char path[4096];
	int status = 0;
	unsigned char *block = NULL;
	int fd = -1;
	if (reason_size)
		reason[0] = '\0';
	if (!mark || !mark->known)
		return unusable(reason, reason_size, "no keys recorded in", JOURNAL_FILE_NAME);
	if (keys_path(directory, path, sizeof(path)))
		return unusable(reason, reason_size, "path too long:", directory);
	if (mark->length < KEYS_HEADER_BYTES ||
	    (mark->length - KEYS_HEADER_BYTES) / KEYS_ENTRY_BYTES != mark->count ||
	    (mark->length - KEYS_HEADER_BYTES) % KEYS_ENTRY_BYTES != 0)
		return unusable(reason, reason_size, "the snapshot's mark does not fit", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return unusable(reason, reason_size, "cannot open", path);
	block = malloc(KEYS_READ_BLOCK);
	if (!block) {
		close(fd);
		return error_set(error, "out of memory (keys file)");
	}
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
	uint64_t offset = 0;
	size_t carried = 0; /* bytes of an entry split by the block boundary */
	bool header_read = false;
	while (offset < mark->length) {
		size_t wanted = KEYS_READ_BLOCK - carried;
		if (wanted > mark->length - offset)
			wanted = (size_t)(mark->length - offset);
		ssize_t got = pread(fd, block + carried, wanted, (off_t)offset);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			status = unusable(reason, reason_size, "short or unreadable", path);
			goto out;
		}
		crc = crc_update(crc, block + carried, (size_t)got);
		offset += (uint64_t)got;
		size_t available = carried + (size_t)got;
		size_t position = 0;
		if (!header_read) {
			if (available < KEYS_HEADER_BYTES) {
				carried = available;
				continue;
			}
			if (memcmp(block, KEYS_MAGIC, 8) != 0 ||
			    little_endian_get(block + 8, 4) != frame_job_tag(job_id)) {
				status =
				    unusable(reason, reason_size, "not this job's keys file", path);
				goto out;
			}
			if (little_endian_get(block + 12, 4) != scheme) {
				status = unusable(reason, reason_size,
				                  "keys made by another version in", path);
				goto out;
			}
			if (visitor->begin &&
			    visitor->begin(visitor->context, little_endian_get(block + 16, 8),
			                   error) < 0) {
				status = -1;
				goto out;
			}
			header_read = true;
			position = KEYS_HEADER_BYTES;
		}
		for (; position + KEYS_ENTRY_BYTES <= available; position += KEYS_ENTRY_BYTES) {
			if (visitor->key &&
			    visitor->key(visitor->context, little_endian_get(block + position, 8),
			                 little_endian_get(block + position + 8, 4), error) < 0) {
				status = -1;
				goto out;
			}
		}
		carried = available - position;
		memmove(block, block + position, carried);
	}
	if (carried != 0 || !header_read || crc != mark->crc) {
		status = unusable(reason, reason_size, "damaged keys in", path);
		goto out;
	}
	status = 1;
out:
	free(block);
	close(fd);
	return status;
}
