/* Unit tests of the confirmation rule for operations that cost money or
 * cannot be recalled (cli/confirm.c): which jobs need it, the question, and
 * what counts as an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/confirm.h"

static void costly_operations_need_it_unless_yes_dry_run_or_sim(void **state)
{
	(void)state;
	struct job_options options;
	memset(&options, 0, sizeof(options));
	char endpoint[] = "https://api.lattigo.com";
	options.endpoint = endpoint;
	static const char *const costly[] = {"activate", "locate", "sms"};
	for (size_t i = 0; i < sizeof(costly) / sizeof(costly[0]); i++)
		assert_true(confirm_needed(op_find(costly[i]), &options));
	static const char *const free_ops[] = {"cost-center", "note",   "simstate",
	                                       "usage-limit", "upload", "remove-usage-limit"};
	for (size_t i = 0; i < sizeof(free_ops) / sizeof(free_ops[0]); i++)
		assert_false(confirm_needed(op_find(free_ops[i]), &options));
	options.yes = true;
	assert_false(confirm_needed(op_find("activate"), &options));
	options.yes = false;
	options.dry_run = true;
	assert_false(confirm_needed(op_find("sms"), &options));
	options.dry_run = false;
	char sim[] = "sim";
	options.endpoint = sim;
	assert_false(confirm_needed(op_find("locate"), &options));
}

static void the_question_shows_rows_and_cost(void **state)
{
	(void)state;
	char text[512];
	struct confirm_cost cost = {
	    .rows = 1200, .known = true, .amount = 6000.0, .priced_rows = 1200};
	assert_string_equal(confirm_format_question(op_find("activate"), &cost, text, sizeof(text)),
	                    "lattigo-batch: activate 1200 rows at an estimated cost of 6000.00 "
	                    "(activation fees from the account's rate plans)? Type 'yes' to send "
	                    "them: ");
	cost = (struct confirm_cost){.rows = 1};
	assert_string_equal(confirm_format_question(op_find("sms"), &cost, text, sizeof(text)),
	                    "lattigo-batch: sms 1 row (cost not known from the API)? Type 'yes' "
	                    "to send it: ");
	cost = (struct confirm_cost){.rows = 3, .amount = 10.0, .priced_rows = 2};
	assert_non_null(
	    strstr(confirm_format_question(op_find("activate"), &cost, text, sizeof(text)),
	           "at least 10.00 (2 rows priced"));
}

static int ask(const char *typed)
{
	char input[64];
	snprintf(input, sizeof(input), "%s", typed);
	FILE *in = fmemopen(input, strlen(input), "r");
	char output[1024];
	FILE *out = fmemopen(output, sizeof(output), "w");
	assert_non_null(in);
	assert_non_null(out);
	struct confirm_cost cost = {.rows = 5};
	struct error error;
	error_clear(&error);
	int result = confirm_ask(in, out, op_find("locate"), &cost, &error);
	fclose(in);
	fclose(out);
	assert_non_null(strstr(output, "locate 5 rows"));
	if (result < 0)
		assert_non_null(strstr(error.message, "nothing was sent"));
	return result;
}

static void only_yes_confirms(void **state)
{
	(void)state;
	assert_int_equal(ask("yes\n"), 0);
	assert_int_equal(ask("yes\r\n"), 0);
	assert_int_equal(ask("y\n"), -1);
	assert_int_equal(ask("YES please\n"), -1);
	assert_int_equal(ask(""), -1); /* end of input */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(costly_operations_need_it_unless_yes_dry_run_or_sim),
	    cmocka_unit_test(the_question_shows_rows_and_cost),
	    cmocka_unit_test(only_yes_confirms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
