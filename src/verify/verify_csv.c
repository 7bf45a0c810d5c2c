/* OUT/verify.csv (outputs.h). */
#include "verify/outputs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/csv_writer.h"
#include "common/file_io.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"

int verify_write_csv(const char *directory, const struct verify_targets *targets,
                     struct error *error)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	if (strbuf_appendf(&path, "%s/%s", directory, VERIFY_FILE) != STRBUF_OK) {
		strbuf_release(&path);
		return error_set(error, "job directory path too long: '%s'", directory);
	}
	struct atomic_file file = {0};
	int result = atomic_file_open(&file, strbuf_text(&path), error);
	if (result < 0)
		goto out;
	struct csv_writer csv;
	csv_writer_init(&csv, file.stream);
	static const char *const header[] = {"row",      "identifier", "device_name",
	                                     "expected", "observed",   "verdict"};
	for (size_t index = 0; index < sizeof(header) / sizeof(header[0]); index++)
		csv_writer_cell_raw(&csv, header[index]);
	csv_writer_end_line(&csv);
	for (size_t index = 0; index < targets->count; index++) {
		const struct verify_target *target = &targets->items[index];
		char number[24];
		snprintf(number, sizeof(number), "%" PRIu64, target->record->row);
		csv_writer_cell_raw(&csv, number);
		csv_writer_cell(&csv, verify_target_identifier(targets, target));
		csv_writer_cell(&csv, target->device_name);
		csv_writer_cell(&csv, target->expected);
		csv_writer_cell(&csv, target->observed);
		csv_writer_cell_raw(&csv, verify_verdict_name(target->verdict));
		csv_writer_end_line(&csv);
	}
	if (ferror(file.stream)) {
		file_storage_note(strbuf_text(&path), errno);
		result =
		    error_set(error, "cannot write '%s': %s", strbuf_text(&path), strerror(errno));
		atomic_file_abort(&file);
		goto out;
	}
	result = atomic_file_commit(&file, error);
out:
	strbuf_release(&path);
	return result;
}
