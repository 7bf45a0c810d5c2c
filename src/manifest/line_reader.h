/* Splits the decompressed manifest into physical lines without copying:
 * each call yields a piece of one line (a whole line unless it crosses a
 * block boundary), with the line's number and byte offset. Knows LF, CRLF
 * and old-Mac CR-only line ends, and skips a UTF-8 byte order mark.
 * Ownership: pieces point into the reader's block, valid until the next call. */
#ifndef LATTIGO_LINE_READER_H
#define LATTIGO_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/byte_source.h"

struct line_piece {
	char *data;           /* mutable: readers may neutralise stray bytes in place */
	size_t length;        /* includes the line end when ends_line */
	uint64_t line;        /* 1-based physical line the piece belongs to */
	uint64_t line_offset; /* offset of that line's first byte */
	bool starts_line;     /* the piece begins at the line's first byte */
	bool ends_line;       /* the piece ends with the line end */
};

struct line_reader {
	struct byte_source source;
	char *block;
	size_t length;   /* bytes in block */
	size_t position; /* next unread byte in block */
	uint64_t block_offset;
	uint64_t line;
	uint64_t line_offset;
	bool cr_line_ends; /* the file ends lines with CR alone (old Mac exports) */
	bool had_bom;
	bool end_of_input;
};

/* Opens path, reads the first block, skips a UTF-8 BOM and decides whether
 * lines end with CR alone. Returns 0, or -1 with error. Release with line_reader_release. */
int line_reader_open(struct line_reader *reader, const char *path, struct error *error);
/* Yields the next piece: 1, 0 at the end, -1 with error. */
int line_reader_next(struct line_reader *reader, struct line_piece *piece, struct error *error);
/* The unread bytes of the current block (for sniffing), without consuming them. */
const char *line_reader_peek(const struct line_reader *reader, size_t *length);
/* True when everything left is in the current block. */
bool line_reader_block_is_last(const struct line_reader *reader);
/* Continues at offset, which starts physical line line. Returns 0 or -1. */
int line_reader_seek(struct line_reader *reader, uint64_t offset, uint64_t line,
                     struct error *error);
/* Frees the block and closes the source. */
void line_reader_release(struct line_reader *reader);

#endif
