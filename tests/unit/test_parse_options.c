/* Unit tests for the table-driven option parser (common/parse_options.c)
 * and for the tables built on it: lattigo-batch's job options and
 * lattigo-sim's options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "common/parse_options.h"
#include "sim/options.h"

struct sample {
	bool loud;
	unsigned count;
	uint64_t big;
	double ratio;
	char *name;
	int mode;
	char separator;
	bool red;
	bool blue;
};

#define FIELD(member)                                                                              \
	.offset = offsetof(struct sample, member), .size = sizeof(((struct sample *)0)->member)

static const struct parse_option_word mode_words[] = {{"fast", 1}, {"slow", 2}};
static const struct parse_option_word separator_words[] = {{",", ','}, {"tab", '\t'}};
static const struct parse_option_word colour_words[] = {{"red", offsetof(struct sample, red)},
                                                        {"blue", offsetof(struct sample, blue)}};

static const struct parse_option sample_rows[] = {
    {.name = "loud", .type = PARSE_OPTION_FLAG, FIELD(loud), .json_key = "loud", .help = "l"},
    {.name = "count",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(count),
     .value_name = "N",
     .json_key = "count",
     .minimum = 1,
     .maximum = 9,
     .default_value = "3",
     .scopes = 1,
     .help = "c"},
    {.name = "big",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(big),
     .value_name = "N",
     .maximum = UINT64_MAX,
     .help = "b"},
    {.name = "ratio",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(ratio),
     .value_name = "P",
     .json_key = "ratio",
     .real_maximum = 1,
     .help = "r"},
    {.name = "name",
     .type = PARSE_OPTION_STRING,
     FIELD(name),
     .value_name = "S",
     .json_key = "name",
     .empty_text = "empty name",
     .default_value = "anon",
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "n"},
    {.name = "mode",
     .type = PARSE_OPTION_CHOICE,
     FIELD(mode),
     .value_name = "M",
     .json_key = "mode",
     .words = mode_words,
     .word_count = 2,
     .help = "m"},
    {.name = "separator",
     .type = PARSE_OPTION_CHOICE,
     FIELD(separator),
     .value_name = "C",
     .json_key = "separator",
     .words = separator_words,
     .word_count = 2,
     .rejection = "'{}' is no separator",
     .help = "s"},
    {.name = "colour",
     .type = PARSE_OPTION_WORD_FLAGS,
     FIELD(red),
     .value_name = "C",
     .json_key = "colour",
     .words = colour_words,
     .word_count = 2,
     .help = "o"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "h"},
};
static const struct parse_options_table sample_table = {sample_rows, 9, "prog"};

static int parse(struct sample *sample, struct error *error, int argc, char **argv)
{
	struct parsed_command_line line;
	error_clear(error);
	memset(sample, 0, sizeof(*sample));
	assert_int_equal(parse_options_defaults(&sample_table, sample, error), 0);
	int result = parse_options_argv(&sample_table, 1, "cmd", argc, argv, &line, error);
	if (result == 0)
		result = parse_options_apply_line(&line, sample, error);
	parsed_command_line_release(&line);
	return result;
}

static void every_type_parses_and_round_trips(void **state)
{
	(void)state;
	struct sample sample;
	struct error error;
	char *argv[] = {"cmd",         "--loud", "--count=7", "--big", "18446744073709551615",
	                "--ratio",     "0.25",   "--name",    "x",     "--mode=SLOW",
	                "--separator", "tab",    "--colour",  "blue",  "rest"};
	assert_int_equal(parse(&sample, &error, 15, argv), 0);
	assert_true(sample.loud);
	assert_int_equal(sample.count, 7);
	assert_true(sample.big == UINT64_MAX);
	assert_true(sample.ratio == 0.25);
	assert_string_equal(sample.name, "x");
	assert_int_equal(sample.mode, 2);
	assert_int_equal(sample.separator, '\t');
	assert_true(sample.blue && !sample.red);
	json_t *json = NULL;
	assert_int_equal(parse_options_to_json(&sample_table, &sample, false, &json), 0);
	char *text = json_dumps(json, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(text, "{\"colour\":[\"blue\"],\"count\":7,\"loud\":true,\"mode\":"
	                          "\"slow\",\"name\":\"x\",\"ratio\":0.25,\"separator\":\"tab\"}");
	struct sample copy;
	memset(&copy, 0, sizeof(copy));
	assert_int_equal(parse_options_defaults(&sample_table, &copy, &error), 0);
	assert_int_equal(parse_options_from_json(&sample_table, json, &copy, NULL, &error), 0);
	assert_int_equal(copy.count, 7);
	assert_string_equal(copy.name, "x");
	assert_true(copy.blue && copy.loud && copy.separator == '\t' && copy.mode == 2);
	json_t *affecting = NULL;
	assert_int_equal(parse_options_to_json(&sample_table, &copy, true, &affecting), 0);
	assert_int_equal(json_object_size(affecting), 1);
	free(text);
	json_decref(json);
	json_decref(affecting);
	parse_options_release(&sample_table, &copy);
	parse_options_release(&sample_table, &sample);
	assert_null(sample.name);
}

static void refusals_name_option_and_value(void **state)
{
	(void)state;
	static const struct {
		const char *argument;
		const char *expected;
	} cases[] = {
	    {"--count=0", "--count: '0' is not a whole number from 1 to 9"},
	    {"--big=18446744073709551616", "--big: '18446744073709551616' is not a whole number"},
	    {"--ratio=1.5", "--ratio: '1.5' is not a number from 0 to 1"},
	    {"--ratio=nan", "--ratio: 'nan' is not a number"},
	    {"--name=", "--name: empty name"},
	    {"--mode=medium", "--mode: 'medium' is not one of fast, slow"},
	    {"--separator=;", "--separator: ';' is no separator"},
	    {"--colour=green", "--colour: 'green' is not one of red, blue"},
	    {"--cout=1",
	     "unknown option '--cout=1' (did you mean '--count'?); see 'prog cmd --help'"},
	    {"--loud=yes", "option '--loud' takes no value"},
	    {"--ratio", "option '--ratio' needs a value (P)"},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		struct sample sample;
		struct error error;
		char *argv[] = {"cmd", (char *)cases[index].argument};
		int result = parse(&sample, &error, 2, argv);
		if (result != -1 || !strstr(error.message, cases[index].expected))
			fail_msg("%s: got %d '%s'", cases[index].argument, result, error.message);
		parse_options_release(&sample_table, &sample);
	}
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	char *argv[] = {"cmd", "--count", "2"};
	assert_int_equal(parse_options_argv(&sample_table, 2, "cmd", 3, argv, &line, &error), -1);
	assert_string_equal(error.message,
	                    "option '--count' does not apply to 'cmd'; see 'prog cmd --help'");
	parsed_command_line_release(&line);
}

/* Names and job-file keys unique, every row helped, every default parses. */
static void check_table(const struct parse_options_table *table)
{
	assert_true(table->count <= PARSE_OPTIONS_MAX_ROWS);
	for (size_t index = 0; index < table->count; index++) {
		const struct parse_option *row = &table->rows[index];
		if (!row->help || !row->help[0])
			fail_msg("--%s has no help", row->name);
		if (row->type != PARSE_OPTION_FLAG && row->type != PARSE_OPTION_HELP &&
		    !row->value_name)
			fail_msg("--%s takes a value but names none", row->name);
		for (size_t other = 0; other < index; other++) {
			if (strcmp(table->rows[other].name, row->name) == 0)
				fail_msg("--%s twice", row->name);
			if (row->json_key && table->rows[other].json_key &&
			    strcmp(table->rows[other].json_key, row->json_key) == 0)
				fail_msg("key %s twice", row->json_key);
		}
	}
}

