/* What the engine does with each finished call: record the exchange, then
 * map the answer to row outcomes, retry (429, 5xx, transport failures),
 * split a call refused as too large, read back an ambiguous non-idempotent
 * call, or stop the job (refused credentials, a dead service). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "engine/engine_state.h"
#include "engine/retry_after.h"
#include "ops/response_readback.h"

static int64_t jitter(struct engine *engine, int64_t spread_ms)
{
	if (spread_ms <= 0)
		return 0;
	return (int64_t)(backoff_random(&engine->random_state) % (uint64_t)spread_ms);
}

static const char *transport_problem(const struct call *call, CURLcode result)
{
	if (call->response_too_big)
		return "the answer exceeded 4 MiB";
	return call->curl_error[0] ? call->curl_error : curl_easy_strerror(result);
}

static void record_exchange(struct engine *engine, struct call *call, CURLcode result,
                            long http_status, int64_t elapsed_ms)
{
	const char *problem = result == CURLE_OK ? "" : transport_problem(call, result);
	if (engine->config->verbose) {
		if (http_status)
			fprintf(stderr, "%s %s -> %ld (%lld ms, %zu rows, attempt %u)\n",
			        call->method, strbuf_text(&call->path), http_status,
			        (long long)elapsed_ms, call->count, call->attempt);
		else
			fprintf(stderr, "%s %s -> no answer: %s (%lld ms, %zu rows, attempt %u)\n",
			        call->method, strbuf_text(&call->path), problem,
			        (long long)elapsed_ms, call->count, call->attempt);
	}
	if (!engine->sink->exchange_finished)
		return;
	struct exchange exchange = {
	    .sequence = ++engine->sequence,
	    .started_at_ms = call->started_wall_ms,
	    .finished_at_ms = clock_wall_ms(),
	    .method = call->method,
	    .url = strbuf_text(&call->url),
	    .request_body = call->body ? call->body : "",
	    .request_length = call->body_length,
	    .http_status = http_status,
	    .curl_error = problem,
	    .response_headers = strbuf_text(&call->headers),
	    .response_headers_length = call->headers.length,
	    .response_body = strbuf_text(&call->response),
	    .response_length = call->response.length,
	    .attempt = call->attempt,
	    .rows = call->rows,
	    .row_count = call->count,
	};
	if (engine->sink->exchange_finished(engine->sink->context, &exchange)) {
		error_set(engine->error, "could not record an exchange in the audit trail");
		engine->sink_broken = true;
		engine_fail(engine, clock_monotonic_ms());
	}
}

enum retry_reason { RETRY_THROTTLED, RETRY_FAILED };

/* Schedules another try of call after delay_ms, or ends its rows when the
 * call's retries or the job's retry budget are used up. */
static void retry_or_give_up(struct engine *engine, struct call *call, enum retry_reason reason,
                             long http_status, int64_t delay_ms, const char *problem,
                             int64_t now_ms)
{
	enum row_status give_up_status = call->kind == CALL_OPERATION ? ROW_ERROR : ROW_UNKNOWN;
	char message[512];
	if (engine->stopping) {
		/* An unambiguous failure applied nothing: the rows stay unreported
		 * and a resume sends them. A read-back cannot wait for that. */
		engine_abandon_call(engine, call);
		return;
	}
	bool out_of_tries = call->retries >= engine->max_retries;
	bool out_of_budget =
	    !out_of_tries && reason == RETRY_FAILED && !retry_budget_try_spend(&engine->budget);
	if ((out_of_tries || out_of_budget) && reason == RETRY_FAILED &&
	    (engine->failures_in_a_row >= DEAD_SERVICE_FAILURES || engine->answered == 0)) {
		/* Nothing is getting through (or never did in this run): ending
		 * every remaining row in error would only make the operator re-run
		 * them. Stop resumably instead; this call applied nothing. */
		error_set(engine->error,
		          "the API keeps failing (%llu calls in a row, last: %s); stopped so the "
		          "job can be resumed later",
		          (unsigned long long)engine->failures_in_a_row, problem);
		engine->stats->service_failing = true;
		call_free(call);
		engine_fail(engine, now_ms);
		return;
	}
	if (out_of_tries) {
		snprintf(message, sizeof(message), "gave up after %u attempts: %s", call->attempt,
		         problem);
		if (call->kind == CALL_RECONCILE)
			snprintf(
			    message, sizeof(message),
			    "no answer to the operation (%s) and the read-back failed %u times "
			    "(%s); check before re-sending",
			    call->ambiguity, call->attempt, problem);
		engine_finish_call(engine, call, give_up_status, http_status, message);
		return;
	}
	if (out_of_budget) {
		snprintf(message, sizeof(message),
		         "not retried: the job's retry budget is spent (%llu retries for %llu "
		         "calls); last problem: %s",
		         (unsigned long long)engine->budget.retries,
		         (unsigned long long)engine->budget.first_attempts, problem);
		if (call->kind == CALL_RECONCILE)
			snprintf(message, sizeof(message),
			         "no answer to the operation (%s) and the read-back could not be "
			         "retried (retry budget spent; %s); check before re-sending",
			         call->ambiguity, problem);
		engine_finish_call(engine, call, give_up_status, http_status, message);
		return;
	}
	call->retries++;
	engine->stats->retries++;
	engine_schedule(engine, call, now_ms + delay_ms);
}

