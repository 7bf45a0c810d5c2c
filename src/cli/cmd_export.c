/* `lattigo-batch export WHAT`: the read side of the API (devices, one device
 * per manifest row, reports, usages, SMS log, rate plans, users), every page,
 * as CSV or JSONL. Reads are idempotent, so a plain sequential loop with
 * retries on 429/5xx is enough here; the batch engine is for writes. */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/credentials.h"
#include "cli/sim_launcher.h"
#include "common/csv_writer.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "common/version.h"
#include "engine/endpoint_policy.h"
#include "manifest/manifest.h"

#define EXPORT_PAGE_LIMIT   (64u * 1024u * 1024u) /* one page's body */
#define EXPORT_MAX_ATTEMPTS 6
#define EXPORT_PER_PAGE     100
/* 15 significant digits print 36.6079, not the 36.607900000000001 a double
 * round-trip needs: what the API sent, as a person reads it. */
#define EXPORT_REAL_PRECISION JSON_REAL_PRECISION(15)

/* Field lists from the API text: the CSV columns of each kind of object. */
static const char *const device_fields[] = {"id",          "device_name",
                                            "ip_address",  "ipv6",
                                            "note",        "state",
                                            "mdn",         "meid",
                                            "imsi",        "imei",
                                            "iccid",       "esn",
                                            "msisdn",      "min",
                                            "connected",   "last_connection_date",
                                            "cost_center", "last_activation_date",
                                            "latitude",    "longitude",
                                            "address",     "bytes_used",
                                            "sms_used",    "note1",
                                            "note2",       "note3"};
static const char *const report_fields[] = {
    "id",          "latitude",    "longitude",   "speed",      "heading",  "altitude",
    "gps_quality", "unit_status", "time_of_fix", "battery",    "voltage",  "event_code",
    "temperature", "created_at",  "type",        "fuel_level", "distance", "rssi"};
static const char *const usage_fields[] = {"id", "date_for", "bytes_used", "sms_used"};
static const char *const sms_fields[] = {
    "event_id",     "event_status", "event_timestamp",  "event_type",    "imsi",
    "message_body", "msisdn",       "report_timestamp", "failure_reason"};
static const char *const rate_plan_fields[] = {"name",
                                               "days_in_term",
                                               "activation_fee",
                                               "termination_fee",
                                               "monthly_data_plan_cost",
                                               "monthly_data_allowance_bytes",
                                               "overage_data_unit_bytes",
                                               "overage_data_unit_cost",
                                               "monthly_sms_plan_cost",
                                               "monthly_sms_allowance",
                                               "overage_sms_unit",
                                               "overage_sms_unit_cost"};
static const char *const user_fields[] = {"username"};

/* One kind of export: a table row instead of a switch. */
struct export_kind {
	const char *name;
	const char *path; /* "{device}" is replaced per manifest row */
	bool per_device;  /* one listing per manifest row */
	bool paginated;
	bool dated;         /* takes --start-date / --end-date */
	bool single_object; /* the answer is one object, not an array */
	const char *const *fields;
	size_t field_count;
	const char *scalar_field; /* column for an array of plain strings */
	const char *summary;
};

#define FIELDS(list) list, sizeof(list) / sizeof(list[0])
static const struct export_kind export_kinds[] = {
    {"daily-usage", "v2/devices/{device}/daily_data_usages", true, true, true, false,
     FIELDS(usage_fields), NULL, "daily data usage of each device of --manifest"},
    {"device", "v2/devices/{device}", true, false, false, true, FIELDS(device_fields), NULL,
     "the device object of each device of --manifest"},
    {"devices", "v2/devices", false, true, false, false, FIELDS(device_fields), "device_name",
     "every device of the account (details=true), optionally --state"},
    {"monthly-usage", "v2/devices/{device}/monthly_data_usages", true, true, true, false,
     FIELDS(usage_fields), NULL, "monthly data usage of each device of --manifest"},
    {"rate-plans", "v2/rate_plans", false, true, false, false, FIELDS(rate_plan_fields), "name",
     "the account's rate plans"},
    {"reports", "v2/devices/{device}/device_reports", true, true, true, false,
     FIELDS(report_fields), NULL, "device reports of each device of --manifest"},
    {"sms-log", "v2/devices/{device}/get_sms", true, false, true, false, FIELDS(sms_fields), NULL,
     "SMS MT status objects of each device of --manifest"},
    {"users", "v2/users", false, true, false, false, FIELDS(user_fields), "username",
     "the account's usernames"},
};

