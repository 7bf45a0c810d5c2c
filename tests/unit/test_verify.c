/* Unit tests for verify: the verdict of a row against the device read back
 * (table-driven), the polling schedule on a fake clock, durations, the
 * listing page a steps job's round reads through its engine, the rows'
 * judgements kept on disk between rounds (in layers) and the pending rows
 * later rounds walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/duration.h"
#include "verify/judgements.h"
#include "verify/page_read.h"
#include "verify/pending.h"
#include "verify/schedule.h"
#include "verify/verdict.h"

#define ICCID "89014103211118510720"
#define IMEI  "490154203237518"

struct verdict_case {
	const char *label;
	const char *op;
	const char *fields[FIELD_COUNT]; /* the row */
	bool found;                      /* a device answered */
	const char *device[DEVICE_FIELD_COUNT];
	bool wait_over;
	enum verify_verdict verdict;
	const char *expected, *observed, *device_name;
};

static const struct verdict_case verdict_cases[] = {
    {"activation active with the row's IMEI",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     true,
     {[DEVICE_NAME] = "dev-1",
      [DEVICE_ICCID] = ICCID,
      [DEVICE_IMEI] = IMEI,
      [DEVICE_STATE] = "active"},
     false,
     VERIFY_VERIFIED,
     "active",
     "active",
     "dev-1"},
    {"activation still pending",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     true,
     {[DEVICE_NAME] = "dev-1",
      [DEVICE_ICCID] = ICCID,
      [DEVICE_IMEI] = IMEI,
      [DEVICE_STATE] = "pending"},
     true,
     VERIFY_PENDING,
     "active",
     "pending",
     "dev-1"},
    {"activation: the ICCID is on another IMEI",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     true,
     {[DEVICE_NAME] = "dev-9",
      [DEVICE_ICCID] = ICCID,
      [DEVICE_IMEI] = "356938035643809",
      [DEVICE_STATE] = "active"},
     false,
     VERIFY_MISMATCH,
     "active",
     NULL,
     "dev-9"},
    {"activation: the SIM is deactivated",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     true,
     {[DEVICE_NAME] = "dev-1",
      [DEVICE_ICCID] = ICCID,
      [DEVICE_IMEI] = IMEI,
      [DEVICE_STATE] = "deactivated"},
     false,
     VERIFY_MISMATCH,
     "active",
     NULL,
     "dev-1"},
    {"activation not readable yet, still waiting",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     false,
     {0},
     false,
     VERIFY_PENDING,
     "active",
     "not readable yet",
     ""},
    {"activation never showed up",
     "activate",
     {[FIELD_ICCID] = ICCID, [FIELD_IMEI] = IMEI, [FIELD_RATE_PLAN_NAME] = "P"},
     false,
     {0},
     true,
     VERIFY_MISSING,
     "active",
     "no such device",
     ""},
    {"cost center in place",
     "cost-center",
     {[FIELD_DEVICE_NAME] = "dev-2", [FIELD_COST_CENTER] = "CC-7"},
     true,
     {[DEVICE_NAME] = "dev-2", [DEVICE_COST_CENTER] = "CC-7", [DEVICE_STATE] = "active"},
     false,
     VERIFY_VERIFIED,
     "CC-7",
     "CC-7",
     "dev-2"},
    {"cost center changed behind the job's back",
     "cost-center",
     {[FIELD_DEVICE_NAME] = "dev-2", [FIELD_COST_CENTER] = "CC-7"},
     true,
     {[DEVICE_NAME] = "dev-2", [DEVICE_COST_CENTER] = "OTHER", [DEVICE_STATE] = "active"},
     false,
     VERIFY_MISMATCH,
     "CC-7",
     "OTHER",
     "dev-2"},
    {"cost center of a device that is gone, even while waiting",
     "cost-center",
     {[FIELD_DEVICE_NAME] = "dev-2", [FIELD_COST_CENTER] = "CC-7"},
     false,
     {0},
     false,
     VERIFY_MISSING,
     "CC-7",
     "no such device",
     ""},
    {"suspend in place",
     "simstate",
     {[FIELD_DEVICE_NAME] = "dev-3", [FIELD_STATE] = "suspend"},
     true,
     {[DEVICE_NAME] = "dev-3", [DEVICE_STATE] = "suspended"},
     false,
     VERIFY_VERIFIED,
     "suspended",
     "suspended",
     "dev-3"},
    {"restore not in place",
     "simstate",
     {[FIELD_DEVICE_NAME] = "dev-3", [FIELD_STATE] = "restore"},
     true,
     {[DEVICE_NAME] = "dev-3", [DEVICE_STATE] = "suspended"},
     false,
     VERIFY_MISMATCH,
     "active",
     "suspended",
     "dev-3"},
};

