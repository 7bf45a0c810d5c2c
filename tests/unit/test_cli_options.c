/* Unit tests for the option model: command-line parsing, checks and hints,
 * job files, precedence (command line over job file) and job.json round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "common/suggest.h"

/* Loads options for scope from a NULL-terminated argument list. */
static int load(struct job_options *options, unsigned scope, struct error *error, ...)
{
	char *argv[80];
	int argc = 0;
	va_list arguments;
	va_start(arguments, error);
	for (char *argument = va_arg(arguments, char *); argument && argc < 79;
	     argument = va_arg(arguments, char *))
		argv[argc++] = argument;
	va_end(arguments);
	argv[argc] = NULL;
	job_options_init(options);
	error_clear(error);
	return job_options_load(options, scope, argc, argv, error);
}

static char *temporary_directory(void)
{
	char template[] = "/tmp/test_cli_options.XXXXXX";
	char *directory = mkdtemp(template);
	assert_non_null(directory);
	return strdup(directory);
}

static char *write_file(const char *directory, const char *name, const char *text)
{
	size_t size = strlen(directory) + strlen(name) + 2;
	char *path = malloc(size);
	snprintf(path, size, "%s/%s", directory, name);
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
	return path;
}

static void remove_tree(char *directory)
{
	char command[512];
	snprintf(command, sizeof(command), "rm -rf '%s'", directory);
	assert_int_equal(system(command), 0);
	free(directory);
}

static void defaults_are_the_documented_ones(void **state)
{
	(void)state;
	struct job_options options;
	struct error error;
	unsetenv("LATTIGO_ENDPOINT");
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--op", "activate", "--manifest",
	                      "lots/lot-42.csv.gz", NULL),
	                 0);
	assert_string_equal(options.op, "activate");
	assert_int_equal(options.chunk, 100);
	assert_int_equal(options.concurrency, 4);
	assert_int_equal(options.max_retries, 8);
	assert_true(options.rate == 0);
	assert_int_equal(options.connect_timeout, 10);
	assert_int_equal(options.timeout, 120);
	assert_int_equal(options.stall_timeout, 30);
	assert_int_equal(options.format, MANIFEST_FORMAT_AUTO);
	assert_int_equal(options.delimiter, 0);
	assert_string_equal(options.endpoint, "https://api.lattigo.com");
	assert_string_equal(options.out, "./out/lot-42-activate");
	assert_false(options.dry_run || options.yes || options.quiet || options.progress);
	job_options_release(&options);

	setenv("LATTIGO_ENDPOINT", "http://127.0.0.1:9", 1);
	assert_int_equal(
	    load(&options, SCOPE_RUN, &error, "run", "--op=note", "--manifest=-", NULL), 0);
	assert_string_equal(options.endpoint, "http://127.0.0.1:9");
	assert_string_equal(options.out, "./out/stdin-note");
	job_options_release(&options);
	unsetenv("LATTIGO_ENDPOINT");

	/* validate writes errors.csv only where --out says */
	assert_int_equal(load(&options, SCOPE_VALIDATE, &error, "validate", "--op", "note",
	                      "--manifest", "n.jsonl", NULL),
	                 0);
	assert_null(options.out);
	job_options_release(&options);
}