struct export_options {
	const struct export_kind *kind;
	const char *endpoint;
	const char *credentials_path;
	const char *manifest;
	const char *state;
	const char *start_date;
	const char *end_date;
	const char *id_type;
	const char *output;
	bool jsonl;
	bool insecure_http;
};

struct export_session {
	const struct export_options *options;
	CURL *curl;
	struct credentials credentials;
	struct sim_process sim;
	const char *endpoint;
	bool plain_http;
	FILE *output;
	struct csv_writer csv;
	uint64_t records;
	uint64_t devices_missing; /* per-device exports: devices the API did not know */
	struct strbuf body;
	long next_page; /* from X-Next-Page, 0 when none */
	long retry_after_seconds;
};

static void print_usage(FILE *stream)
{
	fprintf(stream, "usage: lattigo-batch export WHAT [options]\n\n"
	                "Reads from the API and writes CSV (default) or JSONL.\n\nWHAT:\n");
	for (size_t index = 0; index < sizeof(export_kinds) / sizeof(export_kinds[0]); index++)
		fprintf(stream, "  %-14s %s\n", export_kinds[index].name,
		        export_kinds[index].summary);
	fprintf(stream,
	        "\noptions:\n"
	        "  --endpoint URL        API root, or 'sim' for the bundled simulator "
	        "(default: $LATTIGO_ENDPOINT, else https://api.lattigo.com)\n"
	        "  --credentials FILE    key_name:api_key, readable by its owner only "
	        "(default: LATTIGO_KEY_NAME / LATTIGO_API_KEY)\n"
	        "  --insecure-http       allow plain http to a non-loopback host\n"
	        "  --manifest FILE       devices to read (a device_name column) for per-device "
	        "exports\n"
	        "  --id-type TYPE        the manifest's device_name values are of this id type "
	        "(e.g. iccid)\n"
	        "  --state STATE         devices: only devices in this state\n"
	        "  --start-date DATE     per-device reports, usages, sms-log: from this date "
	        "(ISO 8601)\n"
	        "  --end-date DATE       ... up to this date\n"
	        "  --output FILE         write here instead of stdout\n"
	        "  --output-format F     csv (default) or jsonl\n\n"
	        "example: lattigo-batch export devices --endpoint sim --output devices.csv\n");
}

static const struct export_kind *find_kind(const char *name)
{
	for (size_t index = 0; index < sizeof(export_kinds) / sizeof(export_kinds[0]); index++)
		if (strcmp(export_kinds[index].name, name) == 0)
			return &export_kinds[index];
	return NULL;
}

/* Parses the command line; returns 1 for --help, 0 when ready, -1 on error. */
static int parse_options(struct export_options *options, int argc, char **argv, struct error *error)
{
	struct {
		const char *name;
		const char **target;
	} valued[] = {
	    {"--endpoint", &options->endpoint},     {"--credentials", &options->credentials_path},
	    {"--manifest", &options->manifest},     {"--state", &options->state},
	    {"--start-date", &options->start_date}, {"--end-date", &options->end_date},
	    {"--id-type", &options->id_type},       {"--output", &options->output},
	};
	const char *format = NULL;
	const char *what = NULL;
	for (int index = 1; index < argc; index++) {
		const char *argument = argv[index];
		if (strcmp(argument, "--help") == 0 || strcmp(argument, "-h") == 0)
			return 1;
		if (strcmp(argument, "--insecure-http") == 0) {
			options->insecure_http = true;
			continue;
		}
		const char *value = NULL;
		const char **target = NULL;
		if (strcmp(argument, "--output-format") == 0 ||
		    strncmp(argument, "--output-format=", 16) == 0) {
			target = &format;
			value = argument[15] == '=' ? argument + 16 : NULL;
		}
		for (size_t option = 0; !target && option < sizeof(valued) / sizeof(valued[0]);
		     option++) {
			size_t length = strlen(valued[option].name);
			if (strncmp(argument, valued[option].name, length) != 0)
				continue;
			if (argument[length] == '=')
				value = argument + length + 1;
			else if (argument[length] != '\0')
				continue;
			target = valued[option].target;
		}
		if (target) {
			if (!value) {
				if (index + 1 >= argc)
					return error_set(error, "option '%s' needs a value",
					                 argument);
				value = argv[++index];
			}
			*target = value;
			continue;
		}
		if (argument[0] == '-' && argument[1] != '\0')
			return error_set(error,
			                 "export: unknown option '%s'; see 'lattigo-batch export "
			                 "--help'",
			                 argument);
		if (what)
			return error_set(error, "export takes one WHAT, got '%s' and '%s'", what,
			                 argument);
		what = argument;
	}
	if (!what)
		return error_set(error, "export needs WHAT (devices, device, reports, daily-usage, "
		                        "monthly-usage, sms-log, rate-plans, users); see "
		                        "'lattigo-batch export --help'");
	options->kind = find_kind(what);
	if (!options->kind)
		return error_set(
		    error, "export: unknown WHAT '%s'; see 'lattigo-batch export --help'", what);
	if (format && strcmp(format, "jsonl") == 0)
		options->jsonl = true;
	else if (format && strcmp(format, "csv") != 0)
		return error_set(error, "--output-format must be csv or jsonl, not '%s'", format);
	if (options->kind->per_device && !options->manifest)
		return error_set(error, "export %s needs --manifest FILE with a device_name column",
		                 options->kind->name);
	if (!options->kind->per_device && options->manifest)
		return error_set(error, "export %s reads the whole account and takes no --manifest",
		                 options->kind->name);
	if (!options->endpoint) {
		const char *environment = getenv("LATTIGO_ENDPOINT");
		options->endpoint =
		    environment && *environment ? environment : "https://api.lattigo.com";
	}
	return 0;
}