static void verdicts_follow_the_table(void **state)
{
	(void)state;
	struct verify_judgement judgement;
	verify_judgement_init(&judgement);
	for (size_t index = 0; index < sizeof(verdict_cases) / sizeof(verdict_cases[0]); index++) {
		const struct verdict_case *item = &verdict_cases[index];
		const struct op *op = op_find(item->op);
		assert_non_null(op);
		struct record record;
		memset(&record, 0, sizeof(record));
		record.row = index + 1;
		memcpy(record.value, item->fields, sizeof(record.value));
		struct device_view device;
		memcpy(device.value, item->device, sizeof(device.value));
		verify_judge(op, &record, item->found ? &device : NULL, item->wait_over,
		             &judgement);
		print_message("case: %s\n", item->label);
		assert_string_equal(verify_verdict_name(judgement.verdict),
		                    verify_verdict_name(item->verdict));
		assert_string_equal(strbuf_text(&judgement.expected), item->expected);
		if (item->observed)
			assert_string_equal(strbuf_text(&judgement.observed), item->observed);
		else /* a conflict says why */
			assert_true(judgement.observed.length > 0);
		assert_string_equal(strbuf_text(&judgement.device_name), item->device_name);
	}
	verify_judgement_release(&judgement);
}

static void only_operations_with_readable_state_are_verifiable(void **state)
{
	(void)state;
	static const char *const readable[] = {"activate", "cost-center", "note", "simstate"};
	static const char *const unreadable[] = {"locate", "remove-usage-limit", "sms", "upload",
	                                         "usage-limit"};
	for (size_t index = 0; index < sizeof(readable) / sizeof(readable[0]); index++)
		assert_true(verify_op_readable(op_find(readable[index])));
	for (size_t index = 0; index < sizeof(unreadable) / sizeof(unreadable[0]); index++)
		assert_false(verify_op_readable(op_find(unreadable[index])));
}

static void schedule_doubles_to_the_cap_and_stops_at_the_deadline(void **state)
{
	(void)state;
	struct verify_schedule schedule;
	int64_t now = 1000000; /* a fake monotonic clock */
	verify_schedule_init(&schedule, now, 5 * 60 * 1000);
	/* each round is taken to last 500 ms */
	static const int64_t pauses[] = {2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
	for (size_t index = 0; index < sizeof(pauses) / sizeof(pauses[0]); index++) {
		now += 500;
		int64_t next = verify_schedule_next(&schedule, now);
		assert_int_equal(next - now, pauses[index]);
		now = next;
	}
	/* 242 s + 4 s of rounds spent: the next pause is cut to the deadline */
	now += 500;
	int64_t next = verify_schedule_next(&schedule, now);
	assert_int_equal(next, 1000000 + 5 * 60 * 1000);
	now = next + 500;
	assert_int_equal(verify_schedule_next(&schedule, now), -1);
	assert_int_equal(verify_schedule_waited(&schedule, now), 5 * 60 * 1000 + 500);
	assert_int_equal(schedule.rounds, 10);
}

static void schedule_without_wait_reads_once(void **state)
{
	(void)state;
	struct verify_schedule schedule;
	verify_schedule_init(&schedule, 42, 0);
	assert_int_equal(verify_schedule_next(&schedule, 42), -1);
	assert_int_equal(schedule.rounds, 1);
	/* a wait shorter than the first pause: one more look, at the deadline */
	verify_schedule_init(&schedule, 0, 500);
	assert_int_equal(verify_schedule_next(&schedule, 100), 500);
	assert_int_equal(verify_schedule_next(&schedule, 600), -1);
}

static void durations_parse_and_print(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int64_t milliseconds;
		const char *printed;
	} good[] = {
	    {"30m", 30 * 60000, "30m"},  {"90s", 90000, "1m30s"},       {"90", 90000, "1m30s"},
	    {"1h30m", 5400000, "1h30m"}, {"250ms", 250, "250ms"},       {"0", 0, "0s"},
	    {"2d", 172800000, "2d"},     {"1m500ms", 60500, "1m500ms"},
	};
	for (size_t index = 0; index < sizeof(good) / sizeof(good[0]); index++) {
		int64_t value = -1;
		char text[32];
		assert_int_equal(duration_parse(good[index].text, &value), 0);
		assert_int_equal(value, good[index].milliseconds);
		assert_string_equal(duration_format(value, text, sizeof(text)),
		                    good[index].printed);
	}
	static const char *const bad[] = {
	    "", "m", "30x", "-5m", "1.5h", "1m30", "8d", "99999999999999999999s", "30 m"};
	for (size_t index = 0; index < sizeof(bad) / sizeof(bad[0]); index++) {
		int64_t value = 0;
		assert_int_equal(duration_parse(bad[index], &value), -1);
	}
}

