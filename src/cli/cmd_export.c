/* `lattigo-batch export KIND`: the read side of the API, every record of
 * every page, many reads in flight, to stdout, --output FILE or a resumable
 * job directory (--out DIR). The reading is src/export/; this file parses
 * the command line, checks it, and wires credentials, outputs and signals. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/credentials.h"
#include "cli/export_progress.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/sim_launcher.h"
#include "common/path_display.h"
#include "common/clock.h"
#include "common/parse_options.h"
#include "common/error.h"
#include "http/endpoint_policy.h"
#include "http/tls.h"
#include "export/device_source.h"
#include "export/export.h"
#include "export/export_job.h"
#include "export/iso_date.h"
#include "export/read_endpoint.h"
#include "export/record_format.h"
#include "outputs/atomic_file.h"
#include "outputs/xlsx_copy.h"

/* Which kinds an option applies to (bits of parse_option.scopes): every kind,
 * per-device kinds, or the kinds whose endpoint takes a parameter. */
enum export_scope {
	EXPORT_ANY = 1 << 0,
	EXPORT_PER_DEVICE = 1 << 1,
	EXPORT_DATES = 1 << 2,
	EXPORT_LIMIT = 1 << 3,
	EXPORT_DIRECTION = 1 << 4,
	EXPORT_STATE = 1 << 5,
	EXPORT_DETAILS = 1 << 6,
};

enum export_format { EXPORT_CSV = 0, EXPORT_JSONL, EXPORT_XLSX };

/* What the command line says; filled by the rows below. */
struct export_options {
	char *api_root, *credentials_path, *manifest, *state, *start_date, *end_date;
	char *id_type, *direction, *output, *out;
	int format;
	struct field_assignment *maps, *sets;
	size_t map_count, set_count;
	uint64_t limit;
	unsigned concurrency, max_retries;
	double rate;
	long timeout, connect_timeout, stall_timeout;
	bool insecure_http, no_details, verbose, quiet, progress, help;
	char *cacert;
	const struct read_endpoint *endpoint; /* KIND, the one positional argument */
};

#define FIELD(member)                                                                              \
	.offset = offsetof(struct export_options, member),                                         \
	.size = sizeof(((struct export_options *)0)->member)

static const struct parse_option_word format_words[] = {
    {"csv", EXPORT_CSV}, {"jsonl", EXPORT_JSONL}, {"xlsx", EXPORT_XLSX}};