static int64_t failure_delay(struct engine *engine, const struct call *call)
{
	return backoff_delay_ms(call->retries, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
	                        backoff_random(&engine->random_state));
}

/* The request of a non-idempotent call may have been applied but no answer
 * came: never re-send; read back each row where the operation allows it. */
static void handle_ambiguous(struct engine *engine, struct call *call, const char *why)
{
	char message[512];
	if (engine->stopping) {
		/* A graceful stop leaves the rows in doubt, exactly as a crash
		 * would: the resume settles them (read back, or unknown). */
		call_free(call);
		return;
	}
	if (!(engine->op->flags & OP_RECONCILE_BY_ICCID)) {
		snprintf(message, sizeof(message),
		         "sent, but no answer (%s); not retried because %s is not idempotent", why,
		         engine->op->name);
		engine_finish_call(engine, call, ROW_UNKNOWN, 0, message);
		return;
	}
	for (size_t index = 0; index < call->count; index++) {
		struct record *record = call->records[index];
		struct call *lookup = record->value[FIELD_ICCID]
		                          ? call_new(CALL_RECONCILE, &record, 1, call->row_attempts)
		                          : NULL;
		if (!lookup) {
			snprintf(message, sizeof(message),
			         "sent, but no answer (%s); the row could not be read back; check "
			         "before re-sending",
			         why);
			engine_report_row(engine, record, ROW_UNKNOWN, 0, call->row_attempts,
			                  message);
			free(record);
			continue;
		}
		lookup->id = ++engine->next_call_id;
		lookup->sent_after_wall_ms = call->sent_after_wall_ms;
		snprintf(lookup->ambiguity, sizeof(lookup->ambiguity), "%s", why);
		engine_schedule_now(engine, lookup);
	}
	call_free_keeping_records(call);
}

/* The call was refused as too large: send it in halves (or in pieces of the
 * size already learnt, when smaller), and let new chunks use the smaller size
 * for the rest of the job. */
static void bisect(struct engine *engine, struct call *call, int64_t now_ms)
{
	size_t half = planner_bisect_size(call->count);
	if (half < planner_chunk_size(engine->planner))
		planner_set_chunk_size(engine->planner, half);
	engine_split_call(engine, call, planner_chunk_size(engine->planner), now_ms);
}

static bool answer_says_too_large(const struct call *call, long http_status)
{
	if (http_status == 413)
		return true;
	if (http_status != 400)
		return false;
	const char *text = strbuf_text(&call->response);
	/* About the size of the call, not of one value ("note is too long" is a row's problem). */
	static const char *const phrases[] = {"too many", "too large", "too big"};
	for (size_t index = 0; index < sizeof(phrases) / sizeof(phrases[0]); index++) {
		/* bounded: the body is capped */
		const char *at = text;
		size_t phrase_length = strlen(phrases[index]);
		for (; *at; at++)
			if (!strncasecmp(at, phrases[index], phrase_length))
				return true;
	}
	return false;
}

/* The answer's body as JSON (new reference), or NULL when empty or not JSON. */
static json_t *answer_json(const struct call *call)
{
	json_error_t json_error;
	return call->response.length
	           ? json_loadb(strbuf_text(&call->response), call->response.length, 0, &json_error)
	           : NULL;
}

/* The API text: an activation is "accepted and will be worked on", so a
 * device may become visible only a while after its activation landed. */
enum { REFUSAL_POLLS = 10, REFUSAL_POLL_INTERVAL_MS = 2000 };

/* True when a refusal says the row's device or IMEI is taken already: what
 * the API answers to a repeat of an activation or upload that landed. */
