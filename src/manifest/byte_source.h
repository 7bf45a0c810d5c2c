/* The decompressed bytes of a manifest: a plain file, stdin or one gzip
 * stream (detected by its magic bytes), read in large blocks.
 * Ownership: the source owns its FILE (except stdin itself) and zlib state. */
#ifndef LATTIGO_BYTE_SOURCE_H
#define LATTIGO_BYTE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "common/error.h"

#define BYTE_SOURCE_BLOCK (256u * 1024u)

struct byte_source {
	const char *path; /* borrowed: for messages */
	FILE *file;
	bool is_stdin; /* "-": stdin, or a reader of its own of the file on stdin */
	bool gzip;
	bool zlib_ready;
	bool input_end;  /* the file has no more compressed bytes */
	bool stream_end; /* the last gzip member ended cleanly */
	z_stream zlib;
	unsigned char *input; /* compressed (or first plain) bytes waiting to be used */
	size_t input_length;
	size_t input_position;
	uint64_t offset;          /* decompressed bytes delivered so far */
	uint64_t file_bytes_read; /* gzip: compressed bytes read from the file so far */
};

/* Opens path ("-" is stdin) and detects gzip. Returns 0, or -1 with error
 * naming the file (missing, unreadable, a directory). Release with byte_source_release. */
int byte_source_open(struct byte_source *source, const char *path, struct error *error);
/* Puts standard input back where the first reading of a file on stdin ("-")
 * began, for a caller that reads it once more through its descriptor; does
 * nothing when no reading of "-" found a file there. Returns 0, or -1 with error. */
int byte_source_rewind_stdin(struct error *error);
/* Reads up to capacity decompressed bytes into buffer. Returns the count, 0
 * at the end, or -1 with error (read error, truncated or corrupt gzip). */
long byte_source_read(struct byte_source *source, char *buffer, size_t capacity,
                      struct error *error);
/* Continues at decompressed offset: fseek for plain files; gzip is inflated
 * again from the start, discarding bytes into scratch. Returns 0 or -1. */
int byte_source_seek(struct byte_source *source, uint64_t offset, char *scratch,
                     size_t scratch_size, struct error *error);
/* The bytes of the file behind the decompressed bytes delivered so far: for
 * gzip the compressed bytes inflate has used, else the offset. With the
 * file's size it tells how much a gzip file holds. */
uint64_t byte_source_file_position(const struct byte_source *source);
/* Closes the file and frees the buffers. */
void byte_source_release(struct byte_source *source);

#endif