static void the_tables_are_sound(void **state)
{
	(void)state;
	check_table(&job_option_table);
	check_table(&sim_option_table);
	struct error error;
	error_clear(&error);
	struct job_options options;
	memset(&options, 0, sizeof(options));
	assert_int_equal(parse_options_defaults(&job_option_table, &options, &error), 0);
	parse_options_release(&job_option_table, &options);
	struct sim_options sim;
	memset(&sim, 0, sizeof(sim));
	assert_int_equal(parse_options_defaults(&sim_option_table, &sim, &error), 0);
	assert_string_equal(sim.bind, "127.0.0.1");
	assert_int_equal(sim.port, 8080);
	assert_true(sim.seed == 1);
	sim_options_release(&sim);
	assert_null(sim.bind);
}

static void sim_command_line(void **state)
{
	(void)state;
	struct sim_options options;
	char message[256];
	char *argv[] = {"lattigo-sim", "--port", "0",  "--fail-rate=0.5", "--no-luhn",
	                "imei",        "--seed", "42", "--state",         "s.json"};
	assert_int_equal(sim_options_parse(&options, 10, argv, message, sizeof(message)),
	                 SIM_OPTIONS_OK);
	assert_int_equal(options.port, 0);
	assert_true(options.fail_rate == 0.5);
	assert_true(options.validation.skip_luhn_imei);
	assert_true(options.seed == 42);
	assert_string_equal(options.state_path, "s.json");
	assert_int_equal(options.max_connections, 256);
	sim_options_release(&options);
	char *secret[] = {"lattigo-sim", "--tls-key", "k.pem"};
	assert_int_equal(sim_options_parse(&options, 3, secret, message, sizeof(message)),
	                 SIM_OPTIONS_ERROR);
	assert_string_equal(message, "options '--tls-cert' and '--tls-key' go together");
	sim_options_release(&options);
}