static bool refusal_says_repeat(const char *message)
{
	static const char *const phrases[] = {"already", "taken"};
	for (size_t index = 0; index < sizeof(phrases) / sizeof(phrases[0]); index++)
		for (const char *at = message; *at; at++) /* bounded: a row message */
			if (!strncasecmp(at, phrases[index], strlen(phrases[index])))
				return true;
	return false;
}

/* A row of a call that an earlier try may have applied (call->possibly_applied)
 * was refused as a repeat: the earlier try may have landed. Reads the device
 * back (a few times: it may become visible late) before the refusal stands.
 * Returns true when it took the record over (a stopping job leaves it in
 * doubt for a resume). */
static bool confirm_refusal(struct engine *engine, const struct call *call, size_t index,
                            long http_status, const char *message)
{
	struct record *record = call->records[index];
	if (!(engine->op->flags & OP_RECONCILE_BY_ICCID) || !record->value[FIELD_ICCID] ||
	    !refusal_says_repeat(message))
		return false;
	if (engine->stopping) {
		free(record);
		return true;
	}
	struct call *lookup = call_new(CALL_RECONCILE, &record, 1, call->row_attempts);
	char *refusal = strdup(message);
	if (!lookup || !refusal) {
		if (lookup)
			call_free_keeping_records(lookup);
		free(refusal);
		return false;
	}
	lookup->id = ++engine->next_call_id;
	lookup->refusal = refusal;
	lookup->refusal_status = http_status;
	lookup->polls_left = REFUSAL_POLLS;
	lookup->sent_after_wall_ms = call->sent_after_wall_ms;
	snprintf(lookup->ambiguity, sizeof(lookup->ambiguity), "%s", call->ambiguity);
	engine_schedule_now(engine, lookup);
	return true;
}

/* Reports the outcomes the operation mapped for each row of call, then frees
 * it. A refusal of a row an earlier try may have applied is confirmed first. */
static void report_outcomes(struct engine *engine, struct call *call, long http_status,
                            struct row_outcome *outcomes)
{
	for (size_t index = 0; index < call->count && !engine->sink_broken; index++) {
		struct row_outcome *outcome = &outcomes[index];
		if (outcome->status == ROW_ERROR && call->possibly_applied &&
		    confirm_refusal(engine, call, index, http_status, outcome->message))
			call->records[index] = NULL; /* the read-back owns it now */
		else if (outcome->status == ROW_PENDING)
			engine_report_row(engine, call->records[index], ROW_UNKNOWN, http_status,
			                  call->row_attempts,
			                  "the answer did not mention this row");
		else
			engine_report_row(engine, call->records[index], outcome->status,
			                  http_status, call->row_attempts, outcome->message);
	}
	call_free(call);
}

/* Lets the operation map the answer. With only_per_row, the outcomes are
 * reported only when the body carried per-device entries (a 5xx may), and
 * false is returned otherwise: the caller then decides on the status. */
static bool map_answer(struct engine *engine, struct call *call, long http_status,
                       bool only_per_row)
{
	struct row_outcome *outcomes = calloc(call->count, sizeof(*outcomes));
	if (!outcomes) {
		error_set(engine->error, "out of memory while reading an answer");
		call_free(call);
		engine_fail(engine, clock_monotonic_ms());
		return true;
	}
	json_t *body = answer_json(call);
	bool per_row = engine->op->map_response(
	    engine->op, http_status, body, strbuf_text(&call->response), call->response.length,
	    (const struct record *const *)call->records, call->count, outcomes);
	json_decref(body);
	if (only_per_row && !per_row) {
		free(outcomes);
		return false;
	}
	report_outcomes(engine, call, http_status, outcomes);
	free(outcomes);
	return true;
}

/* A row in doubt after a crash whose device the service says does not exist:
 * the interrupted call never took effect, so the row is sent now, alone. */
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

/* Judges a read-back answer (one row) with the evidence rule of
 * response_readback.h; found receives what the device object showed. */
static enum readback_finding judge_read_back(const struct call *call, long http_status,
                                             struct strbuf *found)
{
	json_t *body = answer_json(call);
	enum readback_finding finding =
	    readback_judge(call->records[0], http_status, body, call->sent_after_wall_ms, found);
	json_decref(body);
	return finding;
}

