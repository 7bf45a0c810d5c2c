/* The export's transfer loop (libcurl's multi interface, moved socket by
 * socket through http/multi_events): reads of a window of units (manifest
 * rows, or pages of an account listing) run concurrently; finished units are written strictly in
 * order, so the output never depends on timing and a resume continues at a unit boundary. Each read
 * is an http_transfer (the one HTTP layer: handle set-up, capped capture, how it ended); pacing and
 * retries reuse the engine's pieces: token bucket, AIMD, backoff, retry budget and the Retry-After
 * parser (through read_answer.c). The window and its output order, a listing's size and paging
 * and one read's answer are in export_window.c, export_listing.c and export_answer.c. */
#include "export/export_loop_internal.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/random.h"
#include "common/strbuf.h"
#include "http/aimd.h"
#include "http/backoff.h"
#include "http/multi_events.h"
#include "http/transfer.h"
#include "common/rate_limiter.h"
#include "export/paging.h"
#include "export/read_endpoint.h"

#define POLL_MAX_MS 250

/* A line of ours goes to stderr: the progress display steps aside first. */
void export_loop_progress_clear(const struct export_loop *loop)
{
	if (loop->request->progress_clear)
		loop->request->progress_clear(loop->request->progress_context);
}

int export_loop_stop(struct export_loop *loop, int exit_code, const char *message)
{
	if (!loop->stopping) {
		loop->stopping = true;
		loop->exit_code = exit_code;
		if (message)
			error_set(loop->error, "%s", message);
	}
	return -1;
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
		return export_loop_stop(loop, 3, "the request URL is too long");
	if (http_transfer_prepare(&unit->transfer, &loop->settings, unit) < 0)
		return export_loop_stop(loop, 3, "cannot set up a transfer (out of memory)");
	unit->attempt++;
	if (unit->attempt == 1)
		retry_budget_count_call(&loop->budget);
	unit->started_mono_ms = clock_monotonic_ms();
	unit->started_wall_ms = clock_wall_ms();
	if (curl_multi_add_handle(loop->events.multi, unit->transfer.easy) != CURLM_OK)
		return export_loop_stop(loop, 3, "cannot start a transfer");
	unit->in_flight = true;
	loop->in_flight++;
	loop->totals->calls++;
	return 0;
}

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
			export_size_listing_early(loop, unit);
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
	if (export_write_finished(loop, false) < 0 || export_fill_window(loop) < 0 ||
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
	export_finish_read(loop, unit, unit->result);
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
			export_loop_stop(loop, 3, "stopped by a signal");
			break;
		}
		/* written first: the units written make room for new ones */
		if (export_write_finished(loop, false) < 0 || export_fill_window(loop) < 0)
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
			export_loop_stop(loop, 3,
			                 "the transfer loop failed (out of memory or poll)");
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
		if (export_open_source(&loop) == 0)
			run_loop(&loop);
	} else {
		run_loop(&loop);
	}
	if (!loop.stopping || loop.exit_code != 2)
		export_write_finished(&loop, true);
	if (!loop.stopping && all_written(&loop))
		totals->complete = true;
	loop_release(&loop);
	if (loop.stopping || !totals->complete)
		return loop.exit_code ? loop.exit_code : 3;
	return totals->errors ? 1 : 0;
}
