/* The engine's event loop, after curl's parallel transfers (tool_operate.c):
 * refill calls up to the allowed concurrency, poll, perform, read what
 * finished, ask decide.c what to do with each finished call (outcomes, retry,
 * split, read-back, stop) and apply that decision; every retry is scheduled
 * by its start time, never by sleeping. */
#include "engine.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/random.h"
#include "engine/decide.h"
#include "engine/device_order.h"
#include "http/endpoint_policy.h"
#include "http/tls.h"
#include "engine/engine_internal.h"

static struct engine_lane_state *lane_of(const struct engine *engine, unsigned lane)
{
	return &engine->lanes[lane < engine->lane_count ? lane : 0];
}

/* The calls of lane that may still carry a device, for the per-device order. */
static struct device_order_view order_view(const struct engine *engine, unsigned lane)
{
	const struct engine_lane_state *state = lane_of(engine, lane);
	return (struct device_order_view){
	    .op = state->op,
	    .lane = lane,
	    .planner = state->planner,
	    .running = engine->running,
	    .running_count = engine->running_count,
	    .lists = {engine->waiting, engine->due_head, engine->finishing},
	};
}

/* True when lane may start a new chunk now: below its own concurrency and
 * rate, and a chunk of it may go without overtaking a row of its device. */
static bool lane_startable(const struct engine *engine, unsigned lane, int64_t now_ms)
{
	struct engine_lane_state *state = lane_of(engine, lane);
	if (state->running >= state->concurrency || !planner_ready_count(state->planner) ||
	    (state->limited && rate_limiter_wait_ms(&state->limiter, now_ms) > 0))
		return false;
	struct device_order_view view = order_view(engine, lane);
	return device_order_startable(&view);
}

static bool chunk_startable(const struct engine *engine, int64_t now_ms)
{
	for (unsigned lane = 0; lane < engine->lane_count; lane++)
		if (lane_startable(engine, lane, now_ms))
			return true;
	return false;
}

/* The next new chunk, the lanes served in turn (none waits behind another
 * lane's backlog); NULL when no lane may start one. */
static struct chunk *take_chunk(struct engine *engine, int64_t now_ms)
{
	for (size_t tried = 0; tried < engine->lane_count; tried++) {
		unsigned lane = (unsigned)((engine->next_lane + tried) % engine->lane_count);
		if (!lane_startable(engine, lane, now_ms))
			continue;
		struct device_order_view view = order_view(engine, lane);
		struct chunk *chunk = device_order_take(&view);
		if (chunk) {
			engine->next_lane = (lane + 1) % engine->lane_count;
			return chunk;
		}
	}
	return NULL;
}

static size_t ready_chunks(const struct engine *engine)
{
	size_t ready = 0;
	for (size_t lane = 0; lane < engine->lane_count; lane++)
		ready += planner_ready_count(engine->lanes[lane].planner);
	return ready;
}

/* ---- outcomes ---- */

static void enter_stopping(struct engine *engine, int64_t now_ms)
{
	if (engine->stopping)
		return;
	engine->stopping = true;
	engine->stats->stopped = true;
	engine->stop_deadline_ms = now_ms + engine->stop_grace_ms;
}

static void engine_fail(struct engine *engine, int64_t now_ms)
{
	engine->fatal = true;
	enter_stopping(engine, now_ms);
}

/* Counts a row's final outcome, applies --max-errors and hands it to the sink. */
static int engine_record_outcome(struct engine *engine, const struct record *record,
                                 const struct row_outcome *final)
{
	struct row_outcome outcome = *final;
	if (!outcome.finished_at_ms)
		outcome.finished_at_ms = clock_wall_ms();
	switch (outcome.status) {
	case ROW_OK:
		engine->stats->rows_ok++;
		break;
	case ROW_UNCHANGED:
		engine->stats->rows_unchanged++;
		break;
	case ROW_UNKNOWN:
		engine->stats->rows_unknown++;
		break;
	case ROW_SKIPPED:
		engine->stats->rows_skipped++;
		break;
	default:
		engine->stats->rows_error++;
		break;
	}
	const struct engine_config *config = engine->config;
	if (!engine->stopping && config->max_errors.set) {
		const struct engine_stats *stats = engine->stats;
		uint64_t errors = config->errors_before + stats->rows_error;
		uint64_t finished = config->finished_before + stats->rows_ok +
		                    stats->rows_unchanged + stats->rows_error + stats->rows_unknown;
		if (max_errors_exceeded(&config->max_errors, errors, finished)) {
			/* a hopeless job: stop sending; the rest stays for a resume */
			engine->stats->threshold_exceeded = true;
			enter_stopping(engine, clock_monotonic_ms());
		}
	}
	if (engine->sink->row_finished(engine->sink->context, record, &outcome)) {
		error_set(engine->error, "could not record the outcome of row %llu",
		          (unsigned long long)record->row);
		engine->sink_broken = true;
		engine_fail(engine, clock_monotonic_ms());
		return -1;
	}
	return 0;
}

