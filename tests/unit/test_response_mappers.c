/* Unit tests for the response mappers: the API text's example answers, 422
 * partial results by device_index, rows the answer forgets, HTTP failures,
 * garbage bodies and message truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"
#include "ops/response_readback.h"
#include "ops/response.h"

enum { MAX_ROWS = 8 };

struct rows {
	struct record records[MAX_ROWS];
	const struct record *pointers[MAX_ROWS];
	struct row_outcome outcomes[MAX_ROWS];
	size_t count;
};

static void rows_add(struct rows *rows, enum field_id field, const char *value)
{
	struct record *record = &rows->records[rows->count];
	memset(record, 0, sizeof(*record));
	record->row = rows->count + 1;
	record->value[field] = value;
	rows->pointers[rows->count] = record;
	rows->count++;
}

/* Runs op's mapper on an answer; body is parsed from raw when it is JSON.
 * Returns what the mapper returns: true when the answer had per-device entries. */
static bool map(const char *op_name, long status, const char *raw, struct rows *rows)
{
	const struct op *op = op_find(op_name);
	json_t *body = raw ? json_loads(raw, JSON_DECODE_ANY, NULL) : NULL;
	for (size_t index = 0; index < rows->count; index++) {
		rows->outcomes[index].status = ROW_SKIPPED; /* the mapper must overwrite it */
		memset(rows->outcomes[index].message, 'x', sizeof(rows->outcomes[index].message));
	}
	bool per_row = op->map_response(op, status, body, raw, raw ? strlen(raw) : 0,
	                                rows->pointers, rows->count, rows->outcomes);
	json_decref(body);
	for (size_t index = 0; index < rows->count; index++) {
		assert_int_not_equal(rows->outcomes[index].status, ROW_PENDING);
		assert_int_not_equal(rows->outcomes[index].status, ROW_SKIPPED);
		assert_non_null(memchr(rows->outcomes[index].message, '\0',
		                       sizeof(rows->outcomes[index].message)));
	}
	return per_row;
}

static void expect(const struct rows *rows, size_t index, enum row_status status,
                   const char *message_part)
{
	const struct row_outcome *outcome = &rows->outcomes[index];
	if (outcome->status != status || !strstr(outcome->message, message_part))
		fail_msg("row %zu: got %s '%s', wanted %s with '%s'", index,
		         row_status_name(outcome->status), outcome->message,
		         row_status_name(status), message_part);
}

static void activation_422_example_of_the_api_text(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_ICCID, "89222222222222222222");
	rows_add(&rows, FIELD_ICCID, "89444444444444444444");
	rows_add(&rows, FIELD_ICCID, "89666666666666666666");
	rows_add(&rows, FIELD_ICCID, "89888888888888888888");
	map("activate", 422,
	    "{\"processed\":[{\"iccid\":\"89222222222222222222\",\"imei\":\"111111111111111\","
	    "\"note\":\"\",\"request_type\":\"activate\"},{\"iccid\":\"89666666666666666666\","
	    "\"imei\":\"555555555555555\",\"request_type\":\"activate\"}],\"unprocessed\":[{"
	    "\"device_index\":1,\"error\":\"{\\\"iccid\\\":[\\\"has already been taken\\\"],"
	    "\\\"imei\\\":[\\\"is invalid\\\",\\\"is blocked\\\"]}\",\"input\":{\"iccid\":"
	    "\"89444444444444444444\"}}]}",
	    &rows);
	expect(&rows, 0, ROW_OK, "processed");
	assert_string_equal(rows.outcomes[1].message,
	                    "iccid: has already been taken; imei: is invalid, is blocked");
	expect(&rows, 1, ROW_ERROR, "iccid");
	expect(&rows, 2, ROW_OK, "processed");
	expect(&rows, 3, ROW_UNKNOWN, "not mentioned in the answer");
}

