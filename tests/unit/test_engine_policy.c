/* Unit tests for the engine's pure decisions: Retry-After, backoff, the retry
 * budget, AIMD concurrency, the token bucket and the endpoint policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "engine/max_errors.h"
#include "http/aimd.h"
#include "common/random.h"
#include "http/backoff.h"
#include "http/status.h"
#include "http/transfer.h"
#include "http/endpoint_policy.h"
#include "common/rate_limiter.h"
#include "http/retry_after.h"

/* 2026-11-25T19:00:00Z */
#define NOW_WALL_MS 1795633200000LL

static void retry_after_reads_delta_seconds(void **state)
{
	(void)state;
	int64_t delay = -1;
	assert_int_equal(retry_after_parse("3", NOW_WALL_MS, &delay), 0);
	assert_int_equal(delay, 3000);
	assert_int_equal(retry_after_parse(" 0 \r\n", NOW_WALL_MS, &delay), 0);
	assert_int_equal(delay, 0);
	assert_int_equal(retry_after_parse("99999999999999999999", NOW_WALL_MS, &delay), 0);
	assert_int_equal(delay, RETRY_AFTER_MAX_MS);
}

static void retry_after_reads_http_dates(void **state)
{
	(void)state;
	int64_t delay = -1;
	assert_int_equal(retry_after_parse("Wed, 25 Nov 2026 19:00:07 GMT", NOW_WALL_MS, &delay),
	                 0);
	assert_int_equal(delay, 7000);
	/* a year so far away that its milliseconds overflow (found by fuzzing):
	 * the longest wait, not undefined behaviour */
	assert_int_equal(retry_after_parse("Nov 1 912888888", NOW_WALL_MS, &delay), 0);
	assert_int_equal(delay, RETRY_AFTER_MAX_MS);
	/* a date in the past means "now" */
	assert_int_equal(retry_after_parse("Wed, 25 Nov 2026 18:00:00 GMT", NOW_WALL_MS, &delay),
	                 0);
	assert_int_equal(delay, 0);
	/* far future dates are clamped */
	assert_int_equal(retry_after_parse("Fri, 25 Dec 2026 19:00:00 GMT", NOW_WALL_MS, &delay),
	                 0);
	assert_int_equal(delay, RETRY_AFTER_MAX_MS);
}

static void retry_after_refuses_garbage(void **state)
{
	(void)state;
	int64_t delay = 42;
	const char *garbage[] = {"",     "  ",    "-5",
	                         "1.5",  "soon",  "3 seconds",
	                         "0x10", "12abc", "Wed, 99 Foo 2026 25:61:00 GMT"};
	for (size_t index = 0; index < sizeof(garbage) / sizeof(garbage[0]); index++)
		assert_int_equal(retry_after_parse(garbage[index], NOW_WALL_MS, &delay), -1);
	assert_int_equal(retry_after_parse(NULL, NOW_WALL_MS, &delay), -1);
	assert_int_equal(delay, 42);
}

static void backoff_grows_to_its_cap_with_full_jitter(void **state)
{
	(void)state;
	assert_int_equal(backoff_ceiling_ms(0, 250, 30000), 250);
	assert_int_equal(backoff_ceiling_ms(1, 250, 30000), 500);
	assert_int_equal(backoff_ceiling_ms(3, 250, 30000), 2000);
	assert_int_equal(backoff_ceiling_ms(7, 250, 30000), 30000);
	assert_int_equal(backoff_ceiling_ms(500, 250, 30000), 30000);
	uint64_t random_state = 12345;
	int64_t smallest = INT64_MAX, largest = 0;
	for (int draw = 0; draw < 2000; draw++) {
		int64_t delay = backoff_delay_ms(2, 250, 30000, random_next(&random_state));
		assert_true(delay >= 0 && delay <= 1000);
		smallest = delay < smallest ? delay : smallest;
		largest = delay > largest ? delay : largest;
	}
	/* full jitter spreads over the whole range */
	assert_true(smallest < 100);
	assert_true(largest > 900);
}