static int engine_report_row(struct engine *engine, const struct record *record,
                             enum row_status status, long http_status, unsigned attempts,
                             const char *message)
{
	struct row_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = status;
	outcome.http_status = (int)http_status;
	outcome.attempts = attempts;
	outcome.finished_at_ms = clock_wall_ms();
	snprintf(outcome.message, sizeof(outcome.message), "%s", message ? message : "");
	return engine_record_outcome(engine, record, &outcome);
}

/* Gives every row of call the same outcome, then frees the call. */
static void engine_finish_call(struct engine *engine, struct call *call, enum row_status status,
                               long http_status, const char *message)
{
	for (size_t index = 0; index < call->count && !engine->sink_broken; index++)
		engine_report_row(engine, call->records[index], status, http_status,
		                  call->row_attempts, message);
	call_free(call);
}

/* ---- scheduling ---- */

static void engine_schedule(struct engine *engine, struct call *call, int64_t not_before_ms)
{
	call->not_before_ms = not_before_ms;
	struct call **slot = &engine->waiting;
	while (*slot && (*slot)->not_before_ms <= not_before_ms)
		slot = &(*slot)->next;
	call->next = *slot;
	*slot = call;
	engine->scheduled_count++;
}

static void engine_schedule_now(struct engine *engine, struct call *call)
{
	call->not_before_ms = 0;
	call->next = NULL;
	if (engine->due_tail)
		engine->due_tail->next = call;
	else
		engine->due_head = call;
	engine->due_tail = call;
	engine->scheduled_count++;
}

static bool have_due(const struct engine *engine, int64_t now_ms)
{
	return engine->due_head || (engine->waiting && engine->waiting->not_before_ms <= now_ms);
}

/* Removes and returns a call whose start time has come: retries first (they
 * have waited already), then splits and read-backs; NULL when none. */
static struct call *next_due(struct engine *engine, int64_t now_ms)
{
	struct call *call = NULL;
	if (engine->waiting && engine->waiting->not_before_ms <= now_ms) {
		call = engine->waiting;
		engine->waiting = call->next;
	} else if (engine->due_head) {
		call = engine->due_head;
		engine->due_head = call->next;
		if (!engine->due_head)
			engine->due_tail = NULL;
	} else {
		return NULL;
	}
	call->next = NULL;
	engine->scheduled_count--;
	if (call->settling) {
		call->settling = false;
		engine->settling_count--;
	}
	return call;
}

/* Removes and returns any queued call, due or not (for shutting down); NULL when none. */
static struct call *next_queued(struct engine *engine)
{
	return next_due(engine, INT64_MAX);
}

/* ---- pulling rows into the planner ---- */

/* A row an earlier run sent without a recorded answer, of an operation that
 * is not idempotent: never sent again; read back where the operation allows
 * it, otherwise unknown. Takes ownership of record. */
static void settle_doubt(struct engine *engine, struct record *record)
{
	static const char why[] = "sent before an interruption, no answer recorded";
	const struct op *op = lane_of(engine, record->lane)->op;
	struct call *lookup = NULL;
	if ((op->flags & OP_RECONCILE_BY_ICCID) && record->value[FIELD_ICCID])
		lookup = call_new(CALL_RECONCILE, &record, 1, 1);
	if (!lookup) {
		char message[512];
		snprintf(message, sizeof(message),
		         "%s; not sent again because %s is not idempotent: check the device "
		         "before re-sending",
		         why, op->name);
		engine_report_row(engine, record, ROW_UNKNOWN, 0, 1, message);
		free(record);
		return;
	}
	lookup->id = ++engine->next_call_id;
	lookup->send_if_absent = true;
	lookup->sent_after_wall_ms = engine->doubts->sent_after_wall_ms;
	snprintf(lookup->ambiguity, sizeof(lookup->ambiguity), "%s", why);
	/* Waiting for the settle time must not hold back the other rows: such
	 * read-backs do not count against the rows planned ahead. */
	lookup->settling = true;
	engine->settling_count++;
	engine_schedule(engine, lookup, engine->doubts->read_back_not_before_ms);
}

/* Reads rows into the planner until target chunks (and queued calls) are
 * ready, the source ends, or the job stops. */