static void both_value_forms_and_repeatable_options(void **state)
{
	(void)state;
	struct job_options options;
	struct error error;
	assert_int_equal(
	    load(&options, SCOPE_RUN, &error, "run", "--op", "activate", "--manifest", "a.csv",
	         "--chunk", "50", "--chunk=60", "--concurrency=8", "--rate", "2.5", "--max-retries",
	         "0", "--map", "IMEI=IMEI No.", "--map", "iccid=SIM ICCID", "--map", "imei=Serial",
	         "--set", "rate_plan_name=ACME 5MB", "--set=note=", "--no-luhn", "iccid",
	         "--no-luhn=IMEI", "--delimiter", "\\t", "--format", "CSV", "--dry-run", "--yes",
	         "--quiet", "--verbose", "--insecure-http", "--force-new", "--timeout", "5",
	         "--connect-timeout=2", "--stall-timeout", "7", "--out", "o", "--endpoint", "sim",
	         "--credentials", "c.txt", NULL),
	    0);
	assert_int_equal(options.chunk, 60);
	assert_int_equal(options.concurrency, 8);
	assert_true(options.rate == 2.5);
	assert_int_equal(options.max_retries, 0);
	assert_int_equal(options.map_count, 2);
	assert_string_equal(options.maps[0].field, "imei");
	assert_string_equal(options.maps[0].value, "Serial");
	assert_string_equal(options.maps[1].field, "iccid");
	assert_string_equal(options.maps[1].value, "SIM ICCID");
	assert_int_equal(options.set_count, 2);
	assert_string_equal(options.sets[0].value, "ACME 5MB");
	assert_string_equal(options.sets[1].field, "note");
	assert_string_equal(options.sets[1].value, "");
	assert_true(options.validation.skip_luhn_iccid && options.validation.skip_luhn_imei);
	assert_int_equal(options.delimiter, '\t');
	assert_int_equal(options.format, MANIFEST_FORMAT_CSV);
	assert_true(options.dry_run && options.yes && options.quiet && options.verbose);
	assert_true(options.insecure_http && options.force_new);
	assert_int_equal(options.timeout, 5);
	assert_int_equal(options.connect_timeout, 2);
	assert_int_equal(options.stall_timeout, 7);
	assert_string_equal(options.out, "o");
	assert_string_equal(options.endpoint, "sim");
	assert_string_equal(options.credentials, "c.txt");
	job_options_release(&options);
}

/* Each case: arguments after "run --op activate --manifest a.csv", and a piece of the message. */
static void bad_values_are_refused_with_clear_messages(void **state)
{
	(void)state;
	static const struct {
		const char *option;
		const char *value;
		const char *expected;
	} cases[] = {
	    {"--chunk", "0", "--chunk: '0' is not a whole number from 1 to 1000"},
	    {"--chunk", "1001", "from 1 to 1000"},
	    {"--chunk", "12x", "'12x' is not a whole number"},
	    {"--chunk", "-5", "'-5' is not a whole number"},
	    {"--chunk", "99999999999999999999999", "is not a whole number"},
	    {"--concurrency", "65", "--concurrency: '65' is not a whole number from 1 to 64"},
	    {"--max-retries", "101", "from 0 to 100"},
	    {"--rate", "0", "--rate: '0' is not a number of calls per second above 0"},
	    {"--rate", "nan", "--rate: 'nan'"},
	    {"--rate", "1e400", "--rate"},
	    {"--timeout", "0", "--timeout: '0' is not a whole number from 1 to 86400"},
	    {"--delimiter", ";;", "--delimiter: ';;' is not one of"},
	    {"--format", "xml", "--format: unknown format 'xml' (csv, jsonl or xlsx)"},
	    {"--map", "imei", "--map: 'imei' is not of the form FIELD=COLUMN"},
	    {"--map", "imei=", "--map: 'imei=' names no column"},
	    {"--set", "=x", "--set: '=x' is not of the form FIELD=VALUE"},
	    {"--no-luhn", "msisdn", "--no-luhn: 'msisdn' has no Luhn check (iccid or imei)"},
	    {"--op", "", "--op: empty operation name"},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		struct job_options options;
		struct error error;
		int result =
		    load(&options, SCOPE_RUN, &error, "run", "--op", "activate", "--manifest",
		         "a.csv", cases[index].option, cases[index].value, NULL);
		if (result != -1 || !strstr(error.message, cases[index].expected))
			fail_msg("%s %s: got %d '%s'", cases[index].option, cases[index].value,
			         result, error.message);
		job_options_release(&options);
	}
}

static void unknown_options_get_a_hint(void **state)
{
	(void)state;
	struct job_options options;
	struct error error;
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--chunks", "5", NULL), -1);
	assert_string_equal(error.message, "unknown option '--chunks' (did you mean '--chunk'?); "
	                                   "see 'lattigo-batch run --help'");
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--manfest=x.csv", NULL), -1);
	assert_non_null(strstr(error.message, "did you mean '--manifest'?"));
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--frobnicate", NULL), -1);
	assert_string_equal(error.message,
	                    "unknown option '--frobnicate'; see 'lattigo-batch run --help'");
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "-x", NULL), -1);
	assert_non_null(strstr(error.message, "unknown option '-x'"));
	job_options_release(&options);
	assert_int_equal(
	    load(&options, SCOPE_VALIDATE, &error, "validate", "--concurrency", "3", NULL), -1);
	assert_string_equal(error.message, "option '--concurrency' does not apply to 'validate'; "
	                                   "see 'lattigo-batch validate --help'");
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--op", "a", "--chunk", NULL),
	                 -1);
	assert_string_equal(error.message, "option '--chunk' needs a value (N)");
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--yes=no", NULL), -1);
	assert_string_equal(error.message, "option '--yes' takes no value");
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "a.json", "b.json", NULL), -1);
	assert_non_null(strstr(error.message, "unexpected argument 'b.json'"));
	job_options_release(&options);
}