/* The engine's view: build the call, then map a 200 with the page's text. */
static bool answer_page(struct page_read *read, uint64_t page, long status, const char *text,
                        struct row_outcome *outcome)
{
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = page;
	const struct record *records[] = {&record};
	struct strbuf path;
	strbuf_init(&path, 1024);
	json_t *body = NULL;
	assert_int_equal(read->op.build_request(&read->op, records, 1, &path, &body), 0);
	assert_null(body);
	char expected[128];
	snprintf(expected, sizeof(expected), "v2/devices?details=true&page=%llu&per_page=2",
	         (unsigned long long)page);
	assert_string_equal(strbuf_text(&path), expected);
	strbuf_release(&path);
	memset(outcome, 0, sizeof(*outcome));
	return read->op.map_response(&read->op, status, NULL, text, strlen(text), records, 1,
	                             outcome);
}

static void listing_pages_file_their_devices_into_the_round(void **state)
{
	(void)state;
	struct page_read read;
	page_read_init(&read, 2);
	assert_true(read.op.flags & OP_RAW_ANSWER);
	assert_true(read.op.flags & OP_NOT_ROWS);
	struct row_outcome outcome;
	/* no round: nothing is filed, the answer is not taken */
	assert_false(answer_page(&read, 1, 200, "[]", &outcome));
	read.snapshot = live_snapshot_new();
	assert_non_null(read.snapshot);
	const char *full = "[{\"device_name\": \"d1\", \"iccid\": \"" ICCID "\", \"state\": "
	                   "\"active\"}, {\"device_name\": \"d2\", \"state\": \"pending\"}]";
	assert_true(answer_page(&read, 2, 200, full, &outcome));
	assert_int_equal(outcome.status, ROW_OK);
	assert_string_equal(outcome.message, "page 2: 2 devices");
	assert_int_equal(read.last_full, 2); /* a page may follow */
	assert_true(answer_page(&read, 3, 200, "[{\"device_name\": \"d3\"}]", &outcome));
	assert_int_equal(read.last_full, 2); /* a short page is the last */
	struct device_view device;
	assert_true(live_snapshot_find(read.snapshot, DEVICE_ICCID, ICCID, &device));
	assert_string_equal(device.value[DEVICE_NAME], "d1");
	assert_int_equal(live_snapshot_device_count(read.snapshot), 3);
	/* a failure's body is never filed: the engine retries or reports it */
	assert_false(answer_page(&read, 4, 500, "[{\"device_name\": \"d9\"}]", &outcome));
	assert_false(answer_page(&read, 4, 200, "{\"error\": \"busy\"}", &outcome));
	assert_int_equal(live_snapshot_device_count(read.snapshot), 3);
	live_snapshot_free(read.snapshot);
	/* pages a round asks for at once */
	assert_int_equal(page_read_pages(-1, 1000), 1);
	assert_int_equal(page_read_pages(0, 1000), 1);
	assert_int_equal(page_read_pages(1000, 1000), 1);
	assert_int_equal(page_read_pages(20300, 1000), 21);
}

/* Two rounds over the rows' judgements on disk: the second writes only the
 * rows it judges again; reading gives each row's last judgement in row
 * order (NULL texts included), the rows not judged again as they were. */
