/* The export's transfer loop (libcurl's multi interface, moved socket by
 * socket through http/multi_events): reads of a window of units (manifest
 * rows, or pages of an account listing) run concurrently; finished units are written strictly in
 * order, so the output never depends on timing and a resume continues at a unit boundary. Each read
 * is an http_transfer (the one HTTP layer: handle set-up, capped capture, how it ended); pacing and
 * retries reuse the engine's pieces: token bucket, AIMD, backoff, retry budget and the Retry-After
 * parser (through read_answer.c). */
#include "export/export.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/random.h"
#include "common/csv_writer.h"
#include "common/hash.h"
#include "http/aimd.h"
#include "http/backoff.h"
#include "http/multi_events.h"
#include "http/transfer.h"
#include "common/rate_limiter.h"
#include "export/device_source.h"
#include "export/paging.h"
#include "export/read_answer.h"
#include "export/record_format.h"

#define COMMIT_EVERY_MS 1000
#define POLL_MAX_MS     250

struct unit;

/* The transfers that ended and wait to be handled, in the order they ended. */
struct answered_queue {
	struct unit *head, **tail;
	unsigned failed; /* of them, ended without a 2xx: they may change what starts */
};

/* One unit of work, written as a whole once every page of it is read. */
struct unit {
	uint64_t index;        /* position in the output order */
	struct device_row row; /* per-device kinds */
	uint64_t page;         /* the page to read next */
	struct paging paging;
	bool done, in_flight;
	bool parked; /* refused before the listing's size was known: waits for it (refused_past_end)
	              */
	bool answered;    /* its transfer ended and waits to be handled (read_finished) */
	CURLcode result;  /* how it ended, while answered */
	bool answered_ok; /* with a 2xx, while answered */
	struct unit *next_answered;
	const struct export_side_read *side; /* a list read alongside, NULL: the request's own */
	char *error;                         /* the row's error (errors.csv), owned */
	long error_status;                   /* the HTTP status that made it, 0 when none */
	unsigned attempt;
	int64_t not_before_ms;
	char *text; /* formatted records, through an open_memstream */
	size_t text_size;
	FILE *stream;
	uint64_t records;
	struct http_transfer transfer;
	int64_t started_wall_ms, started_mono_ms; /* of the read in flight */
};

struct export_loop {
	const struct export_request *request;
	struct export_output *output;
	struct export_totals *totals;
	struct error *error;
	struct http_settings settings; /* every read's handle, from request->transport */
	int exit_code;                 /* the first stop's */
	bool stopping;
	bool output_broken;         /* a write failed: nothing more may be written or committed */
	struct multi_events events; /* the multi handle, moved socket by socket */
	struct answered_queue answered;
	struct device_source source;
	bool source_open, source_done;
	size_t listed;        /* request->devices: the next index */
	char **error_columns; /* errors.csv header: the manifest's columns (owned) */
	size_t error_column_count;
	struct unit **window; /* ring of window_size units, by index */
	size_t window_size;
	struct unit **side; /* request->side_reads, one unit each, outside the window */
	size_t side_count;
	uint64_t first, next; /* unit indexes: oldest not written, next to create */
	/* account listings: pages known to exist, and whether the listing ended */
	uint64_t planned_last;
	uint64_t page_cap;  /* the sink's listing() ended the listing here (0: no cap) */
	bool listing_sized; /* a page told the listing's size (size_listing) */
	int64_t last_page;  /* the listing's last page as its headers tell it, -1: not told */
	bool listing_done;
	struct paging listing;
	unsigned in_flight;
	struct aimd aimd;
	struct rate_limiter limiter;
	struct retry_budget budget;
	uint64_t random;
	int64_t pause_until_ms; /* a 429 holds every read until then */
	int64_t last_commit_ms;
	uint64_t exchange_sequence;
	uint64_t row_errors_this_run;
};

/* A line of ours goes to stderr: the progress display steps aside first. */
static void progress_clear(const struct export_loop *loop)
{
	if (loop->request->progress_clear)
		loop->request->progress_clear(loop->request->progress_context);
}

static int stop(struct export_loop *loop, int exit_code, const char *message)
{
	if (!loop->stopping) {
		loop->stopping = true;
		loop->exit_code = exit_code;
		if (message)
			error_set(loop->error, "%s", message);
	}
	return -1;
}

static void unit_free(struct unit *unit)
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