/* Result-affecting rows decide the output: a resume with other values is refused. */
static const struct parse_option export_option_rows[] = {
    {.name = "help", .type = PARSE_OPTION_HELP, FIELD(help), .help = "this text"},
    {.name = "endpoint",
     .type = PARSE_OPTION_STRING,
     FIELD(api_root),
     .value_name = "URL",
     .scopes = EXPORT_ANY,
     .empty_text = "empty URL",
     .default_text = "$LATTIGO_ENDPOINT, else " OPTIONS_DEFAULT_ENDPOINT,
     .help = "API root; the word sim starts the bundled lattigo-sim"},
    {.name = "credentials",
     .type = PARSE_OPTION_STRING,
     FIELD(credentials_path),
     .value_name = "FILE",
     .scopes = EXPORT_ANY,
     .empty_text = "empty file name",
     .default_text = "$LATTIGO_KEY_NAME and $LATTIGO_API_KEY",
     .help = "file holding key_name:api_key, readable by its owner only"},
    {.name = "insecure-http",
     .type = PARSE_OPTION_FLAG,
     FIELD(insecure_http),
     .scopes = EXPORT_ANY,
     .help = "allow plain http:// to a non-loopback host"},
    {.name = "cacert",
     .type = PARSE_OPTION_STRING,
     FIELD(cacert),
     .value_name = "FILE",
     .scopes = EXPORT_ANY,
     .flags = PARSE_OPTION_PATH,
     .empty_text = "empty file name",
     .default_text = "$CURL_CA_BUNDLE, else $SSL_CERT_FILE, else the system's",
     .help = "trust the CA certificates (PEM) in FILE for https"},
    {.name = "manifest",
     .type = PARSE_OPTION_STRING,
     FIELD(manifest),
     .value_name = "FILE",
     .scopes = EXPORT_PER_DEVICE,
     .flags = PARSE_OPTION_PATH,
     .empty_text = "empty file name",
     .help = "per-device kinds: the devices to read (a device_name column)"},
    {.name = "map",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(maps),
     .count_offset = offsetof(struct export_options, map_count),
     .handler = &options_map_handler,
     .value_name = "FIELD=COLUMN",
     .json_key = "map",
     .scopes = EXPORT_PER_DEVICE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "take device_name (or id_type) from another column"},
    {.name = "set",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(sets),
     .count_offset = offsetof(struct export_options, set_count),
     .handler = &options_set_handler,
     .value_name = "FIELD=VALUE",
     .json_key = "set",
     .scopes = EXPORT_PER_DEVICE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "the same value for every row, e.g. --set id_type=iccid"},
    {.name = "id-type",
     .type = PARSE_OPTION_STRING,
     FIELD(id_type),
     .value_name = "TYPE",
     .json_key = "id_type",
     .scopes = EXPORT_PER_DEVICE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty id type",
     .help = "the manifest's devices are of this id type (e.g. iccid)"},
    {.name = "start-date",
     .type = PARSE_OPTION_STRING,
     FIELD(start_date),
     .value_name = "DATE",
     .json_key = "start_date",
     .scopes = EXPORT_DATES,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty date",
     .help = "from DATE (ISO 8601 date or date-time; no zone = UTC)"},
    {.name = "end-date",
     .type = PARSE_OPTION_STRING,
     FIELD(end_date),
     .value_name = "DATE",
     .json_key = "end_date",
     .scopes = EXPORT_DATES,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty date",
     .help = "up to DATE (not before --start-date)"},
    {.name = "limit",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(limit),
     .value_name = "N",
     .json_key = "limit",
     .scopes = EXPORT_LIMIT,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .minimum = 1,
     .maximum = READ_LIMIT_ALL,
     .default_text = "every record in the date range",
     .help = "at most N records per device"},
    {.name = "direction",
     .type = PARSE_OPTION_STRING,
     FIELD(direction),
     .value_name = "all|received|sent",
     .json_key = "direction",
     .scopes = EXPORT_DIRECTION,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty direction",
     .help = "which SMS events"},
    {.name = "state",
     .type = PARSE_OPTION_STRING,
     FIELD(state),
     .value_name = "STATE",
     .json_key = "state",
     .scopes = EXPORT_STATE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty state",
     .help = "only devices in STATE (active, deactivated, pending, suspended)"},
    {.name = "no-details",
     .type = PARSE_OPTION_FLAG,
     FIELD(no_details),
     .json_key = "no_details",
     .scopes = EXPORT_DETAILS,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "device names only"},
    {.name = "output-format",
     .type = PARSE_OPTION_CHOICE,
     FIELD(format),
     .value_name = "csv|jsonl",
     .json_key = "format",
     .scopes = EXPORT_ANY,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .words = format_words,
     .word_count = sizeof(format_words) / sizeof(format_words[0]),
     .default_text = "csv",
     .rejection = "unknown output format '{}' (csv, jsonl or xlsx)",
     .help = "records as CSV, JSONL, or an xlsx workbook (with --output FILE)"},
    {.name = "out",
     .type = PARSE_OPTION_STRING,
     FIELD(out),
     .value_name = "DIR",
     .scopes = EXPORT_ANY,
     .empty_text = "empty directory name",
     .help = "a resumable job directory (records, errors.csv, summary.json, checkpoint, audit)"},
    {.name = "output",
     .type = PARSE_OPTION_STRING,
     FIELD(output),
     .value_name = "FILE",
     .scopes = EXPORT_ANY,
     .empty_text = "empty file name",
     .default_text = "stdout",
     .help = "write here, complete or not at all"},
    {.name = "concurrency",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(concurrency),
     .value_name = "N",
     .scopes = EXPORT_ANY,
     .minimum = 1,
     .maximum = OPTIONS_MAX_CONCURRENCY,
     .default_value = "8",
     .help = "reads in flight (1-" PARSE_OPTION_NUMBER_TEXT(OPTIONS_MAX_CONCURRENCY) ")"},
    {.name = "rate",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(rate),
     .value_name = "R",
     .scopes = EXPORT_ANY,
     .flags = PARSE_OPTION_EXCLUSIVE_MINIMUM,
     .real_minimum = 0,
     .real_maximum = OPTIONS_MAX_RATE,
     .default_text = "unlimited",
     .rejection = "'{}' is not a number of reads per second above 0",
     .help = "at most R reads per second"},
    {.name = "max-retries",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(max_retries),
     .value_name = "N",
     .scopes = EXPORT_ANY,
     .minimum = 0,
     .maximum = OPTIONS_MAX_RETRIES,
     .default_value = PARSE_OPTION_NUMBER_TEXT(OPTIONS_DEFAULT_MAX_RETRIES),
     .help = "retries of one read on 429 / 5xx / network errors (0-" PARSE_OPTION_NUMBER_TEXT(
         OPTIONS_MAX_RETRIES) ")"},
    {.name = "connect-timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(connect_timeout),
     .value_name = "SECONDS",
     .scopes = EXPORT_ANY,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = PARSE_OPTION_NUMBER_TEXT(OPTIONS_DEFAULT_CONNECT_TIMEOUT_S),
     .help = "TCP + TLS set-up of one read"},
    {.name = "timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(timeout),
     .value_name = "SECONDS",
     .scopes = EXPORT_ANY,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = PARSE_OPTION_NUMBER_TEXT(OPTIONS_DEFAULT_TIMEOUT_S),
     .help = "one whole read"},
    {.name = "stall-timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(stall_timeout),
     .value_name = "SECONDS",
     .scopes = EXPORT_ANY,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = PARSE_OPTION_NUMBER_TEXT(OPTIONS_DEFAULT_STALL_TIMEOUT_S),
     .help = "below 1 byte/s for this long: the read is stalled and retried"},
    {.name = "verbose",
     .type = PARSE_OPTION_FLAG,
     FIELD(verbose),
     .scopes = EXPORT_ANY,
     .help = "one line per read on stderr"},
    {.name = "quiet",
     .type = PARSE_OPTION_FLAG,
     FIELD(quiet),
     .scopes = EXPORT_ANY,
     .help = "no progress line and no closing line on stderr"},
    {.name = "progress",
     .type = PARSE_OPTION_FLAG,
     FIELD(progress),
     .scopes = EXPORT_ANY,
     .help = "a progress line on stderr even when it is not a terminal (a line every 5 s)"},
};