/* --verify[=DURATION] takes a value only after '=' (the next argument stays
 * positional); --wait is a duration of verify only; a job file says true,
 * false or a duration. */
static void verify_and_wait_options(void **state)
{
	(void)state;
	struct job_options options;
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	job_options_init(&options);
	char *plain[] = {"run", "--verify", "job.json", NULL};
	assert_int_equal(
	    parse_options_argv(&job_option_table, SCOPE_RUN, "run", 3, plain, &line, &error), 0);
	assert_int_equal(line.positional_count, 1);
	assert_string_equal(line.positional[0], "job.json");
	assert_int_equal(parse_options_apply_line(&line, &options, &error), 0);
	assert_true(options.verify.enabled);
	assert_int_equal(options.verify.wait_ms, 0);
	parsed_command_line_release(&line);

	char *timed[] = {"run", "--verify=1h30m", NULL};
	assert_int_equal(
	    parse_options_argv(&job_option_table, SCOPE_RUN, "run", 2, timed, &line, &error), 0);
	assert_int_equal(parse_options_apply_line(&line, &options, &error), 0);
	assert_int_equal(options.verify.wait_ms, 5400000);
	parsed_command_line_release(&line);
	json_t *recorded = NULL;
	assert_int_equal(job_options_to_json(&options, &recorded), 0);
	assert_string_equal(json_string_value(json_object_get(recorded, "verify")), "1h30m");
	json_decref(recorded);

	char *bad[] = {"run", "--verify=soon", NULL};
	assert_int_equal(
	    parse_options_argv(&job_option_table, SCOPE_RUN, "run", 2, bad, &line, &error), 0);
	assert_int_equal(parse_options_apply_line(&line, &options, &error), -1);
	assert_non_null(strstr(error.message, "--verify: 'soon' is not a duration"));
	parsed_command_line_release(&line);

	json_t *file = json_pack("{s:b}", "verify", 0);
	error_clear(&error);
	assert_int_equal(job_options_from_json(file, &options, &error), 0);
	assert_false(options.verify.enabled);
	json_decref(file);
	file = json_pack("{s:s}", "verify", "2m");
	assert_int_equal(job_options_from_json(file, &options, &error), 0);
	assert_true(options.verify.enabled);
	assert_int_equal(options.verify.wait_ms, 120000);
	json_decref(file);

	char *wait[] = {"verify", "out/x", "--wait", "90s", NULL};
	assert_int_equal(
	    parse_options_argv(&job_option_table, SCOPE_VERIFY, "verify", 4, wait, &line, &error),
	    0);
	assert_int_equal(parse_options_apply_line(&line, &options, &error), 0);
	assert_int_equal(options.wait_ms, 90000);
	parsed_command_line_release(&line);
	char *wait_in_run[] = {"run", "--wait", "90s", NULL};
	assert_int_equal(
	    parse_options_argv(&job_option_table, SCOPE_RUN, "run", 3, wait_in_run, &line, &error),
	    -1);
	parsed_command_line_release(&line);
	char *verify_in_verify[] = {"verify", "--verify", NULL};
	assert_int_equal(parse_options_argv(&job_option_table, SCOPE_VERIFY, "verify", 2,
	                                    verify_in_verify, &line, &error),
	                 -1);
	parsed_command_line_release(&line);
	job_options_release(&options);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_type_parses_and_round_trips),
	    cmocka_unit_test(refusals_name_option_and_value),
	    cmocka_unit_test(the_tables_are_sound),
	    cmocka_unit_test(sim_command_line),
	    cmocka_unit_test(verify_and_wait_options),
	};
	return cmocka_run_group_tests_name("parse_options", tests, NULL, NULL);
}