static size_t collect_body(char *data, size_t size, size_t count, void *context)
{
	struct export_session *session = context;
	return strbuf_append(&session->body, data, size * count) == STRBUF_OK ? size * count : 0;
}

static size_t collect_header(char *data, size_t size, size_t count, void *context)
{
	struct export_session *session = context;
	size_t length = size * count;
	char line[256];
	if (length >= sizeof(line))
		return length;
	memcpy(line, data, length);
	line[length] = '\0';
	char *colon = strchr(line, ':');
	if (!colon)
		return length;
	*colon = '\0';
	long value = strtol(colon + 1, NULL, 10);
	if (strcasecmp(line, "X-Next-Page") == 0)
		session->next_page = value > 0 ? value : 0;
	else if (strcasecmp(line, "Retry-After") == 0)
		session->retry_after_seconds = value > 0 && value < 300 ? value : 1;
	return length;
}

/* Appends key=value to url as a query parameter (value escaped). */
static int add_query(struct export_session *session, struct strbuf *url, const char *key,
                     const char *value)
{
	if (!value)
		return 0;
	char *escaped = curl_easy_escape(session->curl, value, 0);
	if (!escaped)
		return -1;
	int result =
	    strbuf_appendf(url, "%c%s=%s", strchr(strbuf_text(url), '?') ? '&' : '?', key, escaped);
	curl_free(escaped);
	return result == STRBUF_OK ? 0 : -1;
}

/* GETs url with retries on 429, 5xx and network errors; the body lands in
 * session->body. Returns the HTTP status, or -1 with error. */
static long fetch(struct export_session *session, const char *url, struct error *error)
{
	long status = 0;
	for (int attempt = 1; attempt <= EXPORT_MAX_ATTEMPTS; attempt++) {
		strbuf_reset(&session->body);
		session->next_page = 0;
		session->retry_after_seconds = 0;
		curl_easy_setopt(session->curl, CURLOPT_URL, url);
		CURLcode code = curl_easy_perform(session->curl);
		if (code == CURLE_OK)
			curl_easy_getinfo(session->curl, CURLINFO_RESPONSE_CODE, &status);
		bool again = code != CURLE_OK || status == 429 || status >= 500 || status == 408;
		if (!again)
			return status;
		if (attempt == EXPORT_MAX_ATTEMPTS) {
			if (code != CURLE_OK)
				error_set(error, "GET %s failed: %s", url,
				          curl_easy_strerror(code));
			else
				error_set(error, "GET %s answered HTTP %ld after %d attempts", url,
				          status, attempt);
			return -1;
		}
		/* Sequential reads: waiting here holds nothing else up. */
		long wait_ms = session->retry_after_seconds ? session->retry_after_seconds * 1000
		                                            : 250L << (attempt - 1);
		struct timespec pause = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
		while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
			;
	}
	return status;
}

static void write_cell_value(struct export_session *session, const json_t *value)
{
	if (!value || json_is_null(value)) {
		csv_writer_cell(&session->csv, NULL);
	} else if (json_is_string(value)) {
		csv_writer_cell(&session->csv, json_string_value(value));
	} else {
		char *text =
		    json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | EXPORT_REAL_PRECISION);
		csv_writer_cell(&session->csv, text ? text : "");
		free(text);
	}
}

static void write_header(struct export_session *session)
{
	const struct export_kind *kind = session->options->kind;
	if (session->options->jsonl)
		return;
	if (kind->per_device)
		csv_writer_cell(&session->csv, "requested_device");
	for (size_t index = 0; index < kind->field_count; index++)
		csv_writer_cell(&session->csv, kind->fields[index]);
	csv_writer_end_line(&session->csv);
}

