/* The export's window and output order: units, where they come from
 * (manifest rows, request->devices, pages of a listing), and their writing
 * strictly in order (records, errors.csv, commits). */
#include "export/export_loop_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/csv_writer.h"
#include "export/device_source.h"
#include "export/paging.h"

#define COMMIT_EVERY_MS 1000

void unit_free(struct unit *unit)
{
	if (!unit)
		return;
	if (unit->stream)
		fclose(unit->stream);
	free(unit->text);
	free(unit->error);
	device_row_release(&unit->row);
	http_transfer_release(&unit->transfer);
	free(unit);
}

struct unit *unit_new(struct export_loop *loop, uint64_t index)
{
	struct unit *unit = calloc(1, sizeof(*unit));
	if (!unit)
		return NULL;
	unit->index = index;
	unit->page = 1;
	paging_init(&unit->paging, loop->request->limit);
	http_transfer_init_limit(&unit->transfer, HTTP_READ_RESPONSE_LIMIT);
	unit->transfer.method = "GET";
	unit->stream = open_memstream(&unit->text, &unit->text_size);
	if (!unit->stream) {
		unit_free(unit);
		return NULL;
	}
	return unit;
}

/* What unit reads: a side read's list, or the request's endpoint. */
const struct read_endpoint *unit_endpoint(const struct export_loop *loop, const struct unit *unit)
{
	return unit->side ? unit->side->endpoint : loop->request->endpoint;
}

const struct export_sink *unit_sink(const struct export_loop *loop, const struct unit *unit)
{
	return unit->side ? unit->side->sink : loop->output->sink;
}

/* --- the order of units and where they come from --- */

/* The next device of the manifest or of request->devices: 1, 0 at the end, -1 error. */
static int next_device(struct export_loop *loop, struct device_row *row)
{
	const struct export_device_list *list = loop->request->devices;
	if (!list)
		return device_source_next(&loop->source, row, loop->error);
	memset(row, 0, sizeof(*row));
	if (loop->listed >= list->count)
		return 0;
	if (list->at(list->context, loop->listed++, row) < 0) {
		device_row_release(row);
		error_set(loop->error, "out of memory");
		return -1;
	}
	return 1;
}

int export_open_source(struct export_loop *loop)
{
	const struct export_request *request = loop->request;
	if (request->devices) {
		/* resuming: the devices already written are passed over */
		uint64_t skip = loop->output->skip_units;
		loop->listed =
		    skip < request->devices->count ? (size_t)skip : request->devices->count;
		return 0;
	}
	if (device_source_open(&loop->source, request->manifest_path, request->maps,
	                       request->map_count, request->sets, request->set_count,
	                       loop->error) < 0) {
		device_source_close(&loop->source);
		loop->exit_code = 2;
		return -1;
	}
	loop->source_open = true;
	struct manifest *manifest = loop->source.manifest;
	size_t count = manifest_column_count(manifest);
	/* A JSONL manifest has no header yet: its errors.csv names the fields. */
	static const char *const fallback[] = {"device_name", "id_type"};
	size_t columns = count ? count : 2;
	loop->error_columns = calloc(columns, sizeof(char *));
	if (!loop->error_columns)
		return export_loop_stop(loop, 3, "out of memory");
	for (size_t index = 0; index < columns; index++) {
		loop->error_columns[index] =
		    strdup(count ? manifest_column_name(manifest, index) : fallback[index]);
		if (!loop->error_columns[index])
			return export_loop_stop(loop, 3, "out of memory");
		loop->error_column_count++;
	}
	if (loop->output->errors && loop->output->errors_header) {
		struct csv_writer csv;
		csv_writer_init(&csv, loop->output->errors);
		for (size_t index = 0; index < loop->error_column_count; index++)
			csv_writer_cell(&csv, loop->error_columns[index]);
		/* as run's errors.csv: the row's own cells, then where it came from */
		csv_writer_cell_raw(&csv, "error");
		csv_writer_cell_raw(&csv, "source_row");
		csv_writer_cell_raw(&csv, "source_line");
		csv_writer_end_line(&csv);
	}
	/* Resuming: the rows already written are read past, not re-read from the API. */
	for (uint64_t skipped = 0; skipped < loop->output->skip_units; skipped++) {
		struct device_row row;
		int next = next_device(loop, &row);
		device_row_release(&row);
		if (next < 0)
			return export_loop_stop(loop, 3, NULL);
		if (next == 0) {
			loop->source_done = true;
			break;
		}
	}
	return 0;
}