static int pull_rows(struct engine *engine, size_t target, int64_t now_ms)
{
	while (!engine->source_done && !engine->source_idle && !engine->stopping &&
	       ready_chunks(engine) + engine->scheduled_count - engine->settling_count < target) {
		const struct record *record = NULL;
		int got = engine->source->next(engine->source->context, &record, engine->error);
		if (got < 0) {
			error_set(engine->error, "reading the rows to send failed");
			engine_fail(engine, now_ms);
			return -1;
		}
		if (got == ENGINE_SOURCE_LATER) {
			/* partial chunks still fill from rows that finish a lane
			 * before them; planner_flush_stale sends them in time, or
			 * at once when the source says none can come */
			engine->source_idle = true;
			break;
		}
		if (got == 0) {
			engine->source_done = true;
			for (size_t lane = 0; lane < engine->lane_count; lane++)
				planner_flush_all(engine->lanes[lane].planner);
			break;
		}
		if (engine->source->settle) {
			struct row_outcome settled;
			memset(&settled, 0, sizeof(settled));
			const struct record *send = record;
			int verdict = engine->source->settle(engine->source->context, record, &send,
			                                     &settled, engine->error);
			if (verdict < 0) {
				if (!engine->error->set)
					error_set(engine->error,
					          "cannot judge row %llu before sending it",
					          (unsigned long long)record->row);
				engine_fail(engine, now_ms);
				return -1;
			}
			if (verdict == ENGINE_ROW_SETTLED) {
				engine->stats->rows_taken++;
				if (engine_record_outcome(engine, record, &settled) < 0)
					return -1;
				continue;
			}
			record = send;
		}
		struct record *copy = record_clone(record);
		if (copy && (engine->lane_count == 1 || copy->lane >= engine->lane_count))
			copy->lane = 0; /* one lane: whatever the record says */
		const struct engine_lane_state *lane = lane_of(engine, copy ? copy->lane : 0);
		if (!copy || op_batch_key(lane->op, copy, &engine->key)) {
			error_set(engine->error,
			          copy
			              ? "cannot form the batching key of row %llu (values too long)"
			              : "out of memory while planning row %llu",
			          (unsigned long long)record->row);
			free(copy);
			engine_fail(engine, now_ms);
			return -1;
		}
		engine->stats->rows_taken++;
		if ((lane->op->flags & OP_NON_IDEMPOTENT) && engine->doubts &&
		    engine->doubts->in_doubt(engine->doubts->context, copy)) {
			settle_doubt(engine, copy);
			continue;
		}
		if (planner_add(lane->planner, copy, strbuf_text(&engine->key),
		                copy->value[lane->op->key_field], now_ms)) {
			error_set(engine->error, "out of memory while planning row %llu",
			          (unsigned long long)copy->row);
			engine_fail(engine, now_ms);
			return -1;
		}
	}
	for (size_t lane = 0; lane < engine->lane_count; lane++) {
		struct engine_source *source = engine->source;
		bool more =
		    !engine->source_done &&
		    (!source->lane_open || source->lane_open(source->context, (unsigned)lane));
		planner_flush_stale(engine->lanes[lane].planner, now_ms, more);
	}
	return 0;
}

/* ---- starting calls ---- */

static int build_operation_request(struct engine *engine, struct call *call)
{
	json_t *body = NULL;
	const struct op *op = lane_of(engine, call->lane)->op;
	strbuf_reset(&call->transfer.path);
	if (op->build_request(op, (const struct record *const *)call->records, call->count,
	                      &call->transfer.path, &body))
		return -1;
	if (body) {
		call->transfer.body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!call->transfer.body)
			return -1;
		call->transfer.body_length = strlen(call->transfer.body);
	}
	call->transfer.method = op->method;
	return 0;
}

static int build_reconcile_request(struct call *call)
{
	const char *iccid = call->records[0]->value[FIELD_ICCID];
	char *escaped = curl_easy_escape(NULL, iccid, 0);
	if (!escaped)
		return -1;
	strbuf_reset(&call->transfer.path);
	int result = strbuf_appendf(&call->transfer.path, "v2/devices/%s?id_type=iccid", escaped);
	curl_free(escaped);
	call->transfer.method = "GET";
	return result == STRBUF_OK ? 0 : -1;
}

static void start_call(struct engine *engine, struct call *call, int64_t now_ms)
{
	if (!call->built) {
		int built = call->kind == CALL_OPERATION ? build_operation_request(engine, call)
		                                         : build_reconcile_request(call);
		if (built) {
			engine_finish_call(
			    engine, call, call->kind == CALL_OPERATION ? ROW_ERROR : ROW_UNKNOWN, 0,
			    call->kind == CALL_OPERATION
			        ? "could not build the request for this row (too large?)"
			        : "could not build the read-back request; check before re-sending");
			return;
		}
		call->built = true;
	}
	if (call->kind == CALL_OPERATION) {
		if (call->attempt == 0)
			retry_budget_count_call(&engine->budget);
		if (!call->sent_after_wall_ms)
			call->sent_after_wall_ms = clock_wall_ms();
		call->row_attempts++;
		call->transfer.refuse_rewind =
		    (lane_of(engine, call->lane)->op->flags & OP_NON_IDEMPOTENT) != 0;
	}
	call->attempt++;
	if (call->kind == CALL_OPERATION && engine->sink->call_starting &&
	    engine->sink->call_starting(engine->sink->context, call->id,
	                                (const struct record *const *)call->records, call->count,
	                                call->attempt)) {
		error_set(engine->error, "could not record that a call is about to be sent");
		call_free(call);
		engine_fail(engine, now_ms);
		return;
	}
	if (http_transfer_prepare(&call->transfer, &engine->transport, call) ||
	    curl_multi_add_handle(engine->multi, call->transfer.easy) != CURLM_OK) {
		error_set(engine->error, "out of memory while preparing a call");
		call_free(call);
		engine_fail(engine, now_ms);
		return;
	}
	call->started_mono_ms = now_ms;
	call->started_wall_ms = clock_wall_ms();
	lane_of(engine, call->lane)->running++;
	engine->running[engine->running_count++] = call;
	engine->stats->calls++;
}

/* Splits call into calls of at most piece rows, queued in order to start as
 * soon as slots free; the rows move to the new calls. */