static int write_record(struct export_session *session, const json_t *item, const char *device)
{
	const struct export_kind *kind = session->options->kind;
	session->records++;
	if (session->options->jsonl) {
		json_t *copy = json_is_object(item) ? json_deep_copy(item) : json_object();
		if (!copy)
			return -1;
		if (!json_is_object(item))
			json_object_set(copy, kind->scalar_field ? kind->scalar_field : "value",
			                (json_t *)item);
		if (device)
			json_object_set_new(copy, "requested_device", json_string(device));
		int result =
		    json_dumpf(copy, session->output, JSON_COMPACT | EXPORT_REAL_PRECISION);
		json_decref(copy);
		fputc('\n', session->output);
		return result;
	}
	if (device)
		csv_writer_cell(&session->csv, device);
	for (size_t index = 0; index < kind->field_count; index++) {
		const json_t *value = json_is_object(item)
		                          ? json_object_get(item, kind->fields[index])
		                          : (kind->scalar_field && strcmp(kind->fields[index],
		                                                          kind->scalar_field) == 0
		                                 ? item
		                                 : NULL);
		write_cell_value(session, value);
	}
	csv_writer_end_line(&session->csv);
	return 0;
}

/* Reads every page of one listing and writes its records. */
static int export_listing(struct export_session *session, const char *path, const char *device,
                          struct error *error)
{
	const struct export_options *options = session->options;
	const struct export_kind *kind = options->kind;
	struct strbuf url;
	strbuf_init(&url, 16384);
	int result = -1;
	long page = 1;
	for (;;) {
		strbuf_reset(&url);
		if (endpoint_join(session->endpoint, path, &url) < 0 ||
		    (!kind->per_device && strcmp(kind->name, "devices") == 0 &&
		     (add_query(session, &url, "details", "true") < 0 ||
		      add_query(session, &url, "state", options->state) < 0)) ||
		    (device && add_query(session, &url, "id_type", options->id_type) < 0) ||
		    (kind->dated &&
		     (add_query(session, &url, "start_date", options->start_date) < 0 ||
		      add_query(session, &url, "end_date", options->end_date) < 0))) {
			error_set(error, "request URL too long for '%s'", path);
			goto out;
		}
		if (kind->paginated) {
			char number[32];
			snprintf(number, sizeof(number), "%ld", page);
			char per_page[32];
			snprintf(per_page, sizeof(per_page), "%d", EXPORT_PER_PAGE);
			add_query(session, &url, "page", number);
			add_query(session, &url, "per_page", per_page);
		}
		long status = fetch(session, strbuf_text(&url), error);
		if (status < 0)
			goto out;
		if (status == 404 && device) {
			fprintf(stderr, "lattigo-batch: export: device '%s' not found (HTTP 404)\n",
			        device);
			session->devices_missing++;
			result = 0;
			goto out;
		}
		if (status != 200) {
			error_set(error, "GET %s answered HTTP %ld: %.200s", path, status,
			          strbuf_text(&session->body));
			goto out;
		}
		json_error_t parse_error;
		json_t *answer =
		    json_loadb(strbuf_text(&session->body), session->body.length, 0, &parse_error);
		if (!answer || (!json_is_array(answer) && !json_is_object(answer))) {
			error_set(error, "GET %s: the answer is not JSON: %.120s", path,
			          strbuf_text(&session->body));
			json_decref(answer);
			goto out;
		}
		size_t count = 0;
		if (json_is_array(answer)) {
			size_t index;
			json_t *item;
			json_array_foreach(answer, index, item)
			{
				if (write_record(session, item, device) < 0) {
					json_decref(answer);
					error_set(error, "cannot write the export");
					goto out;
				}
			}
			count = json_array_size(answer);
		} else {
			write_record(session, answer, device);
		}
		json_decref(answer);
		/* Follow X-Next-Page; an empty page also ends a listing whose
		 * server leaves the header out. */
		if (!kind->paginated || count == 0 || session->next_page <= page)
			break;
		page = session->next_page;
	}
	result = 0;
out:
	strbuf_release(&url);
	return result;
}