static const struct parse_options_table export_option_table = {
    export_option_rows, sizeof(export_option_rows) / sizeof(export_option_rows[0]),
    "lattigo-batch"};

/* The options a kind takes, from its row of the read endpoint table. */
static unsigned kind_scope(const struct read_endpoint *endpoint)
{
	unsigned scope = EXPORT_ANY;
	static const struct {
		unsigned parameter, scope;
	} map[] = {{READ_PARAM_DATES, EXPORT_DATES},
	           {READ_PARAM_LIMIT, EXPORT_LIMIT},
	           {READ_PARAM_DIRECTION, EXPORT_DIRECTION},
	           {READ_PARAM_STATE, EXPORT_STATE},
	           {READ_PARAM_DETAILS, EXPORT_DETAILS}};
	for (size_t index = 0; index < sizeof(map) / sizeof(map[0]); index++)
		if (endpoint->parameters & map[index].parameter)
			scope |= map[index].scope;
	if (endpoint->per_device)
		scope |= EXPORT_PER_DEVICE;
	return scope;
}

static void print_usage(FILE *stream)
{
	fprintf(stream, "usage: lattigo-batch export KIND [options] [--out DIR | --output FILE]\n\n"
	                "Reads every record of KIND from the API and writes CSV (default) or "
	                "JSONL.\n\nKIND:\n");
	for (size_t index = 0; index < read_endpoint_count; index++)
		fprintf(stream, "  %-14s %s\n", read_endpoints[index].kind,
		        read_endpoints[index].summary);
	fputc('\n', stream);
	parse_options_print_help(&export_option_table, ~0u, stream);
	fputs("\nexamples:\n"
	      "  lattigo-batch export devices --endpoint sim --output devices.csv\n"
	      "  lattigo-batch export daily-usage --manifest devices.csv --start-date 2026-10-01 "
	      "--end-date 2026-11-30 --out out/usage-oct-nov\n\n"
	      "exit status: 0 every record read; 1 some devices could not be read (errors.csv);\n"
	      "2 usage or input error, nothing read; 3 stopped (signal, failing API, full disk),\n"
	      "resumable with --out; 4 --out holds another export, or its options changed\n",
	      stream);
}