static void processed_entries_match_by_iccid_then_imei_then_order(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_ICCID, "89000000000000000001");
	rows_add(&rows, FIELD_ICCID, "89000000000000000002");
	rows_add(&rows, FIELD_ICCID, "89000000000000000003");
	rows.records[2].value[FIELD_IMEI] = "490154203237518";
	/* Key order, extra keys and a reversed list do not matter. */
	map("activate", 200,
	    "{\"extra\":1,\"processed\":[{\"imei\":\"490154203237518\"},{\"request_type\":"
	    "\"activate\",\"iccid\":\"89000000000000000002\"}],\"unprocessed\":[]}",
	    &rows);
	expect(&rows, 0, ROW_UNKNOWN, "not mentioned");
	expect(&rows, 1, ROW_OK, "processed");
	expect(&rows, 2, ROW_OK, "processed");
	/* Entries without identifiers stand for the rows in order, skipping refused ones. */
	map("activate", 200,
	    "{\"processed\":[{\"request_type\":\"activate\"},{}],\"unprocessed\":[{"
	    "\"device_index\":0,\"error\":{\"iccid\":[\"bad\"]}}]}",
	    &rows);
	expect(&rows, 0, ROW_ERROR, "iccid: bad");
	expect(&rows, 1, ROW_OK, "processed");
	expect(&rows, 2, ROW_OK, "processed");
}

static void unprocessed_errors_are_read_tolerantly(void **state)
{
	(void)state;
	struct rows rows = {0};
	for (int index = 0; index < 6; index++)
		rows_add(&rows, FIELD_IMEI, "490154203237518");
	rows.records[5].value[FIELD_IMEI] = "356938035643809";
	map("upload", 422,
	    "{\"unprocessed\":["
	    "{\"device_index\":0,\"error\":\"not json at all\"},"
	    "{\"device_index\":\"1\",\"error\":[\"a\",\"b\"]},"
	    "{\"device_index\":2},"
	    "{\"device_index\":3,\"error\":\"\\\"a json string\\\"\"},"
	    "{\"device_index\":99,\"error\":\"out of range\"},"
	    "{\"device_index\":-1,\"error\":\"negative\"},"
	    "{\"error\":\"{\\\"imei\\\":[\\\"unknown to the carrier\\\"]}\",\"input\":{\"imei\":"
	    "\"356938035643809\"}},"
	    "\"not an object\"]}",
	    &rows);
	expect(&rows, 0, ROW_ERROR, "not json at all");
	expect(&rows, 1, ROW_ERROR, "a, b");
	expect(&rows, 2, ROW_ERROR, "refused by the API (no error text)");
	expect(&rows, 3, ROW_ERROR, "a json string");
	expect(&rows, 4, ROW_UNKNOWN, "not mentioned in the answer");
	expect(&rows, 5, ROW_ERROR, "imei: unknown to the carrier");
}

static void batch_answers_without_lists(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_ICCID, "89000000000000000001");
	rows_add(&rows, FIELD_ICCID, "89000000000000000002");
	map("activate", 200, "", &rows);
	expect(&rows, 0, ROW_OK, "accepted (HTTP 200 without per-row results)");
	map("activate", 200, NULL, &rows);
	expect(&rows, 1, ROW_OK, "accepted");
	map("activate", 200, "{}", &rows);
	expect(&rows, 0, ROW_OK, "accepted");
	/* HTML from a proxy proves nothing: activation is not idempotent, so unknown. */
	map("activate", 200, "<html>\r\n<body>Gateway login</body></html>", &rows);
	expect(&rows, 0, ROW_UNKNOWN,
	       "unexpected answer (HTTP 200, not JSON): '<html>\\r\\n<body>");
	map("upload", 200, "{\"error\":\"quota\"}", &rows);
	expect(&rows, 1, ROW_UNKNOWN, "{\"error\":\"quota\"}");
	map("activate", 422, "{\"errors\":\"rate plan unknown\"}", &rows);
	expect(&rows, 0, ROW_ERROR, "HTTP 422: {\"errors\":\"rate plan unknown\"}");
	map("activate", 400, "missing parameter", &rows);
	expect(&rows, 1, ROW_ERROR, "HTTP 400: missing parameter");
	map("activate", 500, "oops", &rows);
	expect(&rows, 1, ROW_UNKNOWN, "HTTP 500: oops — the service failed");
}

