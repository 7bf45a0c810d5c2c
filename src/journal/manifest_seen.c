/* The manifest's fingerprint without reading the manifest, when its file is
 * provably the one fingerprinted before: a resume's cost then does not grow
 * with the manifest's size (issue 14). */
#include "manifest_seen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/file_io.h"
#include "common/little_endian.h"

#define SEEN_MAGIC   "LTGSEEN\n"
#define SEEN_VERSION 1u
/* magic, version, 5 identity fields, fingerprint size and SHA-256, CRC32 */
#define SEEN_BYTES (8u + 4u + 5u * 8u + 8u + 32u + 4u)

static int identity_of(const char *path, struct journal_file_identity *identity)
{
	struct stat info;
	memset(identity, 0, sizeof(*identity));
	if (stat(path, &info) != 0)
		return -1;
	identity->device = (uint64_t)info.st_dev;
	identity->inode = (uint64_t)info.st_ino;
	identity->size = (uint64_t)info.st_size;
	identity->modified_ns = (int64_t)info.st_mtim.tv_sec * 1000000000 + info.st_mtim.tv_nsec;
	identity->changed_ns = (int64_t)info.st_ctim.tv_sec * 1000000000 + info.st_ctim.tv_nsec;
	return 0;
}

static bool identity_equal(const struct journal_file_identity *a,
                           const struct journal_file_identity *b)
{
	return a->device == b->device && a->inode == b->inode && a->size == b->size &&
	       a->modified_ns == b->modified_ns && a->changed_ns == b->changed_ns;
}

bool journal_identity_settled(const struct journal_file_identity *identity, int64_t taken_at_ns,
                              int64_t settled_ms)
{
	int64_t limit = taken_at_ns - settled_ms * 1000000;
	return identity->modified_ns < limit && identity->changed_ns < limit;
}

/* LATTIGO_MANIFEST_SETTLED_MS (tests), else JOURNAL_MANIFEST_SETTLED_MS. */
static int64_t settled_ms_wanted(void)
{
	const char *text = getenv("LATTIGO_MANIFEST_SETTLED_MS");
	char *end = NULL;
	long long value = text ? strtoll(text, &end, 10) : -1;
	return end && *end == '\0' && value >= 0 ? value : JOURNAL_MANIFEST_SETTLED_MS;
}

static int seen_path(const char *directory, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, JOURNAL_MANIFEST_SEEN_NAME);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

static void encode(const struct journal_manifest_seen *seen, unsigned char *out)
{
	const struct journal_file_identity *identity = &seen->identity;
	memcpy(out, SEEN_MAGIC, 8);
	little_endian_put(out + 8, SEEN_VERSION, 4);
	little_endian_put(out + 12, identity->device, 8);
	little_endian_put(out + 20, identity->inode, 8);
	little_endian_put(out + 28, identity->size, 8);
	little_endian_put(out + 36, (uint64_t)identity->modified_ns, 8);
	little_endian_put(out + 44, (uint64_t)identity->changed_ns, 8);
	little_endian_put(out + 52, seen->fingerprint.size, 8);
	memcpy(out + 60, seen->fingerprint.sha256, 32);
	little_endian_put(out + 92, (uint32_t)crc32(0L, out, 92), 4);
}

/* The fingerprint DIRECTORY/manifest-seen holds for identity: true when it
 * is whole and names exactly this identity. */
static bool seen_lookup(const char *directory, const struct journal_file_identity *identity,
                        struct journal_fingerprint *fingerprint)
{
	char path[4096];
	unsigned char bytes[SEEN_BYTES + 1];
	if (!directory || seen_path(directory, path, sizeof(path)))
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t got = read(fd, bytes, sizeof(bytes));
	close(fd);
	if (got != (ssize_t)SEEN_BYTES || memcmp(bytes, SEEN_MAGIC, 8) != 0 ||
	    little_endian_get(bytes + 8, 4) != SEEN_VERSION ||
	    little_endian_get(bytes + 92, 4) != (uint32_t)crc32(0L, bytes, 92))
		return false;
	struct journal_file_identity recorded = {
	    little_endian_get(bytes + 12, 8), little_endian_get(bytes + 20, 8),
	    little_endian_get(bytes + 28, 8), (int64_t)little_endian_get(bytes + 36, 8),
	    (int64_t)little_endian_get(bytes + 44, 8)};
	if (!identity_equal(&recorded, identity))
		return false;
	fingerprint->size = little_endian_get(bytes + 52, 8);
	memcpy(fingerprint->sha256, bytes + 60, 32);
	return true;
}

int journal_fingerprint_manifest(const char *directory, const char *path,
                                 struct journal_fingerprint *fingerprint,
                                 struct journal_manifest_seen *seen, struct error *error)
{
	memset(seen, 0, sizeof(*seen));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t taken_at_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	struct journal_file_identity before;
	bool known = identity_of(path, &before) == 0;
	bool settled = known && journal_identity_settled(&before, taken_at_ns, settled_ms_wanted());
	if (settled && seen_lookup(directory, &before, fingerprint)) {
		seen->from_record = true;
		seen->identity = before;
		seen->fingerprint = *fingerprint;
		return 0;
	}
	if (journal_fingerprint_file(path, fingerprint, error) < 0)
		return -1;
	/* a write while it was read would make the fingerprint a mix: not vouched for */
	struct journal_file_identity after;
	seen->storable =
	    settled && identity_of(path, &after) == 0 && identity_equal(&before, &after);
	seen->identity = before;
	seen->fingerprint = *fingerprint;
	return 0;
}

void journal_manifest_seen_store(const char *directory, const struct journal_manifest_seen *seen)
{
	char path[4096], temporary[4200];
	if (!seen->storable || seen->from_record || seen_path(directory, path, sizeof(path)))
		return;
	snprintf(temporary, sizeof(temporary), "%s.new", path);
	unsigned char bytes[SEEN_BYTES];
	encode(seen, bytes);
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int failed = file_write_all(fd, bytes, sizeof(bytes));
	close(fd);
	if (failed || rename(temporary, path) != 0)
		unlink(temporary);
}
