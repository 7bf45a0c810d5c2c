/* errors.csv rows: the manifest's own cells, untouched except for formula
 * neutralisation, plus the reason the row needs attention. */
#include "outputs/errors_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/file_io.h"
#include "common/csv_writer.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"

/* The columns errors.csv adds to the manifest's, in this order. */
enum { ADDED_ERROR, ADDED_SOURCE_ROW, ADDED_SOURCE_LINE, ADDED_COUNT };
static const char *const added_names[ADDED_COUNT] = {"error", "source_row", "source_line"};

struct errors_writer {
	struct atomic_file file;
	struct csv_writer csv;
	size_t column_count;
	/* per added column: the manifest's column of that name, or SIZE_MAX when appended */
	size_t existing[ADDED_COUNT];
	uint64_t rows;
};

struct errors_writer *errors_writer_open(const char *directory, const char *const *column_names,
                                         size_t column_count, const struct errors_format *format,
                                         struct error *error)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	struct errors_writer *writer = calloc(1, sizeof(*writer));
	if (!writer) {
		error_set(error, "out of memory");
		goto out;
	}
	if (strbuf_appendf(&path, "%s/%s", directory, ERRORS_FILE) != STRBUF_OK) {
		error_set(error, "job directory path too long: '%s'", directory);
		goto fail;
	}
	if (atomic_file_open(&writer->file, strbuf_text(&path), error) < 0)
		goto fail;
	csv_writer_init(&writer->csv, writer->file.stream);
	if (format)
		csv_writer_set_format(&writer->csv, format->delimiter, format->line_end);
	if (format && format->bom)
		fputs("\xEF\xBB\xBF", writer->file.stream);
	writer->column_count = column_count;
	for (size_t added = 0; added < ADDED_COUNT; added++) {
		writer->existing[added] = SIZE_MAX;
		for (size_t i = 0; i < column_count; i++) {
			if (column_names[i] &&
			    strcasecmp(column_names[i], added_names[added]) == 0) {
				writer->existing[added] = i;
				break;
			}
		}
	}
	for (size_t i = 0; i < column_count; i++)
		csv_writer_cell(&writer->csv, column_names[i]);
	for (size_t added = 0; added < ADDED_COUNT; added++)
		if (writer->existing[added] == SIZE_MAX)
			csv_writer_cell_raw(&writer->csv, added_names[added]);
	csv_writer_end_line(&writer->csv);
	goto out;
fail:
	free(writer);
	writer = NULL;
out:
	strbuf_release(&path);
	return writer;
}

/* The cell of an added column: the manifest's own (kept when it says where
 * the row came from), else ours. */
static const char *added_cell(const struct errors_writer *writer, size_t added,
                              const char *const *values, size_t value_count, const char *ours)
{
	size_t column = writer->existing[added];
	if (added != ADDED_ERROR && column < value_count && values[column] && values[column][0])
		return values[column];
	return ours;
}

int errors_writer_row(struct errors_writer *writer, const char *const *values, size_t value_count,
                      uint64_t row, uint64_t line, const char *error_text, struct error *error)
{
	char row_text[24], line_text[24];
	snprintf(row_text, sizeof(row_text), "%" PRIu64, row);
	snprintf(line_text, sizeof(line_text), "%" PRIu64, line);
	const char *ours[ADDED_COUNT] = {error_text, row_text, line_text};
	for (size_t i = 0; i < writer->column_count; i++) {
		size_t added = 0;
		while (added < ADDED_COUNT && writer->existing[added] != i)
			added++;
		if (added < ADDED_COUNT)
			csv_writer_cell(&writer->csv, added_cell(writer, added, values, value_count,
			                                         ours[added]));
		else
			csv_writer_cell(&writer->csv, i < value_count ? values[i] : NULL);
	}
	for (size_t added = 0; added < ADDED_COUNT; added++)
		if (writer->existing[added] == SIZE_MAX)
			csv_writer_cell(&writer->csv, ours[added]);
	csv_writer_end_line(&writer->csv);
	if (ferror(writer->file.stream)) {
		file_storage_note(writer->file.final_path, errno); /* errno: the failed write's */
		return error_set(error, "cannot write '%s': %s", writer->file.temporary_path,
		                 strerror(errno));
	}
	writer->rows++;
	return 0;
}

uint64_t errors_writer_rows(const struct errors_writer *writer)
{
	return writer->rows;
}

int errors_writer_commit(struct errors_writer *writer, struct error *error)
{
	int result = atomic_file_commit(&writer->file, error);
	free(writer);
	return result;
}

void errors_writer_abort(struct errors_writer *writer)
{
	if (!writer)
		return;
	atomic_file_abort(&writer->file);
	free(writer);
}
