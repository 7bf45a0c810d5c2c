/* `lattigo-batch export KIND`: the read side of the API, every record of
 * every page, many reads in flight, to stdout, --output FILE or a resumable
 * job directory (--out DIR). The reading is src/export/; this file parses
 * the command line, checks it, and wires credentials, outputs and signals. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "cli/commands.h"
#include "cli/credentials.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/sim_launcher.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/parse_options.h"
#include "engine/endpoint_policy.h"
#include "export/device_source.h"
#include "export/export.h"
#include "export/export_job.h"
#include "export/iso_date.h"
#include "export/read_endpoint.h"
#include "export/record_format.h"
#include "outputs/atomic_file.h"
#include "outputs/xlsx_copy.h"

#define MAX_ASSIGNMENTS 32

struct export_options {
	const struct read_endpoint *endpoint;
	/* strings are owned (filled from export_option_table); texts of numbers
	 * are checked by check_options */
	char *api_root, *credentials_path, *manifest, *state, *start_date, *end_date;
	char *id_type, *direction, *output, *out, *format;
	char *limit_text, *concurrency_text, *rate_text, *retries_text;
	char *timeout_text, *connect_timeout_text, *stall_timeout_text;
	bool insecure_http, no_details, verbose, quiet, help;
	struct field_assignment maps[MAX_ASSIGNMENTS], sets[MAX_ASSIGNMENTS + 1];
	size_t map_count, set_count;
	/* given on the command line, to refuse what does not apply to the kind */
	bool given_dates, given_limit, given_direction, given_state, given_details,
	    given_manifest_options;
};

static int add_assignment(struct field_assignment *list, size_t *count, const char *option,
                          const char *text, struct error *error);

static int apply_map(const struct parse_option *row, void *base, const char *value,
                     const char *label, struct error *error)
{
	(void)row;
	struct export_options *options = base;
	return add_assignment(options->maps, &options->map_count, label, value, error);
}

static int apply_set(const struct parse_option *row, void *base, const char *value,
                     const char *label, struct error *error)
{
	(void)row;
	struct export_options *options = base;
	return add_assignment(options->sets, &options->set_count, label, value, error);
}

/* FIELD=VALUE texts point into argv, which outlives the options. */
static const struct parse_option_handler map_handler = {.apply = apply_map};
static const struct parse_option_handler set_handler = {.apply = apply_set};

#define FIELD(member)                                                                              \
	.offset = offsetof(struct export_options, member),                                         \
	.size = sizeof(((struct export_options *)0)->member)
#define TEXT_OPTION(option, member, value, text)                                                   \
	{                                                                                          \
		.name = option, .type = PARSE_OPTION_STRING, FIELD(member), .value_name = value,   \
		.help = text                                                                       \
	}

