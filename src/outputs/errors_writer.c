/* errors.csv rows: the manifest's own cells, untouched except for formula
 * neutralisation, plus the reason the row needs attention. */
#include "outputs/errors_writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/file_io.h"
#include "common/csv_writer.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"

struct errors_writer {
	struct atomic_file file;
	struct csv_writer csv;
	size_t column_count;
	size_t error_column; /* == column_count when `error` is appended */
	uint64_t rows;
};

struct errors_writer *errors_writer_open(const char *directory, const char *const *column_names,
                                         size_t column_count, struct error *error)
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
	writer->column_count = column_count;
	writer->error_column = column_count;
	for (size_t i = 0; i < column_count; i++) {
		if (column_names[i] && strcasecmp(column_names[i], "error") == 0) {
			writer->error_column = i;
			break;
		}
	}
	for (size_t i = 0; i < column_count; i++)
		csv_writer_cell(&writer->csv, column_names[i]);
	if (writer->error_column == column_count)
		csv_writer_cell_raw(&writer->csv, "error");
	csv_writer_end_line(&writer->csv);
	goto out;
fail:
	free(writer);
	writer = NULL;
out:
	strbuf_release(&path);
	return writer;
}

int errors_writer_row(struct errors_writer *writer, const char *const *values, size_t value_count,
                      const char *error_text, struct error *error)
{
	for (size_t i = 0; i < writer->column_count; i++) {
		if (i == writer->error_column)
			csv_writer_cell(&writer->csv, error_text);
		else
			csv_writer_cell(&writer->csv, i < value_count ? values[i] : NULL);
	}
	if (writer->error_column == writer->column_count)
		csv_writer_cell(&writer->csv, error_text);
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
