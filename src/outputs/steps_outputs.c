/* results.csv and errors.csv of steps jobs (steps_outputs.h). */
#include "outputs/steps_outputs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv_writer.h"
#include "common/file_io.h"
#include "outputs/atomic_file.h"
#include "outputs/errors_writer.h"
#include "outputs/results_writer.h"

/* Fields that identify a device, after the first step's key field. */
static const enum field_id identity_fields[] = {FIELD_ICCID, FIELD_IMEI, FIELD_DEVICE_SKU,
                                                FIELD_DEVICE_NAME};
#define IDENTITY_COUNT (sizeof(identity_fields) / sizeof(identity_fields[0]))

/* What the stores say about one row. */
struct row_view {
	struct row_outcome final;
	enum row_status step_status[STEPS_OUTPUTS_MAX];
	size_t failed_step; /* step_count when none */
	char device_name[sizeof(((struct row_outcome *)0)->message)];
};

static int read_row(const struct steps_outputs_job *job, uint64_t row, struct row_view *view,
                    struct error *error)
{
	memset(view, 0, sizeof(*view));
	view->failed_step = job->step_count;
	if (outcome_store_get(job->job, row, &view->final, error) < 0)
		return -1;
	struct row_outcome outcome;
	for (size_t step = 0; step < job->step_count; step++) {
		if (outcome_store_get(job->steps[step], row, &outcome, error) < 0)
			return -1;
		view->step_status[step] = outcome.status;
		bool failed = outcome.status != ROW_PENDING &&
		              !row_status_has(outcome.status, ROW_STATUS_SUCCESS);
		if (job->reads[step]) {
			if (outcome_store_get(job->reads[step], row, &outcome, error) < 0)
				return -1;
			if (outcome.status == ROW_OK)
				snprintf(view->device_name, sizeof(view->device_name), "%s",
				         outcome.message);
			else if (outcome.status != ROW_PENDING) {
				/* the step's effect was never verified: the step failed */
				view->step_status[step] = outcome.status;
				failed = true;
			}
		}
		if (failed && view->failed_step == job->step_count)
			view->failed_step = step;
	}
	return 0;
}

static struct manifest *open_manifest(const struct steps_outputs_job *job, struct error *error)
{
	static const struct manifest_options defaults = {0};
	return manifest_open(job->manifest_path,
	                     job->manifest_options ? job->manifest_options : &defaults, error);
}