/* The answer to a read-back confirming a refused re-send (see confirm_refusal). */
static void refusal_answer(struct engine *engine, struct call *call, long http_status,
                           int64_t now_ms)
{
	char message[512];
	struct strbuf found;
	strbuf_init(&found, 1024);
	enum readback_finding finding = judge_read_back(call, http_status, &found);
	switch (finding) {
	case READBACK_OURS:
		snprintf(
		    message, sizeof(message),
		    "reconciled: the activation sent earlier (%s) landed (sending it again was "
		    "refused: %s); %s",
		    call->ambiguity, call->refusal, strbuf_text(&found));
		engine_finish_call(engine, call, ROW_OK, 200, message);
		break;
	case READBACK_ABSENT:
		if (engine->stopping) {
			/* left in doubt: a resume reads it back again */
			call_free(call);
		} else if (call->polls_left > 0) {
			call->polls_left--;
			engine_schedule(engine, call, now_ms + REFUSAL_POLL_INTERVAL_MS);
		} else {
			snprintf(message, sizeof(message), "%s", call->refusal);
			engine_finish_call(engine, call, ROW_ERROR, call->refusal_status, message);
		}
		break;
	case READBACK_NOT_OURS:
		snprintf(message, sizeof(message), "%s; %s", call->refusal, strbuf_text(&found));
		engine_finish_call(engine, call, ROW_ERROR, call->refusal_status, message);
		break;
	case READBACK_UNCLEAR:
		snprintf(message, sizeof(message),
		         "%s, and whether the activation sent earlier (%s) landed cannot be told: "
		         "%s; check before re-sending",
		         call->refusal, call->ambiguity, strbuf_text(&found));
		engine_finish_call(engine, call, ROW_UNKNOWN, http_status, message);
		break;
	}
	strbuf_release(&found);
}

static void reconcile_answer(struct engine *engine, struct call *call, long http_status,
                             int64_t now_ms)
{
	char message[512];
	if (call->refusal) {
		refusal_answer(engine, call, http_status, now_ms);
		return;
	}
	struct strbuf found;
	strbuf_init(&found, 1024);
	enum readback_finding finding = judge_read_back(call, http_status, &found);
	switch (finding) {
	case READBACK_OURS:
		snprintf(message, sizeof(message),
		         "reconciled: %s after an unanswered activation (%s)", strbuf_text(&found),
		         call->ambiguity);
		engine_finish_call(engine, call, ROW_OK, 200, message);
		break;
	case READBACK_NOT_OURS:
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s), and it was not applied by this job: %s",
		         call->ambiguity, strbuf_text(&found));
		engine_finish_call(engine, call, ROW_ERROR, http_status, message);
		break;
	case READBACK_ABSENT:
		if (call->send_if_absent) {
			send_absent_row(engine, call);
			break;
		}
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s) and the device is not (yet) visible; "
		         "check before re-sending",
		         call->ambiguity);
		engine_finish_call(engine, call, ROW_UNKNOWN, http_status, message);
		break;
	case READBACK_UNCLEAR:
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s) and %s; check before re-sending",
		         call->ambiguity, strbuf_text(&found));
		engine_finish_call(engine, call, ROW_UNKNOWN, http_status, message);
		break;
	}
	strbuf_release(&found);
}

/* Copies the beginning of an answer into out for a message, control
 * characters (line breaks of a hostile body) made spaces. */
static void quote_start(const struct strbuf *body, char *out, size_t size)
{
	size_t length = body->length < size - 1 ? body->length : size - 1;
	for (size_t index = 0; index < length; index++) {
		unsigned char byte = (unsigned char)body->data[index];
		out[index] = byte < 0x20 || byte == 0x7f ? ' ' : (char)byte;
	}
	out[length] = '\0';
}

