/* OUT/manifest-seen: the manifest's file identity (device, inode, size,
 * modification and change times) when its fingerprint was last computed, with
 * that fingerprint. A resume that finds the very same identity, taken when
 * the file had not changed for a while, takes the fingerprint from there
 * instead of reading the whole manifest again (docs/checkpoint.md, "The
 * manifest's fingerprint"). Any write to the file moves its change time,
 * which no program can set back, so an edit that keeps the size is still
 * noticed: the identity then differs and the file is read and hashed.
 * Ownership: plain structs, nothing to free. */
#ifndef LATTIGO_JOURNAL_MANIFEST_SEEN_H
#define LATTIGO_JOURNAL_MANIFEST_SEEN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "journal.h"

#define JOURNAL_MANIFEST_SEEN_NAME "manifest-seen"
/* A file changed less than this long before it was read is never vouched for
 * by its identity: a later write could fall in the same tick of its times. */
#define JOURNAL_MANIFEST_SETTLED_MS 2000

/* A file's identity as stat(2) gives it. */
struct journal_file_identity {
	uint64_t device, inode, size;
	int64_t modified_ns, changed_ns;
};

/* What journal_fingerprint_manifest learned, for journal_manifest_seen_store. */
struct journal_manifest_seen {
	bool storable;    /* read whole, unchanged while read, settled before */
	bool from_record; /* the fingerprint came from OUT/manifest-seen */
	struct journal_file_identity identity;
	struct journal_fingerprint fingerprint;
};

/* Fingerprints the manifest at path as journal_fingerprint_file does, unless
 * DIRECTORY/manifest-seen (directory may be NULL: none) holds this file's
 * present identity: then the fingerprint recorded there is taken. Fills seen
 * for journal_manifest_seen_store. Returns 0, or -1 with error. */
int journal_fingerprint_manifest(const char *directory, const char *path,
                                 struct journal_fingerprint *fingerprint,
                                 struct journal_manifest_seen *seen, struct error *error);
/* Records seen in DIRECTORY/manifest-seen once its fingerprint was accepted
 * as the job's (a new job's, or one a resume compared): only when storable
 * and not taken from there. A cache: a failure is ignored (the next resume
 * reads the manifest), a torn file fails its CRC. */
void journal_manifest_seen_store(const char *directory, const struct journal_manifest_seen *seen);
/* Whether an identity taken at taken_at_ns (wall clock) may vouch for the
 * content: the file's times are at least settled_ms older. */
bool journal_identity_settled(const struct journal_file_identity *identity, int64_t taken_at_ns,
                              int64_t settled_ms);

#endif