/* Names the kinds that take an option of scope, e.g. "reports, daily-usage and monthly-usage". */
static void kinds_taking(unsigned scope, char *out, size_t size)
{
	size_t used = 0, found = 0, total = 0;
	out[0] = '\0';
	for (size_t index = 0; index < read_endpoint_count; index++)
		total += (kind_scope(&read_endpoints[index]) & scope) != 0;
	for (size_t index = 0; index < read_endpoint_count && used < size; index++) {
		if (!(kind_scope(&read_endpoints[index]) & scope))
			continue;
		found++;
		int wrote = snprintf(out + used, size - used, "%s%s",
		                     found == 1       ? ""
		                     : found == total ? " and "
		                                      : ", ",
		                     read_endpoints[index].kind);
		if (wrote < 0)
			break;
		used += (size_t)wrote;
	}
}

/* Parses the command line: KIND and its options, each checked against its row
 * and against the kinds it applies to. Returns 0 or -1 with error. */
static int parse_export_options(struct export_options *options, int argc, char **argv,
                                struct error *error)
{
	struct parsed_command_line line;
	memset(&line, 0, sizeof(line));
	int result = -1;
	if (parse_options_defaults(&export_option_table, options, error) < 0 ||
	    parse_options_argv(&export_option_table, ~0u, "export", argc, argv, &line, error) < 0)
		goto out;
	if (line.help) {
		options->help = true;
		result = 0;
		goto out;
	}
	if (line.positional_count != 1) {
		if (line.positional_count == 0)
			error_set(error,
			          "export needs KIND (daily-usage, device, devices, monthly-usage, "
			          "rate-plans, reports, sms-log, users); see 'lattigo-batch "
			          "export --help'");
		else
			error_set(error, "export takes one KIND, got '%s' and '%s'",
			          line.positional[0], line.positional[1]);
		goto out;
	}
	options->endpoint = read_endpoint_find(line.positional[0]);
	if (!options->endpoint) {
		error_set(error, "export: unknown KIND '%s'; see 'lattigo-batch export --help'",
		          line.positional[0]);
		goto out;
	}
	unsigned scope = kind_scope(options->endpoint);
	for (size_t index = 0; index < line.given_count; index++) {
		const struct parse_option *row = line.given[index].row;
		if (!row->scopes || (row->scopes & scope))
			continue;
		char kinds[200];
		kinds_taking(row->scopes, kinds, sizeof(kinds));
		error_set(error, "export %s takes no --%s (only %s %s)", options->endpoint->kind,
		          row->name, kinds,
		          strchr(kinds, ',') || strstr(kinds, " and ") ? "do" : "does");
		goto out;
	}
	result = parse_options_apply_line(&line, options, error);
out:
	parsed_command_line_release(&line);
	return result;
}

