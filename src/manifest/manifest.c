/* Opening a manifest: refuse what is not a text manifest, pick the format,
 * then hand rows over from the CSV, JSONL or .xlsx reader. */
#include "manifest_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/sniff.h"

long manifest_add_column(struct manifest *manifest, const char *name, size_t length)
{
	if (manifest->column_count == manifest->column_capacity) {
		size_t capacity = manifest->column_capacity ? manifest->column_capacity * 2 : 16;
		char **names = realloc(manifest->column_names, capacity * sizeof(*names));
		if (!names)
			return -1;
		manifest->column_names = names;
		const char **values = realloc(manifest->values, capacity * sizeof(*values));
		if (!values)
			return -1;
		manifest->values = values;
		unsigned char *kinds = realloc(manifest->kinds, capacity * sizeof(*kinds));
		if (!kinds)
			return -1;
		manifest->kinds = kinds;
		manifest->column_capacity = capacity;
	}
	char *copy = malloc(length + 1);
	if (!copy)
		return -1;
	memcpy(copy, name, length);
	copy[length] = '\0';
	manifest->column_names[manifest->column_count] = copy;
	manifest->values[manifest->column_count] = NULL;
	manifest->kinds[manifest->column_count] = MANIFEST_VALUE_TEXT;
	return (long)manifest->column_count++;
}

void manifest_row_problem(struct manifest *manifest, const char *format, ...)
{
	if (manifest->problem.length)
		return;
	/* formatted into a bounded buffer first: a hostile key or value quoted in
	 * the message must shorten it, never make it vanish */
	char text[MANIFEST_MAX_PROBLEM];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(text, sizeof(text), format, arguments);
	va_end(arguments);
	strbuf_append_string(&manifest->problem, text[0] ? text : "invalid row");
}

void manifest_add_note(struct manifest *manifest, const char *note)
{
	for (size_t index = 0; index < manifest->note_count; index++)
		if (manifest->notes[index] == note)
			return;
	if (manifest->note_count < MANIFEST_MAX_NOTES)
		manifest->notes[manifest->note_count++] = note;
}

/* Refuses empty, binary and UTF-16 files before any parser sees them. */
static int check_first_block(struct manifest *manifest, struct error *error)
{
	size_t length = 0;
	const char *data = line_reader_peek(&manifest->lines, &length);
	bool whole_file = line_reader_block_is_last(&manifest->lines);
	if (length == 0 && whole_file)
		return error_set_at(error, manifest->path, 0,
		                    "the file is empty (a manifest needs at least a header line)");
	if (whole_file && sniff_is_blank(data, length))
		return error_set_at(error, manifest->path, 0,
		                    "the file holds only blank lines (no header, no rows)");
	struct strbuf reason;
	strbuf_init(&reason, 256);
	int result = 0;
	if (sniff_text(data, length, &reason) < 0)
		result = error_set_at(error, manifest->path, 0, "%s", strbuf_text(&reason));
	strbuf_release(&reason);
	return result;
}

/* The most a gzip file's first block may be taken to say about the rest:
 * manifests compress 3 to 6 times (digits, repeated plan names); a first
 * block that compresses far better (a run of one repeated row) must not
 * size the key table for a thousand times the file. */
#define MAX_GZIP_RATIO 16.0
/* Windows read from the middle of a plain file to judge its lines' length */
#define ESTIMATE_SAMPLES     3
#define ESTIMATE_SAMPLE_SIZE (64u * 1024u)

static uint64_t count_line_ends(const char *data, size_t length, char end)
{
	uint64_t lines = 0;
	for (const char *scan = data, *stop = data + length;
	     (scan = memchr(scan, end, (size_t)(stop - scan))) != NULL; scan++)
		lines++;
	return lines;
}

/* The lines in the part of a plain file of size bytes after its first block
 * (first bytes), judged from windows at a quarter, half and three quarters of
 * it: a first block of short lines (rows without notes, say) before long ones
 * otherwise sized the table for several times the rows, and the opposite
 * lost fingerprint bits. pread leaves the stream's position alone. Returns -1
 * when the windows cannot tell (unreadable, or no line end in any). */
