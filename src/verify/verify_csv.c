/* OUT/verify.csv (outputs.h). */
#include "verify/outputs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/file_io.h"

int verify_csv_open(struct verify_csv *out, const char *directory, struct error *error)
{
	memset(out, 0, sizeof(*out));
	strbuf_init(&out->path, 4096);
	if (strbuf_appendf(&out->path, "%s/%s", directory, VERIFY_FILE) != STRBUF_OK) {
		strbuf_release(&out->path);
		return error_set(error, "job directory path too long: '%s'", directory);
	}
	if (atomic_file_open(&out->file, strbuf_text(&out->path), error) < 0) {
		strbuf_release(&out->path);
		return -1;
	}
	csv_writer_init(&out->csv, out->file.stream);
	static const char *const header[] = {"row",      "identifier", "device_name",
	                                     "expected", "observed",   "verdict"};
	for (size_t index = 0; index < sizeof(header) / sizeof(header[0]); index++)
		csv_writer_cell_raw(&out->csv, header[index]);
	csv_writer_end_line(&out->csv);
	return 0;
}

void verify_csv_row(struct verify_csv *out, uint64_t row, const char *identifier,
                    const struct verify_texts *texts, enum verify_verdict verdict)
{
	static const struct verify_texts never_read = {NULL, NULL, NULL};
	if (!texts)
		texts = &never_read;
	char number[24];
	snprintf(number, sizeof(number), "%" PRIu64, row);
	csv_writer_cell_raw(&out->csv, number);
	csv_writer_cell(&out->csv, identifier);
	csv_writer_cell(&out->csv, texts->device_name);
	csv_writer_cell(&out->csv, texts->expected);
	csv_writer_cell(&out->csv, texts->observed);
	csv_writer_cell_raw(&out->csv, verify_verdict_name(verdict));
	csv_writer_end_line(&out->csv);
}

int verify_csv_commit(struct verify_csv *out, struct error *error)
{
	int result;
	if (ferror(out->file.stream)) {
		file_storage_note(strbuf_text(&out->path), errno);
		result = error_set(error, "cannot write '%s': %s", strbuf_text(&out->path),
		                   strerror(errno));
		atomic_file_abort(&out->file);
	} else {
		result = atomic_file_commit(&out->file, error);
	}
	strbuf_release(&out->path);
	return result;
}

void verify_csv_abort(struct verify_csv *out)
{
	atomic_file_abort(&out->file);
	strbuf_release(&out->path);
}
