/* The engine's policy (engine/decide.c) cell by cell, with a fake clock and no
 * sockets: every answer × operation class × first try / retry / after a
 * possibly applied try (a 5xx, or in doubt after a crash, on resume), then
 * the give-up, stop and read-back cells. The table in docs/engine.md is this
 * table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "engine/decide.h"

#define NOW_MS      1000000
#define NOW_WALL_MS 1764689000000LL /* 2025-12-02 */

enum phase { FIRST, RETRY, DOUBT, ANY };
static const char *const phase_names[] = {"first try", "retry", "possibly applied", "any"};

/* Answers, each built per operation (bodies differ by endpoint). */
enum answer_id {
	A_200_ROWS,    /* 200 with per-device entries: row 1 ok, row 2 refused as a repeat */
	A_422_ROWS,    /* the same inside a 422 */
	A_500_ROWS,    /* the same inside a 500 */
	A_200_GARBAGE, /* 200 whose body proves nothing */
	A_400,         /* 400 with an error object */
	A_400_SIZE,    /* 400 saying the call is too large */
	A_401,
	A_403_FIRST, /* 403 before any call succeeded */
	A_403_LATER,
	A_413,
	A_301,
	A_429_WAIT, /* Retry-After: 5 */
	A_429_BARE,
	A_500,
	A_503_WAIT, /* Retry-After: 1 */
	A_502,
	A_504,
	A_408,
	T_NOT_SENT,
	T_MAY_HAVE_ARRIVED,
	T_UNSAFE,
	ANSWER_COUNT
};

static const char *const answer_names[] = {
    "200 rows",  "422 rows",  "500 rows", "200 garbage", "400",      "400 size",         "401",
    "403 first", "403 later", "413",      "301",         "429 wait", "429 bare",         "500",
    "503 wait",  "502",       "504",      "408",         "not sent", "may have arrived", "TLS"};

enum op_class { C_IDEMPOTENT, C_ACTIVATE, C_UPLOAD, C_SMS, C_LOCATE, CLASS_COUNT };
static const char *const class_ops[] = {"cost-center", "activate", "upload", "sms", "locate"};

/* One cell: what decide must do. */
struct cell {
	enum answer_id answer;
	enum op_class op; /* CLASS_COUNT: every class */
	enum phase phase;
	enum decide_kind kind;
	enum row_status first;         /* DECIDE_FINISH: row 1's status */
	enum row_status second;        /* DECIDE_FINISH: row 2's status (ROW_PENDING: n/a) */
	enum decide_row_action action; /* DECIDE_FINISH: row 2's action */
	const char *message;           /* in row 1's (or the decision's) message; NULL: any */
	bool mark;                     /* DECIDE_RETRY: marks the call possibly applied */
	bool resend_on_5xx;
};

#define ALL     CLASS_COUNT
#define REPORT  ROW_ACTION_REPORT
#define CONFIRM ROW_ACTION_CONFIRM

