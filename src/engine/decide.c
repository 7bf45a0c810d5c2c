/* The retry, ambiguity and read-back policy (see decide.h and the table in
 * docs/engine.md). Every branch here is one cell of that table. */
#include "engine/decide.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/backoff.h"
#include "engine/planner.h"
#include "http/retry_after.h"
#include "ops/response_readback.h"

/* ---- small readings of an answer ---- */

static bool contains_phrase(const char *text, size_t length, const char *phrase)
{
	size_t phrase_length = strlen(phrase);
	for (size_t at = 0; at + phrase_length <= length; at++) /* bounded: bodies are capped */
		if (!strncasecmp(text + at, phrase, phrase_length))
			return true;
	return false;
}

/* A 413, or a 400 about the size of the call ("note is too long" is a row's
 * problem, not the call's). */
static bool says_too_large(const struct decide_answer *answer)
{
	if (answer->http_status == 413)
		return true;
	if (answer->http_status != 400 || !answer->body)
		return false;
	static const char *const phrases[] = {"too many", "too large", "too big"};
	for (size_t index = 0; index < sizeof(phrases) / sizeof(phrases[0]); index++)
		if (contains_phrase(answer->body, answer->body_length, phrases[index]))
			return true;
	return false;
}

/* True when a refusal says the row's device or IMEI is taken already: what the
 * API answers to a repeat of an activation or upload that landed. */
static bool says_repeat(const char *message)
{
	return contains_phrase(message, strlen(message), "already") ||
	       contains_phrase(message, strlen(message), "taken");
}

/* The beginning of a body for a message, control characters made spaces. */
static void quote_start(const struct decide_answer *answer, char *out, size_t size)
{
	size_t length = answer->body_length < size - 1 ? answer->body_length : size - 1;
	for (size_t index = 0; index < length; index++) {
		unsigned char byte = (unsigned char)answer->body[index];
		out[index] = byte < 0x20 || byte == 0x7f ? ' ' : (char)byte;
	}
	out[length] = '\0';
}

/* 408 and 5xx: the service failed (http/status.h). */
static bool is_failure_status(long status)
{
	enum http_status_class class = http_status_classify(status);
	return class == HTTP_RETRY || class == HTTP_AMBIGUOUS;
}

/* ---- building decisions ---- */

static int finish_all(const struct decide_call *call, struct decision *decision,
                      enum row_status status, long http_status, const char *message)
{
	decision->kind = DECIDE_FINISH;
	decision->http_status = http_status;
	decision->rows = calloc(call->count ? call->count : 1, sizeof(*decision->rows));
	if (!decision->rows)
		return -1;
	for (size_t index = 0; index < call->count; index++) {
		decision->rows[index].action = ROW_ACTION_REPORT;
		decision->rows[index].outcome.status = status;
		snprintf(decision->rows[index].outcome.message,
		         sizeof(decision->rows[index].outcome.message), "%s", message);
	}
	return 0;
}

static void stop_job(struct decision *decision, const char *message)
{
	decision->kind = DECIDE_STOP_JOB;
	snprintf(decision->message, sizeof(decision->message), "%s", message);
}

static int64_t backoff(const struct decide_call *call, const struct decide_job *job)
{
	return backoff_delay_ms(call->retries, DECIDE_BACKOFF_BASE_MS, DECIDE_BACKOFF_CAP_MS,
	                        job->random);
}

/* The wait the answer asks for (ms > 0), or 0 when it asks for none usable. */
static int64_t asked_wait(const struct decide_answer *answer, const struct decide_job *job)
{
	int64_t delay = 0;
	if (answer->retry_after &&
	    retry_after_parse(answer->retry_after, job->now_wall_ms, &delay) == 0 && delay > 0)
		return delay;
	return 0;
}

enum retry_reason { RETRY_THROTTLED, RETRY_FAILED };

/* Another try after delay_ms, or the end of the rows when the call's tries or
 * the job's retry budget are used up; a stop leaves the rows unreported. */
