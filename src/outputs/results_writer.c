/* results.csv and errors.csv: streaming passes over the manifest joined with
 * the outcome store by row number, so memory never depends on the job size. */
#include "outputs/results_writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file_io.h"
#include "common/clock.h"
#include "common/csv_writer.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"
#include "outputs/errors_writer.h"
#include "outputs/results_pass.h"

const char *outputs_error_text(const struct row_outcome *outcome, char *buffer, size_t size)
{
	const char *message = outcome->message[0] ? outcome->message : "no message";
	if (outcome->status == ROW_UNKNOWN) {
		snprintf(buffer, size,
		         "outcome unknown (%s): check the device before sending this row again",
		         message);
		return buffer;
	}
	if (outcome->message[0])
		return outcome->message;
	return row_status_name(outcome->status);
}

static struct manifest *open_manifest(const struct outputs_job *job, struct error *error)
{
	static const struct manifest_options defaults = {0};
	if (strcmp(job->manifest_path, "-") == 0) {
		error_set(error, "cannot write results from a manifest read from stdin: it cannot "
		                 "be read a second time");
		return NULL;
	}
	return manifest_open(job->manifest_path,
	                     job->manifest_options ? job->manifest_options : &defaults, error);
}

static void write_number(struct csv_writer *csv, uint64_t value, bool empty_when_zero)
{
	char text[32];
	if (empty_when_zero && value == 0) {
		csv_writer_cell_raw(csv, NULL);
		return;
	}
	snprintf(text, sizeof(text), "%" PRIu64, value);
	csv_writer_cell_raw(csv, text);
}

static void write_result_line(struct results_pass *pass, const struct row_outcome *outcome,
                              const struct outputs_job *job)
{
	struct csv_writer *csv = &pass->csv;
	write_number(csv, pass->row.number, false);
	csv_writer_cell_raw(csv, row_status_name(outcome->status));
	write_number(csv, (uint64_t)(outcome->http_status > 0 ? outcome->http_status : 0), true);
	csv_writer_cell(csv, outcome->message);
	write_number(csv, outcome->attempts, false);
	if (outcome->finished_at_ms > 0) {
		char when[40];
		clock_format_iso8601(outcome->finished_at_ms, when, sizeof(when));
		csv_writer_cell_raw(csv, when);
	} else {
		csv_writer_cell_raw(csv, NULL);
	}
	results_pass_identity(pass);
	if (job->resolve)
		csv_writer_cell(csv, outcome->status != ROW_INVALID
		                         ? job->resolve(job->resolve_context, &pass->record)
		                         : NULL);
	csv_writer_end_line(csv);
}

/* The results pass. When drained is non-NULL the manifest, read to its end,
 * is handed over instead of closed: its columns are final then (JSONL). */
static int write_results(const struct outputs_job *job, struct outcome_store *store,
                         struct outputs_report *report, struct manifest **drained,
                         struct error *error)
{
	struct results_pass pass;
	int result = -1;
	uint64_t rows_total = 0, rows_written = 0, rows_pending = 0;
	struct results_source source = {
	    job->directory, job->op,        job->manifest_path, job->manifest_options,
	    job->maps,      job->map_count, job->sets,          job->set_count};
	if (results_pass_open(&pass, &source, RESULTS_FILE, error) < 0)
		goto out;
	static const char *const fixed[] = {"row",     "status",   "http_status",
	                                    "message", "attempts", "finished_at"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		csv_writer_cell_raw(&pass.csv, fixed[i]);
	results_pass_identity_header(&pass);
	if (job->resolve)
		csv_writer_cell_raw(&pass.csv, RESULTS_RESOLVED_COLUMN);
	csv_writer_end_line(&pass.csv);
	int got;
	while ((got = results_pass_next(&pass, error)) == 1) {
		rows_total++;
		struct row_outcome outcome;
		if (outcome_store_get(store, pass.row.number, &outcome, error) < 0)
			goto out;
		if (outcome.status == ROW_PENDING && job->skipped_message) {
			outcome.status = ROW_SKIPPED;
			snprintf(outcome.message, sizeof(outcome.message), "%s",
			         job->skipped_message);
		} else if (outcome.status == ROW_PENDING) {
			rows_pending++;
			continue;
		}
		write_result_line(&pass, &outcome, job);
		rows_written++;
	}
	if (got < 0 || results_pass_commit(&pass, error) < 0)
		goto out;
	if (report) {
		report->rows_total = rows_total;
		report->rows_written = rows_written;
		report->rows_pending = rows_pending;
	}
	if (drained)
		*drained = results_pass_take_manifest(&pass);
	result = 0;
out:
	results_pass_close(&pass);
	return result;
}

static bool needs_attention(enum row_status status)
{
	return row_status_has(status, ROW_STATUS_ATTENTION);
}

/* JSONL manifests gain columns as keys appear, so the header is only known
 * once the whole file was read: drain a first reader to learn it. */
static int read_to_end(struct manifest *manifest, struct error *error)
{
	struct manifest_row row;
	int got;
	while ((got = manifest_next(manifest, &row, error)) == 1)
		continue;
	return got;
}

int outputs_write_results(const struct outputs_job *job, struct outcome_store *store,
                          struct outputs_report *report, struct error *error)
{
	return write_results(job, store, report, NULL, error);
}

/* The errors pass; columns_source (taken over, may be NULL) is a manifest
 * already read to its end, whose columns are final. */
static int write_errors(const struct outputs_job *job, struct outcome_store *store,
                        struct outputs_report *report, struct manifest *columns_source,
                        struct error *error)
{
	struct manifest *manifest = NULL;
	struct errors_writer *writer = NULL;
	struct binding *binding = NULL;
	const char **names = NULL;
	const char **sent = NULL; /* per column: the --set value sent instead, or the row's */
	bool *overridden = NULL;
	int result = -1;