static void judgements_are_layered_round_by_round(void **state)
{
	(void)state;
	struct verify_judgements judgements;
	verify_judgements_init(&judgements);
	struct error error;
	error_clear(&error);
	struct verify_texts texts;
	/* nothing kept before the first round */
	assert_int_equal(verify_judgements_begin(&judgements, true, &error), 0);
	assert_int_equal(verify_judgements_last(&judgements, 1, &texts, &error), 0);
	assert_null(texts.device_name);
	const struct verify_texts first[] = {
	    {"d1", "EAST", "WEST"}, {"", "EAST", "no such device"}, {NULL, "active", NULL}};
	const uint64_t rows[] = {2, 5, 9};
	for (size_t index = 0; index < 3; index++)
		assert_int_equal(
		    verify_judgements_put(&judgements, rows[index], &first[index], &error), 0);
	assert_int_equal(verify_judgements_end(&judgements, &error), 0);
	/* round two: only row 5 judged again */
	assert_int_equal(verify_judgements_begin(&judgements, true, &error), 0);
	const struct verify_texts again = {"d5", "EAST", "EAST"};
	assert_int_equal(verify_judgements_put(&judgements, 5, &again, &error), 0);
	assert_int_equal(verify_judgements_end(&judgements, &error), 0);
	/* a read-only pass: the last judgements */
	assert_int_equal(verify_judgements_begin(&judgements, false, &error), 0);
	assert_int_equal(verify_judgements_last(&judgements, 1, &texts, &error), 0);
	assert_int_equal(verify_judgements_last(&judgements, 2, &texts, &error), 1);
	assert_string_equal(texts.device_name, "d1");
	assert_string_equal(texts.expected, "EAST");
	assert_string_equal(texts.observed, "WEST");
	assert_int_equal(verify_judgements_last(&judgements, 5, &texts, &error), 1);
	assert_string_equal(texts.device_name, "d5");
	assert_string_equal(texts.observed, "EAST");
	assert_int_equal(verify_judgements_last(&judgements, 9, &texts, &error), 1);
	assert_null(texts.device_name);
	assert_string_equal(texts.expected, "active");
	assert_null(texts.observed);
	assert_int_equal(verify_judgements_last(&judgements, 10, &texts, &error), 0);
	assert_int_equal(verify_judgements_end(&judgements, &error), 0);
	/* the same pass again reads the same */
	assert_int_equal(verify_judgements_begin(&judgements, false, &error), 0);
	assert_int_equal(verify_judgements_last(&judgements, 5, &texts, &error), 1);
	assert_string_equal(texts.device_name, "d5");
	/* a damaged file is said so, not read as an end */
	assert_int_equal(verify_judgements_begin(&judgements, false, &error), 0);
	FILE *file = judgements.layers[0].file;
	assert_int_equal(fseek(file, 0, SEEK_SET), 0);
	assert_int_equal(fputc(0x7f, file), 0x7f);
	assert_int_equal(fseek(file, 0, SEEK_SET), 0);
	assert_int_equal(verify_judgements_last(&judgements, 2, &texts, &error), -1);
	assert_true(error.set);
	verify_judgements_release(&judgements);
}

/* Many rounds, each judging again a shrinking set of rows (and, once it is
 * one row, that row again and again): the layers stay few and every row
 * reads as the last round that judged it left it. */
static void judgements_stay_few_layers_over_many_rounds(void **state)
{
	(void)state;
	enum { ROWS = 4096, ROUNDS = 200 };
	struct verify_judgements judgements;
	verify_judgements_init(&judgements);
	struct error error;
	error_clear(&error);
	char observed[32];
	static unsigned last_round[ROWS + 1];
	for (unsigned round = 0; round < ROUNDS; round++) {
		assert_int_equal(verify_judgements_begin(&judgements, true, &error), 0);
		/* round r judges the rows whose number is a multiple of 2^min(r, 12) */
		unsigned step = 1u << (round < 12 ? round : 12);
		for (unsigned row = step; row <= ROWS; row += step) {
			snprintf(observed, sizeof(observed), "round %u", round);
			const struct verify_texts texts = {"name", "x", observed};
			assert_int_equal(verify_judgements_put(&judgements, row, &texts, &error),
			                 0);
			last_round[row] = round;
		}
		assert_int_equal(verify_judgements_end(&judgements, &error), 0);
		assert_true(judgements.count <= 14);
		if (round > 0)
			assert_int_equal(judgements.layers[0].rows, ROWS);
	}
	assert_int_equal(verify_judgements_begin(&judgements, false, &error), 0);
	for (unsigned row = 1; row <= ROWS; row++) {
		struct verify_texts texts;
		assert_int_equal(verify_judgements_last(&judgements, row, &texts, &error), 1);
		snprintf(observed, sizeof(observed), "round %u", last_round[row]);
		assert_string_equal(texts.observed, observed);
	}
	verify_judgements_release(&judgements);
}

