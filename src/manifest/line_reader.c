/* Physical line framing over large blocks, using memchr so the cost per byte
 * stays far below the CSV parser's. A CR that ends a block is held back until
 * the next byte is known, so CRLF split across blocks is still one line end. */
#include "line_reader.h"

#include <stdlib.h>
#include <string.h>

/* One extra byte: the CR carried over from the previous block. */
#define LINE_READER_CAPACITY (BYTE_SOURCE_BLOCK + 1u)

/* Refills the block keeping the unread bytes from position (at most one
 * held-back CR). Returns the number of new bytes, 0 at the end, -1 on error. */
static long refill(struct line_reader *reader, struct error *error)
{
	size_t kept = reader->length - reader->position;
	if (kept)
		memmove(reader->block, reader->block + reader->position, kept);
	reader->block_offset += reader->position;
	reader->position = 0;
	reader->length = kept;
	if (reader->end_of_input)
		return 0;
	long count = byte_source_read(&reader->source, reader->block + kept,
	                              LINE_READER_CAPACITY - kept, error);
	if (count < 0) {
		if (error && error->line == 0)
			error->line = reader->line; /* where the damage stopped the reading */
		return -1;
	}
	if (count == 0)
		reader->end_of_input = true;
	reader->length += (size_t)count;
	return count;
}

/* Old Mac exports end every line with CR alone; decided from the first line end. */
static bool detect_cr_line_ends(const char *data, size_t length)
{
	const char *newline = memchr(data, '\n', length);
	const char *carriage = memchr(data, '\r', newline ? (size_t)(newline - data) : length);
	return carriage && carriage + 1 < data + length && carriage[1] != '\n';
}

int line_reader_open(struct line_reader *reader, const char *path, struct error *error)
{
	memset(reader, 0, sizeof(*reader));
	if (byte_source_open(&reader->source, path, error) < 0)
		return -1;
	reader->block = malloc(LINE_READER_CAPACITY);
	if (!reader->block) {
		line_reader_release(reader);
		return error_set_at(error, path, 0, "out of memory");
	}
	reader->line = 1;
	/* Read until the first block is full or the input ends, so sniffing sees enough. */
	while (reader->length < BYTE_SOURCE_BLOCK && !reader->end_of_input) {
		long count = byte_source_read(&reader->source, reader->block + reader->length,
		                              BYTE_SOURCE_BLOCK - reader->length, error);
		if (count < 0) {
			line_reader_release(reader);
			return -1;
		}
		if (count == 0)
			reader->end_of_input = true;
		reader->length += (size_t)count;
	}
	if (reader->length >= 3 && memcmp(reader->block, "\xEF\xBB\xBF", 3) == 0) {
		reader->had_bom = true;
		reader->position = 3;
		reader->line_offset = 3;
	}
	reader->cr_line_ends = detect_cr_line_ends(reader->block + reader->position,
	                                           reader->length - reader->position);
	return 0;
}

/* Finds the end of the line starting at data: returns the piece length and
 * sets *ends_line; 0 means "a CR ends the block: refill first". */
static size_t frame(const struct line_reader *reader, const char *data, size_t available,
                    bool *ends_line)
{
	*ends_line = false;
	if (!reader->cr_line_ends) {
		const char *newline = memchr(data, '\n', available);
		if (newline) {
			*ends_line = true;
			return (size_t)(newline - data) + 1;
		}
		if (data[available - 1] == '\r' && !reader->end_of_input)
			return available - 1; /* hold the CR back: an LF may follow */
		return available;
	}
	for (size_t index = 0; index < available; index++) {
		if (data[index] == '\n') {
			*ends_line = true;
			return index + 1;
		}
		if (data[index] != '\r')
			continue;
		if (index + 1 < available) {
			*ends_line = true;
			return index + 1 + (data[index + 1] == '\n');
		}
		if (reader->end_of_input) {
			*ends_line = true;
			return index + 1;
		}
		return index; /* hold the CR back */
	}
	return available;
}

int line_reader_next(struct line_reader *reader, struct line_piece *piece, struct error *error)
{
	for (;;) {
		if (reader->position == reader->length) {
			long count = refill(reader, error);
			if (count < 0)
				return -1;
			if (reader->length == 0)
				return 0;
		}
		char *data = reader->block + reader->position;
		size_t available = reader->length - reader->position;
		bool ends_line = false;
		size_t length = frame(reader, data, available, &ends_line);
		if (length == 0) {
			/* Only a held-back CR is left: read on to see what follows it. */
			long count = refill(reader, error);
			if (count < 0)
				return -1;
			if (count == 0 && reader->length == 1) {
				/* a final lone CR: the file's last line end */
				data = reader->block;
				length = 1;
				ends_line = true;
			} else {
				continue;
			}
		}
		uint64_t offset = reader->block_offset + (uint64_t)(data - reader->block);
		piece->data = data;
		piece->length = length;
		piece->line = reader->line;
		piece->line_offset = reader->line_offset;
		piece->starts_line = offset == reader->line_offset;
		piece->ends_line = ends_line;
		reader->position = (size_t)(data - reader->block) + length;
		if (ends_line) {
			reader->line++;
			reader->line_offset = offset + length;
		}
		return 1;
	}
}

const char *line_reader_peek(const struct line_reader *reader, size_t *length)
{
	*length = reader->length - reader->position;
	return reader->block + reader->position;
}

bool line_reader_block_is_last(const struct line_reader *reader)
{
	return reader->end_of_input;
}

int line_reader_seek(struct line_reader *reader, uint64_t offset, uint64_t line,
                     struct error *error)
{
	if (byte_source_seek(&reader->source, offset, reader->block, LINE_READER_CAPACITY, error) <
	    0)
		return -1;
	reader->length = reader->position = 0;
	reader->block_offset = offset;
	reader->line = line;
	reader->line_offset = offset;
	reader->end_of_input = false;
	return 0;
}

void line_reader_release(struct line_reader *reader)
{
	byte_source_release(&reader->source);
	free(reader->block);
	reader->block = NULL;
}
