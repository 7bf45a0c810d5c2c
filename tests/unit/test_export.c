/* Unit tests of the read side's pure parts: the read endpoint table (and the
 * docs that describe it), ISO 8601 checks, the paging rule, the decision
 * after each read, and record formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/iso_date.h"
#include "export/paging.h"
#include "export/read_answer.h"
#include "export/read_endpoint.h"
#include "export/record_format.h"

#define NOW_WALL_MS 1795633200000LL /* 2026-11-25T19:00:00Z */

static void table_is_sorted_and_complete(void **state)
{
	(void)state;
	assert_true(read_endpoint_count >= 8);
	for (size_t index = 0; index < read_endpoint_count; index++) {
		const struct read_endpoint *endpoint = &read_endpoints[index];
		if (index)
			assert_true(strcmp(read_endpoints[index - 1].kind, endpoint->kind) < 0);
		assert_ptr_equal(read_endpoint_find(endpoint->kind), endpoint);
		assert_true(endpoint->field_count > 0);
		assert_non_null(endpoint->summary);
		/* per-device paths name the device; account paths do not */
		assert_int_equal(strstr(endpoint->path, "{device_name}") != NULL,
		                 endpoint->per_device);
		/* the API text: limit only on the three history reads, which paginate */
		if (endpoint->parameters & READ_PARAM_LIMIT)
			assert_int_equal(endpoint->paging, READ_PAGED);
	}
	assert_null(read_endpoint_find("nothing"));
	assert_string_equal(read_device_state_hint("suspend"), "suspended");
	assert_string_equal(read_device_state_hint("Active"), "active");
	assert_null(read_device_state_hint("xyz"));
}

/* docs/usage.md's export section names every kind and its path. */
static void docs_describe_the_table(void **state)
{
	(void)state;
	FILE *file = fopen(DOCS_USAGE, "r");
	assert_non_null(file);
	static char text[200000];
	size_t length = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[length] = '\0';
	const char *section = strstr(text, "\n## export");
	assert_non_null(section);
	const char *end = strstr(section + 1, "\n## ");
	size_t section_length = end ? (size_t)(end - section) : strlen(section);
	char *copy = strndup(section, section_length);
	for (size_t index = 0; index < read_endpoint_count; index++) {
		const struct read_endpoint *endpoint = &read_endpoints[index];
		char kind[64], path[200];
		snprintf(kind, sizeof(kind), "`%s`", endpoint->kind);
		const char *slot = strstr(endpoint->path, "{device_name}");
		if (slot)
			snprintf(path, sizeof(path), "GET %.*s:device_name%s",
			         (int)(slot - endpoint->path), endpoint->path,
			         slot + strlen("{device_name}"));
		else
			snprintf(path, sizeof(path), "GET %s", endpoint->path);
		bool described = strstr(copy, kind) && strstr(copy, path);
		if (!described) {
			free(copy);
			fail_msg("docs/usage.md export section lacks %s or %s", kind, path);
		}
	}
	free(copy);
}