static void engine_split_call(struct engine *engine, struct call *call, size_t piece,
                              int64_t now_ms)
{
	for (size_t first = 0; first < call->count; first += piece) {
		size_t count = call->count - first < piece ? call->count - first : piece;
		struct call *part =
		    call_new(CALL_OPERATION, call->records + first, count, call->row_attempts);
		if (!part) {
			/* rows not yet moved are freed with what is left of the call */
			memmove(call->records, call->records + first,
			        (call->count - first) * sizeof(*call->records));
			call->count -= first;
			error_set(engine->error, "out of memory while splitting a call");
			call_free(call);
			engine_fail(engine, now_ms);
			return;
		}
		part->id = ++engine->next_call_id;
		part->sent_after_wall_ms = call->sent_after_wall_ms;
		part->possibly_applied = call->possibly_applied;
		memcpy(part->ambiguity, call->ambiguity, sizeof(part->ambiguity));
		engine_schedule_now(engine, part);
	}
	call_free_keeping_records(call);
}

static unsigned allowed_in_flight(const struct engine *engine)
{
	return engine->aimd.current < engine->concurrency ? engine->aimd.current
	                                                  : engine->concurrency;
}

/* Starts calls while slots and tokens allow: due retries, bisected halves and
 * read-backs first (they finish work already begun), then new chunks. */
static void start_calls(struct engine *engine, int64_t now_ms)
{
	while (!engine->stopping && engine->running_count < allowed_in_flight(engine) &&
	       now_ms >= engine->hold_until_ms) {
		if (!have_due(engine, now_ms) && !chunk_startable(engine, now_ms))
			return;
		if (rate_limiter_wait_ms(&engine->limiter, now_ms) > 0)
			return;
		struct call *call = next_due(engine, now_ms);
		if (!call) {
			/* in manifest order per device (device_order.c) */
			struct chunk *chunk = take_chunk(engine, now_ms);
			if (!chunk)
				return;
			call = call_new(CALL_OPERATION, chunk->records, chunk->count, 0);
			if (!call) {
				chunk_free(chunk);
				error_set(engine->error, "out of memory while preparing a call");
				engine_fail(engine, now_ms);
				return;
			}
			call->id = ++engine->next_call_id;
			free(chunk->records);
			free(chunk);
		}
		struct engine_lane_state *lane = lane_of(engine, call->lane);
		if (call->kind == CALL_OPERATION &&
		    call->count > planner_chunk_size(lane->planner)) {
			/* formed before the API taught us a smaller size */
			engine_split_call(engine, call, planner_chunk_size(lane->planner), now_ms);
			continue;
		}
		rate_limiter_try_take(&engine->limiter, now_ms);
		if (lane->limited)
			rate_limiter_try_take(&lane->limiter, now_ms);
		start_call(engine, call, now_ms);
	}
}

/* ---- finished calls ---- */

static void handle_finished(struct engine *engine, struct call *call, CURLcode result,
                            int64_t now_ms);

static void remove_running(struct engine *engine, struct call *call)
{
	for (unsigned index = 0; index < engine->running_count; index++) {
		if (engine->running[index] == call) {
			engine->running[index] = engine->running[--engine->running_count];
			lane_of(engine, call->lane)->running--;
			break;
		}
	}
	curl_multi_remove_handle(engine->multi, call->transfer.easy);
}

/* Takes the finished calls out of the loop, refills their slots and pushes
 * the new requests onto the wire first, then decides about the finished ones:
 * the server works on the next calls while their outcomes are recorded. */
static void read_finished(struct engine *engine, int64_t now_ms)
{
	struct call *finished = NULL;
	struct call **tail = &finished;
	bool all_answered_ok = true;
	CURLMsg *message;
	int left = 0;
	while ((message = curl_multi_info_read(engine->multi, &left))) {
		if (message->msg != CURLMSG_DONE)
			continue;
		struct call *call = NULL;
		curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		call->result = message->data.result;
		long http_status = 0;
		curl_easy_getinfo(call->transfer.easy, CURLINFO_RESPONSE_CODE, &http_status);
		/* 401s, 429s and failures change what may start next: decide first */
		if (call->result != CURLE_OK || http_status < 200 || http_status > 299)
			all_answered_ok = false;
		remove_running(engine, call);
		call->next = NULL;
		*tail = call;
		tail = &call->next;
	}
	if (!finished)
		return;
	unsigned before = engine->running_count;
	engine->finishing = finished; /* their devices are still busy (device_order.c) */
	if (all_answered_ok)
		start_calls(engine, now_ms);
	engine->finishing = NULL;
	if (engine->running_count > before) {
		int running = 0;
		curl_multi_perform(engine->multi, &running);
	}
	while (finished) {
		struct call *call = finished;
		finished = call->next;
		call->next = NULL;
		handle_finished(engine, call, call->result, now_ms);
	}
}

/* ---- applying decisions (the policy itself is decide.c) ---- */