static const struct parse_option export_option_rows[] = {
    {.name = "endpoint",
     .type = PARSE_OPTION_STRING,
     FIELD(api_root),
     .value_name = "URL",
     .default_text = "$LATTIGO_ENDPOINT, else " OPTIONS_DEFAULT_ENDPOINT,
     .help = "API root, or 'sim' for the bundled simulator"},
    {.name = "credentials",
     .type = PARSE_OPTION_STRING,
     FIELD(credentials_path),
     .value_name = "FILE",
     .default_text = "LATTIGO_KEY_NAME / LATTIGO_API_KEY",
     .help = "key_name:api_key, readable by its owner only"},
    {.name = "insecure-http",
     .type = PARSE_OPTION_FLAG,
     FIELD(insecure_http),
     .help = "allow plain http to a non-loopback host"},
    TEXT_OPTION("manifest", manifest, "FILE",
                "per-device kinds: the devices to read (a device_name column)"),
    {.name = "map",
     .type = PARSE_OPTION_CUSTOM,
     .handler = &map_handler,
     .value_name = "FIELD=COLUMN",
     .help = "take device_name (or id_type) from another column"},
    {.name = "set",
     .type = PARSE_OPTION_CUSTOM,
     .handler = &set_handler,
     .value_name = "FIELD=VALUE",
     .help = "the same value for every row, e.g. --set id_type=iccid"},
    TEXT_OPTION("id-type", id_type, "TYPE",
                "the manifest's devices are of this id type (e.g. iccid)"),
    TEXT_OPTION("start-date", start_date, "DATE",
                "reports, daily-usage, monthly-usage, sms-log: from DATE (ISO 8601 date or "
                "date-time)"),
    TEXT_OPTION("end-date", end_date, "DATE", "... up to DATE (not before --start-date)"),
    {.name = "limit",
     .type = PARSE_OPTION_STRING,
     FIELD(limit_text),
     .value_name = "N",
     .default_text = "all in the range",
     .help = "reports, daily-usage, monthly-usage: at most N records per device"},
    TEXT_OPTION("direction", direction, "D", "sms-log: all, received or sent"),
    TEXT_OPTION("state", state, "STATE",
                "devices: only devices in STATE (active, deactivated, pending, suspended)"),
    {.name = "no-details",
     .type = PARSE_OPTION_FLAG,
     FIELD(no_details),
     .help = "devices: names only"},
    TEXT_OPTION("out", out, "DIR",
                "a resumable job directory (records, errors.csv, summary.json, checkpoint, "
                "audit trail)"),
    TEXT_OPTION("output", output, "FILE", "write here (complete or not at all) instead of stdout"),
    {.name = "output-format",
     .type = PARSE_OPTION_STRING,
     FIELD(format),
     .value_name = "F",
     .default_text = "csv",
     .help = "csv, jsonl, or xlsx (with --output FILE)"},
    {.name = "concurrency",
     .type = PARSE_OPTION_STRING,
     FIELD(concurrency_text),
     .value_name = "N",
     .default_text = "8",
     .help = "reads in flight"},
    {.name = "rate",
     .type = PARSE_OPTION_STRING,
     FIELD(rate_text),
     .value_name = "R",
     .default_text = "unlimited",
     .help = "at most R reads per second"},
    {.name = "max-retries",
     .type = PARSE_OPTION_STRING,
     FIELD(retries_text),
     .value_name = "N",
     .default_text = "8",
     .help = "retries of one read on 429 / 5xx / network errors"},
    {.name = "timeout",
     .type = PARSE_OPTION_STRING,
     FIELD(timeout_text),
     .value_name = "S",
     .default_text = "120",
     .help = "give up on one read after S seconds"},
    {.name = "connect-timeout",
     .type = PARSE_OPTION_STRING,
     FIELD(connect_timeout_text),
     .value_name = "S",
     .default_text = "10",
     .help = "give up connecting after S seconds"},
    {.name = "stall-timeout",
     .type = PARSE_OPTION_STRING,
     FIELD(stall_timeout_text),
     .value_name = "S",
     .default_text = "30",
     .help = "give up on a read that received nothing for S seconds"},
    {.name = "verbose",
     .type = PARSE_OPTION_FLAG,
     FIELD(verbose),
     .help = "one line per read on stderr"},
    {.name = "quiet", .type = PARSE_OPTION_FLAG, FIELD(quiet), .help = "no closing line on stderr"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table export_option_table = {
    .rows = export_option_rows,
    .count = sizeof(export_option_rows) / sizeof(export_option_rows[0]),
    .program = "lattigo-batch",
};

static void print_usage(FILE *stream)
{
	fprintf(stream, "usage: lattigo-batch export KIND [options] [--out DIR | --output FILE]\n\n"
	                "Reads every record of KIND from the API and writes CSV (default) or "
	                "JSONL.\n\nKIND:\n");
	for (size_t index = 0; index < read_endpoint_count; index++)
		fprintf(stream, "  %-14s %s\n", read_endpoints[index].kind,
		        read_endpoints[index].summary);
	fputc('\n', stream);
	parse_options_print_help(&export_option_table, 0, stream);
	fprintf(stream,
	        "\n"
	        "examples:\n"
	        "  lattigo-batch export devices --endpoint sim --output devices.csv\n"
	        "  lattigo-batch export daily-usage --manifest devices.csv --start-date 2026-10-01 "
	        "--end-date 2026-11-30 --out out/usage-oct-nov\n\n"
	        "exit status: 0 every record read; 1 some devices could not be read (errors.csv);\n"
	        "2 usage or input error, nothing read; 3 stopped (signal, failing API, full "
	        "disk), resumable with --out; 4 --out holds another export\n");
}

static int add_assignment(struct field_assignment *list, size_t *count, const char *option,
                          const char *text, struct error *error)
{
	const char *equals = strchr(text, '=');
	if (!equals || equals == text)
		return error_set(error, "%s needs FIELD=VALUE, not '%s'", option, text);
	if (*count >= MAX_ASSIGNMENTS)
		return error_set(error, "too many %s options", option);
	size_t length = (size_t)(equals - text);
	char *field = strndup(text, length);
	if (!field)
		return error_set(error, "out of memory");
	list[*count].field = field;
	list[*count].value = equals + 1;
	(*count)++;
	return 0;
}

static void release_options(struct export_options *options)
{
	parse_options_release(&export_option_table, options);
	for (size_t index = 0; index < options->map_count; index++)
		free((char *)options->maps[index].field);
	for (size_t index = 0; index < options->set_count; index++)
		free((char *)options->sets[index].field);
}

/* Parses the command line into options (with the shared option parser).
 * Returns 0 or -1 with error. */
static int parse_options(struct export_options *options, int argc, char **argv, struct error *error)
{
	struct parsed_command_line line;
	int parsed = parse_options_command(&export_option_table, 0, "export", options, argc, argv,
	                                   &line, error);
	const char *kind = line.positional_count ? line.positional[0] : NULL;
	if (parsed == 0 && line.positional_count > 1)
		parsed = error_set(error, "export takes one KIND, got '%s' and '%s'", kind,
		                   line.positional[1]);
	parsed_command_line_release(&line);
	if (parsed == 1) {
		options->help = true;
		return 0;
	}
	if (parsed < 0)
		return -1;
	options->given_dates = options->start_date || options->end_date;
	options->given_limit = options->limit_text != NULL;
	options->given_direction = options->direction != NULL;
	options->given_state = options->state != NULL;
	options->given_details = options->no_details;
	options->given_manifest_options =
	    options->manifest || options->id_type || options->map_count || options->set_count;
	if (!kind)
		return error_set(error, "export needs KIND (daily-usage, device, devices, "
		                        "monthly-usage, rate-plans, reports, sms-log, users); see "
		                        "'lattigo-batch export --help'");
	options->endpoint = read_endpoint_find(kind);
	if (!options->endpoint)
		return error_set(
		    error, "export: unknown KIND '%s'; see 'lattigo-batch export --help'", kind);
	return 0;
}

static int parse_count(const char *text, const char *option, uint64_t minimum, uint64_t maximum,
                       uint64_t *out, struct error *error)
{
	char *stop = NULL;
	errno = 0;
	unsigned long long value = text ? strtoull(text, &stop, 10) : 0;
	if (!text || !*text || *stop || errno || *text == '-' || value < minimum || value > maximum)
		return error_set(
		    error, "%s must be a whole number from %" PRIu64 " to %" PRIu64 ", not '%s'",
		    option, minimum, maximum, text ? text : "");
	*out = value;
	return 0;
}

/* Refuses what does not fit the kind or the API text; nothing is sent before. */
static int check_options(struct export_options *options, struct export_request *request,
                         struct error *error)
{
	const struct read_endpoint *endpoint = options->endpoint;
	unsigned takes = endpoint->parameters;
	const char *kind = endpoint->kind;
	if (!endpoint->per_device && options->given_manifest_options)
		return error_set(
		    error,
		    "export %s reads the whole account and takes no --manifest, --map, "
		    "--set or --id-type",
		    kind);
	if (endpoint->per_device && !options->manifest)
		return error_set(error, "export %s needs --manifest FILE with a device_name column",
		                 kind);
	if (options->given_dates && !(takes & READ_PARAM_DATES))
		return error_set(error,
		                 "export %s takes no --start-date / --end-date (only reports, "
		                 "daily-usage, monthly-usage and sms-log do)",
		                 kind);
	if (options->given_limit && !(takes & READ_PARAM_LIMIT))
		return error_set(error,
		                 "export %s takes no --limit (only reports, daily-usage and "
		                 "monthly-usage do)",
		                 kind);
	if (options->given_direction && !(takes & READ_PARAM_DIRECTION))
		return error_set(error, "export %s takes no --direction (only sms-log does)", kind);
	if (options->given_state && !(takes & READ_PARAM_STATE))
		return error_set(error, "export %s takes no --state (only devices does)", kind);
	if (options->given_details && !(takes & READ_PARAM_DETAILS))
		return error_set(error, "export %s takes no --no-details (only devices does)",
		                 kind);
	if (options->output && options->out)
		return error_set(error, "--output FILE and --out DIR exclude each other");
	if (options->out && options->manifest && strcmp(options->manifest, "-") == 0)
		return error_set(error, "--out needs a manifest file (stdin cannot be resumed)");
	if (options->format && strcmp(options->format, "jsonl") != 0 &&
	    strcmp(options->format, "csv") != 0 && strcmp(options->format, "xlsx") != 0)
		return error_set(error, "--output-format must be csv, jsonl or xlsx, not '%s'",
		                 options->format);
	if (options->format && strcmp(options->format, "xlsx") == 0 && !options->output)
		return error_set(error, "--output-format xlsx needs --output FILE (a workbook is "
		                        "neither streamed to stdout nor kept in a job directory)");
	request->jsonl = options->format && strcmp(options->format, "jsonl") == 0;
	int64_t start = 0, end = 0;
	char reason[160];
	if (options->start_date &&
	    iso_date_parse(options->start_date, &start, reason, sizeof(reason)) < 0)
		return error_set(error, "--start-date '%s': %s", options->start_date, reason);
	if (options->end_date &&
	    iso_date_parse(options->end_date, &end, reason, sizeof(reason)) < 0)
		return error_set(error, "--end-date '%s': %s", options->end_date, reason);
	if (options->start_date && options->end_date && start > end)
		return error_set(error, "--start-date '%s' is after --end-date '%s'",
		                 options->start_date, options->end_date);
	if (options->direction && strcmp(options->direction, "all") != 0 &&
	    strcmp(options->direction, "received") != 0 && strcmp(options->direction, "sent") != 0)
		return error_set(error, "--direction must be all, received or sent, not '%s'",
		                 options->direction);
	if (options->state) {
		bool known = false;
		for (size_t index = 0; read_device_states[index]; index++)
			known = known || strcmp(read_device_states[index], options->state) == 0;
		const char *hint = read_device_state_hint(options->state);
		if (!known && hint)
			return error_set(error,
			                 "--state '%s' is not a device state; did you mean '%s'? "
			                 "(states: active, deactivated, pending, suspended)",
			                 options->state, hint);
		if (!known)
			return error_set(error,
			                 "--state '%s' is not a device state (states: active, "
			                 "deactivated, pending, suspended)",
			                 options->state);
	}
	uint64_t value = 0;
	if (options->limit_text) {
		if (parse_count(options->limit_text, "--limit", 1, READ_LIMIT_ALL, &value, error) <
		    0)
			return -1;
		request->limit = value;
	}
	value = 8;
	if (options->concurrency_text &&
	    parse_count(options->concurrency_text, "--concurrency", 1, 256, &value, error) < 0)
		return -1;
	request->concurrency = (unsigned)value;
	value = 8;
	if (options->retries_text &&
	    parse_count(options->retries_text, "--max-retries", 0, 100, &value, error) < 0)
		return -1;
	request->max_tries = (unsigned)value + 1;
	if (options->rate_text) {
		char *stop = NULL;
		double rate = strtod(options->rate_text, &stop);
		if (!*options->rate_text || *stop || !(rate > 0) || rate > 1e6)
			return error_set(error, "--rate must be a positive number, not '%s'",
			                 options->rate_text);
		request->rate = rate;
	}
	struct {
		const char *text, *name;
		uint64_t fallback;
	} times[] = {{options->timeout_text, "--timeout", 120},
	             {options->connect_timeout_text, "--connect-timeout", 10},
	             {options->stall_timeout_text, "--stall-timeout", 30}};
	uint64_t seconds[3];
	for (size_t index = 0; index < 3; index++) {
		seconds[index] = times[index].fallback;
		if (times[index].text && parse_count(times[index].text, times[index].name, 1, 3600,
		                                     &seconds[index], error) < 0)
			return -1;
	}
	request->transport.total_timeout_ms = (long)seconds[0] * 1000;
	request->transport.connect_timeout_ms = (long)seconds[1] * 1000;
	request->transport.stall_timeout_s = (long)seconds[2];
	if (options->id_type) {
		options->sets[options->set_count].field = strdup("id_type");
		options->sets[options->set_count].value = options->id_type;
		if (!options->sets[options->set_count].field)
			return error_set(error, "out of memory");
		options->set_count++;
	}
	request->endpoint = endpoint;
	request->manifest_path = options->manifest;
	request->maps = options->maps;
	request->map_count = options->map_count;
	request->sets = options->sets;
	request->set_count = options->set_count;
	request->start_date = options->start_date;
	request->end_date = options->end_date;
	request->direction = options->direction;
	request->state = options->state;
	request->no_details = options->no_details;
	request->per_page = READ_MAX_PER_PAGE;
	request->verbose = options->verbose;
	return 0;
}

static json_t *assignments_json(const struct field_assignment *list, size_t count)
{
	json_t *object = json_object();
	for (size_t index = 0; object && index < count; index++)
		json_object_set_new(object, list[index].field, json_string(list[index].value));
	return object;
}

/* What decides the output: a resume with anything different is refused. */
static json_t *settings_json(const struct export_request *request)
{
	json_t *settings = json_object();
	if (!settings)
		return NULL;
	json_object_set_new(settings, "kind", json_string(request->endpoint->kind));
	json_object_set_new(settings, "format", json_string(request->jsonl ? "jsonl" : "csv"));
	json_object_set_new(settings, "start_date",
	                    request->start_date ? json_string(request->start_date) : json_null());
	json_object_set_new(settings, "end_date",
	                    request->end_date ? json_string(request->end_date) : json_null());
	json_object_set_new(settings, "limit", json_integer((json_int_t)request->limit));
	json_object_set_new(settings, "direction",
	                    request->direction ? json_string(request->direction) : json_null());
	json_object_set_new(settings, "state",
	                    request->state ? json_string(request->state) : json_null());
	json_object_set_new(settings, "details", json_boolean(!request->no_details));
	json_object_set_new(settings, "per_page", json_integer((json_int_t)request->per_page));
	json_object_set_new(settings, "map", assignments_json(request->maps, request->map_count));
	json_object_set_new(settings, "set", assignments_json(request->sets, request->set_count));
	return settings;
}

struct export_session {
	struct credentials credentials;
	struct sim_process sim;
	const char *api_root;
	bool plain_http;
};

static int open_session(struct export_session *session, const struct export_options *options,
                        struct error *error)
{
	if (strcmp(options->api_root, "sim") == 0) {
		struct sim_options sim_options = {0};
		if (sim_start(&session->sim, &sim_options, error) < 0)
			return -1;
		stop_signals_kill_on_exit(session->sim.pid);
		session->api_root = session->sim.endpoint;
		if (credentials_set(&session->credentials, session->sim.credentials.key_name,
		                    session->sim.credentials.api_key, error) < 0)
			return -1;
	} else {
		session->api_root = options->api_root;
		if (credentials_load(&session->credentials, options->credentials_path, error) < 0)
			return -1;
	}
	return endpoint_policy_check(session->api_root, options->insecure_http,
	                             &session->plain_http, error);
}

static void closing_line(const struct export_options *options, const struct export_totals *totals,
                         int exit_code)
{
	if (options->quiet)
		return;
	fprintf(stderr, "lattigo-batch: exported %" PRIu64 " record%s (%s)", totals->records,
	        totals->records == 1 ? "" : "s", options->endpoint->kind);
	if (totals->errors)
		fprintf(stderr, "; %" PRIu64 " device%s could not be read%s", totals->errors,
		        totals->errors == 1 ? "" : "s", options->out ? " (errors.csv)" : "");
	if (exit_code == EXIT_INTERRUPTED)
		fprintf(stderr, "; stopped before the end%s",
		        options->out ? ", run it again to continue" : "");
	fputc('\n', stderr);
}

/* --out DIR: the resumable job. */
static int export_to_job(const struct export_options *options, struct export_request *request,
                         json_t *argv_json, struct error *error)
{
	struct export_job job;
	export_job_init(&job);
	struct export_totals totals;
	memset(&totals, 0, sizeof(totals));
	json_t *settings = settings_json(request);
	struct export_job_identity identity = {request->endpoint, request->jsonl,
	                                       request->manifest_path, settings, argv_json};
	struct audit_secrets secrets = {request->transport.key_name, request->transport.api_key};
	int64_t started = clock_monotonic_ms();
	int exit_code = export_job_open(&job, options->out, &identity, &secrets, &totals, error);
	json_decref(settings);
	if (exit_code != 0) {
		export_job_close(&job);
		return exit_code;
	}
	if (job.already_complete) {
		if (!options->quiet)
			fprintf(stderr, "lattigo-batch: the export in '%s' is already complete\n",
			        options->out);
		exit_code = totals.errors ? EXIT_SOME_FAILED : EXIT_ALL_OK;
		export_job_close(&job);
		return exit_code;
	}
	struct record_format format = {request->endpoint, request->jsonl, request->no_details};
	if (!job.resuming)
		record_format_header(job.records, &format);
	struct export_output output = {
	    .records = job.records,
	    .errors = job.errors,
	    .errors_header = !job.resuming,
	    .audit = job.audit,
	    .skip_units = totals.units,
	    .commit = export_job_commit,
	    .context = &job,
	};
	exit_code = export_run(request, &output, &totals, error);
	struct error finish_error;
	error_clear(&finish_error);
	if (export_job_finish(&job, &totals, request->endpoint->kind, exit_code,
	                      clock_monotonic_ms() - started, &finish_error) < 0) {
		if (!error->set)
			*error = finish_error;
		exit_code = EXIT_INTERRUPTED;
	}
	export_job_close(&job);
	closing_line(options, &totals, exit_code);
	return exit_code;
}

/* stdout or --output FILE (published only when complete). */
static int export_to_stream(const struct export_options *options, struct export_request *request,
                            struct error *error)
{
	struct atomic_file file = {0};
	FILE *stream = stdout;
	/* xlsx: the CSV is written next to FILE first, then copied into FILE */
	bool xlsx = options->format && strcmp(options->format, "xlsx") == 0;
	char csv_path[4096];
	if (options->output && snprintf(csv_path, sizeof(csv_path), "%s%s", options->output,
	                                xlsx ? ".csv" : "") >= (int)sizeof(csv_path)) {
		error_set(error, "--output: path too long");
		return EXIT_USAGE;
	}
	if (options->output) {
		if (atomic_file_open(&file, csv_path, error) < 0)
			return EXIT_INTERRUPTED;
		stream = file.stream;
	}
	struct record_format format = {request->endpoint, request->jsonl, request->no_details};
	record_format_header(stream, &format);
	struct export_totals totals;
	memset(&totals, 0, sizeof(totals));
	struct export_output output = {.records = stream};
	int exit_code = export_run(request, &output, &totals, error);
	if (fflush(stream) != 0 || ferror(stream)) {
		error_set(error, "cannot write the export (disk full or I/O error)");
		exit_code = EXIT_INTERRUPTED;
	}
	if (options->output) {
		if (exit_code == EXIT_ALL_OK || exit_code == EXIT_SOME_FAILED) {
			if (atomic_file_commit(&file, error) < 0)
				exit_code = EXIT_INTERRUPTED;
			const struct xlsx_copy_style style = {request->endpoint->kind, NULL, NULL};
			if (xlsx && exit_code != EXIT_INTERRUPTED &&
			    xlsx_copy_csv(csv_path, options->output, &style, error) != 0) {
				error_set(error, "cannot write '%s' (over 1,048,576 rows?)",
				          options->output);
				exit_code = EXIT_INTERRUPTED;
			}
			if (xlsx)
				unlink(csv_path);
		} else {
			atomic_file_abort(&file);
		}
	}
	closing_line(options, &totals, exit_code);
	return exit_code;
}

int command_export(int argc, char **argv)
{
	struct export_options options;
	struct export_request request;
	struct export_session session;
	struct stop_signals signals;
	struct error error;
	memset(&options, 0, sizeof(options));
	memset(&request, 0, sizeof(request));
	memset(&session, 0, sizeof(session));
	memset(&signals, 0, sizeof(signals));
	error_clear(&error);
	credentials_init(&session.credentials);
	sim_process_init(&session.sim);
	json_t *argv_json = json_array();
	for (int index = 1; argv_json && index < argc; index++)
		json_array_append_new(argv_json, json_string(argv[index]));
	int exit_code = EXIT_USAGE;
	if (parse_options(&options, argc, argv, &error) < 0)
		goto out;
	if (options.help) {
		print_usage(stdout);
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (!options.api_root) {
		const char *environment = getenv("LATTIGO_ENDPOINT");
		options.api_root =
		    strdup(environment && *environment ? environment : OPTIONS_DEFAULT_ENDPOINT);
		if (!options.api_root) {
			error_set(&error, "out of memory");
			goto out;
		}
	}
	if (check_options(&options, &request, &error) < 0)
		goto out;
	if (request.endpoint->per_device) {
		/* The manifest and its device column are checked before anything else
		 * exists: a missing file or column leaves no output behind. */
		struct device_source source;
		int opened =
		    device_source_open(&source, request.manifest_path, request.maps,
		                       request.map_count, request.sets, request.set_count, &error);
		device_source_close(&source);
		if (opened < 0)
			goto out;
	}
	if (open_session(&session, &options, &error) < 0)
		goto out;
	request.transport.api_root = session.api_root;
	request.transport.key_name = session.credentials.key_name;
	request.transport.api_key = session.credentials.api_key;
	request.transport.plain_http = session.plain_http;
	const char *bundle = getenv("CURL_CA_BUNDLE");
	if (!bundle || !*bundle)
		bundle = getenv("SSL_CERT_FILE");
	request.transport.ca_bundle = bundle && *bundle ? bundle : NULL;
	/* A file-size limit (ulimit -f) must fail a write, not kill the process
	 * before it can say so. */
	signal(SIGXFSZ, SIG_IGN);
	if (stop_signals_install(&signals) == 0)
		request.stop = stop_signals_flag();
	exit_code = options.out ? export_to_job(&options, &request, argv_json, &error)
	                        : export_to_stream(&options, &request, &error);
	stop_signals_restore(&signals);
out:
	if (error.set)
		report_error(&error, exit_code);
	json_decref(argv_json);
	sim_stop(&session.sim);
	credentials_release(&session.credentials);
	release_options(&options);
	return exit_code;
}

int command_export_resume(const char *directory, int argc, char **argv)
{
	struct error error;
	error_clear(&error);
	json_t *stored = export_job_argv(directory, &error);
	if (!stored)
		return report_error(&error, EXIT_RESUME_REFUSED);
	size_t count = json_array_size(stored);
	char **arguments = calloc(count + (size_t)argc + 4, sizeof(char *));
	if (!arguments) {
		json_decref(stored);
		return EXIT_INTERRUPTED;
	}
	int used = 0;
	arguments[used++] = "export";
	/* The directory as given now wins over the one stored (another working directory). */
	for (size_t index = 0; index < count; index++) {
		const char *argument = json_string_value(json_array_get(stored, index));
		if (!argument)
			continue;
		if (strcmp(argument, "--out") == 0) {
			index++;
			continue;
		}
		if (strncmp(argument, "--out=", 6) == 0)
			continue;
		arguments[used++] = (char *)argument;
	}
	arguments[used++] = "--out";
	arguments[used++] = (char *)directory;
	for (int index = 0; index < argc; index++)
		arguments[used++] = argv[index];
	int exit_code = command_export(used, arguments);
	free(arguments);
	json_decref(stored);
	return exit_code;
}