/* Runs the listing once per device_name of the manifest. */
static int export_per_device(struct export_session *session, struct error *error)
{
	struct manifest_options manifest_options = {.format = MANIFEST_FORMAT_AUTO};
	struct manifest *manifest =
	    manifest_open(session->options->manifest, &manifest_options, error);
	if (!manifest)
		return -1;
	int result = 0;
	struct strbuf path;
	strbuf_init(&path, 8192);
	struct manifest_row row;
	int next;
	while ((next = manifest_next(manifest, &row, error)) == 1) {
		const char *device = NULL;
		for (size_t column = 0; column < row.value_count; column++)
			if (strcasecmp(manifest_column_name(manifest, column), "device_name") == 0)
				device = row.values[column];
		if (!device || !*device || row.problem) {
			fprintf(stderr, "lattigo-batch: export: row %" PRIu64 " skipped: %s\n",
			        row.number, row.problem ? row.problem : "no device_name");
			continue;
		}
		char *escaped = curl_easy_escape(session->curl, device, 0);
		const char *template = session->options->kind->path;
		const char *slot = strstr(template, "{device}");
		strbuf_reset(&path);
		strbuf_append(&path, template, (size_t)(slot - template));
		strbuf_append_string(&path, escaped ? escaped : "");
		strbuf_append_string(&path, slot + strlen("{device}"));
		curl_free(escaped);
		if (export_listing(session, strbuf_text(&path), device, error) < 0) {
			result = -1;
			break;
		}
	}
	if (next < 0)
		result = -1;
	strbuf_release(&path);
	manifest_close(manifest);
	return result;
}

static int open_session(struct export_session *session, struct error *error)
{
	const struct export_options *options = session->options;
	if (strcmp(options->endpoint, "sim") == 0) {
		struct sim_options sim_options = {0};
		if (sim_start(&session->sim, &sim_options, error) < 0)
			return -1;
		session->endpoint = session->sim.endpoint;
		if (credentials_set(&session->credentials, session->sim.credentials.key_name,
		                    session->sim.credentials.api_key, error) < 0)
			return -1;
	} else {
		session->endpoint = options->endpoint;
		if (credentials_load(&session->credentials, options->credentials_path, error) < 0)
			return -1;
	}
	if (endpoint_policy_check(session->endpoint, options->insecure_http, &session->plain_http,
	                          error) < 0)
		return -1;
	session->curl = curl_easy_init();
	if (!session->curl)
		return error_set(error, "cannot initialise libcurl");
	CURL *curl = session->curl;
	const char *protocols = session->plain_http ? "http" : "https";
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(curl, CURLOPT_USERNAME, session->credentials.key_name);
	curl_easy_setopt(curl, CURLOPT_PASSWORD, session->credentials.api_key);
	curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, session);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, session);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, LATTIGO_USER_AGENT " (export)");
	strbuf_init(&session->body, EXPORT_PAGE_LIMIT);
	session->output = stdout;
	if (options->output) {
		session->output = fopen(options->output, "w");
		if (!session->output) {
			session->output = stdout;
			return error_set(error, "cannot write '%s': %s", options->output,
			                 strerror(errno));
		}
	}
	csv_writer_init(&session->csv, session->output);
	return 0;
}

static void close_session(struct export_session *session)
{
	if (session->output && session->output != stdout)
		fclose(session->output);
	else
		fflush(stdout);
	if (session->curl)
		curl_easy_cleanup(session->curl);
	strbuf_release(&session->body);
	sim_stop(&session->sim);
	credentials_release(&session->credentials);
}

int command_export(int argc, char **argv)
{
	struct export_options options;
	struct export_session session;
	struct error error;
	memset(&options, 0, sizeof(options));
	memset(&session, 0, sizeof(session));
	error_clear(&error);
	credentials_init(&session.credentials);
	sim_process_init(&session.sim);
	session.options = &options;
	int parsed = parse_options(&options, argc, argv, &error);
	if (parsed == 1) {
		print_usage(stdout);
		return EXIT_ALL_OK;
	}
	int exit_code = EXIT_USAGE;
	if (parsed < 0 || open_session(&session, &error) < 0)
		goto out;
	write_header(&session);
	exit_code = EXIT_SOME_FAILED;
	int result = options.kind->per_device
	                 ? export_per_device(&session, &error)
	                 : export_listing(&session, options.kind->path, NULL, &error);
	if (result == 0) {
		exit_code = session.devices_missing ? EXIT_SOME_FAILED : EXIT_ALL_OK;
		fprintf(stderr, "lattigo-batch: exported %" PRIu64 " record%s (%s)\n",
		        session.records, session.records == 1 ? "" : "s", options.kind->name);
	}
out:
	if (error.set) {
		char text[1200];
		error_format(&error, text, sizeof(text));
		fprintf(stderr, "lattigo-batch: %s\n", text);
	}
	close_session(&session);
	return exit_code;
}
