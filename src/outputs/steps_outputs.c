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
#include "outputs/results_pass.h"
#include "outputs/results_writer.h"

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
	/* the first step's binding: its identifying fields are results.csv's */
	struct results_source first = {
	    .directory = job->directory,
	    .op = job->first_op,
	    .manifest_path = job->manifest_path,
	    .manifest_options = job->manifest_options,
	    .maps = job->maps,
	    .map_count = job->map_count,
	    .sets = job->sets,
	    .set_count = job->set_count,
	};
	struct results_pass pass;
	int result = -1;
	if (results_pass_open(&pass, &first, RESULTS_FILE, error) < 0)
		goto out;
	struct csv_writer *csv = &pass.csv;
	csv_writer_cell_raw(csv, "row");
	csv_writer_cell_raw(csv, "status");
	for (size_t step = 0; step < job->step_count; step++)
		csv_writer_cell_raw(csv, job->columns[step]);
	csv_writer_cell_raw(csv, "failed_step");
	csv_writer_cell_raw(csv, "message");
	csv_writer_cell_raw(csv, RESULTS_RESOLVED_COLUMN);
	results_pass_identity_header(&pass);
	csv_writer_end_line(csv);
	uint64_t rows = 0;
	int got;
	while ((got = results_pass_next(&pass, error)) == 1) {
		rows++;
		struct row_view view;
		if (read_row(job, pass.row.number, &view, error) < 0)
			goto out;
		char number[32];
		snprintf(number, sizeof(number), "%" PRIu64, pass.row.number);
		csv_writer_cell_raw(csv, number);
		csv_writer_cell_raw(csv, row_status_name(view.final.status));
		for (size_t step = 0; step < job->step_count; step++)
			csv_writer_cell_raw(csv, view.step_status[step] == ROW_PENDING
			                             ? NULL
			                             : row_status_name(view.step_status[step]));
		csv_writer_cell(
		    csv, view.failed_step < job->step_count ? job->labels[view.failed_step] : NULL);
		csv_writer_cell(csv, view.final.message);
		csv_writer_cell(csv, view.device_name);
		results_pass_identity(&pass);
		csv_writer_end_line(csv);
	}
	if (got < 0 || results_pass_commit(&pass, error) < 0)
		goto out;
	report->rows_total = rows;
	result = 0;
out:
	results_pass_close(&pass);
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

struct steps_errors {
	struct errors_writer *writer;
	const char **values;
	size_t count;       /* the manifest's columns */
	size_t width;       /* with the step column */
	size_t step_column; /* where the step goes (a re-fed errors.csv has one) */
};

struct steps_errors *steps_errors_open(const char *directory, const char *manifest_path,
                                       const struct manifest_options *manifest_options,
                                       struct error *error)
{
	static const struct manifest_options defaults = {0};
	struct steps_errors *errors = calloc(1, sizeof(*errors));
	const char **names = NULL;
	struct manifest *columns =
	    manifest_open(manifest_path, manifest_options ? manifest_options : &defaults, error);
	if (!errors || !columns ||
	    (manifest_format(columns) == MANIFEST_FORMAT_JSONL && read_to_end(columns, error) < 0))
		goto fail;
	size_t count = manifest_column_count(columns);
	/* a re-fed errors.csv has its step column already: it is reused */
	size_t step_column = count;
	for (size_t i = 0; i < count; i++)
		if (strcmp(manifest_column_name(columns, i), STEPS_ERRORS_STEP_COLUMN) == 0)
			step_column = i;
	errors->count = count;
	errors->step_column = step_column;
	errors->width = step_column == count ? count + 1 : count;
	names = calloc(errors->width, sizeof(*names));
	errors->values = calloc(errors->width, sizeof(*errors->values));
	if (!names || !errors->values) {
		error_set(error, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < count; i++)
		names[i] = manifest_column_name(columns, i);
	names[step_column] = STEPS_ERRORS_STEP_COLUMN;
	struct errors_format format = {.delimiter = manifest_delimiter(columns),
	                               .line_end = manifest_line_end(columns),
	                               .bom = manifest_has_bom(columns)};
	errors->writer = errors_writer_open(directory, names, errors->width, &format, error);
	if (!errors->writer)
		goto fail;
	free(names);
	manifest_close(columns);
	return errors;
fail:
	if (!errors && !error->set)
		error_set(error, "out of memory");
	free(names);
	manifest_close(columns);
	steps_errors_abort(errors);
	return NULL;
}

int steps_errors_add(struct steps_errors *errors, const struct manifest_row *row,
                     const char *step_label, const char *message, struct error *error)
{
	size_t have = row->values ? row->value_count : 0;
	for (size_t i = 0; i < errors->width; i++)
		errors->values[i] = i < have && i < errors->count ? row->values[i] : NULL;
	errors->values[errors->step_column] = step_label;
	return errors_writer_row(errors->writer, errors->values, errors->width, row->number,
	                         row->line, message, error);
}

uint64_t steps_errors_rows(const struct steps_errors *errors)
{
	return errors_writer_rows(errors->writer);
}

int steps_errors_commit(struct steps_errors *errors, struct error *error)
{
	int result = errors_writer_commit(errors->writer, error);
	errors->writer = NULL;
	steps_errors_abort(errors);
	return result;
}

void steps_errors_abort(struct steps_errors *errors)
{
	if (!errors)
		return;
	errors_writer_abort(errors->writer);
	free(errors->values);
	free(errors);
}

static int write_errors(const struct steps_outputs_job *job, struct steps_outputs_report *report,
                        struct error *error)
{
	struct manifest *manifest = NULL;
	int result = -1;
	struct steps_errors *errors =
	    steps_errors_open(job->directory, job->manifest_path, job->manifest_options, error);
	if (!errors)
		return -1;
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
		char text[sizeof(view.final.message) + 128];
		if (steps_errors_add(
		        errors, &row,
		        view.failed_step < job->step_count ? job->labels[view.failed_step] : NULL,
		        outputs_error_text(&view.final, text, sizeof(text)), error) < 0)
			goto out;
	}
	report->error_rows = steps_errors_rows(errors);
	result = steps_errors_commit(errors, error);
	errors = NULL;
out:
	steps_errors_abort(errors);
	manifest_close(manifest);
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