/* What the audit trail and the CLI's sink learn of every exchange. */
static void record_exchange(struct engine *engine, struct call *call, long http_status,
                            const char *problem)
{
	if (!engine->sink->exchange_finished)
		return;
	struct exchange exchange = {
	    .sequence = ++engine->sequence,
	    .started_at_ms = call->started_wall_ms,
	    .finished_at_ms = clock_wall_ms(),
	    .method = call->transfer.method,
	    .url = strbuf_text(&call->transfer.url),
	    .path = strbuf_text(&call->transfer.path),
	    .request_body = call->transfer.body ? call->transfer.body : "",
	    .request_length = call->transfer.body_length,
	    .http_status = http_status,
	    .curl_error = problem,
	    .response_headers = strbuf_text(&call->transfer.headers),
	    .response_headers_length = call->transfer.headers.length,
	    .response_body = strbuf_text(&call->transfer.response),
	    .response_length = call->transfer.response.length,
	    .attempt = call->attempt,
	    .rows = call->rows,
	    .row_count = lane_of(engine, call->lane)->op->flags & OP_NOT_ROWS ? 0 : call->count,
	};
	if (engine->sink->exchange_finished(engine->sink->context, &exchange)) {
		error_set(engine->error, "could not record an exchange in the audit trail");
		engine->sink_broken = true;
		engine_fail(engine, clock_monotonic_ms());
	}
}

/* A read-back of record (moved into the new call), scheduled at once. */
static struct call *new_read_back(struct engine *engine, struct record **record,
                                  const struct call *from, const char *doubt)
{
	struct call *lookup = call_new(CALL_RECONCILE, record, 1, from->row_attempts);
	if (!lookup)
		return NULL;
	lookup->id = ++engine->next_call_id;
	lookup->sent_after_wall_ms = from->sent_after_wall_ms;
	snprintf(lookup->ambiguity, sizeof(lookup->ambiguity), "%.159s", doubt);
	return lookup;
}

/* DECIDE_READ_BACK: each row of call is read back; the call's rows move. */
static void read_back_rows(struct engine *engine, struct call *call, const char *why)
{
	char message[512];
	for (size_t index = 0; index < call->count; index++) {
		struct record *record = call->records[index];
		struct call *lookup =
		    record->value[FIELD_ICCID] ? new_read_back(engine, &record, call, why) : NULL;
		if (!lookup) {
			snprintf(
			    message, sizeof(message),
			    "sent, but no answer (%.300s); the row could not be read back; check "
			    "before re-sending",
			    why);
			engine_report_row(engine, record, ROW_UNKNOWN, 0, call->row_attempts,
			                  message);
			free(record);
			continue;
		}
		engine_schedule_now(engine, lookup);
	}
	call_free_keeping_records(call);
}

/* ROW_ACTION_CONFIRM: the row's refusal stands only once a read-back shows
 * that the earlier try did not land. Returns false when out of memory. */
static bool confirm_refusal(struct engine *engine, struct call *call, size_t index,
                            long http_status, const char *refusal)
{
	struct record *record = call->records[index];
	struct call *lookup = new_read_back(engine, &record, call, call->ambiguity);
	char *text = strdup(refusal);
	if (!lookup || !text) {
		if (lookup)
			call_free_keeping_records(lookup);
		free(text);
		return false;
	}
	lookup->refusal = text;
	lookup->refusal_status = http_status;
	lookup->polls_left = DECIDE_REFUSAL_POLLS;
	engine_schedule_now(engine, lookup);
	return true;
}

/* DECIDE_SEND_AGAIN: a row in doubt after a crash whose device the service
 * says does not exist: the interrupted call never took effect, so the row is
 * sent now, alone, knowing the refusal of a repeat may mean it landed late. */
static void send_absent_row(struct engine *engine, struct call *lookup)
{
	struct call *send =
	    call_new(CALL_OPERATION, lookup->records, lookup->count, lookup->row_attempts);
	if (!send) {
		engine_finish_call(engine, lookup, ROW_UNKNOWN, 404,
		                   "device absent after an interruption, but out of memory to "
		                   "send it again; check before re-sending");
		return;
	}
	send->id = ++engine->next_call_id;
	send->possibly_applied = true;
	send->sent_after_wall_ms = lookup->sent_after_wall_ms;
	snprintf(send->ambiguity, sizeof(send->ambiguity), "%s", lookup->ambiguity);
	call_free_keeping_records(lookup);
	engine_schedule_now(engine, send);
}

/* DECIDE_FINISH: every row's outcome, a confirmation, or nothing (in doubt). */
static void finish_rows(struct engine *engine, struct call *call, const struct decision *decision)
{
	for (size_t index = 0; index < call->count && !engine->sink_broken; index++) {
		const struct decide_row *row = &decision->rows[index];
		if (row->action == ROW_ACTION_IN_DOUBT) {
			free(call->records[index]);
			call->records[index] = NULL;
		} else if (row->action == ROW_ACTION_CONFIRM &&
		           confirm_refusal(engine, call, index, decision->http_status,
		                           row->outcome.message)) {
			call->records[index] = NULL; /* the read-back owns it now */
		} else {
			/* the mapper's outcome whole: a read's device_name too */
			struct row_outcome outcome = row->outcome;
			outcome.http_status = (int)decision->http_status;
			outcome.attempts = call->row_attempts;
			outcome.finished_at_ms = clock_wall_ms();
			engine_record_outcome(engine, call->records[index], &outcome);
		}
	}
	call_free(call);
}

/* Replaces a call refused as too large by calls of the size learnt, which new
 * chunks use too for the rest of the job. */