static void change_status_maps(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_DEVICE_NAME, "123");
	rows_add(&rows, FIELD_DEVICE_NAME, "456");
	rows_add(&rows, FIELD_DEVICE_NAME, "789");
	rows_add(&rows, FIELD_DEVICE_NAME, "999");
	rows_add(&rows, FIELD_DEVICE_NAME, "000");
	map("cost-center", 200,
	    "{\"change_status\":{\"456\":\"Error: Device does not exist.\",\"123\":\"Success\","
	    "\"789\":\"Pending review\",\"999\":true,\"other\":\"Success\"}}",
	    &rows);
	expect(&rows, 0, ROW_OK, "Success");
	assert_string_equal(rows.outcomes[1].message, "Error: Device does not exist.");
	expect(&rows, 1, ROW_ERROR, "Error: Device does not exist.");
	expect(&rows, 2, ROW_ERROR, "unexpected status 'Pending review'");
	expect(&rows, 3, ROW_ERROR, "unexpected status true");
	expect(&rows, 4, ROW_UNKNOWN, "not mentioned in the answer");

	map("remove-usage-limit", 200,
	    "{\"status\":{\"123\":\"Success: Device data limit removed.\",\"456\":\"  success\"}}",
	    &rows);
	expect(&rows, 0, ROW_OK, "Success: Device data limit removed.");
	expect(&rows, 1, ROW_OK, "success");
	expect(&rows, 2, ROW_UNKNOWN, "not mentioned");
	/* Either key name is accepted for every device operation. */
	map("usage-limit", 200,
	    "{\"change_status\":{\"123\":\"Success: Device data limit is set.\"}}", &rows);
	expect(&rows, 0, ROW_OK, "limit is set");
	/* A bare name-keyed object is read as the map. */
	map("simstate", 200, "{\"123\":\"Success\",\"456\":\"Error: no\"}", &rows);
	expect(&rows, 0, ROW_OK, "Success");
	expect(&rows, 1, ROW_ERROR, "Error: no");
}

/* Devices named by ICCID (id_type) answered under their own device names. */
static void answers_keyed_by_canonical_names(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_DEVICE_NAME, "89990000000000000014");
	rows_add(&rows, FIELD_DEVICE_NAME, "89990000000000000022");
	rows_add(&rows, FIELD_DEVICE_NAME, "89990000000000000999");
	for (size_t index = 0; index < rows.count; index++)
		rows.records[index].value[FIELD_ID_TYPE] = "iccid";
	map("simstate", 200,
	    "{\"change_status\":{\"89990000000000000999\":\"Error: Device does not exist.\","
	    "\"mock-0000002\":\"Success\",\"mock-0000001\":\"Success\"}}",
	    &rows);
	expect(&rows, 0, ROW_OK, "Success");
	expect(&rows, 1, ROW_OK, "Success");
	expect(&rows, 2, ROW_ERROR, "Error: Device does not exist.");
	/* Different statuses under unknown names: which row is which cannot be told. */
	map("simstate", 200,
	    "{\"change_status\":{\"mock-0000001\":\"Success\",\"mock-0000002\":\"Error: no\","
	    "\"89990000000000000999\":\"Success\"}}",
	    &rows);
	expect(&rows, 0, ROW_UNKNOWN, "not mentioned");
	expect(&rows, 1, ROW_UNKNOWN, "not mentioned");
	expect(&rows, 2, ROW_OK, "Success");
	/* Fewer entries than rows: nothing is guessed. */
	map("simstate", 200, "{\"change_status\":{\"mock-0000001\":\"Success\"}}", &rows);
	expect(&rows, 0, ROW_UNKNOWN, "not mentioned");
	expect(&rows, 2, ROW_UNKNOWN, "not mentioned");
}

static void device_operations_failures(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_DEVICE_NAME, "123");
	rows_add(&rows, FIELD_DEVICE_NAME, "456");
	map("cost-center", 200, "{\"result\":\"done\"}", &rows);
	expect(&rows, 0, ROW_ERROR,
	       "unexpected answer (HTTP 200, no status per device): "
	       "'{\"result\":\"done\"}'");
	map("cost-center", 200, "\x01garbage\xff", &rows);
	expect(&rows, 1, ROW_ERROR, "'\\x01garbage\\xFF'");
	/* sms cannot be sent twice safely: a garbled success is unknown, not error. */
	map("sms", 200, "OK", &rows);
	expect(&rows, 0, ROW_UNKNOWN, "unexpected answer (HTTP 200, not JSON): 'OK'");
	map("sms", 200, "{\"status\":{\"123\":\"Success: Attempting SMS Send.\"}}", &rows);
	expect(&rows, 0, ROW_OK, "Attempting SMS Send.");
	expect(&rows, 1, ROW_UNKNOWN, "not mentioned");
	map("simstate", 404, "Not Found", &rows);
	expect(&rows, 0, ROW_ERROR, "HTTP 404: Not Found");
	expect(&rows, 1, ROW_ERROR, "HTTP 404: Not Found");
	map("simstate", 403, "", &rows);
	expect(&rows, 0, ROW_ERROR, "HTTP 403 (empty answer)");
	/* per-device entries inside a failure answer are mapped row by row */
	assert_true(map("simstate", 422, "{\"change_status\":{\"123\":\"Success\"}}", &rows));
	expect(&rows, 0, ROW_OK, "Success");
	expect(&rows, 1, ROW_UNKNOWN, "not mentioned");
	/* a failure's single-key error object is not a device map */
	rows.count = 1;
	assert_false(map("note", 400, "{\"detail\":\"field_name is wrong\"}", &rows));
	expect(&rows, 0, ROW_ERROR, "HTTP 400");
	rows.count = 2;

	char big[2000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	map("simstate", 405, big, &rows);
	expect(&rows, 0, ROW_ERROR, "HTTP 405: zzz");
	assert_true(strlen(rows.outcomes[0].message) < 240);
	assert_non_null(strstr(rows.outcomes[0].message, "…"));
}