static void help_and_missing_pieces(void **state)
{
	(void)state;
	struct job_options options;
	struct error error;
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--chunk", "5", "--help", NULL),
	                 1);
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_VALIDATE, &error, "validate", "-h", NULL), 1);
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--manifest", "a.csv", NULL), -1);
	assert_non_null(strstr(error.message, "no operation: give --op OP"));
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--op", "note", NULL), -1);
	assert_non_null(strstr(error.message, "no manifest: give --manifest FILE"));
	job_options_release(&options);
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--op", "note", "--manifest",
	                      "a.csv", "--quiet", "--progress", NULL),
	                 -1);
	assert_string_equal(error.message, "--quiet and --progress cannot be used together");
	job_options_release(&options);
	/* "--" ends options: what follows is a positional (here a job file that does not exist) */
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--", "--chunk", NULL), -1);
	assert_non_null(strstr(error.message, "cannot read job file '--chunk'"));
	job_options_release(&options);
}

static void job_file_paths_are_relative_to_it_and_command_line_wins(void **state)
{
	(void)state;
	char *directory = temporary_directory();
	char *path =
	    write_file(directory, "job.json",
	               "{\"op\": \"activate\", \"manifest\": \"lots/a.csv\", \"out\": "
	               "\"results\", \"chunk\": 10, \"concurrency\": 2, \"rate\": 1.5,\n"
	               " \"max_retries\": 3, \"format\": \"csv\", \"delimiter\": \";\",\n"
	               " \"map\": {\"imei\": \"IMEI No.\", \"iccid\": \"SIM ICCID\"},\n"
	               " \"set\": {\"rate_plan_name\": \"ACME 5MB\", \"kb_limit\": 1024},\n"
	               " \"no_luhn\": [\"iccid\"], \"endpoint\": \"sim\", "
	               "\"insecure_http\": true}\n");
	struct job_options options;
	struct error error;
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", path, "--chunk", "20", "--map",
	                      "imei=Serial", "--out", "elsewhere", NULL),
	                 0);
	char expected[512];
	snprintf(expected, sizeof(expected), "%s/lots/a.csv", directory);
	assert_string_equal(options.manifest, expected);
	assert_string_equal(options.out, "elsewhere");
	assert_string_equal(options.job_file, path);
	assert_int_equal(options.chunk, 20);
	assert_int_equal(options.concurrency, 2);
	assert_true(options.rate == 1.5);
	assert_int_equal(options.max_retries, 3);
	assert_int_equal(options.delimiter, ';');
	assert_int_equal(options.map_count, 2);
	assert_string_equal(options.maps[0].value, "Serial");
	assert_string_equal(options.sets[1].field, "kb_limit");
	assert_string_equal(options.sets[1].value, "1024");
	assert_true(options.validation.skip_luhn_iccid);
	assert_false(options.validation.skip_luhn_imei);
	assert_string_equal(options.endpoint, "sim");
	assert_true(options.insecure_http);
	job_options_release(&options);

	/* without --out the job file's out holds, relative to the job file */
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", path, NULL), 0);
	snprintf(expected, sizeof(expected), "%s/results", directory);
	assert_string_equal(options.out, expected);
	job_options_release(&options);

	/* validate ignores the job file's out */
	assert_int_equal(load(&options, SCOPE_VALIDATE, &error, "validate", path, NULL), 0);
	assert_null(options.out);
	job_options_release(&options);
	/* reals in a job file read as people wrote them */
	free(path);
	path = write_file(directory, "job.json",
	                  "{\"op\": \"note\", \"manifest\": \"n.csv\", \"rate\": 0.1, "
	                  "\"set\": {\"note\": 0.1}}");
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", path, NULL), 0);
	assert_true(options.rate == 0.1);
	assert_string_equal(options.sets[0].value, "0.1");
	job_options_release(&options);

	free(path);
	remove_tree(directory);
}