static void split_refused(struct engine *engine, struct call *call, size_t size, int64_t now_ms)
{
	struct planner *planner = lane_of(engine, call->lane)->planner;
	if (size < planner_chunk_size(planner))
		planner_set_chunk_size(planner, size);
	engine_split_call(engine, call, planner_chunk_size(planner), now_ms);
}

static void apply_decision(struct engine *engine, struct call *call,
                           const struct decision *decision, long http_status, int64_t now_ms)
{
	if (decision->throttled) {
		engine->stats->throttled++;
		aimd_on_throttled(&engine->aimd, now_ms);
	} else if (http_status > 0) {
		aimd_on_success(&engine->aimd);
	}
	if (decision->hold_until_ms > engine->hold_until_ms)
		engine->hold_until_ms = decision->hold_until_ms;
	if (decision->answered) {
		engine->answered++;
		engine->failures_in_a_row = 0;
	}
	if (decision->failed)
		engine->failures_in_a_row++;
	switch (decision->kind) {
	case DECIDE_FINISH:
		finish_rows(engine, call, decision);
		break;
	case DECIDE_RETRY:
		if (decision->count_retry) {
			call->retries++;
			engine->stats->retries++;
		}
		if (decision->spend_budget)
			retry_budget_try_spend(&engine->budget);
		if (decision->mark_possibly_applied && !call->possibly_applied) {
			call->possibly_applied = true;
			snprintf(call->ambiguity, sizeof(call->ambiguity), "%.159s",
			         decision->message);
		}
		if (decision->consume_poll && call->polls_left)
			call->polls_left--;
		engine_schedule(engine, call, decision->retry_at_ms);
		break;
	case DECIDE_SPLIT:
		split_refused(engine, call, decision->split_size, now_ms);
		break;
	case DECIDE_READ_BACK:
		read_back_rows(engine, call, decision->message);
		break;
	case DECIDE_SEND_AGAIN:
		send_absent_row(engine, call);
		break;
	case DECIDE_LEAVE:
		call_free(call);
		break;
	case DECIDE_STOP_JOB:
		error_set(engine->error, "%s", decision->message);
		if (decision->service_failing)
			engine->stats->service_failing = true;
		if (decision->credentials_refused)
			engine->stats->credentials_refused = true;
		call_free(call);
		engine_fail(engine, now_ms);
		break;
	}
}

static bool retry_budget_available(const struct retry_budget *budget)
{
	struct retry_budget copy = *budget;
	return retry_budget_try_spend(&copy);
}

/* Decides about a finished call (decide.c) and applies the decision. */
static void handle_finished(struct engine *engine, struct call *call, CURLcode result,
                            int64_t now_ms)
{
	long http_status = 0;
	const char *problem = "";
	enum http_transport transport =
	    http_transfer_outcome(&call->transfer, result, &http_status, &problem);
	record_exchange(engine, call, http_status, problem);
	if (engine->sink_broken) {
		call_free(call);
		return;
	}
	char retry_after[128];
	char location[256];
	struct decide_answer answer = {
	    .transport = transport,
	    .http_status = http_status,
	    .problem = problem,
	    .body = strbuf_text(&call->transfer.response),
	    .body_length = call->transfer.response.length,
	    .retry_after = http_transfer_header(&call->transfer, "Retry-After", retry_after,
	                                        sizeof(retry_after)) == 0
	                       ? retry_after
	                       : NULL,
	    .location =
	        http_transfer_header(&call->transfer, "Location", location, sizeof(location)) == 0
	            ? location
	            : NULL,
	};
	struct decide_call facts = {
	    .read_back = call->kind == CALL_RECONCILE,
	    .records = (const struct record *const *)call->records,
	    .count = call->count,
	    .attempt = call->attempt,
	    .retries = call->retries,
	    .possibly_applied = call->possibly_applied,
	    .doubt = call->ambiguity,
	    .sent_after_wall_ms = call->sent_after_wall_ms,
	    .send_if_absent = call->send_if_absent,
	    .refusal = call->refusal,
	    .refusal_status = call->refusal_status,
	    .polls_left = call->polls_left,
	};
	struct decide_job job = {
	    .op = lane_of(engine, call->lane)->op,
	    .max_retries = engine->max_retries,
	    .resend_on_5xx = engine->config->resend_on_5xx,
	    .stopping = engine->stopping,
	    .budget_available = retry_budget_available(&engine->budget),
	    .budget_retries = engine->budget.retries,
	    .budget_calls = engine->budget.first_attempts,
	    .answered = engine->answered,
	    .failures_in_a_row = engine->failures_in_a_row,
	    .chunk_size = planner_chunk_size(lane_of(engine, call->lane)->planner),
	    .now_ms = now_ms,
	    .now_wall_ms = clock_wall_ms(),
	    .random = random_next(&engine->random_state),
	};
	struct decision decision;
	decide(&facts, &answer, &job, &decision);
	apply_decision(engine, call, &decision, answer.http_status, now_ms);
	decision_release(&decision);
}

/* Ends the calls still in flight when the grace period after a stop is over.
 * Nothing is reported: rows of a call that may have arrived stay in doubt in
 * the journal, exactly as after a crash, and the resume settles them (read
 * back, or unknown for an operation that cannot be read back); rows of any
 * other call were not applied and are simply sent again. */