/* Creates units while the window has room. Returns 0 or -1 (stopping). */
int export_fill_window(struct export_loop *loop)
{
	bool per_device = loop->request->endpoint->per_device;
	while (loop->next - loop->first < loop->window_size) {
		if (per_device && loop->source_done)
			return 0;
		if (!per_device && (loop->listing_done || loop->next + 1 > loop->planned_last))
			return 0;
		struct unit *unit = unit_new(loop, loop->next);
		if (!unit)
			return export_loop_stop(loop, 3, "out of memory");
		if (per_device) {
			int next = next_device(loop, &unit->row);
			if (next <= 0) {
				unit_free(unit);
				if (next < 0)
					return export_loop_stop(loop, 2, NULL);
				loop->source_done = true;
				return 0;
			}
			if (unit->row.problem) {
				unit->error = strdup(unit->row.problem);
				unit->done = true;
			}
		} else {
			unit->page = loop->next + 1;
		}
		loop->window[loop->next % loop->window_size] = unit;
		loop->next++;
	}
	return 0;
}

/* A write failed (a full disk, an I/O error): what reached the file since the
 * last commit is not trusted; the checkpoint keeps the last good length. */
static int broken_output(struct export_loop *loop)
{
	loop->output_broken = true;
	loop->stopping = false;
	loop->exit_code = 0;
	/* how to go on depends on where the export goes: the CLI's closing line says */
	return export_loop_stop(
	    loop, 3, "cannot write the export (disk full or I/O error); free space first");
}

/* Writes finished units in order; commits about every COMMIT_EVERY_MS. */
int export_write_finished(struct export_loop *loop, bool final)
{
	struct export_output *output = loop->output;
	if (loop->output_broken)
		return -1;
	while (loop->first < loop->next) {
		struct unit *unit = loop->window[loop->first % loop->window_size];
		if (!unit->done)
			break;
		if (fflush(unit->stream) != 0)
			return export_loop_stop(loop, 3, "out of memory formatting records");
		if (unit->text_size && output->records &&
		    fwrite(unit->text, 1, unit->text_size, output->records) != unit->text_size)
			return broken_output(loop);
		if (unit->error && output->sink && output->sink->row_error) {
			loop->totals->errors++;
			loop->row_errors_this_run++;
			if (output->sink->row_error(output->sink->context, &unit->row,
			                            unit->error_status, unit->error) < 0)
				return export_loop_stop(loop, 3, NULL);
		} else if (unit->error) {
			loop->totals->errors++;
			loop->row_errors_this_run++;
			if (output->errors) {
				struct csv_writer csv;
				csv_writer_init(&csv, output->errors);
				for (size_t index = 0; index < loop->error_column_count; index++) {
					const char *value = NULL;
					if (loop->source.manifest &&
					    manifest_column_count(loop->source.manifest))
						value = index < unit->row.value_count
						            ? unit->row.values[index]
						            : NULL;
					else
						value = index == 0 ? unit->row.device
						                   : unit->row.id_type;
					csv_writer_cell(&csv, value);
				}
				char number[24];
				csv_writer_cell(&csv, unit->error);
				snprintf(number, sizeof(number), "%" PRIu64, unit->row.row);
				csv_writer_cell_raw(&csv, number);
				snprintf(number, sizeof(number), "%" PRIu64, unit->row.line);
				csv_writer_cell_raw(&csv, number);
				csv_writer_end_line(&csv);
			}
			export_loop_progress_clear(loop);
			fprintf(stderr, "lattigo-batch: export: row %" PRIu64 ": %s\n",
			        unit->row.row, unit->error);
		}
		if ((output->records && ferror(output->records)) ||
		    (output->errors && ferror(output->errors)))
			return broken_output(loop);
		loop->totals->records += unit->records;
		loop->totals->units++;
		loop->window[loop->first % loop->window_size] = NULL;
		unit_free(unit);
		loop->first++;
	}
	int64_t now = clock_monotonic_ms();
	if (!final && now - loop->last_commit_ms < COMMIT_EVERY_MS)
		return 0;
	loop->last_commit_ms = now;
	if ((output->records && fflush(output->records) != 0) ||
	    (output->errors && fflush(output->errors) != 0))
		return broken_output(loop);
	if (output->audit && audit_commit(output->audit, loop->error) < 0)
		return export_loop_stop(loop, 3, NULL);
	if (output->commit && output->commit(output->context, loop->totals, loop->error) < 0)
		return export_loop_stop(loop, 3, NULL);
	return 0;
}