static int retry_or_give_up(const struct decide_call *call, const struct decide_job *job,
                            struct decision *decision, enum retry_reason reason, long http_status,
                            int64_t delay_ms, const char *problem)
{
	char message[512];
	if (job->stopping) {
		/* An unambiguous failure applied nothing, and a possibly applied
		 * or read-back row stays in doubt: a resume settles both. */
		decision->kind = DECIDE_LEAVE;
		return 0;
	}
	bool out_of_tries = call->retries >= job->max_retries;
	bool out_of_budget = !out_of_tries && reason == RETRY_FAILED && !job->budget_available;
	uint64_t failures = job->failures_in_a_row + (decision->failed ? 1 : 0);
	if ((out_of_tries || out_of_budget) && reason == RETRY_FAILED &&
	    (failures >= DECIDE_DEAD_SERVICE_CALLS || job->answered == 0)) {
		/* Nothing is getting through (or never did in this run): ending
		 * every remaining row in error would only make the operator re-run
		 * them. Stop resumably instead; the rows stay unsent or in doubt. */
		snprintf(message, sizeof(message),
		         "the API keeps failing (%llu calls in a row, last: %s); stopped so the "
		         "job can be resumed later",
		         (unsigned long long)failures, problem);
		stop_job(decision, message);
		decision->service_failing = true;
		return 0;
	}
	if (!out_of_tries && !out_of_budget) {
		decision->kind = DECIDE_RETRY;
		decision->retry_at_ms = job->now_ms + delay_ms;
		decision->count_retry = true;
		decision->spend_budget = reason == RETRY_FAILED;
		return 0;
	}
	char why[200];
	if (out_of_tries)
		snprintf(why, sizeof(why), "gave up after %u attempts", call->attempt);
	else
		snprintf(
		    why, sizeof(why),
		    "not retried: the job's retry budget is spent (%llu retries for %llu calls)",
		    (unsigned long long)job->budget_retries, (unsigned long long)job->budget_calls);
	if (call->read_back) {
		snprintf(message, sizeof(message),
		         "no answer to the operation (%s) and the read-back %s (%s); check before "
		         "re-sending",
		         call->doubt, out_of_tries ? "kept failing" : "could not be retried",
		         problem);
		return finish_all(call, decision, ROW_UNKNOWN, http_status, message);
	}
	if (call->possibly_applied) {
		snprintf(message, sizeof(message),
		         "%s: %s; an earlier try may have been applied (%s): check before "
		         "re-sending",
		         why, problem, call->doubt);
		return finish_all(call, decision, ROW_UNKNOWN, http_status, message);
	}
	snprintf(message, sizeof(message), "%s%s %s", why,
	         out_of_tries ? ":" : "; last problem:", problem);
	return finish_all(call, decision, ROW_ERROR, http_status, message);
}

/* ---- the operation's own answers ---- */

/* Maps the answer with the operation's mapper. With only_per_row, returns 1
 * without deciding when the body carried no per-device entries. */
static int map_rows(const struct decide_call *call, const struct decide_answer *answer,
                    const struct decide_job *job, struct decision *decision, bool only_per_row)
{
	const struct op *op = job->op;
	struct row_outcome *outcomes = calloc(call->count ? call->count : 1, sizeof(*outcomes));
	if (!outcomes)
		return -1;
	json_error_t json_error;
	json_t *body = answer->body_length && !(op->flags & OP_RAW_ANSWER)
	                   ? json_loadb(answer->body, answer->body_length, 0, &json_error)
	                   : NULL;
	bool per_row = op->map_response(op, answer->http_status, body, answer->body,
	                                answer->body_length, call->records, call->count, outcomes);
	json_decref(body);
	if (only_per_row && !per_row) {
		free(outcomes);
		return 1;
	}
	decision->kind = DECIDE_FINISH;
	decision->http_status = answer->http_status;
	decision->rows = calloc(call->count ? call->count : 1, sizeof(*decision->rows));
	if (!decision->rows) {
		free(outcomes);
		return -1;
	}
	for (size_t index = 0; index < call->count; index++) {
		struct decide_row *row = &decision->rows[index];
		row->action = ROW_ACTION_REPORT;
		row->outcome = outcomes[index];
		if (row->outcome.status == ROW_PENDING) {
			row->outcome.status = ROW_UNKNOWN;
			snprintf(row->outcome.message, sizeof(row->outcome.message), "%s",
			         "the answer did not mention this row");
			continue;
		}
		if (row->outcome.status != ROW_ERROR || !call->possibly_applied ||
		    !says_repeat(row->outcome.message))
			continue;
		/* A repeat refused, after a try that may have landed: that try's doing? */
		if ((op->flags & OP_RECONCILE_BY_ICCID) &&
		    call->records[index]->value[FIELD_ICCID]) {
			row->action = job->stopping ? ROW_ACTION_IN_DOUBT : ROW_ACTION_CONFIRM;
		} else if (op->flags & OP_REFUSES_REPEATS) {
			/* No read-back exists (upload): the API holds the row as done,
			 * and the only try that could have done it is ours. */
			char refusal[sizeof(row->outcome.message)];
			snprintf(refusal, sizeof(refusal), "%s", row->outcome.message);
			row->outcome.status = ROW_OK;
			snprintf(row->outcome.message, sizeof(row->outcome.message),
			         "applied by this job's earlier try (%.100s); sending it again was "
			         "refused: %.280s",
			         call->doubt, refusal);
		}
	}
	free(outcomes);
	return 0;
}