static void note_and_locate_answers(void **state)
{
	(void)state;
	struct rows rows = {0};
	rows_add(&rows, FIELD_DEVICE_NAME, "36524");
	map("note", 200, "{\"36524\":\"Success\"}", &rows);
	expect(&rows, 0, ROW_OK, "Success");
	map("note", 200, "{\"36524\":\"Note too long\"}", &rows);
	expect(&rows, 0, ROW_ERROR, "unexpected status 'Note too long'");
	/* With id_type the API may answer under the device's own name. */
	map("note", 200, "{\"device-7\":\"Success\"}", &rows);
	expect(&rows, 0, ROW_OK, "Success");
	map("note", 200, "{\"error\":\"nope\"}", &rows);
	expect(&rows, 0, ROW_ERROR, "unexpected answer");
	map("note", 404, "{\"error\":\"device not found\"}", &rows);
	expect(&rows, 0, ROW_ERROR, "HTTP 404: {\"error\":\"device not found\"}");

	map("locate", 200, "{\"36524\":{\"lat\":52.1,\"lon\":4.3}}", &rows);
	expect(&rows, 0, ROW_OK, "{\"lat\":52.1,\"lon\":4.3}");
	map("locate", 200, "{\"36524\":\"located within 500 m\"}", &rows);
	assert_string_equal(rows.outcomes[0].message, "located within 500 m");
	map("locate", 200, "{\"36524\":\"Error: carrier does not support locate\"}", &rows);
	expect(&rows, 0, ROW_ERROR, "Error: carrier does not support");
	map("locate", 200, "not json", &rows);
	expect(&rows, 0, ROW_UNKNOWN, "not JSON");
	map("locate", 200, "[1,2]", &rows);
	expect(&rows, 0, ROW_UNKNOWN, "no answer for the device");
}

static void messages_are_cut_on_character_boundaries(void **state)
{
	(void)state;
	struct row_outcome outcome;
	char text[1200];
	/* 'é' is two bytes: 511 bytes of room falls in the middle of one. */
	for (size_t index = 0; index + 1 < sizeof(text); index += 2)
		memcpy(text + index, "\xc3\xa9", 2);
	outcome_set_text(&outcome, ROW_ERROR, text, sizeof(text) - 1);
	size_t length = strlen(outcome.message);
	assert_true(length <= sizeof(outcome.message) - 1);
	assert_int_equal(length % 2, 0);
	assert_int_equal(outcome.status, ROW_ERROR);
	outcome_set(&outcome, ROW_OK, "%s %d", "short", 7);
	assert_string_equal(outcome.message, "short 7");
}

static void garbage_answers_never_crash(void **state)
{
	(void)state;
	static const char *const bodies[] = {
	    "",
	    "null",
	    "[]",
	    "{}",
	    "\"Success\"",
	    "42",
	    "{\"processed\":{},\"unprocessed\":7}",
	    "{\"processed\":[null,1,[],{\"iccid\":5}],\"unprocessed\":[{\"device_index\":1e300},"
	    "{\"device_index\":\"99999999999999999999\"},{\"device_index\":0,\"error\":{\"a\":"
	    "{\"b\":{\"c\":{\"d\":{\"e\":[1,2]}}}}}}]}",
	    "{\"change_status\":[],\"status\":\"x\"}",
	    "{\"status\":{\"123\":null}}",
	    "{\"change_status\":{\"123\":{\"deep\":[1,2,3]}}}",
	    "\xff\xfe\x00",
	    "{\"unprocessed\":[{\"device_index\":0,\"error\":\"{\\\"x\\\":[\\\"\\u0001\\\"]}\"}]}",
	};
	static const long statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 422, 500, 503};
	struct rows rows = {0};
	rows_add(&rows, FIELD_DEVICE_NAME, "123");
	rows.records[0].value[FIELD_ICCID] = "89000000000000000001";
	rows.records[0].value[FIELD_IMEI] = "490154203237518";
	rows_add(&rows, FIELD_DEVICE_NAME, "456");
	for (size_t op_index = 0; op_index < op_table_count; op_index++)
		for (size_t body = 0; body < sizeof(bodies) / sizeof(bodies[0]); body++)
			for (size_t status = 0; status < sizeof(statuses) / sizeof(statuses[0]);
			     status++) {
				size_t saved = rows.count;
				if (op_table[op_index]->flags & OP_PER_ROW)
					rows.count = 1;
				bool per_row = map(op_table[op_index]->name, statuses[status],
				                   bodies[body], &rows);
				/* a failure answer makes a row ok only by an entry for it */
				if (statuses[status] >= 400 && !per_row)
					assert_int_not_equal(rows.outcomes[0].status, ROW_OK);
				rows.count = saved;
			}
}