static struct unit *unit_new(struct export_loop *loop, uint64_t index)
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
static const struct read_endpoint *unit_endpoint(const struct export_loop *loop,
                                                 const struct unit *unit)
{
	return unit->side ? unit->side->endpoint : loop->request->endpoint;
}

static const struct export_sink *unit_sink(const struct export_loop *loop, const struct unit *unit)
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

static int open_source(struct export_loop *loop)
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
		return stop(loop, 3, "out of memory");
	for (size_t index = 0; index < columns; index++) {
		loop->error_columns[index] =
		    strdup(count ? manifest_column_name(manifest, index) : fallback[index]);
		if (!loop->error_columns[index])
			return stop(loop, 3, "out of memory");
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
			return stop(loop, 3, NULL);
		if (next == 0) {
			loop->source_done = true;
			break;
		}
	}
	return 0;
}

/* Creates units while the window has room. Returns 0 or -1 (stopping). */
static int fill_window(struct export_loop *loop)
{
	bool per_device = loop->request->endpoint->per_device;
	while (loop->next - loop->first < loop->window_size) {
		if (per_device && loop->source_done)
			return 0;
		if (!per_device && (loop->listing_done || loop->next + 1 > loop->planned_last))
			return 0;
		struct unit *unit = unit_new(loop, loop->next);
		if (!unit)
			return stop(loop, 3, "out of memory");
		if (per_device) {
			int next = next_device(loop, &unit->row);
			if (next <= 0) {
				unit_free(unit);
				if (next < 0)
					return stop(loop, 2, NULL);
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
	return stop(loop, 3, "cannot write the export (disk full or I/O error); free space first");
}

/* Writes finished units in order; commits about every COMMIT_EVERY_MS. */
static int write_finished(struct export_loop *loop, bool final)
{
	struct export_output *output = loop->output;
	if (loop->output_broken)
		return -1;
	while (loop->first < loop->next) {
		struct unit *unit = loop->window[loop->first % loop->window_size];
		if (!unit->done)
			break;
		if (fflush(unit->stream) != 0)
			return stop(loop, 3, "out of memory formatting records");
		if (unit->text_size && output->records &&
		    fwrite(unit->text, 1, unit->text_size, output->records) != unit->text_size)
			return broken_output(loop);
		if (unit->error && output->sink && output->sink->row_error) {
			loop->totals->errors++;
			loop->row_errors_this_run++;
			if (output->sink->row_error(output->sink->context, &unit->row,
			                            unit->error_status, unit->error) < 0)
				return stop(loop, 3, NULL);
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
			progress_clear(loop);
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
		return stop(loop, 3, NULL);
	if (output->commit && output->commit(output->context, loop->totals, loop->error) < 0)
		return stop(loop, 3, NULL);
	return 0;
}

/* --- one read --- */

/* The read's path and query, relative to the API root. */
static int build_path(struct export_loop *loop, struct unit *unit)
{
	const struct export_request *request = loop->request;
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	struct strbuf *url = &unit->transfer.path;
	strbuf_reset(url);
	const char *slot = strstr(endpoint->path, "{device_name}");
	if (slot && unit->row.device) {
		char *escaped = curl_easy_escape(NULL, unit->row.device, 0);
		if (!escaped)
			return -1;
		strbuf_append(url, endpoint->path, (size_t)(slot - endpoint->path));
		strbuf_append_string(url, escaped);
		strbuf_append_string(url, slot + strlen("{device_name}"));
		curl_free(escaped);
	} else {
		strbuf_append_string(url, endpoint->path);
	}
	unsigned parameters = endpoint->parameters;
	char number[32];
	int result = 0;
	if (parameters & READ_PARAM_DETAILS && !request->no_details)
		result |= http_query_add(url, "details", "true");
	if (parameters & READ_PARAM_STATE)
		result |= http_query_add(url, "state", request->state);
	if (parameters & READ_PARAM_ID_TYPE)
		result |= http_query_add(url, "id_type", unit->row.id_type);
	if (parameters & READ_PARAM_DATES) {
		result |= http_query_add(url, "start_date", request->start_date);
		result |= http_query_add(url, "end_date", request->end_date);
	}
	if (parameters & READ_PARAM_DIRECTION)
		result |= http_query_add(url, "direction", request->direction);
	if (parameters & READ_PARAM_LIMIT) {
		snprintf(number, sizeof(number), "%" PRIu64,
		         request->limit ? request->limit : (uint64_t)READ_LIMIT_ALL);
		result |= http_query_add(url, "limit", number);
	}
	if (endpoint->paging == READ_PAGED) {
		snprintf(number, sizeof(number), "%" PRIu64, unit->page);
		result |= http_query_add(url, "page", number);
		snprintf(number, sizeof(number), "%" PRIu64,
		         unit->side ? unit->side->per_page : request->per_page);
		result |= http_query_add(url, "per_page", number);
	}
	return result == 0 && url->data ? 0 : -1;
}

static int start_read(struct export_loop *loop, struct unit *unit)
{
	if (build_path(loop, unit) < 0)
		return stop(loop, 3, "the request URL is too long");
	if (http_transfer_prepare(&unit->transfer, &loop->settings, unit) < 0)
		return stop(loop, 3, "cannot set up a transfer (out of memory)");
	unit->attempt++;
	if (unit->attempt == 1)
		retry_budget_count_call(&loop->budget);
	unit->started_mono_ms = clock_monotonic_ms();
	unit->started_wall_ms = clock_wall_ms();
	if (curl_multi_add_handle(loop->events.multi, unit->transfer.easy) != CURLM_OK)
		return stop(loop, 3, "cannot start a transfer");
	unit->in_flight = true;
	loop->in_flight++;
	loop->totals->calls++;
	return 0;
}

static void record_exchange(struct export_loop *loop, struct unit *unit, long status,
                            const char *problem)
{
	if (!loop->output->audit)
		return;
	struct http_transfer *transfer = &unit->transfer;
	const char *url = strbuf_text(&transfer->path);
	while (*url == '/')
		url++;
	struct exchange exchange = {
	    .sequence = loop->exchange_sequence++,
	    .started_at_ms = unit->started_wall_ms,
	    .finished_at_ms = clock_wall_ms(),
	    .method = "GET",
	    .url = url,
	    .request_body = NULL,
	    .request_length = 0,
	    .http_status = status,
	    .curl_error = problem,
	    .response_headers = strbuf_text(&transfer->headers),
	    .response_headers_length = transfer->headers.length,
	    .response_body = strbuf_text(&transfer->response),
	    .response_length = transfer->response.length,
	    .attempt = unit->attempt,
	    .rows = unit->row.row ? &unit->row.row : NULL,
	    .row_count = unit->row.row ? 1 : 0,
	};
	if (audit_record_exchange(loop->output->audit, &exchange, loop->error) < 0)
		stop(loop, 3, NULL);
}

/* Account listings: after the last page known to exist, the paging rule says
 * whether more follow; the first page's X-Total-Pages plans all of them. */
static uint64_t body_hash(const struct unit *unit)
{
	return hash64_bulk(strbuf_text(&unit->transfer.response), unit->transfer.response.length,
	                   0);
}

/* The most pages of the listing to read: --max-pages, or fewer when the
 * sink ended the listing (0: no limit). */
static uint64_t listing_max_pages(const struct export_loop *loop)
{
	uint64_t max_pages = loop->request->max_pages;
	if (loop->page_cap && (!max_pages || loop->page_cap < max_pages))
		max_pages = loop->page_cap;
	return max_pages;
}

/* The pages refused while the listing's size was unknown, now that it is:
 * past its last page they are empty; any other is read again (and a refusal
 * then is the read error it is). */
static void settle_parked(struct export_loop *loop)
{
	for (uint64_t index = loop->first; index < loop->next; index++) {
		struct unit *unit = loop->window[index % loop->window_size];
		if (!unit->parked)
			continue;
		unit->parked = false;
		if (loop->last_page >= 0 && unit->page > (uint64_t)loop->last_page)
			unit->done = true;
	}
}

/* The listing's size, from the first answered page whose headers tell it
 * (X-Total-Pages, or X-Total and X-Per-Page) — read before its records
 * are, so the next pages can be asked at once — or else from page 1 and
 * its number of records (counted). The sink's listing() learns it once. */
static void size_listing(struct export_loop *loop, const struct unit *unit,
                         const struct page_headers *headers, size_t count, bool counted)
{
	if (loop->listing_sized)
		return;
	bool told = headers->total_pages >= 0 || (headers->total >= 0 && headers->per_page > 0);
	if (!told && !(counted && unit->page == loop->output->skip_units + 1))
		return;
	loop->listing_sized = true;
	loop->totals->listing_total = headers->total;
	if (headers->total_pages >= 0)
		loop->last_page = headers->total_pages;
	else if (headers->total >= 0 && headers->per_page > 0)
		loop->last_page = (headers->total + headers->per_page - 1) / headers->per_page;
	settle_parked(loop);
	const struct export_sink *sink = loop->output->sink;
	if (sink && sink->listing && !sink->listing(sink->context, headers, count))
		loop->page_cap = loop->planned_last;
	if (headers->total_pages > 0 && (uint64_t)headers->total_pages > loop->planned_last)
		loop->planned_last = (uint64_t)headers->total_pages;
	uint64_t max_pages = listing_max_pages(loop);
	if (max_pages && loop->planned_last > max_pages)
		loop->planned_last = max_pages;
}

/* A page's answer arrived (not yet read): when it tells the listing's size,
 * the pages after the first ones can be asked now. */
static void size_listing_early(struct export_loop *loop, const struct unit *unit)
{
	const struct read_endpoint *endpoint = loop->request->endpoint;
	if (loop->listing_sized || unit->side || endpoint->per_device ||
	    endpoint->paging != READ_PAGED)
		return;
	struct page_headers headers;
	page_headers_read(&headers, strbuf_text(&unit->transfer.headers));
	size_listing(loop, unit, &headers, 0, false);
}

static int plan_pages(struct export_loop *loop, struct unit *unit, size_t count)
{
	struct page_headers read;
	page_headers_read(&read, strbuf_text(&unit->transfer.headers));
	const struct page_headers *headers = &read;
	size_listing(loop, unit, headers, count, true);
	uint64_t max_pages = listing_max_pages(loop);
	if (max_pages && loop->planned_last > max_pages)
		loop->planned_last = max_pages;
	if (max_pages && unit->page >= max_pages) {
		loop->listing_done = true;
		return 0;
	}
	if (unit->page != loop->planned_last)
		return 0;
	uint64_t next = 0;
	loop->listing.page = unit->page;
	enum paging_verdict verdict =
	    paging_after_page(&loop->listing, headers, count, body_hash(unit), &next);
	if (verdict == PAGING_LOOP)
		return stop(loop, 3,
		            "the API sent the same page again (or pointed back); stopped "
		            "rather than read forever");
	if (verdict == PAGING_DONE)
		loop->listing_done = true;
	else if (next > loop->planned_last)
		loop->planned_last = max_pages && next > max_pages ? max_pages : next;
	return 0;
}

static int accept_text(struct export_loop *loop, struct unit *unit);
static int after_answer(struct export_loop *loop, struct unit *unit, size_t count);

static int accept_answer(struct export_loop *loop, struct unit *unit)
{
	const struct export_request *request = loop->request;
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	struct http_transfer *transfer = &unit->transfer;
	const struct export_sink *sink = unit_sink(loop, unit);
	if (sink && sink->answer)
		return accept_text(loop, unit);
	json_error_t parse_error;
	json_t *answer = json_loadb(strbuf_text(&transfer->response), transfer->response.length, 0,
	                            &parse_error);
	bool shape_ok = answer && (endpoint->paging == READ_OBJECT ? json_is_object(answer)
	                                                           : json_is_array(answer));
	if (!shape_ok) {
		json_decref(answer);
		return 1; /* not an answer: retried like a 5xx */
	}
	size_t count = json_is_array(answer) ? json_array_size(answer) : 1;
	size_t keep = unit->row.device ? paging_keep(&unit->paging, count) : count;
	const char *device = endpoint->per_device ? unit->row.device : NULL;
	struct record_format format = {endpoint, request->jsonl, request->no_details};
	const struct device_row *row = endpoint->per_device ? &unit->row : NULL;
	int result = 0;
	if (sink && sink->record) {
		for (size_t index = 0; index < keep && result == 0; index++)
			result = sink->record(sink->context, row,
			                      json_is_array(answer) ? json_array_get(answer, index)
			                                            : answer);
	} else if (json_is_array(answer)) {
		for (size_t index = 0; index < keep && result == 0; index++)
			result = record_format_write(unit->stream, &format,
			                             json_array_get(answer, index), device);
	} else {
		result = record_format_write(unit->stream, &format, answer, device);
	}
	json_decref(answer);
	if (result < 0 || ferror(unit->stream))
		return stop(loop, 3, "out of memory formatting records");
	unit->records += keep;
	return after_answer(loop, unit, count);
}

/* The sink read the body as text (export_sink.answer). */
static int accept_text(struct export_loop *loop, struct unit *unit)
{
	const struct export_sink *sink = unit_sink(loop, unit);
	const struct strbuf *body = &unit->transfer.response;
	size_t count = 0;
	int taken =
	    sink->answer(sink->context, unit_endpoint(loop, unit)->per_device ? &unit->row : NULL,
	                 strbuf_text(body), body->length, &count);
	if (taken < 0)
		return stop(loop, 3, NULL);
	if (taken > 0)
		return 1; /* not an answer: retried like a 5xx */
	unit->records += count;
	return after_answer(loop, unit, count);
}

/* After a unit's answer was kept: done, or the next page (paging.h). */
static int after_answer(struct export_loop *loop, struct unit *unit, size_t count)
{
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	struct http_transfer *transfer = &unit->transfer;
	/* the body's hash (a server repeating a page) is taken only where a
	 * paging decision needs it: over every page of a listing it cost more
	 * than reading the page */
	if (endpoint->paging != READ_PAGED) {
		unit->done = true;
		return 0;
	}
	if (!endpoint->per_device && !unit->side) {
		unit->done = true;
		return plan_pages(loop, unit, count);
	}
	/* a device's own pages, or a list read alongside: page after page */
	uint64_t next = 0;
	struct page_headers headers;
	page_headers_read(&headers, strbuf_text(&transfer->headers));
	enum paging_verdict verdict =
	    paging_after_page(&unit->paging, &headers, count, body_hash(unit), &next);
	if (verdict == PAGING_LOOP)
		return stop(loop, 3,
		            "the API sent the same page again (or pointed back); stopped "
		            "rather than read forever");
	if (verdict == PAGING_DONE) {
		unit->done = true;
	} else {
		unit->page = next;
		unit->attempt = 0;
		unit->not_before_ms = 0;
	}
	return 0;
}

/* The first wave of a listing asks pages before its size is known
 * (export_request.first_pages), so some may lie past its end. The API text
 * does not say what such a page answers: lattigo-sim and kaminari-style APIs
 * send 200 [], others refuse it (400, 404, 416, 422). A refusal of a page
 * past the last one the headers tell is read as an empty page; before any
 * page told the size, the page waits for it (settle_parked). Returns true
 * when the answer was taken so. */
static bool refused_past_end(struct export_loop *loop, struct unit *unit, long status)
{
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	if (unit->side || endpoint->per_device || endpoint->paging != READ_PAGED ||
	    unit->page <= 1 || unit->page > loop->request->first_pages)
		return false;
	if (status != 400 && status != 404 && status != 416 && status != 422)
		return false;
	if (!loop->listing_sized) {
		unit->parked = true;
		return true;
	}
	if (loop->last_page < 0 || unit->page <= (uint64_t)loop->last_page)
		return false;
	unit->done = true;
	return true;
}

static void finish_read(struct export_loop *loop, struct unit *unit, CURLcode result)
{
	struct http_transfer *transfer = &unit->transfer;
	long status = 0;
	const char *problem = "";
	http_transfer_outcome(transfer, result, &status, &problem);
	http_transfer_drop_handle(transfer);
	unit->answered = false;
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	if (loop->request->verbose) {
		progress_clear(loop);
		fprintf(stderr, "GET %s -> %ld (%" PRId64 " ms, attempt %u)\n", endpoint->path,
		        status, clock_monotonic_ms() - unit->started_mono_ms, unit->attempt);
	}
	record_exchange(loop, unit, status, problem);
	if (loop->stopping || (result == CURLE_OK && refused_past_end(loop, unit, status)))
		return;
	char retry_after[128];
	struct read_answer answer = {
	    .result = result,
	    .status = status,
	    .retry_after =
	        http_transfer_header(transfer, "Retry-After", retry_after, sizeof(retry_after)) == 0
	            ? retry_after
	            : NULL,
	    .too_big = transfer->response_too_big,
	    .curl_error = problem,
	    .body = strbuf_text(&transfer->response),
	    .body_length = transfer->response.length,
	    .attempt = unit->attempt,
	    .per_device = endpoint->per_device,
	    .device = unit->row.device,
	};
	int64_t now_wall = clock_wall_ms();
	struct read_decision decision;
	read_decide(&answer, loop->request->max_tries, now_wall, random_next(&loop->random),
	            &decision);
	if (decision.verdict == READ_ACCEPT) {
		aimd_on_success(&loop->aimd);
		int accepted = accept_answer(loop, unit);
		if (accepted <= 0)
			return;
		/* A 200 whose body is not the JSON the API text shows: retried. */
		answer.status = 502;
		read_decide(&answer, loop->request->max_tries, now_wall, random_next(&loop->random),
		            &decision);
		snprintf(decision.message, sizeof(decision.message),
		         "the answer to GET %s is not the JSON the API text shows", endpoint->path);
		if (decision.verdict == READ_STOP_FAILING)
			snprintf(
			    decision.message, sizeof(decision.message),
			    "the API keeps answering something that is not JSON; stopped so the "
			    "export can be resumed later");
	}
	switch (decision.verdict) {
	case READ_ACCEPT:
		return;
	case READ_RETRY:
		if (decision.spends_budget && !retry_budget_try_spend(&loop->budget)) {
			char message[600];
			snprintf(
			    message, sizeof(message),
			    "the API keeps failing (last: %s); the retry budget is spent; stopped "
			    "so the export can be resumed later",
			    decision.message);
			stop(loop, 3, message);
			return;
		}
		loop->totals->retries++;
		if (decision.throttled) {
			loop->totals->throttled++;
			aimd_on_throttled(&loop->aimd, clock_monotonic_ms());
			int64_t until = clock_monotonic_ms() + decision.delay_ms;
			if (until > loop->pause_until_ms)
				loop->pause_until_ms = until;
		}
		unit->not_before_ms = clock_monotonic_ms() + decision.delay_ms;
		return;
	case READ_DEVICE_ERROR:
		unit->error_status = status;
		unit->error = strdup(decision.message);
		if (!unit->error) {
			stop(loop, 3, "out of memory");
			return;
		}
		/* Records of earlier pages are dropped: a device is all or nothing. */
		fclose(unit->stream);
		free(unit->text);
		unit->text = NULL;
		unit->text_size = 0;
		unit->stream = open_memstream(&unit->text, &unit->text_size);
		unit->records = 0;
		unit->done = true;
		if (!unit->stream)
			stop(loop, 3, "out of memory");
		return;
	case READ_STOP_REFUSED:
	case READ_STOP_FAILING:
	case READ_STOP_LISTING:
		break;
	}
	/* a list read alongside says which it was: the request names only its own */
	char message[sizeof(decision.message) + 64];
	snprintf(message, sizeof(message), "%s%s%s", unit->side ? endpoint->path : "",
	         unit->side ? ": " : "", decision.message);
	stop(loop,
	     decision.verdict == READ_STOP_REFUSED   ? 2
	     : decision.verdict == READ_STOP_LISTING ? 1
	                                             : 3,
	     message);
}

/* Starts due reads, oldest unit first, within concurrency, --rate and any 429 pause. */
/* Starts unit's read when it is due and --rate allows. Returns 0 (started
 * or not due), 1 when --rate holds every read back, -1 (stopping). */
static int start_if_due(struct export_loop *loop, struct unit *unit, int64_t now, int64_t *wait_ms)
{
	if (unit->done || unit->in_flight || unit->answered || unit->parked)
		return 0;
	if (unit->not_before_ms > now) {
		if (unit->not_before_ms - now < *wait_ms)
			*wait_ms = unit->not_before_ms - now;
		return 0;
	}
	if (!rate_limiter_try_take(&loop->limiter, now)) {
		int64_t wait = rate_limiter_wait_ms(&loop->limiter, now);
		if (wait < *wait_ms)
			*wait_ms = wait > 0 ? wait : 1;
		return 1;
	}
	return start_read(loop, unit) < 0 ? -1 : 0;
}

/* Starts due reads — the lists read alongside, then the oldest unit first —
 * within concurrency, --rate and any 429 pause. */
static int start_due(struct export_loop *loop, int64_t *wait_ms)
{
	int64_t now = clock_monotonic_ms();
	*wait_ms = POLL_MAX_MS;
	if (loop->pause_until_ms > now) {
		*wait_ms = loop->pause_until_ms - now;
		return 0;
	}
	size_t count = loop->side_count + (size_t)(loop->next - loop->first);
	for (size_t index = 0; index < count; index++) {
		if (loop->in_flight >= loop->aimd.current)
			return 0;
		struct unit *unit = index < loop->side_count
		                        ? loop->side[index]
		                        : loop->window[(loop->first + (index - loop->side_count)) %
		                                       loop->window_size];
		int started = start_if_due(loop, unit, now, wait_ms);
		if (started != 0)
			return started < 0 ? -1 : 0;
	}
	return 0;
}

static bool all_written(const struct export_loop *loop)
{
	for (size_t index = 0; index < loop->side_count; index++)
		if (!loop->side[index]->done)
			return false;
	bool source_over = loop->request->endpoint->per_device
	                       ? loop->source_done
	                       : loop->listing_done || loop->next >= loop->planned_last;
	return source_over && loop->first == loop->next;
}

static void abort_unit(struct export_loop *loop, struct unit *unit)
{
	if (unit && unit->in_flight) {
		curl_multi_remove_handle(loop->events.multi, unit->transfer.easy);
		http_transfer_drop_handle(&unit->transfer);
		unit->in_flight = false;
		loop->in_flight--;
	}
}

static void abort_in_flight(struct export_loop *loop)
{
	for (size_t index = 0; index < loop->side_count; index++)
		abort_unit(loop, loop->side[index]);
	for (uint64_t index = loop->first; index < loop->next; index++)
		abort_unit(loop, loop->window[index % loop->window_size]);
}

/* Moves every transfer libcurl reports finished onto loop->answered. */
static void collect_finished(struct export_loop *loop)
{
	struct answered_queue *queue = &loop->answered;
	CURLMsg *message;
	int left = 0;
	while ((message = curl_multi_info_read(loop->events.multi, &left))) {
		if (message->msg != CURLMSG_DONE)
			continue;
		void *pointer = NULL;
		curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &pointer);
		struct unit *unit = pointer;
		long status = 0;
		curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		unit->answered_ok =
		    message->data.result == CURLE_OK && status >= 200 && status <= 299;
		unit->result = message->data.result;
		/* message is gone once its handle leaves the multi */
		curl_multi_remove_handle(loop->events.multi, unit->transfer.easy);
		unit->in_flight = false;
		unit->answered = true;
		loop->in_flight--;
		if (unit->answered_ok)
			size_listing_early(loop, unit);
		else
			queue->failed++;
		unit->next_answered = NULL;
		*queue->tail = unit;
		queue->tail = &unit->next_answered;
	}
}

/* Gives free connections their next reads and puts them on the wire at once,
 * before any answer is read (a page of a listing takes milliseconds): the
 * server works on the next pages meanwhile. Not while an answer not handled
 * yet may change what may start (a refusal, a 429 or a failure). */
static int start_next(struct export_loop *loop, int64_t *wait_ms)
{
	*wait_ms = POLL_MAX_MS;
	if (loop->answered.failed || loop->stopping)
		return 0;
	unsigned before = loop->in_flight;
	/* the pages read make room in the window for the next ones */
	if (write_finished(loop, false) < 0 || fill_window(loop) < 0 ||
	    start_due(loop, wait_ms) < 0)
		return -1;
	if (loop->in_flight > before)
		multi_events_run_timers(&loop->events);
	return 0;
}

/* After each socket moved: the transfers that ended get their successors. */
static void after_socket(void *context)
{
	struct export_loop *loop = context;
	collect_finished(loop);
	int64_t wait_ms;
	start_next(loop, &wait_ms);
}

/* Handles the oldest transfer that ended: its answer is read here. */
static void handle_answered(struct export_loop *loop)
{
	struct answered_queue *queue = &loop->answered;
	struct unit *unit = queue->head;
	queue->head = unit->next_answered;
	if (!queue->head)
		queue->tail = &queue->head;
	unit->next_answered = NULL;
	if (!unit->answered_ok)
		queue->failed--;
	finish_read(loop, unit, unit->result);
}

/* Each turn moves every ready socket on, then reads at most one answer: bytes
 * waiting on a socket come first, so a connection whose answer arrived gets
 * its next read before the pages already here are read (eight half-megabyte
 * pages read first held the next wave back by ~5 ms), and a stream of ready
 * sockets still leaves one answer read per turn. */
static void run_loop(struct export_loop *loop)
{
	while (!loop->stopping) {
		if (loop->request->stop && *loop->request->stop) {
			stop(loop, 3, "stopped by a signal");
			break;
		}
		/* written first: the units written make room for new ones */
		if (write_finished(loop, false) < 0 || fill_window(loop) < 0)
			break;
		if (loop->request->progress)
			loop->request->progress(loop->request->progress_context, loop->totals);
		if (all_written(loop))
			break;
		int64_t wait_ms = POLL_MAX_MS;
		if (start_next(loop, &wait_ms) < 0)
			break;
		/* a read that ended as it started (a refused connection) */
		collect_finished(loop);
		bool answers = loop->answered.head != NULL;
		int wait = answers ? 0 : (int)(wait_ms < 1 ? 1 : wait_ms);
		if (multi_events_sweep(&loop->events, wait, after_socket, loop) < 0) {
			stop(loop, 3, "the transfer loop failed (out of memory or poll)");
			break;
		}
		if (loop->answered.head && !loop->stopping)
			handle_answered(loop);
	}
	abort_in_flight(loop);
}

static void loop_release(struct export_loop *loop)
{
	for (uint64_t index = loop->first; index < loop->next; index++)
		unit_free(loop->window[index % loop->window_size]);
	free(loop->window);
	for (size_t index = 0; index < loop->side_count; index++)
		unit_free(loop->side[index]);
	free(loop->side);
	multi_events_release(&loop->events);
	for (size_t index = 0; index < loop->error_column_count; index++)
		free(loop->error_columns[index]);
	free(loop->error_columns);
	if (loop->source_open)
		device_source_close(&loop->source);
}

int export_run(const struct export_request *request, struct export_output *output,
               struct export_totals *totals, struct error *error)
{
	struct export_loop loop;
	memset(&loop, 0, sizeof(loop));
	loop.request = request;
	loop.output = output;
	loop.totals = totals;
	loop.error = error;
	loop.settings = (struct http_settings){
	    .endpoint = request->transport.api_root,
	    .key_name = request->transport.key_name,
	    .api_key = request->transport.api_key,
	    .plain_http = request->transport.plain_http,
	    .ca_bundle = request->transport.ca_bundle,
	    .connect_timeout_ms = request->transport.connect_timeout_ms,
	    .total_timeout_ms = request->transport.total_timeout_ms,
	    .stall_timeout_s = request->transport.stall_timeout_s,
	};
	unsigned concurrency = request->concurrency ? request->concurrency : 1;
	/* Room for the reads in flight and for answers waiting on a slower head
	 * unit; pages of an account listing are large (1000 objects), so fewer. */
	loop.window_size = request->endpoint->per_device
	                       ? (concurrency * 8 < 64 ? 64 : concurrency * 8)
	                       : concurrency * 2 + 2;
	loop.window = calloc(loop.window_size, sizeof(*loop.window));
	int events = multi_events_init(&loop.events);
	if (!loop.window || events < 0) {
		free(loop.window);
		multi_events_release(&loop.events);
		error_set(error, "out of memory");
		return 3;
	}
	if (request->side_read_count) {
		loop.side = calloc(request->side_read_count, sizeof(*loop.side));
		while (loop.side && loop.side_count < request->side_read_count) {
			struct unit *unit = unit_new(&loop, 0);
			if (!unit)
				break;
			unit->side = &request->side_reads[loop.side_count];
			paging_init(&unit->paging, 0);
			loop.side[loop.side_count++] = unit;
		}
		if (loop.side_count < request->side_read_count) {
			loop_release(&loop);
			error_set(error, "out of memory");
			return 3;
		}
	}
	/* The loop itself keeps at most `concurrency` reads in flight; the pool
	 * only needs to keep that many connections alive for reuse. */
	curl_multi_setopt(loop.events.multi, CURLMOPT_MAXCONNECTS, (long)concurrency);
	int64_t now = clock_monotonic_ms();
	aimd_init(&loop.aimd, concurrency, AIMD_RECOVER_AFTER, AIMD_COOLDOWN_MS);
	rate_limiter_init(&loop.limiter, request->rate, now);
	retry_budget_init(&loop.budget, RETRY_BUDGET_RATIO, RETRY_BUDGET_RESERVE);
	loop.random = (uint64_t)clock_wall_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15u;
	loop.last_commit_ms = now;
	loop.answered.tail = &loop.answered.head;
	loop.first = loop.next = output->skip_units;
	loop.planned_last = output->skip_units + 1;
	loop.last_page = -1;
	if (!request->endpoint->per_device && request->first_pages > loop.planned_last)
		loop.planned_last = request->first_pages;
	paging_init(&loop.listing, 0);
	totals->complete = false;
	totals->listing_total = -1;
	if (request->endpoint->per_device) {
		if (open_source(&loop) == 0)
			run_loop(&loop);
	} else {
		run_loop(&loop);
	}
	if (!loop.stopping || loop.exit_code != 2)
		write_finished(&loop, true);
	if (!loop.stopping && all_written(&loop))
		totals->complete = true;
	loop_release(&loop);
	if (loop.stopping || !totals->complete)
		return loop.exit_code ? loop.exit_code : 3;
	return totals->errors ? 1 : 0;
}