/* A 5xx (or 408) without per-device entries for the operation call. */
static int operation_failed(const struct decide_call *call, const struct decide_answer *answer,
                            const struct decide_job *job, struct decision *decision)
{
	const struct op *op = job->op;
	char problem[256];
	long status = answer->http_status;
	snprintf(problem, sizeof(problem), "HTTP %ld from the API", status);
	int64_t delay = backoff(call, job);
	int64_t asked = asked_wait(answer, job);
	if (asked > delay)
		delay = asked;
	/* 408: the server gave up waiting for the request itself; nothing applied. */
	if (!(op->flags & OP_NON_IDEMPOTENT) || status == 408)
		return retry_or_give_up(call, job, decision, RETRY_FAILED, status, delay, problem);
	/* A 5xx does not prove that nothing happened: the service may have
	 * committed the change and then failed answering. */
	if (job->stopping) {
		decision->kind = DECIDE_LEAVE; /* in doubt: the resume settles it */
		return 0;
	}
	if ((op->flags & OP_RECONCILE_BY_ICCID) && http_status_classify(status) == HTTP_AMBIGUOUS) {
		/* a gateway gave up waiting: read back rather than send again */
		decision->kind = DECIDE_READ_BACK;
		snprintf(decision->message, sizeof(decision->message), "HTTP %ld from a gateway",
		         status);
		return 0;
	}
	if ((op->flags & OP_REFUSES_REPEATS) || job->resend_on_5xx) {
		/* The API refuses a repeat of what landed (activate, upload), or the
		 * user allowed re-sending: send again, and judge refusals of repeats
		 * knowing this try may have been applied. */
		decision->mark_possibly_applied = true;
		snprintf(decision->message, sizeof(decision->message),
		         "an earlier try was answered %s", problem);
		return retry_or_give_up(call, job, decision, RETRY_FAILED, status, delay, problem);
	}
	char message[512];
	char start[121];
	quote_start(answer, start, sizeof(start));
	snprintf(message, sizeof(message),
	         "HTTP %ld from the API ('%s'): the service may have applied it before failing; "
	         "not re-sent because %s is not idempotent (--resend-on-5xx re-sends)",
	         status, start, op->name);
	return finish_all(call, decision, ROW_UNKNOWN, status, message);
}

/* The operation call got an HTTP answer (not 401/403-stop, not 429). */
static int operation_answered(const struct decide_call *call, const struct decide_answer *answer,
                              const struct decide_job *job, struct decision *decision)
{
	long status = answer->http_status;
	if (is_failure_status(status)) {
		/* Per-device entries inside a failure answer say what happened to
		 * each row: they decide, whatever the status. */
		int mapped = map_rows(call, answer, job, decision, true);
		if (mapped <= 0) {
			decision->answered = mapped == 0;
			return mapped;
		}
		decision->failed = true;
		return operation_failed(call, answer, job, decision);
	}
	decision->answered = true;
	if (call->count > 1 && says_too_large(answer)) {
		size_t half = planner_bisect_size(call->count);
		decision->kind = DECIDE_SPLIT;
		decision->split_size = half < job->chunk_size ? half : job->chunk_size;
		return 0;
	}
	if (status == 413) {
		char start[201];
		char message[512];
		quote_start(answer, start, sizeof(start));
		snprintf(message, sizeof(message),
		         "the API refused even a single-row call as too large (HTTP 413): '%s'",
		         start);
		return finish_all(call, decision, ROW_ERROR, status, message);
	}
	if (status >= 300 && status < 400) {
		char message[512];
		snprintf(message, sizeof(message),
		         "the API answered HTTP %ld redirecting to '%.200s' (not followed; check "
		         "--endpoint)",
		         status, answer->location ? answer->location : "");
		return finish_all(call, decision, ROW_ERROR, status, message);
	}
	return map_rows(call, answer, job, decision, false);
}