static void job_file_errors_name_the_file_and_key(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *expected;
	} cases[] = {
	    {"{\"op\": \"note\", \"chunks\": 5}", "unknown key 'chunks' (did you mean 'chunk'?)"},
	    {"{\"colour\": \"red\"}", "unknown key 'colour'"},
	    {"{\"chunk\": \"100\"}", "key 'chunk': must be a number"},
	    {"{\"chunk\": 5000}", "key 'chunk': '5000' is not a whole number from 1 to 1000"},
	    {"{\"op\": 7}", "key 'op': must be a string"},
	    {"{\"map\": [\"imei\"]}", "key 'map': must be an object of FIELD: COLUMN"},
	    {"{\"map\": {\"imei\": 5}}", "value of 'imei' must be a string (a column name)"},
	    {"{\"insecure_http\": 1}", "key 'insecure_http': must be true or false"},
	    {"{\"no_luhn\": [\"msisdn\"]}", "'msisdn' has no Luhn check"},
	    {"[1, 2]", "a job file must hold one JSON object"},
	    {"{\"op\": \"note\",\n \"op\": \"sms\"}", "not a valid JSON job file"},
	    {"{\"op\": \"note\",\n", "not a valid JSON job file"},
	    {"{\"dry_run\": true}", "unknown key 'dry_run'"},
	};
	char *directory = temporary_directory();
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		char *path = write_file(directory, "job.json", cases[index].text);
		struct job_options options;
		struct error error;
		job_options_init(&options);
		error_clear(&error);
		int result = job_options_read_file(&options, path, &error);
		if (result != -1 || !strstr(error.message, cases[index].expected) ||
		    strcmp(error.file, path) != 0)
			fail_msg("%s: got %d '%s' in '%s'", cases[index].text, result,
			         error.message, error.file);
		job_options_release(&options);
		free(path);
	}
	struct job_options options;
	struct error error;
	job_options_init(&options);
	error_clear(&error);
	assert_int_equal(job_options_read_file(&options, "/nonexistent/job.json", &error), -1);
	assert_string_equal(
	    error.message,
	    "cannot read job file '/nonexistent/job.json': No such file or directory");
	error_clear(&error);
	assert_int_equal(job_options_read_file(&options, directory, &error), -1);
	assert_non_null(strstr(error.message, "not a regular file"));
	job_options_release(&options);
	remove_tree(directory);
}

static void job_json_round_trips_without_credentials(void **state)
{
	(void)state;
	struct job_options options;
	struct error error;
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--op", "usage-limit",
	                      "--manifest", "/data/limits.csv", "--out", "/jobs/limits", "--format",
	                      "csv", "--delimiter", "|", "--map", "device_name=Name", "--set",
	                      "kb_limit=2048", "--no-luhn", "imei", "--chunk", "250",
	                      "--concurrency", "16", "--rate", "7.25", "--max-retries", "2",
	                      "--timeout", "60", "--connect-timeout", "3", "--stall-timeout", "9",
	                      "--endpoint", "https://api.example.test", "--credentials",
	                      "/secret/creds", "--insecure-http", "--yes", "--quiet", NULL),
	                 0);
	json_t *json = NULL;
	assert_int_equal(job_options_to_json(&options, &json), 0);
	char *text = json_dumps(json, JSON_SORT_KEYS);
	assert_null(strstr(text, "creds"));
	assert_null(strstr(text, "yes"));
	assert_null(strstr(text, "quiet"));

	struct job_options copy;
	job_options_init(&copy);
	error_clear(&error);
	assert_int_equal(job_options_from_json(json, &copy, &error), 0);
	assert_string_equal(copy.op, options.op);
	assert_string_equal(copy.manifest, options.manifest);
	assert_string_equal(copy.out, options.out);
	assert_string_equal(copy.endpoint, options.endpoint);
	assert_int_equal(copy.format, options.format);
	assert_int_equal(copy.delimiter, options.delimiter);
	assert_int_equal(copy.map_count, 1);
	assert_string_equal(copy.maps[0].value, "Name");
	assert_int_equal(copy.set_count, 1);
	assert_string_equal(copy.sets[0].value, "2048");
	assert_true(copy.validation.skip_luhn_imei && !copy.validation.skip_luhn_iccid);
	assert_int_equal(copy.chunk, 250);
	assert_int_equal(copy.concurrency, 16);
	assert_true(copy.rate == 7.25);
	assert_int_equal(copy.max_retries, 2);
	assert_int_equal(copy.timeout, 60);
	assert_int_equal(copy.connect_timeout, 3);
	assert_int_equal(copy.stall_timeout, 9);
	assert_true(copy.insecure_http);
	assert_null(copy.credentials);
	assert_false(copy.yes || copy.quiet);

	/* and once more: the same JSON */
	json_t *again = NULL;
	assert_int_equal(job_options_to_json(&copy, &again), 0);
	char *text_again = json_dumps(again, JSON_SORT_KEYS);
	assert_string_equal(text, text_again);
	free(text);
	free(text_again);
	json_decref(json);
	json_decref(again);
	job_options_release(&copy);
	job_options_release(&options);
}