static void retry_budget_limits_retries_to_a_share_of_calls(void **state)
{
	(void)state;
	struct retry_budget budget;
	retry_budget_init(&budget, 0.1, 20);
	for (int call = 0; call < 100; call++)
		retry_budget_count_call(&budget);
	int granted = 0;
	while (retry_budget_try_spend(&budget))
		granted++;
	assert_int_equal(granted, 30); /* 10 % of 100 calls + 20 */
	for (int call = 0; call < 10; call++)
		retry_budget_count_call(&budget);
	assert_true(retry_budget_try_spend(&budget));
	assert_false(retry_budget_try_spend(&budget));
}

static unsigned successes_until_step(struct aimd *aimd)
{
	unsigned before = aimd->current, answers = 0;
	while (aimd->current == before && answers < 100000) {
		aimd_on_success(aimd);
		answers++;
	}
	return answers;
}

static void aimd_halves_on_throttling_and_recovers_slowly(void **state)
{
	(void)state;
	struct aimd aimd;
	aimd_init(&aimd, 8, 4, 1000);
	/* a first step up from a clean start needs recover_after × current answers */
	aimd_on_throttled(&aimd, 10000);
	assert_int_equal(aimd.current, 4);
	/* a burst of 429s within the cooldown is one signal */
	aimd_on_throttled(&aimd, 10100);
	assert_int_equal(aimd.current, 4);
	aimd_on_throttled(&aimd, 11000);
	assert_int_equal(aimd.current, 2);
	aimd_on_throttled(&aimd, 12000);
	aimd_on_throttled(&aimd, 13000);
	assert_int_equal(aimd.current, 1); /* floor */
	/* four decreases: each step back up is 8× slower, and forgiven by half per step */
	assert_int_equal(successes_until_step(&aimd), 4 * 1 * 8);
	assert_int_equal(aimd.current, 2);
	assert_int_equal(successes_until_step(&aimd), 4 * 2 * 4);
	assert_int_equal(successes_until_step(&aimd), 4 * 3 * 2);
	assert_int_equal(successes_until_step(&aimd), 4 * 4 * 1);
	assert_int_equal(aimd.current, 5);
	for (int answer = 0; answer < 1000; answer++)
		aimd_on_success(&aimd);
	assert_int_equal(aimd.current, 8); /* never above --concurrency */
	/* a 429 right after climbing halves again */
	aimd_on_throttled(&aimd, 20000);
	assert_int_equal(aimd.current, 4);
	assert_int_equal(aimd.slowdown, 2);
}

static void token_bucket_spaces_calls(void **state)
{
	(void)state;
	struct rate_limiter limiter;
	int64_t now = 5000;
	rate_limiter_init(&limiter, 10.0, now);
	assert_true(rate_limiter_try_take(&limiter, now));
	assert_false(rate_limiter_try_take(&limiter, now));
	assert_int_equal(rate_limiter_wait_ms(&limiter, now), 100);
	assert_int_equal(rate_limiter_wait_ms(&limiter, now + 60), 40);
	assert_true(rate_limiter_try_take(&limiter, now + 100));
	/* over 10 simulated seconds, polling every ms, exactly rate × seconds calls pass */
	int taken = 0;
	for (int64_t clock = now + 101; clock <= now + 100 + 10000; clock++)
		taken += rate_limiter_try_take(&limiter, clock);
	assert_int_equal(taken, 100);
	/* an idle period does not bank a burst beyond one call */
	int64_t later = now + 60000;
	assert_true(rate_limiter_try_take(&limiter, later));
	assert_false(rate_limiter_try_take(&limiter, later));
}

static void token_bucket_unlimited_and_fractional_rates(void **state)
{
	(void)state;
	struct rate_limiter limiter;
	rate_limiter_init(&limiter, 0, 0);
	for (int call = 0; call < 1000; call++)
		assert_true(rate_limiter_try_take(&limiter, 0));
	assert_int_equal(rate_limiter_wait_ms(&limiter, 0), 0);
	rate_limiter_init(&limiter, 0.5, 0);
	assert_true(rate_limiter_try_take(&limiter, 0));
	assert_int_equal(rate_limiter_wait_ms(&limiter, 0), 2000);
	assert_false(rate_limiter_try_take(&limiter, 1999));
	assert_true(rate_limiter_try_take(&limiter, 2000));
}