/* The operation call got no complete answer. */
static int operation_unanswered(const struct decide_call *call, const struct decide_answer *answer,
                                const struct decide_job *job, struct decision *decision)
{
	const struct op *op = job->op;
	decision->failed = true;
	bool ambiguous =
	    (op->flags & OP_NON_IDEMPOTENT) && answer->transport == TRANSPORT_MAY_HAVE_ARRIVED;
	if (!ambiguous)
		return retry_or_give_up(call, job, decision, RETRY_FAILED, 0, backoff(call, job),
		                        answer->problem);
	if (job->stopping) {
		decision->kind = DECIDE_LEAVE; /* in doubt, as after a crash */
		return 0;
	}
	if (op->flags & OP_RECONCILE_BY_ICCID) {
		decision->kind = DECIDE_READ_BACK;
		snprintf(decision->message, sizeof(decision->message), "%s", answer->problem);
		return 0;
	}
	if (op->flags & OP_REFUSES_REPEATS) {
		decision->mark_possibly_applied = true;
		snprintf(decision->message, sizeof(decision->message),
		         "an earlier try got no answer: %s", answer->problem);
		return retry_or_give_up(call, job, decision, RETRY_FAILED, 0, backoff(call, job),
		                        answer->problem);
	}
	char message[512];
	snprintf(message, sizeof(message),
	         "sent, but no answer (%s); not retried because %s is not idempotent",
	         answer->problem, op->name);
	return finish_all(call, decision, ROW_UNKNOWN, 0, message);
}

/* ---- read-backs ---- */

/* A read-back after the re-send of an activation was refused (the device
 * was already active, or busy): was it this job's earlier try that landed? */
static int after_refusal(const struct decide_call *call, const struct decide_answer *answer,
                         const struct decide_job *job, enum readback_finding finding,
                         const char *evidence, struct decision *decision)
{
	char message[512];
	switch (finding) {
	case READBACK_OURS:
		snprintf(message, sizeof(message),
		         "reconciled: the activation sent earlier (%s) landed (sending it again "
		         "was refused: %s); %s",
		         call->doubt, call->refusal, evidence);
		return finish_all(call, decision, ROW_OK, 200, message);
	case READBACK_ABSENT:
		if (job->stopping) {
			decision->kind = DECIDE_LEAVE;
			return 0;
		}
		if (call->polls_left > 0) {
			decision->kind = DECIDE_RETRY;
			decision->retry_at_ms = job->now_ms + DECIDE_REFUSAL_POLL_MS;
			decision->consume_poll = true;
			return 0;
		}
		return finish_all(call, decision, ROW_ERROR, call->refusal_status, call->refusal);
	case READBACK_NOT_OURS:
		snprintf(message, sizeof(message), "%s; %s", call->refusal, evidence);
		return finish_all(call, decision, ROW_ERROR, call->refusal_status, message);
	case READBACK_UNCLEAR:
		snprintf(message, sizeof(message),
		         "%s, and whether the try sent earlier (%s) landed cannot be told: %s; "
		         "check before re-sending",
		         call->refusal, call->doubt, evidence);
		return finish_all(call, decision, ROW_UNKNOWN, answer->http_status, message);
	}
	return 0;
}

