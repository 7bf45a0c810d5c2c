/* Unit tests for the --endpoint sim launcher, driven against a stand-in
 * script: arguments, the ready line, failures, and that the child is always reaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/sim_launcher.h"

#define FAKE_SIM TEST_DATA_DIR "/outputs/fake-sim.sh"

static char log_path[64];

static int make_log(void **state)
{
	(void)state;
	snprintf(log_path, sizeof(log_path), "/tmp/test-sim-launcher-XXXXXX");
	int fd = mkstemp(log_path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int remove_log(void **state)
{
	(void)state;
	unlink(log_path);
	return 0;
}

static void assert_no_child_left(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void read_log(char *out, size_t size)
{
	FILE *file = fopen(log_path, "r");
	assert_non_null(file);
	size_t got = fread(out, 1, size - 1, file);
	out[got] = '\0';
	fclose(file);
}

static int start(struct sim_process *sim, const char *mode, long timeout_ms, struct error *error)
{
	const char *extra[] = {"--latency-ms", "5", mode};
	struct sim_options options = {.program = FAKE_SIM,
	                              .extra_args = extra,
	                              .extra_count = 3,
	                              .log_path = log_path,
	                              .ready_timeout_ms = timeout_ms};
	error_clear(error);
	return sim_start(sim, &options, error);
}

static void ready_sim_gives_endpoint_and_fresh_credentials(void **state)
{
	(void)state;
	struct sim_process sim;
	struct error error;
	if (start(&sim, "ready", 5000, &error) < 0)
		fail_msg("%s", error.message);
	assert_string_equal(sim.endpoint, "http://127.0.0.1:43210");
	assert_string_equal(sim.credentials.key_name, "demo");
	assert_int_equal(strlen(sim.credentials.api_key), 36);
	assert_int_equal(strspn(sim.credentials.api_key, "0123456789abcdef"), 36);
	char expected[256];
	snprintf(expected, sizeof(expected),
	         "--port 0 --key-name demo --api-key %s --latency-ms 5 ready\n",
	         sim.credentials.api_key);
	assert_true(sim.pid > 0);
	assert_int_equal(sim_stop(&sim), 0);
	assert_int_equal(sim.pid, 0);
	assert_null(sim.credentials.api_key);
	assert_no_child_left();
	char logged[512];
	read_log(logged, sizeof(logged));
	assert_string_equal(logged, expected);
	assert_int_equal(sim_stop(&sim), 0);
}

static void two_runs_get_different_keys(void **state)
{
	(void)state;
	struct sim_process first, second;
	struct error error;
	assert_int_equal(start(&first, "ready", 5000, &error), 0);
	assert_int_equal(start(&second, "ready", 5000, &error), 0);
	assert_string_not_equal(first.credentials.api_key, second.credentials.api_key);
	sim_stop(&first);
	sim_stop(&second);
	assert_no_child_left();
}

static void wildcard_address_is_reached_through_loopback(void **state)
{
	(void)state;
	struct sim_process sim;
	struct error error;
	assert_int_equal(start(&sim, "wildcard", 5000, &error), 0);
	assert_string_equal(sim.endpoint, "http://127.0.0.1:5000");
	sim_stop(&sim);
	assert_no_child_left();
}

static void sim_that_dies_early_is_reported_and_reaped(void **state)
{
	(void)state;
	struct sim_process sim;
	struct error error;
	assert_int_equal(start(&sim, "exit", 5000, &error), -1);
	char expected[256];
	snprintf(expected, sizeof(expected), "%s exited before it was ready; see %s", FAKE_SIM,
	         log_path);
	assert_string_equal(error.message, expected);
	assert_int_equal(sim.pid, 0);
	assert_no_child_left();
}

static void unexpected_first_line_is_quoted(void **state)
{
	(void)state;
	struct sim_process sim;
	struct error error;
	assert_int_equal(start(&sim, "garbage", 5000, &error), -1);
	assert_non_null(strstr(error.message, "printed an unexpected first line: 'hello there'"));
	assert_no_child_left();
}

static void silent_sim_times_out_and_is_reaped(void **state)
{
	(void)state;
	struct sim_process sim;
	struct error error;
	assert_int_equal(start(&sim, "silent", 300, &error), -1);
	assert_non_null(strstr(error.message, "did not report its port within 300 ms"));
	assert_no_child_left();
}

static void missing_program_is_named(void **state)
{
	(void)state;
	struct sim_process sim;
	struct sim_options options = {.program = "/nonexistent/lattigo-sim"};
	struct error error;
	error_clear(&error);
	assert_int_equal(sim_start(&sim, &options, &error), -1);
	assert_string_equal(error.message, "/nonexistent/lattigo-sim exited before it was ready");
	assert_no_child_left();
}

static size_t discard(char *data, size_t size, size_t count, void *context)
{
	(void)data;
	(void)context;
	return size * count;
}

static long get_status(const char *endpoint, const char *user, const char *password)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/v2/rate_plans", endpoint);
	CURL *curl = curl_easy_init();
	assert_non_null(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_USERNAME, user);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, password);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
	long status = 0;
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(curl);
	return status;
}

/* The real simulator accepts the launcher's arguments and answers with its credentials only. */
static void real_simulator_answers_with_the_demo_credentials(void **state)
{
	(void)state;
	struct sim_process sim;
	struct sim_options options = {.program = REAL_SIM_PROGRAM};
	struct error error;
	error_clear(&error);
	if (sim_start(&sim, &options, &error) < 0)
		fail_msg("%s", error.message);
	assert_int_equal(strncmp(sim.endpoint, "http://127.0.0.1:", 17), 0);
	assert_int_equal(
	    get_status(sim.endpoint, sim.credentials.key_name, sim.credentials.api_key), 200);
	assert_int_equal(get_status(sim.endpoint, "demo", "demo-secret"), 401);
	assert_int_equal(sim_stop(&sim), 0);
	assert_no_child_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ready_sim_gives_endpoint_and_fresh_credentials),
	    cmocka_unit_test(two_runs_get_different_keys),
	    cmocka_unit_test(wildcard_address_is_reached_through_loopback),
	    cmocka_unit_test(sim_that_dies_early_is_reported_and_reaped),
	    cmocka_unit_test(unexpected_first_line_is_quoted),
	    cmocka_unit_test(silent_sim_times_out_and_is_reaped),
	    cmocka_unit_test(missing_program_is_named),
	    cmocka_unit_test(real_simulator_answers_with_the_demo_credentials),
	};
	return cmocka_run_group_tests(tests, make_log, remove_log);
}