static void abort_running(struct engine *engine)
{
	while (engine->running_count) {
		struct call *call = engine->running[engine->running_count - 1];
		remove_running(engine, call);
		call_free(call);
	}
}

/* A call still queued after an early stop: nothing is reported. Its rows were
 * never sent, refused without effect, or are in doubt (a read-back not made,
 * a refusal not confirmed) and stay so for the resume, as after a crash. */
static void engine_abandon_call(struct engine *engine, struct call *call)
{
	(void)engine;
	call_free(call);
}

static void drop_scheduled(struct engine *engine)
{
	struct call *call;
	while ((call = next_queued(engine)))
		engine_abandon_call(engine, call);
}

/* ---- the loop ---- */

static void update_progress(struct engine *engine, int64_t now_ms, bool force)
{
	if (!force && now_ms < engine->next_progress_ms)
		return;
	engine->next_progress_ms = now_ms + PROGRESS_INTERVAL_MS;
	engine->stats->in_flight = engine->running_count;
	engine->stats->elapsed_ms = now_ms - engine->stats->started_ms;
	if (engine->sink->progress)
		engine->sink->progress(engine->sink->context, engine->stats);
}

static bool work_left(const struct engine *engine)
{
	if (engine->running_count || engine->scheduled_count || !engine->source_done)
		return true;
	for (size_t lane = 0; lane < engine->lane_count; lane++)
		if (planner_ready_count(engine->lanes[lane].planner) ||
		    planner_open_rows(engine->lanes[lane].planner))
			return true;
	return false;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* How long the loop may wait for network activity before something else is due. */
static long poll_timeout(struct engine *engine, int64_t now_ms)
{
	int64_t until = engine->next_progress_ms;
	if (engine->stopping) {
		until = min64(until, engine->stop_deadline_ms);
	} else if (engine->running_count < allowed_in_flight(engine)) {
		int64_t start_at = chunk_startable(engine, now_ms) ? now_ms : INT64_MAX;
		if (engine->due_head)
			start_at = now_ms;
		if (engine->waiting)
			start_at = min64(start_at, engine->waiting->not_before_ms);
		if (start_at != INT64_MAX) {
			if (start_at < engine->hold_until_ms)
				start_at = engine->hold_until_ms;
			int64_t token_at = now_ms + rate_limiter_wait_ms(&engine->limiter, now_ms);
			until = min64(until, start_at > token_at ? start_at : token_at);
		}
		for (size_t lane = 0; lane < engine->lane_count; lane++) {
			struct engine_lane_state *state = &engine->lanes[lane];
			until = min64(until, planner_next_stale_ms(state->planner));
			/* a lane held by its own rate starts when its token is there */
			if (state->limited && state->running < state->concurrency &&
			    planner_ready_count(state->planner))
				until = min64(
				    until, now_ms + rate_limiter_wait_ms(&state->limiter, now_ms));
		}
	}
	if (engine->source_idle && !engine->stopping && engine->source->wake_at_ms)
		until = min64(until, engine->source->wake_at_ms(engine->source->context));
	int64_t wait = until - now_ms;
	if (wait < 0)
		wait = 0;
	return (long)wait;
}

static int engine_setup(struct engine *engine, const struct engine_config *config,
                        struct engine_source *source, struct engine_sink *sink,
                        struct engine_stats *stats, struct error *error)
{
	memset(engine, 0, sizeof(*engine));
	memset(stats, 0, sizeof(*stats));
	engine->config = config;
	engine->source = source;
	engine->sink = sink;
	engine->stats = stats;
	engine->error = error;
	engine->concurrency = config->concurrency;
	engine->max_retries = config->max_retries;
	engine->stop_grace_ms =
	    config->stop_grace_ms > 0 ? config->stop_grace_ms : ENGINE_STOP_GRACE_MS;
	strbuf_init(&engine->key, 64 * 1024);
	if ((!config->op && !config->lane_count) || !sink || !sink->row_finished || !source ||
	    !source->next)
		return error_set(error, "engine called without an operation, a source or a sink");
	if (!config->concurrency || config->connect_timeout_ms <= 0 ||
	    config->total_timeout_ms <= 0 || config->stall_timeout_s <= 0)
		return error_set(error, "engine called without a concurrency or timeouts");

	bool plain_http = false;
	if (endpoint_policy_check(config->endpoint, config->allow_insecure_http, &plain_http,
	                          error))
		return -1;
	engine->transport = (struct http_settings){
	    .endpoint = config->endpoint,
	    .key_name = config->key_name ? config->key_name : "",
	    .api_key = config->api_key ? config->api_key : "",
	    .plain_http = plain_http,
	    .ca_bundle = http_ca_bundle(config->cacert),
	    .connect_timeout_ms = config->connect_timeout_ms,
	    .total_timeout_ms = config->total_timeout_ms,
	    .stall_timeout_s = config->stall_timeout_s,
	};

	struct engine_lane single = {config->op, config->chunk, 0, 0};
	const struct engine_lane *lanes = config->lane_count ? config->lanes : &single;
	engine->lane_count = config->lane_count ? config->lane_count : 1;
	engine->lanes = calloc(engine->lane_count, sizeof(*engine->lanes));
	if (!engine->lanes)
		return error_set(error, "out of memory while starting the engine");
	int64_t now = clock_monotonic_ms();
	for (size_t index = 0; index < engine->lane_count; index++) {
		struct engine_lane_state *lane = &engine->lanes[index];
		if (!lanes[index].op)
			return error_set(error, "engine lane %zu has no operation", index);
		lane->op = lanes[index].op;
		lane->concurrency =
		    lanes[index].concurrency && lanes[index].concurrency < engine->concurrency
		        ? lanes[index].concurrency
		        : engine->concurrency;
		lane->limited = lanes[index].rate > 0;
		rate_limiter_init(&lane->limiter, lanes[index].rate, now);
		struct planner_config planning;
		planner_config_defaults(&planning, op_chunk_size(lane->op, lanes[index].chunk));
		lane->planner = planner_new(&planning);
		if (!lane->planner)
			return error_set(error, "out of memory while starting the engine");
	}
	engine->running = calloc(engine->concurrency, sizeof(*engine->running));
	/* Reference-counted by libcurl; done here so no caller has to remember it. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error_set(error, "cannot initialise libcurl");
	engine->curl_initialised = true;
	engine->multi = curl_multi_init();
	if (!engine->running || !engine->multi)
		return error_set(error, "out of memory while starting the engine");
	/* One pool of keep-alive connections, sized to the calls in flight. */
	curl_multi_setopt(engine->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)engine->concurrency);
	curl_multi_setopt(engine->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)engine->concurrency);
	curl_multi_setopt(engine->multi, CURLMOPT_MAXCONNECTS, (long)engine->concurrency + 2);

	rate_limiter_init(&engine->limiter, config->rate, now);
	aimd_init(&engine->aimd, engine->concurrency, AIMD_RECOVER_AFTER, AIMD_COOLDOWN_MS);
	retry_budget_init(&engine->budget, RETRY_BUDGET_RATIO, RETRY_BUDGET_RESERVE);
	engine->random_state = (uint64_t)clock_wall_ms() ^ ((uint64_t)getpid() << 32);
	stats->started_ms = now;
	engine->next_progress_ms = now + PROGRESS_INTERVAL_MS;
	return 0;
}

