/* OUT/duplicate-keys (internal): the duplicate keys the job's rows claimed,
 * appended as rows claim them and synced at each compaction, whose snapshot
 * then records how much of the file it vouches for (struct journal_keys_mark).
 * Layout, little-endian: "LTGKEYS\n", u32 job tag, u32 fingerprint scheme,
 * u64 seed, then 12 bytes a key: u64 fingerprint, u32 row (as messages show it). */
#ifndef LATTIGO_JOURNAL_KEYS_H
#define LATTIGO_JOURNAL_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "journal.h"

#define KEYS_MAGIC        "LTGKEYS\n"
#define KEYS_HEADER_BYTES 24u
#define KEYS_ENTRY_BYTES  12u

/* The writer's state, part of struct journal. */
struct keys_writer {
	int fd; /* -1 until journal_keys_start */
	char path[4096];
	struct strbuf unwritten;  /* entries not yet handed to the kernel */
	uint64_t length;          /* bytes in the file, unwritten ones included */
	uint64_t count;           /* entries, unwritten ones included */
	uint32_t crc;             /* CRC32 of the file's first length bytes */
	uint64_t claimed_through; /* every row up to this one made its claims */
	bool failed;              /* a write failed: no mark is given any more */
};

void keys_writer_init(struct keys_writer *writer);
void keys_writer_release(struct keys_writer *writer);
/* Starts writing directory's keys file for job_tag: continuing after mark
 * (the file is cut to mark->length; its CRC must be mark->crc), or, with
 * mark NULL, anew with a header for seed and scheme. Returns 0 or -1. */
int keys_writer_start(struct keys_writer *writer, const char *directory, uint32_t job_tag,
                      uint64_t seed, uint32_t scheme, const struct journal_keys_mark *mark,
                      struct error *error);
/* Appends the claims of one row. Returns 0 or -1. */
int keys_writer_claim(struct keys_writer *writer, uint64_t manifest_row, uint64_t shown_row,
                      const uint64_t *fingerprints, size_t count, struct error *error);
/* Writes what is gathered and fdatasyncs; fills mark (known only when the
 * writer was started and no write failed). Returns 0 or -1. */
int keys_writer_sync(struct keys_writer *writer, struct journal_keys_mark *mark,
                     struct error *error);

#endif