	if (!columns_source) {
		columns_source = open_manifest(job, error);
		if (!columns_source)
			goto out;
		if (manifest_format(columns_source) == MANIFEST_FORMAT_JSONL &&
		    read_to_end(columns_source, error) < 0)
			goto out;
	}
	size_t column_count = manifest_column_count(columns_source);
	names = calloc(column_count + 1, sizeof(*names));
	if (!names) {
		error_set(error, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < column_count; i++)
		names[i] = manifest_column_name(columns_source, i);
	/* a column --set overrides shows the value that was sent, not the manifest's */
	sent = calloc(column_count + 1, sizeof(*sent));
	overridden = calloc(column_count + 1, sizeof(*overridden));
	if (!sent || !overridden) {
		error_set(error, "out of memory");
		goto out;
	}
	if (job->set_count) {
		struct error ignored;
		error_clear(&ignored);
		binding = binding_new(job->op, columns_source, job->maps, job->map_count, job->sets,
		                      job->set_count, &ignored);
		for (size_t i = 0; binding && i < column_count; i++)
			overridden[i] = binding_column_override(binding, i, &sent[i]);
	}
	struct errors_format format = {.delimiter = manifest_delimiter(columns_source),
	                               .line_end = manifest_line_end(columns_source),
	                               .bom = manifest_has_bom(columns_source)};
	writer = errors_writer_open(job->directory, names, column_count, &format, error);
	if (!writer)
		goto out;

	bool any = false;
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
		any |= needs_attention((enum row_status)status) &&
		       outcome_store_count(store, (enum row_status)status) > 0;
	if (any) {
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
			struct row_outcome outcome;
			if (outcome_store_get(store, row.number, &outcome, error) < 0)
				goto out;
			if (!needs_attention(outcome.status))
				continue;
			char text[sizeof(outcome.message) + 128];
			size_t count = row.values ? row.value_count : 0;
			const char *const *values = row.values;
			if (binding) {
				for (size_t i = 0; i < count && i < column_count; i++)
					if (!overridden[i])
						sent[i] = row.values[i];
				values = sent;
				count = count < column_count ? count : column_count;
			}
			if (errors_writer_row(writer, values, count, row.number, row.line,
			                      outputs_error_text(&outcome, text, sizeof(text)),
			                      error) < 0)
				goto out;
		}
	}
	if (report)
		report->error_rows = errors_writer_rows(writer);
	result = errors_writer_commit(writer, error);
	writer = NULL;
out:
	errors_writer_abort(writer);
	binding_free(binding);
	free(sent);
	free(overridden);
	free(names);
	manifest_close(manifest);
	manifest_close(columns_source);
	return result;
}

int outputs_write_errors(const struct outputs_job *job, struct outcome_store *store,
                         struct outputs_report *report, struct error *error)
{
	return write_errors(job, store, report, NULL, error);
}

int outputs_write_rows(const struct outputs_job *job, struct outcome_store *store,
                       struct outputs_report *report, struct error *error)
{
	struct manifest *drained = NULL;
	if (write_results(job, store, report, &drained, error) < 0)
		return -1;
	return write_errors(job, store, report, drained, error);
}