/* The pending rows written in a round are walked back, whole and in row
 * order, in the next; a round that writes none leaves none. */
struct walked {
	unsigned count;
	struct record records[3];
	char names[3][16];
	char values[3][FIELD_COUNT][32];
};

static int walk(void *context, const struct record *record, const char *last_device_name,
                struct error *error)
{
	(void)error;
	struct walked *walked = context;
	assert_true(walked->count < 3);
	unsigned at = walked->count++;
	walked->records[at] = *record;
	snprintf(walked->names[at], sizeof(walked->names[at]), "%s",
	         last_device_name ? last_device_name : "(null)");
	for (size_t field = 0; field < FIELD_COUNT; field++)
		snprintf(walked->values[at][field], sizeof(walked->values[at][field]), "%s",
		         record->value[field] ? record->value[field] : "(null)");
	return 0;
}

static void pending_rows_are_walked_back_whole(void **state)
{
	(void)state;
	struct verify_pending pending;
	verify_pending_init(&pending);
	struct error error;
	error_clear(&error);
	struct walked walked = {0};
	assert_false(verify_pending_known(&pending));
	assert_int_equal(verify_pending_each(&pending, walk, &walked, &error), 0);
	assert_int_equal(walked.count, 0);
	struct record first = {
	    .row = 3, .line = 4, .offset = 120, .source_row = 7, .source_line = 8, .lane = 2};
	first.value[0] = ICCID;
	first.value[FIELD_COUNT - 1] = "last field";
	struct record second = {.row = 11, .line = 12, .offset = 640};
	second.value[1] = IMEI;
	assert_int_equal(verify_pending_begin(&pending, &error), 0);
	assert_int_equal(verify_pending_put(&pending, &first, "dev-3", &error), 0);
	assert_int_equal(verify_pending_put(&pending, &second, NULL, &error), 0);
	assert_int_equal(verify_pending_end(&pending, &error), 0);
	assert_true(verify_pending_known(&pending));
	assert_int_equal(verify_pending_each(&pending, walk, &walked, &error), 0);
	assert_int_equal(walked.count, 2);
	assert_int_equal(walked.records[0].row, 3);
	assert_int_equal(walked.records[0].line, 4);
	assert_int_equal(walked.records[0].offset, 120);
	assert_int_equal(walked.records[0].source_row, 7);
	assert_int_equal(walked.records[0].source_line, 8);
	assert_int_equal(walked.records[0].lane, 2);
	assert_string_equal(walked.names[0], "dev-3");
	assert_string_equal(walked.values[0][0], ICCID);
	assert_string_equal(walked.values[0][1], "(null)");
	assert_string_equal(walked.values[0][FIELD_COUNT - 1], "last field");
	assert_int_equal(walked.records[1].row, 11);
	assert_string_equal(walked.names[1], "(null)");
	assert_string_equal(walked.values[1][1], IMEI);
	/* the next round: none still pending */
	assert_int_equal(verify_pending_begin(&pending, &error), 0);
	assert_int_equal(verify_pending_end(&pending, &error), 0);
	walked.count = 0;
	assert_int_equal(verify_pending_each(&pending, walk, &walked, &error), 0);
	assert_int_equal(walked.count, 0);
	verify_pending_release(&pending);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(verdicts_follow_the_table),
	    cmocka_unit_test(only_operations_with_readable_state_are_verifiable),
	    cmocka_unit_test(schedule_doubles_to_the_cap_and_stops_at_the_deadline),
	    cmocka_unit_test(schedule_without_wait_reads_once),
	    cmocka_unit_test(durations_parse_and_print),
	    cmocka_unit_test(listing_pages_file_their_devices_into_the_round),
	    cmocka_unit_test(judgements_are_layered_round_by_round),
	    cmocka_unit_test(judgements_stay_few_layers_over_many_rounds),
	    cmocka_unit_test(pending_rows_are_walked_back_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