static void loopback_hosts_are_recognised(void **state)
{
	(void)state;
	const char *loopback[] = {"localhost", "LOCALHOST", "127.0.0.1",       "127.1.2.3",
	                          "::1",       "[::1]",     "::ffff:127.0.0.1"};
	for (size_t index = 0; index < sizeof(loopback) / sizeof(loopback[0]); index++)
		assert_true(endpoint_host_is_loopback(loopback[index]));
	const char *remote[] = {"",         "api.lattigo.com",    "128.0.0.1",
	                        "10.0.0.1", "localhost.evil.com", "::2",
	                        "[::1",     "127.0.0.1.nip.io"};
	for (size_t index = 0; index < sizeof(remote) / sizeof(remote[0]); index++)
		assert_false(endpoint_host_is_loopback(remote[index]));
	assert_false(endpoint_host_is_loopback(NULL));
}

static void endpoint_policy_allows_https_and_loopback_http(void **state)
{
	(void)state;
	struct error error;
	bool plain = true;
	error_clear(&error);
	assert_int_equal(endpoint_policy_check("https://api.lattigo.com", false, &plain, &error),
	                 0);
	assert_false(plain);
	assert_int_equal(endpoint_policy_check("http://127.0.0.1:8080", false, &plain, &error), 0);
	assert_true(plain);
	assert_int_equal(endpoint_policy_check("http://[::1]:8080/", false, &plain, &error), 0);
	assert_int_equal(endpoint_policy_check("http://localhost:1", false, &plain, &error), 0);
	assert_int_equal(endpoint_policy_check("http://api.example.com", true, &plain, &error), 0);
	assert_true(plain);
	assert_false(error.set);
}

static void endpoint_policy_refuses_the_rest(void **state)
{
	(void)state;
	struct error error;
	bool plain = false;
	error_clear(&error);
	assert_int_equal(endpoint_policy_check("http://api.example.com", false, &plain, &error),
	                 -1);
	assert_string_equal(
	    error.message,
	    "refusing plain http to 'api.example.com' (use https, or --insecure-http)");
	error_clear(&error);
	assert_int_equal(endpoint_policy_check("ftp://api.example.com", true, &plain, &error), -1);
	assert_non_null(strstr(error.message, "'ftp'"));
	error_clear(&error);
	assert_int_equal(
	    endpoint_policy_check("https://name:hunter2@api.example.com", false, &plain, &error),
	    -1);
	assert_null(strstr(error.message, "hunter2"));
	error_clear(&error);
	assert_int_equal(endpoint_policy_check("not a url", false, &plain, &error), -1);
	error_clear(&error);
	assert_int_equal(endpoint_policy_check("", false, &plain, &error), -1);
}

static void urls_are_joined_with_one_slash(void **state)
{
	(void)state;
	struct strbuf url;
	strbuf_init(&url, 1024);
	assert_int_equal(endpoint_join("https://a.example", "v2/devices", &url), 0);
	assert_string_equal(strbuf_text(&url), "https://a.example/v2/devices");
	assert_int_equal(endpoint_join("https://a.example/api//", "/v2/x?y=1", &url), 0);
	assert_string_equal(strbuf_text(&url), "https://a.example/api/v2/x?y=1");
	strbuf_release(&url);
}