static void dates_accept_iso_8601(void **state)
{
	(void)state;
	int64_t instant = 0;
	char reason[120];
	assert_int_equal(iso_date_parse("2026-10-01", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(instant, 1790812800);
	assert_int_equal(
	    iso_date_parse("2026-10-01T02:00:00+02:00", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(instant, 1790812800);
	assert_int_equal(iso_date_parse("2026-10-01T00:00Z", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(
	    iso_date_parse("2026-10-01T00:00:00.250", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(iso_date_parse("2024-02-29", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(
	    iso_date_parse("2026-10-01T00:00:00-0530", &instant, reason, sizeof(reason)), 0);
	assert_int_equal(instant, 1790812800 + 5 * 3600 + 1800);
}

static void dates_refuse_the_rest(void **state)
{
	(void)state;
	int64_t instant = 0;
	char reason[120];
	static const char *const bad[] = {"2026-13-01",
	                                  "2026-02-29",
	                                  "2026-10-1",
	                                  "01/10/2026",
	                                  "2026-10-01 ",
	                                  "2026-10-01T25:00",
	                                  "2026-10-01T10",
	                                  "yesterday",
	                                  "",
	                                  "2026-10-01T00:00+2",
	                                  "2026-10-01T00:00:00.",
	                                  "2026-10-01X"};
	for (size_t index = 0; index < sizeof(bad) / sizeof(bad[0]); index++) {
		reason[0] = '\0';
		if (iso_date_parse(bad[index], &instant, reason, sizeof(reason)) == 0)
			fail_msg("'%s' was accepted", bad[index]);
		assert_true(reason[0] != '\0');
	}
}

static struct page_headers headers_of(const char *lines)
{
	struct page_headers headers;
	page_headers_read(&headers, lines);
	return headers;
}

static void paging_reads_headers(void **state)
{
	(void)state;
	struct page_headers headers =
	    headers_of("X-Total: 42\nx-total-pages: 5\nX-Per-Page: 10\nX-Next-Page: 4\nX-Page: 3");
	assert_int_equal(headers.total, 42);
	assert_int_equal(headers.total_pages, 5);
	assert_int_equal(headers.per_page, 10);
	assert_int_equal(headers.next_page, 4);
	headers = headers_of("X-Next-Page:  \nX-Total-Pages: lots");
	assert_int_equal(headers.next_page, 0);
	assert_int_equal(headers.total_pages, PAGING_ABSENT);
}

static void paging_follows_next_page_and_total(void **state)
{
	(void)state;
	struct paging paging;
	uint64_t next = 0;
	paging_init(&paging, 0);
	struct page_headers headers = headers_of("X-Next-Page: 2\nX-Total-Pages: 3");
	assert_int_equal(paging_after_page(&paging, &headers, 100, 1, &next), PAGING_NEXT);
	assert_int_equal(next, 2);
	headers = headers_of("X-Total-Pages: 3");
	assert_int_equal(paging_after_page(&paging, &headers, 100, 2, &next), PAGING_NEXT);
	assert_int_equal(next, 3);
	headers = headers_of("X-Next-Page: \nX-Total-Pages: 3");
	assert_int_equal(paging_after_page(&paging, &headers, 100, 3, &next), PAGING_DONE);
	assert_int_equal(paging.records, 300);
}

static void paging_without_headers_reads_to_a_short_page(void **state)
{
	(void)state;
	struct paging paging;
	uint64_t next = 0;
	struct page_headers none;
	page_headers_init(&none);
	paging_init(&paging, 0);
	/* page 1 shorter than asked is not the end: the server may clamp per_page */
	assert_int_equal(paging_after_page(&paging, &none, 25, 1, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 25, 2, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 7, 3, &next), PAGING_DONE);
	assert_int_equal(paging.records, 57);
	/* an exact multiple ends at the empty page */
	paging_init(&paging, 0);
	assert_int_equal(paging_after_page(&paging, &none, 25, 1, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 25, 2, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 0, 3, &next), PAGING_DONE);
	/* X-Per-Page alone decides a short page */
	paging_init(&paging, 0);
	struct page_headers per_page = headers_of("X-Per-Page: 25");
	assert_int_equal(paging_after_page(&paging, &per_page, 24, 1, &next), PAGING_DONE);
	/* mixed: headers on some pages only */
	paging_init(&paging, 0);
	struct page_headers some = headers_of("X-Next-Page: 2");
	assert_int_equal(paging_after_page(&paging, &some, 25, 1, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 25, 2, &next), PAGING_NEXT);
	some = headers_of("X-Next-Page: ");
	assert_int_equal(paging_after_page(&paging, &some, 25, 3, &next), PAGING_DONE);
}

static void paging_stops_loops_and_keeps_the_limit(void **state)
{
	(void)state;
	struct paging paging;
	uint64_t next = 0;
	struct page_headers none;
	page_headers_init(&none);
	paging_init(&paging, 0);
	assert_int_equal(paging_after_page(&paging, &none, 25, 9, &next), PAGING_NEXT);
	assert_int_equal(paging_after_page(&paging, &none, 25, 9, &next), PAGING_LOOP);
	paging_init(&paging, 0);
	struct page_headers back = headers_of("X-Next-Page: 1");
	assert_int_equal(paging_after_page(&paging, &back, 25, 1, &next), PAGING_LOOP);
	paging_init(&paging, 30);
	assert_int_equal(paging_keep(&paging, 25), 25);
	assert_int_equal(paging_after_page(&paging, &none, 25, 1, &next), PAGING_NEXT);
	assert_int_equal(paging_keep(&paging, 25), 5);
	assert_int_equal(paging_after_page(&paging, &none, 25, 2, &next), PAGING_DONE);
	assert_int_equal(paging.records, 30);
}

static struct read_decision decide(long status, CURLcode result, const char *retry_after,
                                   unsigned attempt, bool per_device)
{
	struct read_answer answer = {result, status,  retry_after, false,  "", "{\"error\":\"x\"}",
	                             13,     attempt, per_device,  "dev-1"};
	struct read_decision decision;
	read_decide(&answer, 9, NOW_WALL_MS, 12345, &decision);
	return decision;
}

static void decisions_follow_the_table(void **state)
{
	(void)state;
	assert_int_equal(decide(200, CURLE_OK, "", 1, true).verdict, READ_ACCEPT);
	struct read_decision decision = decide(429, CURLE_OK, "3", 1, true);
	assert_int_equal(decision.verdict, READ_RETRY);
	assert_true(decision.throttled);
	assert_false(decision.spends_budget);
	assert_true(decision.delay_ms >= 3000 && decision.delay_ms < 3100);
	/* Retry-After: 0 backs off instead of hammering */
	decision = decide(429, CURLE_OK, "0", 3, true);
	assert_int_equal(decision.verdict, READ_RETRY);
	assert_true(decision.delay_ms <= 1000);
	decision = decide(503, CURLE_OK, "", 2, false);
	assert_int_equal(decision.verdict, READ_RETRY);
	assert_true(decision.spends_budget);
	assert_int_equal(decide(0, CURLE_RECV_ERROR, "", 1, true).verdict, READ_RETRY);
	assert_int_equal(decide(0, CURLE_OPERATION_TIMEDOUT, "", 9, true).verdict,
	                 READ_STOP_FAILING);
	assert_int_equal(decide(500, CURLE_OK, "", 9, true).verdict, READ_STOP_FAILING);
	assert_int_equal(decide(401, CURLE_OK, "", 1, true).verdict, READ_STOP_REFUSED);
	assert_int_equal(decide(403, CURLE_OK, "", 1, false).verdict, READ_STOP_REFUSED);
	decision = decide(404, CURLE_OK, "", 1, true);
	assert_int_equal(decision.verdict, READ_DEVICE_ERROR);
	assert_non_null(strstr(decision.message, "dev-1"));
	assert_int_equal(decide(400, CURLE_OK, "", 1, false).verdict, READ_STOP_LISTING);
}

static void records_are_formula_safe(void **state)
{
	(void)state;
	char *text = NULL;
	size_t size = 0;
	FILE *stream = open_memstream(&text, &size);
	const struct read_endpoint *endpoint = read_endpoint_find("daily-usage");
	struct record_format format = {endpoint, false, false};
	record_format_header(stream, &format);
	json_t *item = json_pack("{s:i, s:s, s:i, s:i}", "id", 7, "date_for", "=cmd()",
	                         "bytes_used", -5, "sms_used", 1);
	assert_int_equal(record_format_write(stream, &format, item, "+dev"), 0);
	json_decref(item);
	fclose(stream);
	assert_string_equal(text, "requested_device,id,date_for,bytes_used,sms_used\n"
	                          "'+dev,7,'=cmd(),-5,1\n");
	free(text);
	/* names only: one column */
	stream = open_memstream(&text, &size);
	struct record_format names = {read_endpoint_find("devices"), false, true};
	record_format_header(stream, &names);
	json_t *name = json_string("36500");
	record_format_write(stream, &names, name, NULL);
	json_decref(name);
	fclose(stream);
	assert_string_equal(text, "device_name\n36500\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table_is_sorted_and_complete),
	    cmocka_unit_test(docs_describe_the_table),
	    cmocka_unit_test(dates_accept_iso_8601),
	    cmocka_unit_test(dates_refuse_the_rest),
	    cmocka_unit_test(paging_reads_headers),
	    cmocka_unit_test(paging_follows_next_page_and_total),
	    cmocka_unit_test(paging_without_headers_reads_to_a_short_page),
	    cmocka_unit_test(paging_stops_loops_and_keeps_the_limit),
	    cmocka_unit_test(decisions_follow_the_table),
	    cmocka_unit_test(records_are_formula_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