static void job_json_paths_become_absolute(void **state)
{
	(void)state;
	struct job_options options;
	job_options_init(&options);
	options.op = strdup("note");
	options.manifest = strdup("relative/notes.jsonl");
	options.out = strdup("out/notes-note");
	json_t *json = NULL;
	assert_int_equal(job_options_to_json(&options, &json), 0);
	char directory[1024];
	assert_non_null(getcwd(directory, sizeof(directory)));
	char expected[1200];
	snprintf(expected, sizeof(expected), "%s/relative/notes.jsonl", directory);
	assert_string_equal(json_string_value(json_object_get(json, "manifest")), expected);
	snprintf(expected, sizeof(expected), "%s/out/notes-note", directory);
	assert_string_equal(json_string_value(json_object_get(json, "out")), expected);
	assert_null(json_object_get(json, "rate")); /* unlimited is the default */
	json_decref(json);
	job_options_release(&options);
}

static void closest_names_for_typos_only(void **state)
{
	(void)state;
	const char *commands[] = {"audit", "export", "ops", "resume", "run", "status", "validate"};
	size_t count = sizeof(commands) / sizeof(commands[0]);
	assert_string_equal(closest_name("validte", commands, count), "validate");
	assert_string_equal(closest_name("statsu", commands, count), "status");
	assert_string_equal(closest_name("rnu", commands, count), "run");
	assert_string_equal(closest_name("valid", commands, count), "validate");
	assert_null(closest_name("frobnicate", commands, count));
	assert_null(closest_name("", commands, count));
	assert_null(closest_name("x", commands, count));
}

static void steps_job_files_are_read_checked_and_round_trip(void **state)
{
	(void)state;
	char *directory = temporary_directory();
	char *path = write_file(
	    directory, "job.json",
	    "{\"manifest\": \"lot.csv\", \"map\": {\"iccid\": \"SIM ICCID\"}, \"partial\": true,\n"
	    " \"steps\": [{\"op\": \"activate\", \"set\": {\"rate_plan_name\": \"P\"}, "
	    "\"verify\": \"30m\"},\n"
	    "  {\"op\": \"cost-center\", \"map\": {\"Cost_Center\": \"Site\"}, \"chunk\": 50,"
	    " \"concurrency\": 2, \"rate\": 5.5},\n"
	    "  {\"op\": \"usage-limit\", \"set\": {\"kb_limit\": 51200}}]}");
	struct job_options options;
	struct error error;
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", path, NULL), 0);
	assert_null(options.op);
	assert_true(options.partial);
	assert_int_equal(options.step_count, 3);
	assert_string_equal(options.steps[0].op, "activate");
	assert_int_equal(options.steps[0].verify_ms, 1800000);
	assert_string_equal(options.steps[1].maps[0].field, "cost_center");
	assert_string_equal(options.steps[1].maps[0].value, "Site");
	assert_int_equal(options.steps[1].chunk, 50);
	assert_int_equal(options.steps[1].concurrency, 2);
	assert_true(options.steps[1].rate == 5.5);
	assert_string_equal(options.steps[2].sets[0].value, "51200");
	assert_non_null(strstr(options.out, "lot-steps"));

	/* job.json keeps the steps; a resume rebuilds them, and they are
	 * result-affecting */
	json_t *json = NULL;
	assert_int_equal(job_options_to_json(&options, &json), 0);
	struct job_options copy;
	job_options_init(&copy);
	error_clear(&error);
	assert_int_equal(job_options_from_json(json, &copy, &error), 0);
	assert_int_equal(copy.step_count, 3);
	assert_string_equal(copy.steps[0].verify, "30m");
	assert_int_equal(copy.steps[1].concurrency, 2);
	char *affecting = job_options_result_affecting_text(&options);
	assert_non_null(strstr(affecting, "\"steps\""));
	assert_non_null(strstr(affecting, "\"partial\""));
	free(affecting);
	json_t *again = NULL;
	assert_int_equal(job_options_to_json(&copy, &again), 0);
	assert_true(json_equal(json, again));
	json_decref(json);
	json_decref(again);
	job_options_release(&copy);
	job_options_release(&options);
	free(path);

	/* no --steps or --partial flag: job files only */
	assert_int_equal(load(&options, SCOPE_RUN, &error, "run", "--partial", NULL), -1);
	job_options_release(&options);
	remove_tree(directory);
}

