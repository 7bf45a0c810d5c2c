/* undo.csv: the manifest that restores what a job changed. */
#include "outputs/undo_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv_writer.h"
#include "common/file_io.h"
#include "outputs/atomic_file.h"

struct undo_writer {
	struct atomic_file file;
	struct csv_writer csv;
	enum field_id columns[FIELD_COUNT];
	size_t column_count;
	uint64_t lines;
	char path[4096];
};

size_t undo_columns(const struct op *op, enum field_id *fields)
{
	size_t count = 0;
	for (size_t i = 0; i < op->field_count; i++) {
		enum field_id id = op->fields[i].id;
		/* the device is named by its device_name, which needs no id_type */
		if (id != FIELD_DEVICE_NAME && id != FIELD_ID_TYPE)
			fields[count++] = id;
	}
	return count;
}

struct undo_writer *undo_writer_open(const char *directory, const char *name, const struct op *op,
                                     struct error *error)
{
	struct undo_writer *writer = calloc(1, sizeof(*writer));
	if (!writer) {
		error_set(error, "out of memory");
		return NULL;
	}
	if (snprintf(writer->path, sizeof(writer->path), "%s/%s", directory,
	             name ? name : UNDO_FILE) >= (int)sizeof(writer->path)) {
		error_set(error, "job directory path too long: '%s'", directory);
		free(writer);
		return NULL;
	}
	if (atomic_file_open(&writer->file, writer->path, error) < 0) {
		free(writer);
		return NULL;
	}
	writer->column_count = undo_columns(op, writer->columns);
	csv_writer_init(&writer->csv, writer->file.stream);
	csv_writer_cell_raw(&writer->csv, field_name(FIELD_DEVICE_NAME));
	for (size_t i = 0; i < writer->column_count; i++)
		csv_writer_cell_raw(&writer->csv, field_name(writer->columns[i]));
	csv_writer_cell_raw(&writer->csv, "source_row");
	csv_writer_end_line(&writer->csv);
	return writer;
}

int undo_writer_add(struct undo_writer *writer, const struct record *record,
                    const char *device_name, enum field_id target, const char *previous,
                    struct error *error)
{
	csv_writer_cell(&writer->csv, device_name);
	for (size_t i = 0; i < writer->column_count; i++)
		csv_writer_cell(&writer->csv, writer->columns[i] == target
		                                  ? previous
		                                  : record->value[writer->columns[i]]);
	char row[32];
	snprintf(row, sizeof(row), "%" PRIu64, record_shown_row(record));
	csv_writer_cell_raw(&writer->csv, row);
	csv_writer_end_line(&writer->csv);
	if (ferror(writer->file.stream)) {
		file_storage_note(writer->path, errno);
		return error_set(error, "cannot write '%s': %s", writer->path, strerror(errno));
	}
	writer->lines++;
	return 0;
}

uint64_t undo_writer_lines(const struct undo_writer *writer)
{
	return writer->lines;
}

int undo_writer_commit(struct undo_writer *writer, struct error *error)
{
	int result = 0;
	if (ferror(writer->file.stream)) {
		file_storage_note(writer->path, errno);
		error_set(error, "cannot write '%s': %s", writer->path, strerror(errno));
		atomic_file_abort(&writer->file);
		result = -1;
	} else {
		result = atomic_file_commit(&writer->file, error);
	}
	free(writer);
	return result;
}

void undo_writer_abort(struct undo_writer *writer)
{
	if (!writer)
		return;
	atomic_file_abort(&writer->file);
	free(writer);
}
