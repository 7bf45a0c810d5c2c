/* One read's answer: recorded in the audit, decided (read_answer.c), then
 * kept as records or through the sink, retried, or made the row's error. */
#include "export/export_loop_internal.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/random.h"
#include "common/strbuf.h"
#include "export/paging.h"
#include "export/read_answer.h"
#include "export/record_format.h"

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
		export_loop_stop(loop, 3, NULL);
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
		return export_loop_stop(loop, 3, "out of memory formatting records");
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
		return export_loop_stop(loop, 3, NULL);
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
		return export_plan_pages(loop, unit, count);
	}
	/* a device's own pages, or a list read alongside: page after page */
	uint64_t next = 0;
	struct page_headers headers;
	page_headers_read(&headers, strbuf_text(&transfer->headers));
	enum paging_verdict verdict =
	    paging_after_page(&unit->paging, &headers, count, export_body_hash(unit), &next);
	if (verdict == PAGING_LOOP)
		return export_loop_stop(
		    loop, 3,
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

void export_finish_read(struct export_loop *loop, struct unit *unit, CURLcode result)
{
	struct http_transfer *transfer = &unit->transfer;
	long status = 0;
	const char *problem = "";
	http_transfer_outcome(transfer, result, &status, &problem);
	http_transfer_drop_handle(transfer);
	unit->answered = false;
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	if (loop->request->verbose) {
		export_loop_progress_clear(loop);
		fprintf(stderr, "GET %s -> %ld (%" PRId64 " ms, attempt %u)\n", endpoint->path,
		        status, clock_monotonic_ms() - unit->started_mono_ms, unit->attempt);
	}
	record_exchange(loop, unit, status, problem);
	if (loop->stopping || (result == CURLE_OK && export_refused_past_end(loop, unit, status)))
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
			export_loop_stop(loop, 3, message);
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
			export_loop_stop(loop, 3, "out of memory");
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
			export_loop_stop(loop, 3, "out of memory");
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
	export_loop_stop(loop,
	                 decision.verdict == READ_STOP_REFUSED   ? 2
	                 : decision.verdict == READ_STOP_LISTING ? 1
	                                                         : 3,
	                 message);
}