static void steps_errors_name_the_step_and_key(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *expected;
	} cases[] = {
	    {"{\"manifest\": \"a.csv\", \"steps\": []}", "non-empty array"},
	    {"{\"manifest\": \"a.csv\", \"steps\": {\"op\": \"note\"}}", "non-empty array"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"map\": {}}]}", "step 1: no \"op\""},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\"}, {\"op\": \"actvate\"}]}",
	     "step 2: unknown operation 'actvate' (did you mean 'activate'?)"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"verfy\": \"5m\"}]}",
	     "step 1: unknown key 'verfy' (did you mean 'verify'?)"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"activate\", \"verify\": \"soon\"}]}",
	     "step 1: \"verify\" must be a duration"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"chunk\": 0}]}",
	     "step 1: \"chunk\" must be a whole number of at least 1"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"map\": {\"note\": 3}}]}",
	     "must be a string (a column name)"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"rate\": -1}]}",
	     "\"rate\" must be a number of calls per second above 0"},
	};
	char *directory = temporary_directory();
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		char *path = write_file(directory, "job.json", cases[index].text);
		struct job_options options;
		struct error error;
		job_options_init(&options);
		error_clear(&error);
		int result = job_options_read_file(&options, path, &error);
		if (result != -1 || !strstr(error.message, cases[index].expected) ||
		    strcmp(error.file, path) != 0)
			fail_msg("%s: got %d '%s' in '%s'", cases[index].text, result,
			         error.message, error.file);
		job_options_release(&options);
		free(path);
	}
	/* checks of the whole: op and steps together, partial alone, limits, stdin */
	static const struct {
		const char *text;
		const char *expected;
	} finished[] = {
	    {"{\"op\": \"note\", \"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\"}]}",
	     "takes no --op"},
	    {"{\"op\": \"note\", \"manifest\": \"a.csv\", \"partial\": true}",
	     "\"partial\" is for job files with \"steps\""},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"chunk\": 5000}]}",
	     "step 1: \"chunk\" above 1000"},
	    {"{\"manifest\": \"a.csv\", \"steps\": [{\"op\": \"note\", \"concurrency\": 500}]}",
	     "step 1: \"concurrency\" above 64"},
	};
	for (size_t index = 0; index < sizeof(finished) / sizeof(finished[0]); index++) {
		char *path = write_file(directory, "job.json", finished[index].text);
		struct job_options options;
		struct error error;
		int result = load(&options, SCOPE_VALIDATE, &error, "validate", path, NULL);
		if (result != -1 || !strstr(error.message, finished[index].expected))
			fail_msg("%s: got %d '%s'", finished[index].text, result, error.message);
		job_options_release(&options);
		free(path);
	}
	remove_tree(directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_the_documented_ones),
	    cmocka_unit_test(both_value_forms_and_repeatable_options),
	    cmocka_unit_test(bad_values_are_refused_with_clear_messages),
	    cmocka_unit_test(unknown_options_get_a_hint),
	    cmocka_unit_test(help_and_missing_pieces),
	    cmocka_unit_test(job_file_paths_are_relative_to_it_and_command_line_wins),
	    cmocka_unit_test(job_file_errors_name_the_file_and_key),
	    cmocka_unit_test(steps_job_files_are_read_checked_and_round_trip),
	    cmocka_unit_test(steps_errors_name_the_step_and_key),
	    cmocka_unit_test(job_json_round_trips_without_credentials),
	    cmocka_unit_test(job_json_paths_become_absolute),
	    cmocka_unit_test(closest_names_for_typos_only),
	};
	return cmocka_run_group_tests_name("cli_options", tests, NULL, NULL);
}