/* A read-back of a row in doubt (an activation sent without an answer). */
static int after_no_answer(const struct decide_call *call, const struct decide_answer *answer,
                           enum readback_finding finding, const char *evidence,
                           struct decision *decision)
{
	char message[512];
	switch (finding) {
	case READBACK_OURS:
		snprintf(message, sizeof(message),
		         "reconciled: %s after an unanswered activation (%s)", evidence,
		         call->doubt);
		return finish_all(call, decision, ROW_OK, 200, message);
	case READBACK_NOT_OURS:
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s), and it was not applied by this job: %s",
		         call->doubt, evidence);
		return finish_all(call, decision, ROW_ERROR, answer->http_status, message);
	case READBACK_ABSENT:
		if (call->send_if_absent) {
			decision->kind = DECIDE_SEND_AGAIN;
			return 0;
		}
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s) and the device is not (yet) visible; "
		         "check before re-sending",
		         call->doubt);
		return finish_all(call, decision, ROW_UNKNOWN, answer->http_status, message);
	case READBACK_UNCLEAR:
		snprintf(message, sizeof(message),
		         "no answer to the activation (%s) and %s; check before re-sending",
		         call->doubt, evidence);
		return finish_all(call, decision, ROW_UNKNOWN, answer->http_status, message);
	}
	return 0;
}

static int read_back_answered(const struct decide_call *call, const struct decide_answer *answer,
                              const struct decide_job *job, struct decision *decision)
{
	struct strbuf found;
	strbuf_init(&found, 1024);
	json_error_t json_error;
	json_t *body = answer->body_length
	                   ? json_loadb(answer->body, answer->body_length, 0, &json_error)
	                   : NULL;
	enum readback_finding finding = readback_judge(call->records[0], answer->http_status, body,
	                                               call->sent_after_wall_ms, &found);
	json_decref(body);
	decision->answered = true;
	int result = call->refusal
	                 ? after_refusal(call, answer, job, finding, strbuf_text(&found), decision)
	                 : after_no_answer(call, answer, finding, strbuf_text(&found), decision);
	strbuf_release(&found);
	return result;
}

/* ---- the decision ---- */

static int decide_answer(const struct decide_call *call, const struct decide_answer *answer,
                         const struct decide_job *job, struct decision *decision)
{
	long status = answer->http_status;
	if (status == 401 || (status == 403 && job->answered == 0)) {
		char message[512];
		snprintf(message, sizeof(message), "the API refused the credentials (HTTP %ld)",
		         status);
		stop_job(decision, message);
		decision->credentials_refused = true;
		return 0;
	}
	if (status == 429) {
		decision->throttled = true;
		/* "0", or an HTTP-date already past (the server's clock behind ours),
		 * asks for no usable wait: back off as without the header, or a
		 * storm spends every retry of the call at once. */
		int64_t delay = asked_wait(answer, job);
		if (delay > 0)
			delay += (int64_t)(job->random % (uint64_t)(delay / 10 + 50));
		else
			delay = backoff(call, job);
		/* The API asks clients to slow down: no call starts until the wait
		 * is over, so its allowance refills instead of being spent on more
		 * refusals. */
		decision->hold_until_ms = job->now_ms + delay;
		return retry_or_give_up(call, job, decision, RETRY_THROTTLED, status, delay,
		                        "throttled by the API (HTTP 429)");
	}
	if (call->read_back) {
		if (is_failure_status(status)) {
			char problem[64];
			snprintf(problem, sizeof(problem), "HTTP %ld from the API", status);
			decision->failed = true;
			int64_t delay = backoff(call, job);
			int64_t asked = asked_wait(answer, job);
			return retry_or_give_up(call, job, decision, RETRY_FAILED, status,
			                        asked > delay ? asked : delay, problem);
		}
		return read_back_answered(call, answer, job, decision);
	}
	return operation_answered(call, answer, job, decision);
}

int decide(const struct decide_call *call, const struct decide_answer *answer,
           const struct decide_job *job, struct decision *decision)
{
	memset(decision, 0, sizeof(*decision));
	int result;
	if (answer->transport == TRANSPORT_UNSAFE) {
		char message[512];
		snprintf(message, sizeof(message), "cannot talk to the API safely: %s",
		         answer->problem);
		decision->failed = true;
		stop_job(decision, message);
		return 0;
	}
	if (answer->transport == TRANSPORT_ANSWERED)
		result = decide_answer(call, answer, job, decision);
	else if (call->read_back) {
		decision->failed = true;
		result = retry_or_give_up(call, job, decision, RETRY_FAILED, 0, backoff(call, job),
		                          answer->problem);
	} else
		result = operation_unanswered(call, answer, job, decision);
	if (result < 0) {
		decision_release(decision);
		stop_job(decision, "out of memory while deciding about an answer");
		return -1;
	}
	return 0;
}

void decision_release(struct decision *decision)
{
	free(decision->rows);
	decision->rows = NULL;
}