/* Refuses what does not fit the kind or the API text; nothing is sent before. */
static int check_options(struct export_options *options, struct export_request *request,
                         struct error *error)
{
	const struct read_endpoint *endpoint = options->endpoint;
	if (endpoint->per_device && !options->manifest)
		return error_set(error, "export %s needs --manifest FILE with a device_name column",
		                 endpoint->kind);
	if (options->output && options->out)
		return error_set(error, "--output FILE and --out DIR exclude each other");
	if (options->format == EXPORT_XLSX && !options->output)
		return error_set(error, "--output-format xlsx needs --output FILE (a workbook is "
		                        "neither streamed to stdout nor kept in a job directory)");
	if (options->out && options->manifest && strcmp(options->manifest, "-") == 0)
		return error_set(error, "--out needs a manifest file (stdin cannot be resumed)");
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
	if (options->id_type) {
		size_t length = strlen("id_type=") + strlen(options->id_type) + 1;
		char *text = malloc(length);
		if (!text)
			return error_set(error, "out of memory");
		snprintf(text, length, "id_type=%s", options->id_type);
		const struct parse_option *row = parse_options_find(&export_option_table, "set");
		int applied = parse_options_apply(row, options, text, "--id-type", error);
		free(text);
		if (applied < 0)
			return -1;
	}
	if (!options->api_root) {
		const char *environment = getenv("LATTIGO_ENDPOINT");
		options->api_root =
		    strdup(environment && *environment ? environment : "https://api.lattigo.com");
		if (!options->api_root)
			return error_set(error, "out of memory");
	}
	request->endpoint = endpoint;
	request->jsonl = options->format == EXPORT_JSONL;
	request->limit = options->limit;
	request->concurrency = options->concurrency;
	request->max_tries = options->max_retries + 1;
	request->rate = options->rate;
	request->transport.total_timeout_ms = options->timeout * 1000;
	request->transport.connect_timeout_ms = options->connect_timeout * 1000;
	request->transport.stall_timeout_s = options->stall_timeout;
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

/* What decides the output (the result-affecting rows, and KIND): a resume
 * with anything different is refused. */
static json_t *settings_json(const struct export_options *options)
{
	json_t *settings = NULL;
	if (parse_options_to_json(&export_option_table, options, true, &settings) < 0)
		return NULL;
	json_object_set_new(settings, "kind", json_string(options->endpoint->kind));
	json_object_set_new(settings, "per_page", json_integer(READ_MAX_PER_PAGE));
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
	/* the one way to go on, true to where the export goes: a job directory
	 * resumes; a file or stdout starts over */
	char shown[4096];
	if (exit_code == EXIT_INTERRUPTED && options->out)
		fprintf(stderr, "; stopped before the end; resume with: lattigo-batch resume %s",
		        path_display(options->out, shown, sizeof(shown)));
	else if (exit_code == EXIT_INTERRUPTED && options->output)
		fprintf(stderr,
		        "; stopped before the end; '%s' was not written (run the export again: "
		        "it starts over; --out DIR makes an export resumable)",
		        path_display(options->output, shown, sizeof(shown)));
	else if (exit_code == EXIT_INTERRUPTED)
		fprintf(stderr,
		        "; stopped before the end: the output is incomplete (run the export "
		        "again: it starts over; --out DIR makes an export resumable)");
	fputc('\n', stderr);
}

static void clear_progress(void *context)
{
	export_progress_clear(context);
}

/* Shows progress on stderr (a terminal, or --progress) while request runs,
 * starting from totals (a resumed job's). */
static void start_progress(const struct export_options *options, struct export_request *request,
                           struct export_progress *progress, const struct export_totals *totals)
{
	enum progress_mode mode =
	    progress_choose_mode(options->quiet, options->progress, isatty(STDERR_FILENO));
	export_progress_init(progress, mode, stderr, request->endpoint->per_device, totals);
	if (mode == PROGRESS_OFF)
		return;
	request->progress = export_progress_update;
	request->progress_clear = clear_progress;
	request->progress_context = progress;
}

/* --out DIR: the resumable job. */
static int export_to_job(const struct export_options *options, struct export_request *request,
                         json_t *argv_json, struct error *error)
{
	struct export_job job;
	export_job_init(&job);
	struct export_totals totals;
	memset(&totals, 0, sizeof(totals));
	json_t *settings = settings_json(options);
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
	struct export_progress progress;
	start_progress(options, request, &progress, &totals);
	exit_code = export_run(request, &output, &totals, error);
	export_progress_final(&progress, &totals);
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

/* stdout or --output FILE (published only when complete). An xlsx workbook
 * is copied from a CSV written next to FILE first. */
static int export_to_stream(const struct export_options *options, struct export_request *request,
                            struct error *error)
{
	struct atomic_file file = {0};
	FILE *stream = stdout;
	bool xlsx = options->format == EXPORT_XLSX;
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
	struct export_progress progress;
	start_progress(options, request, &progress, &totals);
	int exit_code = export_run(request, &output, &totals, error);
	export_progress_final(&progress, &totals);
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

/* The command line as export.json keeps it for `resume DIR`: the manifest's
 * path made absolute, so the resume may run from another directory. */
static json_t *stored_command_line(int argc, char **argv)
{
	json_t *line = json_array();
	for (int index = 1; line && index < argc; index++) {
		const char *argument = argv[index];
		const char *path = NULL;
		if (strcmp(argument, "--manifest") == 0 && index + 1 < argc) {
			json_array_append_new(line, json_string(argument));
			path = argv[++index];
		} else if (strncmp(argument, "--manifest=", 11) == 0) {
			json_array_append_new(line, json_string("--manifest"));
			path = argument + 11;
		}
		if (!path) {
			json_array_append_new(line, json_string(argument));
			continue;
		}
		char *absolute = strcmp(path, "-") != 0 ? realpath(path, NULL) : NULL;
		json_array_append_new(line, json_string(absolute ? absolute : path));
		free(absolute);
	}
	return line;
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
	json_t *argv_json = stored_command_line(argc, argv);
	int exit_code = EXIT_USAGE;
	if (parse_export_options(&options, argc, argv, &error) < 0)
		goto out;
	if (options.help) {
		print_usage(stdout);
		exit_code = EXIT_ALL_OK;
		goto out;
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
	if (http_ca_bundle_check(options.cacert, &error) < 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}
	request.transport.ca_bundle = http_ca_bundle(options.cacert);
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
	parse_options_release(&export_option_table, &options);
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