/* Issue 16 #3: per-device entries inside a non-2xx answer decide row by row. */
static void per_device_entries_inside_failure_answers(void **state)
{
	(void)state;
	static const char *const names[] = {"d1", "d2", "d3"};
	struct rows rows = {0};
	for (size_t index = 0; index < 3; index++)
		rows_add(&rows, FIELD_DEVICE_NAME, names[index]);
	static const long statuses[] = {400, 409, 422, 500, 503};
	for (size_t index = 0; index < sizeof(statuses) / sizeof(statuses[0]); index++) {
		assert_true(map("cost-center", statuses[index],
		                "{\"change_status\":{\"d1\":\"Success\",\"d2\":\"Error: no such "
		                "device\",\"d3\":\"Success\"}}",
		                &rows));
		expect(&rows, 0, ROW_OK, "Success");
		expect(&rows, 1, ROW_ERROR, "Error: no such device");
		expect(&rows, 2, ROW_OK, "Success");
		assert_true(map("sms", statuses[index],
		                "{\"status\":{\"d1\":\"Success: Attempting SMS Send.\","
		                "\"d3\":\"Error: Device does not support SMS.\"}}",
		                &rows));
		expect(&rows, 0, ROW_OK, "Attempting SMS Send");
		expect(&rows, 1, ROW_UNKNOWN, "not mentioned");
		expect(&rows, 2, ROW_ERROR, "does not support SMS");
	}
	struct rows batch = {0};
	rows_add(&batch, FIELD_ICCID, "89222222222222222222");
	rows_add(&batch, FIELD_ICCID, "89444444444444444444");
	assert_true(map("activate", 500,
	                "{\"processed\":[{\"iccid\":\"89222222222222222222\"}],\"unprocessed\":[{"
	                "\"device_index\":1,\"error\":\"{\\\"iccid\\\":[\\\"has already been "
	                "taken\\\"]}\"}]}",
	                &batch));
	expect(&batch, 0, ROW_OK, "processed");
	expect(&batch, 1, ROW_ERROR, "iccid: has already been taken");
	/* no entries: a whole-call verdict, and the mapper says so */
	assert_false(map("activate", 500, "{\"error\":\"Internal Server Error\"}", &batch));
	expect(&batch, 0, ROW_UNKNOWN, "HTTP 500");
	assert_false(map("cost-center", 422, "{\"error\":\"unprocessable\"}", &rows));
	expect(&rows, 0, ROW_ERROR, "HTTP 422");
}