static void handle_answer(struct engine *engine, struct call *call, long http_status,
                          int64_t now_ms)
{
	char problem[256];
	char value[128];
	bool non_idempotent =
	    call->kind == CALL_OPERATION && (engine->op->flags & OP_NON_IDEMPOTENT);

	if (http_status == 401 || (http_status == 403 && engine->answered == 0)) {
		error_set(engine->error, "the API refused the credentials (HTTP %ld)", http_status);
		call_free(call);
		engine_fail(engine, now_ms);
		return;
	}
	if (http_status == 429) {
		engine->stats->throttled++;
		aimd_on_throttled(&engine->aimd, now_ms);
		int64_t delay = 0;
		/* "0", or an HTTP-date already past (the server's clock behind
		 * ours), asks for no usable wait: back off as without the header,
		 * or a storm spends every retry of the call at once. */
		if (call_header(call, "Retry-After", value, sizeof(value)) == 0 &&
		    retry_after_parse(value, clock_wall_ms(), &delay) == 0 && delay > 0)
			delay += jitter(engine, delay / 10 + 50);
		else
			delay = failure_delay(engine, call);
		/* The API asks clients to slow down: no call starts until the wait
		 * is over, so the server's allowance refills instead of being spent
		 * on more refusals. */
		if (now_ms + delay > engine->hold_until_ms)
			engine->hold_until_ms = now_ms + delay;
		snprintf(problem, sizeof(problem), "throttled by the API (HTTP 429)");
		retry_or_give_up(engine, call, RETRY_THROTTLED, http_status, delay, problem,
		                 now_ms);
		return;
	}
	aimd_on_success(&engine->aimd);
	/* Per-device entries inside a failure answer say what happened to each
	 * row: they decide, whatever the status. */
	if ((http_status == 408 || http_status >= 500) && call->kind == CALL_OPERATION &&
	    map_answer(engine, call, http_status, true)) {
		engine->answered++;
		engine->failures_in_a_row = 0;
		return;
	}
	if (http_status == 408 || http_status >= 500) {
		engine->failures_in_a_row++;
		if (non_idempotent && (http_status == 502 || http_status == 504)) {
			/* A gateway gave up waiting: the service may still have acted. */
			snprintf(problem, sizeof(problem), "HTTP %ld from a gateway", http_status);
			handle_ambiguous(engine, call, problem);
			return;
		}
		int64_t delay = failure_delay(engine, call);
		int64_t asked = 0;
		if (call_header(call, "Retry-After", value, sizeof(value)) == 0 &&
		    retry_after_parse(value, clock_wall_ms(), &asked) == 0 && asked > delay)
			delay = asked;
		snprintf(problem, sizeof(problem), "HTTP %ld from the API", http_status);
		retry_or_give_up(engine, call, RETRY_FAILED, http_status, delay, problem, now_ms);
		return;
	}
	engine->answered++;
	engine->failures_in_a_row = 0;
	if (call->kind == CALL_RECONCILE) {
		reconcile_answer(engine, call, http_status, now_ms);
		return;
	}
	if (call->count > 1 && answer_says_too_large(call, http_status)) {
		bisect(engine, call, now_ms);
		return;
	}
	if (http_status == 413) {
		char start[201];
		char refused[512];
		quote_start(&call->response, start, sizeof(start));
		snprintf(refused, sizeof(refused),
		         "the API refused even a single-row call as too large (HTTP 413): '%s'",
		         start);
		engine_finish_call(engine, call, ROW_ERROR, http_status, refused);
		return;
	}
	if (http_status >= 300 && http_status < 400) {
		char location[200] = "";
		char redirect[320];
		call_header(call, "Location", location, sizeof(location));
		snprintf(redirect, sizeof(redirect),
		         "the API answered HTTP %ld redirecting to '%s' (not followed; check "
		         "--endpoint)",
		         http_status, location);
		engine_finish_call(engine, call, ROW_ERROR, http_status, redirect);
		return;
	}
	map_answer(engine, call, http_status, false);
}

void engine_handle_finished(struct engine *engine, struct call *call, CURLcode result,
                            int64_t now_ms)
{
	long http_status = 0;
	long request_size = 0;
	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &http_status);
	curl_easy_getinfo(call->easy, CURLINFO_REQUEST_SIZE, &request_size);
	record_exchange(engine, call, result, http_status, now_ms - call->started_mono_ms);
	if (engine->sink_broken) {
		call_free(call);
		return;
	}
	if (result == CURLE_OK && http_status > 0) {
		handle_answer(engine, call, http_status, now_ms);
		return;
	}
	const char *problem = transport_problem(call, result);
	engine->failures_in_a_row++;
	if (result == CURLE_PEER_FAILED_VERIFICATION || result == CURLE_SSL_CACERT_BADFILE ||
	    result == CURLE_UNSUPPORTED_PROTOCOL) {
		error_set(engine->error, "cannot talk to the API safely: %s", problem);
		call_free(call);
		engine_fail(engine, now_ms);
		return;
	}
	if (call->kind == CALL_OPERATION && (engine->op->flags & OP_NON_IDEMPOTENT) &&
	    call_request_may_have_arrived(result, request_size, call->body_handed)) {
		handle_ambiguous(engine, call, problem);
		return;
	}
	retry_or_give_up(engine, call, RETRY_FAILED, 0, failure_delay(engine, call), problem,
	                 now_ms);
}