static void the_failure_threshold(void **state)
{
	(void)state;
	struct max_errors threshold;
	struct error error;
	error_clear(&error);
	assert_int_equal(max_errors_parse("100", &threshold, &error), 0);
	assert_false(threshold.percent);
	assert_false(max_errors_exceeded(&threshold, 100, 100));
	assert_true(max_errors_exceeded(&threshold, 101, 101));
	assert_int_equal(max_errors_parse("2.5%", &threshold, &error), 0);
	assert_true(threshold.percent);
	/* judged only after MAX_ERRORS_MIN_ROWS rows */
	assert_false(max_errors_exceeded(&threshold, 50, 99));
	assert_false(max_errors_exceeded(&threshold, 5, 200));
	assert_true(max_errors_exceeded(&threshold, 6, 200));
	struct max_errors none = {0};
	assert_false(max_errors_exceeded(&none, 1000000, 1000000));
	static const char *const refused[] = {"",    "-1",     "0%", "101%", "abc",
	                                      "5 %", "1e400%", "%",  "12x"};
	for (size_t index = 0; index < sizeof(refused) / sizeof(refused[0]); index++) {
		error_clear(&error);
		if (max_errors_parse(refused[index], &threshold, &error) != -1)
			fail_msg("'%s' accepted", refused[index]);
		assert_non_null(strstr(error.message, "--max-errors"));
	}
}

static void statuses_are_classified_once(void **state)
{
	(void)state;
	static const struct {
		long status;
		enum http_status_class class;
	} cases[] = {{200, HTTP_FINAL},       {204, HTTP_FINAL},       {301, HTTP_FINAL},
	             {400, HTTP_FINAL},       {404, HTTP_FINAL},       {422, HTTP_FINAL},
	             {401, HTTP_CREDENTIALS}, {403, HTTP_CREDENTIALS}, {413, HTTP_TOO_LARGE},
	             {429, HTTP_THROTTLED},   {408, HTTP_RETRY},       {500, HTTP_RETRY},
	             {503, HTTP_RETRY},       {599, HTTP_RETRY},       {502, HTTP_AMBIGUOUS},
	             {504, HTTP_AMBIGUOUS}};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++)
		assert_int_equal(http_status_classify(cases[index].status), cases[index].class);
}

static void ambiguity_rule_follows_what_reached_the_socket(void **state)
{
	(void)state;
	/* refused or unresolvable: nothing can have arrived, whatever the counters say */
	assert_false(http_request_may_have_arrived(CURLE_COULDNT_CONNECT, 0, 0));
	assert_false(http_request_may_have_arrived(CURLE_COULDNT_RESOLVE_HOST, 0, 0));
	/* a connect timeout before anything was written */
	assert_false(http_request_may_have_arrived(CURLE_OPERATION_TIMEDOUT, 0, 0));
	/* closed or timed out after the request went out */
	assert_true(http_request_may_have_arrived(CURLE_GOT_NOTHING, 412, 120));
	assert_true(http_request_may_have_arrived(CURLE_OPERATION_TIMEDOUT, 412, 0));
	assert_true(http_request_may_have_arrived(CURLE_RECV_ERROR, 0, 64));
	assert_true(http_request_may_have_arrived(CURLE_PARTIAL_FILE, 300, 10));
	/* libcurl wanted to re-send a body we had handed over, and we refused */
	assert_true(http_request_may_have_arrived(CURLE_SEND_FAIL_REWIND, 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(retry_after_reads_delta_seconds),
	    cmocka_unit_test(retry_after_reads_http_dates),
	    cmocka_unit_test(retry_after_refuses_garbage),
	    cmocka_unit_test(backoff_grows_to_its_cap_with_full_jitter),
	    cmocka_unit_test(retry_budget_limits_retries_to_a_share_of_calls),
	    cmocka_unit_test(aimd_halves_on_throttling_and_recovers_slowly),
	    cmocka_unit_test(token_bucket_spaces_calls),
	    cmocka_unit_test(token_bucket_unlimited_and_fractional_rates),
	    cmocka_unit_test(loopback_hosts_are_recognised),
	    cmocka_unit_test(endpoint_policy_allows_https_and_loopback_http),
	    cmocka_unit_test(endpoint_policy_refuses_the_rest),
	    cmocka_unit_test(urls_are_joined_with_one_slash),
	    cmocka_unit_test(the_failure_threshold),
	    cmocka_unit_test(statuses_are_classified_once),
	    cmocka_unit_test(ambiguity_rule_follows_what_reached_the_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