static double lines_after_first_block(int descriptor, uint64_t size, uint64_t first, char end)
{
	char *window = malloc(ESTIMATE_SAMPLE_SIZE);
	if (!window)
		return -1;
	uint64_t rest = size - first, bytes = 0, lines = 0;
	for (unsigned sample = 1; sample <= ESTIMATE_SAMPLES; sample++) {
		off_t at = (off_t)(first + rest / (ESTIMATE_SAMPLES + 1) * sample);
		ssize_t got = pread(descriptor, window, ESTIMATE_SAMPLE_SIZE, at);
		if (got <= 0)
			continue;
		bytes += (uint64_t)got;
		lines += count_line_ends(window, (size_t)got, end);
	}
	free(window);
	return lines && bytes ? (double)rest * (double)lines / (double)bytes : -1;
}

/* Rows the file probably holds, from its size and the lines of the first
 * block (a whole file in one block: its line count) and, for a plain file,
 * of a few windows further in; 0 when the size is not known in advance (a
 * pipe). A gzip file's decompressed size is judged from how far its first
 * block compressed (at most MAX_GZIP_RATIO). Meant for sizing, never for
 * counting: a table sized too small loses a fingerprint bit each time part
 * of it doubles (key_table.c), about 8 of them for 10,000,000 rows of a
 * table left to grow from its default size. */
static uint64_t estimate_rows(const struct manifest *manifest)
{
	size_t length = 0;
	const char *data = line_reader_peek(&manifest->lines, &length);
	char end = manifest->lines.cr_line_ends ? '\r' : '\n';
	uint64_t lines = count_line_ends(data, length, end);
	if (line_reader_block_is_last(&manifest->lines))
		return lines + 1;
	const struct byte_source *source = &manifest->lines.source;
	struct stat status;
	if (lines == 0 || length == 0 || !source->file ||
	    fstat(fileno(source->file), &status) != 0 || !S_ISREG(status.st_mode) ||
	    status.st_size <= 0)
		return 0;
	/* the file's bytes behind the block: the block, or the compressed bytes it came from */
	uint64_t behind = byte_source_file_position(source);
	if (behind == 0 || source->offset == 0)
		return 0;
	double rest = -1;
	if (!source->gzip && (uint64_t)status.st_size > behind)
		rest = lines_after_first_block(fileno(source->file), (uint64_t)status.st_size,
		                               behind, end);
	if (rest < 0) {
		double ratio = (double)source->offset / (double)behind;
		if (ratio > MAX_GZIP_RATIO)
			ratio = MAX_GZIP_RATIO;
		double bytes = (double)status.st_size * ratio;
		rest = bytes / (double)length * (double)lines - (double)lines;
	}
	/* a little over, so that slightly longer lines elsewhere still fit */
	double rows = ((double)lines + rest) * 21.0 / 20.0 + 16.0;
	return rows < (double)UINT32_MAX ? (uint64_t)rows : UINT32_MAX;
}

struct manifest *manifest_open(const char *path, const struct manifest_options *options,
                               struct error *error)
{
	struct manifest *manifest = calloc(1, sizeof(*manifest));
	if (!manifest) {
		error_set_at(error, path, 0, "out of memory");
		return NULL;
	}
	strbuf_init(&manifest->problem, MANIFEST_MAX_PROBLEM);
	manifest->path = strdup(path);
	if (!manifest->path) {
		error_set_at(error, path, 0, "out of memory");
		goto fail;
	}
	if (sniff_is_workbook(path, options ? options->format : MANIFEST_FORMAT_AUTO)) {
		if (xlsx_reader_open(manifest, options ? options->sheet : NULL, error) < 0)
			goto fail;
		return manifest;
	}
	if (line_reader_open(&manifest->lines, manifest->path, error) < 0)
		goto fail;
	if (check_first_block(manifest, error) < 0)
		goto fail;
	manifest->estimated_rows = estimate_rows(manifest);
	size_t length = 0;
	const char *data = line_reader_peek(&manifest->lines, &length);
	manifest->format = options && options->format != MANIFEST_FORMAT_AUTO
	                       ? options->format
	                       : sniff_format(path, data, length);
	manifest->line_end = "\n";
	const char *newline = memchr(data, '\n', length);
	if (manifest->lines.cr_line_ends)
		manifest->line_end = "\r";
	else if (newline && newline > data && newline[-1] == '\r')
		manifest->line_end = "\r\n";
	if (manifest->lines.cr_line_ends)
		manifest_add_note(manifest, "lines end with a carriage return (CR) alone, as old "
		                            "Mac spreadsheets write them; each CR was read as a "
		                            "line end");
	if (manifest->format == MANIFEST_FORMAT_CSV) {
		manifest->delimiter = options && options->delimiter ? options->delimiter
		                                                    : sniff_delimiter(data, length);
		if (csv_reader_open(manifest, error) < 0)
			goto fail;
	} else {
		if (jsonl_reader_open(manifest, error) < 0)
			goto fail;
	}
	return manifest;
fail:
	manifest_close(manifest);
	return NULL;
}