static const struct cell cells[] = {
    /* per-device entries decide, whatever the status */
    {A_200_ROWS, C_IDEMPOTENT, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false,
     false},
    {A_200_ROWS, C_SMS, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false, false},
    {A_200_ROWS, C_LOCATE, ANY, DECIDE_FINISH, ROW_OK, ROW_PENDING, REPORT, "carrier", false,
     false},
    {A_200_ROWS, C_ACTIVATE, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_200_ROWS, C_ACTIVATE, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_200_ROWS, C_ACTIVATE, DOUBT, DECIDE_FINISH, ROW_OK, ROW_ERROR, CONFIRM, "processed", false,
     false},
    {A_200_ROWS, C_UPLOAD, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_200_ROWS, C_UPLOAD, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_200_ROWS, C_UPLOAD, DOUBT, DECIDE_FINISH, ROW_OK, ROW_OK, REPORT, "processed", false, false},
    {A_422_ROWS, C_IDEMPOTENT, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false,
     false},
    {A_422_ROWS, C_SMS, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false, false},
    {A_422_ROWS, C_LOCATE, ANY, DECIDE_FINISH, ROW_OK, ROW_PENDING, REPORT, "carrier", false,
     false},
    {A_422_ROWS, C_ACTIVATE, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_422_ROWS, C_ACTIVATE, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_422_ROWS, C_ACTIVATE, DOUBT, DECIDE_FINISH, ROW_OK, ROW_ERROR, CONFIRM, "processed", false,
     false},
    {A_422_ROWS, C_UPLOAD, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_422_ROWS, C_UPLOAD, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_422_ROWS, C_UPLOAD, DOUBT, DECIDE_FINISH, ROW_OK, ROW_OK, REPORT, "processed", false, false},
    {A_500_ROWS, C_IDEMPOTENT, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false,
     false},
    {A_500_ROWS, C_SMS, ANY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "Success", false, false},
    {A_500_ROWS, C_LOCATE, ANY, DECIDE_FINISH, ROW_OK, ROW_PENDING, REPORT, "carrier", false,
     false},
    {A_500_ROWS, C_ACTIVATE, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_500_ROWS, C_ACTIVATE, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_500_ROWS, C_ACTIVATE, DOUBT, DECIDE_FINISH, ROW_OK, ROW_ERROR, CONFIRM, "processed", false,
     false},
    {A_500_ROWS, C_UPLOAD, FIRST, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_500_ROWS, C_UPLOAD, RETRY, DECIDE_FINISH, ROW_OK, ROW_ERROR, REPORT, "processed", false,
     false},
    {A_500_ROWS, C_UPLOAD, DOUBT, DECIDE_FINISH, ROW_OK, ROW_OK, REPORT, "processed", false, false},
    /* a 2xx that proves nothing: may have been applied unless idempotent */
    {A_200_GARBAGE, C_IDEMPOTENT, ANY, DECIDE_FINISH, ROW_ERROR, ROW_ERROR, REPORT,
     "unexpected answer", false, false},
    {A_200_GARBAGE, C_ACTIVATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT,
     "may have been applied", false, false},
    {A_200_GARBAGE, C_UPLOAD, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT,
     "may have been applied", false, false},
    {A_200_GARBAGE, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT,
     "may have been applied", false, false},
    {A_200_GARBAGE, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT,
     "may have been applied", false, false},
    /* refusals */
    {A_400, ALL, ANY, DECIDE_FINISH, ROW_ERROR, ROW_ERROR, REPORT, "HTTP 400", false, false},
    {A_400_SIZE, C_IDEMPOTENT, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_400_SIZE, C_ACTIVATE, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_400_SIZE, C_UPLOAD, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_400_SIZE, C_SMS, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_400_SIZE, C_LOCATE, ANY, DECIDE_FINISH, ROW_ERROR, ROW_PENDING, REPORT, "too many", false,
     false},
    {A_401, ALL, ANY, DECIDE_STOP_JOB, 0, 0, REPORT, "refused the credentials (HTTP 401)", false,
     false},
    {A_403_FIRST, ALL, ANY, DECIDE_STOP_JOB, 0, 0, REPORT, "refused the credentials (HTTP 403)",
     false, false},
    {A_403_LATER, ALL, ANY, DECIDE_FINISH, ROW_ERROR, ROW_ERROR, REPORT, "HTTP 403", false, false},
    {A_413, C_IDEMPOTENT, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_413, C_ACTIVATE, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_413, C_UPLOAD, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_413, C_SMS, ANY, DECIDE_SPLIT, 0, 0, REPORT, NULL, false, false},
    {A_413, C_LOCATE, ANY, DECIDE_FINISH, ROW_ERROR, ROW_PENDING, REPORT, "even a single-row call",
     false, false},
    {A_301, ALL, ANY, DECIDE_FINISH, ROW_ERROR, ROW_ERROR, REPORT,
     "redirecting to 'https://elsewhere/'", false, false},
    /* throttling: nothing was applied, every operation waits and retries */
    {A_429_WAIT, ALL, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {A_429_BARE, ALL, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    /* a 5xx does not prove that nothing happened */
    {A_500, C_IDEMPOTENT, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {A_500, C_ACTIVATE, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_500, C_UPLOAD, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_500, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT,
     "not re-sent because sms is not idempotent (--resend-on-5xx", false, false},
    {A_500, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT,
     "not re-sent because locate", false, false},
    {A_500, C_SMS, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, true},
    {A_500, C_LOCATE, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, true},
    {A_503_WAIT, C_IDEMPOTENT, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {A_503_WAIT, C_ACTIVATE, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_503_WAIT, C_UPLOAD, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_503_WAIT, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT, "HTTP 503", false,
     false},
    {A_503_WAIT, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT, "HTTP 503", false,
     false},
    {A_502, C_IDEMPOTENT, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {A_502, C_ACTIVATE, ANY, DECIDE_READ_BACK, 0, 0, REPORT, "HTTP 502 from a gateway", false,
     false},
    {A_502, C_UPLOAD, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_502, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT, "HTTP 502", false, false},
    {A_502, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT, "HTTP 502", false,
     false},
    {A_504, C_IDEMPOTENT, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {A_504, C_ACTIVATE, ANY, DECIDE_READ_BACK, 0, 0, REPORT, "HTTP 504 from a gateway", false,
     false},
    {A_504, C_UPLOAD, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {A_504, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT, "HTTP 504", false, false},
    {A_504, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT, "HTTP 504", false,
     false},
    /* 408: the server gave up waiting for the request; nothing applied */
    {A_408, ALL, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    /* transport failures */
    {T_NOT_SENT, ALL, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {T_MAY_HAVE_ARRIVED, C_IDEMPOTENT, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, false, false},
    {T_MAY_HAVE_ARRIVED, C_ACTIVATE, ANY, DECIDE_READ_BACK, 0, 0, REPORT, "Empty reply", false,
     false},
    {T_MAY_HAVE_ARRIVED, C_UPLOAD, ANY, DECIDE_RETRY, 0, 0, REPORT, NULL, true, false},
    {T_MAY_HAVE_ARRIVED, C_SMS, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_UNKNOWN, REPORT,
     "sent, but no answer (Empty reply from server); not retried because sms", false, false},
    {T_MAY_HAVE_ARRIVED, C_LOCATE, ANY, DECIDE_FINISH, ROW_UNKNOWN, ROW_PENDING, REPORT,
     "not retried because locate", false, false},
    {T_UNSAFE, ALL, ANY, DECIDE_STOP_JOB, 0, 0, REPORT, "cannot talk to the API safely", false,
     false},
};

/* ---- building the inputs ---- */

struct fixture {
	struct record records[2];
	const struct record *pointers[2];
	struct decide_call call;
	struct decide_answer answer;
	struct decide_job job;
	char body[1024];
};

static void per_row_body(enum op_class op, char *out, size_t size)
{
	switch (op) {
	case C_ACTIVATE:
		snprintf(out, size,
		         "{\"processed\":[{\"iccid\":\"89000000000000000001\",\"imei\":"
		         "\"490154203237518\"}],\"unprocessed\":[{\"device_index\":1,\"error\":"
		         "\"{\\\"iccid\\\":[\\\"has already been taken\\\"]}\"}]}");
		break;
	case C_UPLOAD:
		snprintf(out, size,
		         "{\"processed\":[{\"imei\":\"490154203237518\"}],\"unprocessed\":[{"
		         "\"device_index\":1,\"error\":\"{\\\"imei\\\":[\\\"has already been "
		         "uploaded\\\"]}\"}]}");
		break;
	case C_SMS:
		snprintf(out, size,
		         "{\"status\":{\"d1\":\"Success: Attempting SMS Send.\",\"d2\":\"Error: "
		         "Device does not support SMS.\"}}");
		break;
	case C_LOCATE:
		snprintf(out, size, "{\"d1\":{\"carrier\":\"X\",\"latitude\":47.6}}");
		break;
	default:
		snprintf(out, size,
		         "{\"change_status\":{\"d1\":\"Success\",\"d2\":\"Error: Device does not "
		         "exist.\"}}");
		break;
	}
}

static void make_fixture(struct fixture *fixture, enum op_class op, enum phase phase,
                         enum answer_id answer, bool resend_on_5xx)
{
	memset(fixture, 0, sizeof(*fixture));
	static const char *const names[] = {"d1", "d2"};
	static const char *const iccids[] = {"89000000000000000001", "89000000000000000002"};
	static const char *const imeis[] = {"490154203237518", "351756051523999"};
	for (size_t index = 0; index < 2; index++) {
		struct record *record = &fixture->records[index];
		record->row = index + 1;
		record->value[FIELD_DEVICE_NAME] = names[index];
		record->value[FIELD_ICCID] = iccids[index];
		record->value[FIELD_IMEI] = imeis[index];
		fixture->pointers[index] = record;
	}
	fixture->call = (struct decide_call){
	    .records = fixture->pointers,
	    .count = op == C_LOCATE ? 1 : 2,
	    .attempt = phase == RETRY ? 3 : 1,
	    .retries = phase == RETRY ? 2 : 0,
	    .possibly_applied = phase == DOUBT,
	    .doubt = phase == DOUBT ? "an earlier try was answered HTTP 500 from the API" : "",
	};
	fixture->job = (struct decide_job){
	    .op = op_find(class_ops[op]),
	    .max_retries = 8,
	    .resend_on_5xx = resend_on_5xx,
	    .budget_available = true,
	    .budget_retries = 3,
	    .budget_calls = 10,
	    .answered = answer == A_403_FIRST ? 0 : 5,
	    .chunk_size = 100,
	    .now_ms = NOW_MS,
	    .now_wall_ms = NOW_WALL_MS,
	    .random = 12345,
	};
	struct decide_answer *reply = &fixture->answer;
	reply->transport = TRANSPORT_ANSWERED;
	reply->problem = "";
	const char *body = "{\"error\":\"bad\"}";
	switch (answer) {
	case A_200_ROWS:
	case A_422_ROWS:
	case A_500_ROWS:
		per_row_body(op, fixture->body, sizeof(fixture->body));
		body = fixture->body;
		reply->http_status = answer == A_200_ROWS ? 200 : answer == A_422_ROWS ? 422 : 500;
		break;
	case A_200_GARBAGE:
		reply->http_status = 200;
		body = "<html>proxy</html>";
		break;
	case A_400:
		reply->http_status = 400;
		break;
	case A_400_SIZE:
		reply->http_status = 400;
		body = "{\"error\":\"too many devices in one request\"}";
		break;
	case A_401:
		reply->http_status = 401;
		break;
	case A_403_FIRST:
	case A_403_LATER:
		reply->http_status = 403;
		break;
	case A_413:
		reply->http_status = 413;
		break;
	case A_301:
		reply->http_status = 301;
		reply->location = "https://elsewhere/";
		break;
	case A_429_WAIT:
		reply->http_status = 429;
		reply->retry_after = "5";
		break;
	case A_429_BARE:
		reply->http_status = 429;
		break;
	case A_500:
		reply->http_status = 500;
		body = "{\"error\":\"Internal Server Error\"}";
		break;
	case A_503_WAIT:
		reply->http_status = 503;
		reply->retry_after = "1";
		break;
	case A_502:
		reply->http_status = 502;
		break;
	case A_504:
		reply->http_status = 504;
		break;
	case A_408:
		reply->http_status = 408;
		break;
	case T_NOT_SENT:
		reply->transport = TRANSPORT_NOT_SENT;
		reply->problem = "Couldn't connect to server";
		body = "";
		break;
	case T_MAY_HAVE_ARRIVED:
		reply->transport = TRANSPORT_MAY_HAVE_ARRIVED;
		reply->problem = "Empty reply from server";
		body = "";
		break;
	case T_UNSAFE:
		reply->transport = TRANSPORT_UNSAFE;
		reply->problem = "SSL peer certificate was not OK";
		body = "";
		break;
	case ANSWER_COUNT:
		break;
	}
	reply->body = body;
	reply->body_length = strlen(body);
}

static const char *kind_name(enum decide_kind kind)
{
	static const char *const names[] = {"finish",     "retry", "split",   "read back",
	                                    "send again", "leave", "stop job"};
	return names[kind];
}

/* Checks one cell for one operation class and one phase. */
static void check_cell(const struct cell *cell, enum op_class op, enum phase phase)
{
	struct fixture fixture;
	make_fixture(&fixture, op, phase, cell->answer, cell->resend_on_5xx);
	struct decision decision;
	assert_int_equal(decide(&fixture.call, &fixture.answer, &fixture.job, &decision), 0);
	char where[160];
	snprintf(where, sizeof(where), "%s × %s × %s%s", answer_names[cell->answer], class_ops[op],
	         phase_names[phase], cell->resend_on_5xx ? " (--resend-on-5xx)" : "");
	if (decision.kind != cell->kind)
		fail_msg("%s: decided %s, wanted %s (%s)", where, kind_name(decision.kind),
		         kind_name(cell->kind), decision.message);
	const char *message = decision.message;
	switch (decision.kind) {
	case DECIDE_FINISH:
		message = decision.rows[0].outcome.message;
		if (decision.rows[0].outcome.status != cell->first)
			fail_msg("%s: row 1 %s, wanted %s (%s)", where,
			         row_status_name(decision.rows[0].outcome.status),
			         row_status_name(cell->first), message);
		if (fixture.call.count > 1 && (decision.rows[1].outcome.status != cell->second ||
		                               decision.rows[1].action != cell->action))
			fail_msg("%s: row 2 %s (action %d), wanted %s (action %d): %s", where,
			         row_status_name(decision.rows[1].outcome.status),
			         (int)decision.rows[1].action, row_status_name(cell->second),
			         (int)cell->action, decision.rows[1].outcome.message);
		break;
	case DECIDE_RETRY:
		if (decision.mark_possibly_applied != cell->mark)
			fail_msg("%s: possibly applied %d, wanted %d", where,
			         (int)decision.mark_possibly_applied, (int)cell->mark);
		assert_true(decision.count_retry);
		assert_true(decision.retry_at_ms >= NOW_MS);
		if (cell->answer == A_429_WAIT || cell->answer == A_429_BARE) {
			assert_true(decision.throttled);
			assert_false(decision.spend_budget);
			assert_true(decision.hold_until_ms == decision.retry_at_ms);
		} else {
			assert_false(decision.throttled);
			assert_true(decision.spend_budget);
			assert_true(decision.failed);
		}
		if (cell->answer == A_429_WAIT)
			assert_true(decision.retry_at_ms >= NOW_MS + 5000 &&
			            decision.retry_at_ms <= NOW_MS + 5000 + 550);
		if (cell->answer == A_503_WAIT)
			assert_true(decision.retry_at_ms >= NOW_MS + 1000);
		break;
	case DECIDE_SPLIT:
		assert_int_equal(decision.split_size, 1);
		assert_true(decision.answered);
		break;
	case DECIDE_STOP_JOB:
		assert_false(decision.service_failing);
		break;
	default:
		break;
	}
	if (cell->message && !strstr(message, cell->message))
		fail_msg("%s: message '%s' lacks '%s'", where, message, cell->message);
	decision_release(&decision);
}

/* Every cell of the table, over its operation classes and phases. */
static void every_cell_of_the_policy_table(void **state)
{
	(void)state;
	size_t checked = 0;
	bool covered[ANSWER_COUNT][CLASS_COUNT] = {{false}};
	for (size_t index = 0; index < sizeof(cells) / sizeof(cells[0]); index++) {
		const struct cell *cell = &cells[index];
		for (int op = 0; op < CLASS_COUNT; op++) {
			if (cell->op != ALL && cell->op != (enum op_class)op)
				continue;
			if (!cell->resend_on_5xx)
				covered[cell->answer][op] = true;
			for (int phase = FIRST; phase <= DOUBT; phase++) {
				if (cell->phase != ANY && cell->phase != (enum phase)phase)
					continue;
				check_cell(cell, (enum op_class)op, (enum phase)phase);
				checked++;
			}
		}
	}
	/* the table leaves no answer × operation undecided */
	for (int answer = 0; answer < ANSWER_COUNT; answer++)
		for (int op = 0; op < CLASS_COUNT; op++)
			if (!covered[answer][op])
				fail_msg("no cell for %s × %s", answer_names[answer],
				         class_ops[op]);
	assert_true(checked >= ANSWER_COUNT * CLASS_COUNT * 3);
}

/* ---- giving up, dead services, stops ---- */

static void giving_up(void **state)
{
	(void)state;
	struct fixture fixture;
	struct decision decision;

	/* out of tries: error, or unknown when an earlier try may have applied */
	make_fixture(&fixture, C_IDEMPOTENT, RETRY, A_500, false);
	fixture.job.max_retries = 2;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_FINISH);
	assert_int_equal(decision.rows[0].outcome.status, ROW_ERROR);
	assert_non_null(
	    strstr(decision.rows[0].outcome.message, "gave up after 3 attempts: HTTP 500"));
	decision_release(&decision);

	make_fixture(&fixture, C_ACTIVATE, DOUBT, A_500, false);
	fixture.call.retries = 2;
	fixture.job.max_retries = 2;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_FINISH);
	assert_int_equal(decision.rows[0].outcome.status, ROW_UNKNOWN);
	assert_non_null(strstr(decision.rows[0].outcome.message, "may have been applied"));
	decision_release(&decision);

	/* the job's retry budget spent */
	make_fixture(&fixture, C_IDEMPOTENT, FIRST, A_500, false);
	fixture.job.budget_available = false;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_FINISH);
	assert_non_null(strstr(decision.rows[0].outcome.message,
	                       "retry budget is spent (3 retries for 10 calls)"));
	decision_release(&decision);

	/* 429s never spend the budget */
	make_fixture(&fixture, C_IDEMPOTENT, FIRST, A_429_BARE, false);
	fixture.job.budget_available = false;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_RETRY);
	decision_release(&decision);

	/* nothing gets through: stop resumably instead of failing every row */
	make_fixture(&fixture, C_IDEMPOTENT, RETRY, T_NOT_SENT, false);
	fixture.job.max_retries = 2;
	fixture.job.failures_in_a_row = 19;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_STOP_JOB);
	assert_true(decision.service_failing);
	assert_non_null(strstr(decision.message, "keeps failing (20 calls in a row"));
	decision_release(&decision);

	make_fixture(&fixture, C_IDEMPOTENT, RETRY, A_503_WAIT, false);
	fixture.job.max_retries = 2;
	fixture.job.answered = 0;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_STOP_JOB);
	assert_true(decision.service_failing);
	decision_release(&decision);
}

static void a_stopping_job_decides_nothing_in_doubt(void **state)
{
	(void)state;
	static const struct {
		enum op_class op;
		enum phase phase;
		enum answer_id answer;
	} cases[] = {
	    {C_IDEMPOTENT, FIRST, A_500},
	    {C_ACTIVATE, FIRST, A_500},
	    {C_ACTIVATE, FIRST, A_502},
	    {C_ACTIVATE, FIRST, T_MAY_HAVE_ARRIVED},
	    {C_UPLOAD, FIRST, T_MAY_HAVE_ARRIVED},
	    {C_SMS, FIRST, A_500},
	    {C_SMS, FIRST, T_MAY_HAVE_ARRIVED},
	    {C_IDEMPOTENT, FIRST, A_429_BARE},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		struct fixture fixture;
		struct decision decision;
		make_fixture(&fixture, cases[index].op, cases[index].phase, cases[index].answer,
		             false);
		fixture.job.stopping = true;
		decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
		if (decision.kind != DECIDE_LEAVE)
			fail_msg("case %zu: decided %s while stopping", index,
			         kind_name(decision.kind));
		decision_release(&decision);
	}
	/* a refusal of a repeat that would need a read-back stays in doubt */
	struct fixture fixture;
	struct decision decision;
	make_fixture(&fixture, C_ACTIVATE, DOUBT, A_422_ROWS, false);
	fixture.job.stopping = true;
	decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
	assert_int_equal(decision.kind, DECIDE_FINISH);
	assert_int_equal(decision.rows[0].action, ROW_ACTION_REPORT);
	assert_int_equal(decision.rows[1].action, ROW_ACTION_IN_DOUBT);
	decision_release(&decision);
}

/* ---- read-backs ---- */

static void read_back_cells(void **state)
{
	(void)state;
	static const char ours[] = "{\"device_name\":\"d1\",\"iccid\":\"89000000000000000001\","
	                           "\"imei\":\"490154203237518\"}";
	static const char theirs[] = "{\"device_name\":\"x9\",\"iccid\":\"89000000000000000001\","
	                             "\"imei\":\"111111111111111\"}";
	static const struct {
		long status;
		const char *body;
		bool send_if_absent;
		const char *refusal;
		unsigned polls_left;
		bool stopping;
		enum decide_kind kind;
		enum row_status status_wanted;
		const char *message;
	} cases[] = {
	    {200, ours, false, NULL, 0, false, DECIDE_FINISH, ROW_OK,
	     "reconciled: device d1 holds"},
	    {200, theirs, false, NULL, 0, false, DECIDE_FINISH, ROW_ERROR,
	     "already belongs to device x9"},
	    {200, "{}", false, NULL, 0, false, DECIDE_FINISH, ROW_UNKNOWN,
	     "check before re-sending"},
	    {404, "{}", false, NULL, 0, false, DECIDE_FINISH, ROW_UNKNOWN, "not (yet) visible"},
	    {404, "{}", true, NULL, 0, false, DECIDE_SEND_AGAIN, 0, NULL},
	    {403, "{}", false, NULL, 0, false, DECIDE_FINISH, ROW_UNKNOWN, "gave HTTP 403"},
	    {500, "{}", false, NULL, 0, false, DECIDE_RETRY, 0, NULL},
	    {429, "{}", false, NULL, 0, false, DECIDE_RETRY, 0, NULL},
	    {401, "{}", false, NULL, 0, false, DECIDE_STOP_JOB, 0, "credentials"},
	    {0, "", false, NULL, 0, false, DECIDE_RETRY, 0, NULL},
	    /* confirming a refusal of a re-send */
	    {200, ours, false, "iccid: has already been taken", 3, false, DECIDE_FINISH, ROW_OK,
	     "reconciled: the activation sent earlier"},
	    {200, theirs, false, "iccid: has already been taken", 3, false, DECIDE_FINISH,
	     ROW_ERROR, "has already been taken; ICCID 89000000000000000001 already belongs"},
	    {404, "{}", false, "iccid: has already been taken", 3, false, DECIDE_RETRY, 0, NULL},
	    {404, "{}", false, "iccid: has already been taken", 0, false, DECIDE_FINISH, ROW_ERROR,
	     "iccid: has already been taken"},
	    {404, "{}", false, "iccid: has already been taken", 3, true, DECIDE_LEAVE, 0, NULL},
	    {200, "{}", false, "iccid: has already been taken", 3, false, DECIDE_FINISH,
	     ROW_UNKNOWN, "cannot be told"},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		struct fixture fixture;
		struct decision decision;
		make_fixture(&fixture, C_ACTIVATE, FIRST, A_400, false);
		fixture.call.read_back = true;
		fixture.call.count = 1;
		fixture.call.doubt = "Empty reply from server";
		fixture.call.send_if_absent = cases[index].send_if_absent;
		fixture.call.refusal = cases[index].refusal;
		fixture.call.refusal_status = 422;
		fixture.call.polls_left = cases[index].polls_left;
		fixture.job.stopping = cases[index].stopping;
		fixture.answer.http_status = cases[index].status;
		fixture.answer.transport =
		    cases[index].status ? TRANSPORT_ANSWERED : TRANSPORT_NOT_SENT;
		fixture.answer.problem = cases[index].status ? "" : "Couldn't connect";
		fixture.answer.body = cases[index].body;
		fixture.answer.body_length = strlen(cases[index].body);
		decide(&fixture.call, &fixture.answer, &fixture.job, &decision);
		if (decision.kind != cases[index].kind)
			fail_msg("read-back case %zu: decided %s, wanted %s", index,
			         kind_name(decision.kind), kind_name(cases[index].kind));
		const char *message = decision.message;
		if (decision.kind == DECIDE_FINISH) {
			message = decision.rows[0].outcome.message;
			if (decision.rows[0].outcome.status != cases[index].status_wanted)
				fail_msg("read-back case %zu: %s (%s)", index,
				         row_status_name(decision.rows[0].outcome.status), message);
		}
		if (decision.kind == DECIDE_RETRY)
			assert_int_equal(decision.consume_poll, cases[index].refusal != NULL);
		if (cases[index].message && !strstr(message, cases[index].message))
			fail_msg("read-back case %zu: '%s' lacks '%s'", index, message,
			         cases[index].message);
		decision_release(&decision);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_cell_of_the_policy_table),
	    cmocka_unit_test(giving_up),
	    cmocka_unit_test(a_stopping_job_decides_nothing_in_doubt),
	    cmocka_unit_test(read_back_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