static void engine_release(struct engine *engine)
{
	for (unsigned index = 0; index < engine->running_count; index++) {
		curl_multi_remove_handle(engine->multi, engine->running[index]->transfer.easy);
		call_free(engine->running[index]);
	}
	engine->running_count = 0;
	struct call *call;
	while ((call = next_queued(engine)))
		call_free(call);
	for (size_t lane = 0; engine->lanes && lane < engine->lane_count; lane++)
		planner_free(engine->lanes[lane].planner);
	free(engine->lanes);
	free(engine->running);
	if (engine->multi)
		curl_multi_cleanup(engine->multi);
	if (engine->curl_initialised)
		curl_global_cleanup();
	strbuf_release(&engine->key);
}

int engine_run(const struct engine_config *config, struct engine_source *source,
               struct engine_sink *sink, struct engine_stats *stats, struct error *error)
{
	return engine_run_resuming(config, source, NULL, sink, stats, error);
}

int engine_run_resuming(const struct engine_config *config, struct engine_source *source,
                        const struct engine_doubts *doubts, struct engine_sink *sink,
                        struct engine_stats *stats, struct error *error)
{
	struct engine engine;
	int result = -1;
	if (engine_setup(&engine, config, source, sink, stats, error))
		goto out;
	engine.doubts = doubts && doubts->in_doubt ? doubts : NULL;

	for (;;) {
		int64_t now = clock_monotonic_ms();
		if (!engine.stopping && config->stop_requested && *config->stop_requested)
			enter_stopping(&engine, now);
		/* rows that finished, or a time that came, may have made work */
		engine.source_idle = false;
		/* First just enough rows to fill free slots, so calls start at once;
		 * then the reserve that keeps the slots busy. */
		if (!engine.stopping)
			pull_rows(&engine, engine.concurrency, now);
		start_calls(&engine, now);
		if (!engine.stopping)
			pull_rows(&engine, (size_t)engine.concurrency * READY_CHUNKS_PER_SLOT, now);
		if (engine.stopping && (!engine.running_count || now >= engine.stop_deadline_ms))
			break;
		if (!engine.stopping && !work_left(&engine))
			break;
		int ready = 0;
		if (curl_multi_poll(engine.multi, NULL, 0, (int)poll_timeout(&engine, now),
		                    &ready) != CURLM_OK) {
			error_set(error, "the transfer loop failed (curl_multi_poll)");
			engine.fatal = true;
			break;
		}
		int running = 0;
		curl_multi_perform(engine.multi, &running);
		now = clock_monotonic_ms();
		read_finished(&engine, now);
		update_progress(&engine, now, false);
	}
	abort_running(&engine);
	drop_scheduled(&engine);
	update_progress(&engine, clock_monotonic_ms(), true);
	result = engine.fatal ? -1 : engine.stopping ? 1 : 0;
out:
	engine_release(&engine);
	return result;
}