int manifest_next(struct manifest *manifest, struct manifest_row *row, struct error *error)
{
	strbuf_reset(&manifest->problem);
	row->lengths = NULL;
	row->ascii = false;
	return manifest->reader->next(manifest, row, error);
}

int manifest_seek(struct manifest *manifest, const struct manifest_position *position,
                  struct error *error)
{
	if (position->row == 0 || position->line == 0)
		return error_set_at(error, manifest->path, 0,
		                    "cannot continue at row 0: rows are numbered from 1");
	manifest->reader->restart(manifest);
	if (manifest->reader->seek)
		return manifest->reader->seek(manifest, position, error);
	if (line_reader_seek(&manifest->lines, position->offset, position->line, error) < 0)
		return -1;
	manifest->rows_read = position->row - 1;
	return 0;
}

void manifest_no_fast_paths(struct manifest *manifest)
{
	manifest->no_fast_paths = true;
}

enum manifest_format manifest_format(const struct manifest *manifest)
{
	return manifest->format;
}

size_t manifest_column_count(const struct manifest *manifest)
{
	return manifest->column_count;
}

const char *manifest_column_name(const struct manifest *manifest, size_t index)
{
	return index < manifest->column_count ? manifest->column_names[index] : NULL;
}

enum manifest_value_kind manifest_value_kind(const struct manifest *manifest, size_t column)
{
	return column < manifest->column_count ? (enum manifest_value_kind)manifest->kinds[column]
	                                       : MANIFEST_VALUE_TEXT;
}

char manifest_delimiter(const struct manifest *manifest)
{
	return manifest->format == MANIFEST_FORMAT_CSV ? manifest->delimiter : 0;
}

bool manifest_has_bom(const struct manifest *manifest)
{
	return manifest->lines.had_bom;
}

const char *manifest_line_end(const struct manifest *manifest)
{
	return manifest->line_end ? manifest->line_end : "\n";
}

bool manifest_written_by_tool(const struct manifest *manifest)
{
	return manifest->unguard;
}

int manifest_rewind_stdin(struct error *error)
{
	return byte_source_rewind_stdin(error);
}

uint64_t manifest_estimated_rows(const struct manifest *manifest)
{
	return manifest->estimated_rows;
}

const char *manifest_path(const struct manifest *manifest)
{
	return manifest->path;
}

uint64_t manifest_header_line(const struct manifest *manifest)
{
	return manifest->header_line;
}

size_t manifest_notes(const struct manifest *manifest, const char *const **notes)
{
	*notes = manifest->notes;
	return manifest->note_count;
}

const char *manifest_sheet(const struct manifest *manifest)
{
	return xlsx_reader_sheet(manifest);
}

void manifest_close(struct manifest *manifest)
{
	if (!manifest)
		return;
	if (manifest->reader)
		manifest->reader->release(manifest);
	line_reader_release(&manifest->lines);
	for (size_t index = 0; index < manifest->column_count; index++)
		free(manifest->column_names[index]);
	free(manifest->column_names);
	free(manifest->values);
	free(manifest->kinds);
	strbuf_release(&manifest->problem);
	free(manifest->path);
	free(manifest);
}