static int write_results(const struct steps_outputs_job *job, struct steps_outputs_report *report,
                         struct error *error)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", job->directory, RESULTS_FILE);
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	struct atomic_file file = {0};
	bool file_open = false;
	int result = -1;
	struct binding *binding = NULL;
	struct manifest *manifest = open_manifest(job, error);
	if (!manifest)
		goto out;
	binding = binding_new(job->first_op, manifest, job->maps, job->map_count, job->sets,
	                      job->set_count, error);
	if (!binding || atomic_file_open(&file, path, error) < 0)
		goto out;
	file_open = true;
	enum field_id identity[IDENTITY_COUNT + 1];
	size_t identity_count = 0;
	identity[identity_count++] = job->first_op->key_field;
	for (size_t i = 0; i < IDENTITY_COUNT; i++)
		if (identity_fields[i] != job->first_op->key_field &&
		    op_field_find(job->first_op, identity_fields[i]))
			identity[identity_count++] = identity_fields[i];

	struct csv_writer csv;
	csv_writer_init(&csv, file.stream);
	csv_writer_cell_raw(&csv, "row");
	csv_writer_cell_raw(&csv, "status");
	for (size_t step = 0; step < job->step_count; step++)
		csv_writer_cell_raw(&csv, job->columns[step]);
	csv_writer_cell_raw(&csv, "failed_step");
	csv_writer_cell_raw(&csv, "message");
	csv_writer_cell_raw(&csv, RESULTS_RESOLVED_COLUMN);
	for (size_t i = 0; i < identity_count; i++)
		csv_writer_cell_raw(&csv, field_name(identity[i]));
	csv_writer_end_line(&csv);

	uint64_t rows = 0;
	for (;;) {
		struct manifest_row row;
		int got = manifest_next(manifest, &row, error);
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		rows++;
		struct row_view view;
		if (read_row(job, row.number, &view, error) < 0)
			goto out;
		char number[32];
		snprintf(number, sizeof(number), "%" PRIu64, row.number);
		csv_writer_cell_raw(&csv, number);
		csv_writer_cell_raw(&csv, row_status_name(view.final.status));
		for (size_t step = 0; step < job->step_count; step++)
			csv_writer_cell_raw(&csv, view.step_status[step] == ROW_PENDING
			                              ? NULL
			                              : row_status_name(view.step_status[step]));
		csv_writer_cell(&csv, view.failed_step < job->step_count
		                          ? job->labels[view.failed_step]
		                          : NULL);
		csv_writer_cell(&csv, view.final.message);
		csv_writer_cell(&csv, view.device_name);
		struct record record;
		memset(&record, 0, sizeof(record));
		strbuf_reset(&problem);
		binding_apply(binding, &row, &record, &problem);
		for (size_t i = 0; i < identity_count; i++)
			csv_writer_cell(&csv, record.value[identity[i]]);
		csv_writer_end_line(&csv);
	}
	if (ferror(file.stream)) {
		file_storage_note(path, errno);
		error_set(error, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	file_open = false;
	if (atomic_file_commit(&file, error) < 0)
		goto out;
	report->rows_total = rows;
	result = 0;
out:
	if (file_open)
		atomic_file_abort(&file);
	binding_free(binding);
	manifest_close(manifest);
	strbuf_release(&problem);
	return result;
}

/* JSONL manifests gain columns as keys appear: the header is known once read. */
static int read_to_end(struct manifest *manifest, struct error *error)
{
	struct manifest_row row;
	int got;
	while ((got = manifest_next(manifest, &row, error)) == 1)
		continue;
	return got;
}

static int write_errors(const struct steps_outputs_job *job, struct steps_outputs_report *report,
                        struct error *error)
{
	struct manifest *columns = NULL, *manifest = NULL;
	struct errors_writer *writer = NULL;
	const char **names = NULL, **values = NULL;
	int result = -1;
	columns = open_manifest(job, error);
	if (!columns ||
	    (manifest_format(columns) == MANIFEST_FORMAT_JSONL && read_to_end(columns, error) < 0))
		goto out;
	size_t count = manifest_column_count(columns);
	/* a re-fed errors.csv has its step column already: it is reused */
	size_t step_column = count;
	for (size_t i = 0; i < count; i++)
		if (strcmp(manifest_column_name(columns, i), STEPS_ERRORS_STEP_COLUMN) == 0)
			step_column = i;
	size_t width = step_column == count ? count + 1 : count;
	names = calloc(width, sizeof(*names));
	values = calloc(width, sizeof(*values));
	if (!names || !values) {
		error_set(error, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		names[i] = manifest_column_name(columns, i);
	names[step_column] = STEPS_ERRORS_STEP_COLUMN;
	struct errors_format format = {.delimiter = manifest_delimiter(columns),
	                               .line_end = manifest_line_end(columns),
	                               .bom = manifest_has_bom(columns)};
	writer = errors_writer_open(job->directory, names, width, &format, error);
	if (!writer)
		goto out;
	manifest = open_manifest(job, error);
	if (!manifest)
		goto out;
	for (;;) {
		struct manifest_row row;
		int got = manifest_next(manifest, &row, error);
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		struct row_view view;
		if (read_row(job, row.number, &view, error) < 0)
			goto out;
		if (!row_status_has(view.final.status, ROW_STATUS_ATTENTION))
			continue;
		size_t have = row.values ? row.value_count : 0;
		for (size_t i = 0; i < width; i++)
			values[i] = i < have && i < count ? row.values[i] : NULL;
		values[step_column] =
		    view.failed_step < job->step_count ? job->labels[view.failed_step] : NULL;
		char text[sizeof(view.final.message) + 128];
		if (errors_writer_row(writer, values, width, row.number, row.line,
		                      outputs_error_text(&view.final, text, sizeof(text)),
		                      error) < 0)
			goto out;
	}
	report->error_rows = errors_writer_rows(writer);
	result = errors_writer_commit(writer, error);
	writer = NULL;
out:
	errors_writer_abort(writer);
	free(names);
	free(values);
	manifest_close(manifest);
	manifest_close(columns);
	return result;
}

int steps_outputs_write(const struct steps_outputs_job *job, struct steps_outputs_report *report,
                        struct error *error)
{
	memset(report, 0, sizeof(*report));
	if (job->step_count > STEPS_OUTPUTS_MAX)
		return error_set(error, "more than %d steps", STEPS_OUTPUTS_MAX);
	if (write_results(job, report, error) < 0)
		return -1;
	return write_errors(job, report, error);
}