/* Issue 16 #2: what a read-back proves. */
static void read_backs_prove_only_this_rows_activation(void **state)
{
	(void)state;
	struct record row = {0};
	row.value[FIELD_ICCID] = "89000000000000000001";
	row.value[FIELD_IMEI] = "490154203237518";
	int64_t call_ms = 0;
	assert_int_equal(readback_parse_time("2026-12-02T15:40:00Z", &call_ms), 0);
	static const struct {
		long status;
		const char *body;
		enum readback_finding finding;
		const char *evidence;
	} cases[] = {
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":"
	     "\"490154203237518\",\"last_activation_date\":\"2026-12-02T15:40:05Z\"}",
	     READBACK_OURS, "device d7 holds ICCID 89000000000000000001 and IMEI 490154203237518"},
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":"
	     "\"490154203237518\"}",
	     READBACK_OURS, "IMEI 490154203237518"},
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":"
	     "\"351756051523999\"}",
	     READBACK_NOT_OURS, "already belongs to device d7 with IMEI 351756051523999"},
	    {200, "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":\"\"}",
	     READBACK_NOT_OURS, "with IMEI none"},
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":"
	     "\"490154203237518\",\"last_activation_date\":\"2025-03-01 12:00:00 +01:00\"}",
	     READBACK_NOT_OURS, "activated 2025-03-01 12:00:00 +01:00, before this job's call"},
	    /* within the clock tolerance: ours */
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\",\"imei\":"
	     "\"490154203237518\",\"last_activation_date\":\"2026-12-02T15:35:00.5Z\"}",
	     READBACK_OURS, "activated 2026-12-02T15:35:00.5Z"},
	    {200, "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000001\"}", READBACK_UNCLEAR,
	     "shows no IMEI"},
	    {200,
	     "{\"device_name\":\"d7\",\"iccid\":\"89000000000000000002\",\"imei\":"
	     "\"490154203237518\"}",
	     READBACK_UNCLEAR, "shows ICCID 89000000000000000002"},
	    {200, "{\"state\":\"active\"}", READBACK_UNCLEAR, "shows ICCID none"},
	    {200, "<html>", READBACK_UNCLEAR, "not a device object"},
	    {404, "{\"error\":\"not found\"}", READBACK_ABSENT, "HTTP 404"},
	    {403, "{}", READBACK_UNCLEAR, "gave HTTP 403"},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		json_t *body = json_loads(cases[index].body, 0, NULL);
		struct strbuf found;
		strbuf_init(&found, 4096);
		enum readback_finding finding =
		    readback_judge(&row, cases[index].status, body, call_ms, &found);
		if (finding != cases[index].finding ||
		    !strstr(strbuf_text(&found), cases[index].evidence))
			fail_msg("case %zu: got %d '%s', wanted %d with '%s'", index, (int)finding,
			         strbuf_text(&found), (int)cases[index].finding,
			         cases[index].evidence);
		strbuf_release(&found);
		json_decref(body);
	}
	/* a row naming its hardware by device_sku */
	struct record sku_row = {0};
	sku_row.value[FIELD_ICCID] = "89000000000000000001";
	sku_row.value[FIELD_DEVICE_SKU] = "SKU-1";
	json_t *body = json_pack("{s:s, s:s, s:s}", "device_name", "d7", "iccid",
	                         "89000000000000000001", "device_sku", "SKU-1");
	struct strbuf found;
	strbuf_init(&found, 4096);
	assert_int_equal(readback_judge(&sku_row, 200, body, 0, &found), READBACK_OURS);
	json_object_set_new(body, "device_sku", json_string("SKU-2"));
	strbuf_reset(&found);
	assert_int_equal(readback_judge(&sku_row, 200, body, 0, &found), READBACK_NOT_OURS);
	json_object_del(body, "device_sku");
	strbuf_reset(&found);
	assert_int_equal(readback_judge(&sku_row, 200, body, 0, &found), READBACK_UNCLEAR);
	strbuf_release(&found);
	json_decref(body);

	int64_t parsed = 0;
	assert_int_equal(readback_parse_time("1970-01-01T00:00:01.250Z", &parsed), 0);
	assert_int_equal(parsed, 1250);
	assert_int_equal(readback_parse_time("2000-03-01T00:00:00-01:30", &parsed), 0);
	assert_int_equal(parsed, 951868800000LL + 5400000LL);
	assert_int_equal(readback_parse_time("2026-13-01T00:00:00Z", &parsed), -1);
	assert_int_equal(readback_parse_time("yesterday", &parsed), -1);
	assert_int_equal(readback_parse_time("2026-12-02T15:40:00Zjunk", &parsed), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(activation_422_example_of_the_api_text),
	    cmocka_unit_test(processed_entries_match_by_iccid_then_imei_then_order),
	    cmocka_unit_test(unprocessed_errors_are_read_tolerantly),
	    cmocka_unit_test(batch_answers_without_lists),
	    cmocka_unit_test(change_status_maps),
	    cmocka_unit_test(answers_keyed_by_canonical_names),
	    cmocka_unit_test(device_operations_failures),
	    cmocka_unit_test(per_device_entries_inside_failure_answers),
	    cmocka_unit_test(read_backs_prove_only_this_rows_activation),
	    cmocka_unit_test(note_and_locate_answers),
	    cmocka_unit_test(messages_are_cut_on_character_boundaries),
	    cmocka_unit_test(garbage_answers_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
