/* `lattigo-batch audit verify FILE` and `audit show FILE --row N`: check an
 * audit trail's members and hash chain, or print the exchanges of one row. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "audit/row_view.h"
#include "cli/commands.h"
#include "common/parse_options.h"
#include "outputs/outcome_store.h"

static void audit_usage(FILE *stream)
{
	fputs("usage: lattigo-batch audit verify FILE\n"
	      "       lattigo-batch audit show (OUTDIR|FILE) --row N [--full] [--json]\n"
	      "\n"
	      "An audit trail (OUT/audit.jsonl.gz) holds one JSON record per HTTP exchange,\n"
	      "each chained to the one before by its SHA-256 (see docs/audit.md).\n"
	      "\n"
	      "verify  reads every gzip member and checks the chain; prints the number of\n"
	      "        records, the first and last time, and the first break if any.\n"
	      "show    prints the row's identifier and each exchange that carried manifest\n"
	      "        row N: time, status, the row's own element of the request and its own\n"
	      "        entries of the response (--full: the whole bodies; --json: the records\n"
	      "        themselves, one JSON object per line). Given OUTDIR it reads\n"
	      "        OUTDIR/audit.jsonl.gz and says when the row was invalid or not sent.\n"
	      "\n"
	      "examples:\n"
	      "  lattigo-batch audit verify out/lot-42-activate/audit.jsonl.gz\n"
	      "  lattigo-batch audit show out/lot-42-activate --row 1207\n"
	      "\n"
	      "exit status: verify: 0 intact; 1 a break or damage was found; 2 the file cannot\n"
	      "be read. show: 0 exchanges printed; 1 no exchange carried the row (invalid or\n"
	      "not sent yet); 2 usage or\n"
	      "unreadable file.\n",
	      stream);
}

static int audit_verify_command(const char *path)
{
	struct audit_report report;
	struct error error;
	error_clear(&error);
	if (audit_verify(path, &report, &error)) {
		fprintf(stderr, "lattigo-batch: audit verify: %s\n", error.message);
		return EXIT_USAGE;
	}
	printf("audit trail '%s': %" PRIu64 " records in %" PRIu64 " gzip members\n", path,
	       report.records, report.members);
	if (report.records)
		printf("first: %s\nlast:  %s\n", report.first_time[0] ? report.first_time : "-",
		       report.last_time[0] ? report.last_time : "-");
	if (!report.broken) {
		printf("chain: intact\n");
		return EXIT_ALL_OK;
	}
	printf("chain: BROKEN: %s\n", report.message);
	if (report.break_offset)
		printf("       (in the gzip member at byte offset %" PRIu64 ")\n",
		       report.break_offset);
	return EXIT_SOME_FAILED;
}

struct show_context {
	bool as_json, full;
	uint64_t row;
	unsigned printed;
};

/* Prints value on one line after label ("(none)" for an empty object): a
 * row's part is small, and one line per part keeps the output greppable. */
static void print_json(const char *label, const json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	bool empty = json_is_object(value) && json_object_size(value) == 0;
	printf("  %s: %s\n", label, empty ? "(none)" : text ? text : "(unprintable)");
	free(text);
}

/* Prints the row's own element of the request and its own entries of the
 * response (or, with identifier_only, the "row N: IDENTIFIER" line); says
 * why when a body cannot be read as JSON. */
static void print_row_parts(const struct show_context *show, json_t *record, bool identifier_only)
{
	json_t *rows = json_object_get(record, "rows");
	size_t count = json_array_size(rows), position = 0;
	while (position < count &&
	       (uint64_t)json_integer_value(json_array_get(rows, position)) != show->row)
		position++;
	const char *request_text = json_string_value(json_object_get(record, "request_body"));
	json_t *request = request_text ? json_loads(request_text, JSON_DECODE_ANY, NULL) : NULL;
	json_t *element = request ? audit_row_request_element(request, position, count) : NULL;
	const char *identifier = audit_row_identifier(element);
	if (identifier_only) {
		printf("row %" PRIu64 ": %s\n\n", show->row,
		       identifier ? identifier : "(its identifier is not in the request)");
		json_decref(request);
		return;
	}
	if (element) {
		print_json("request (the row's element)", element);
		/* what the row was sent with, e.g. the cost center: part of its request */
		json_t *shared = audit_row_request_shared(request, count);
		if (shared)
			print_json("request (shared by the call's rows)", shared);
		json_decref(shared);
	} else
		printf("  request: (the row's element cannot be picked out; --full prints the "
		       "body)\n");
	const char *response_text = json_string_value(json_object_get(record, "response_body"));
	json_t *response = response_text ? json_loads(response_text, JSON_DECODE_ANY, NULL) : NULL;
	if (json_is_object(response)) {
		json_t *entries = audit_row_response_entries(response, position, identifier);
		print_json("response (the row's entries)", entries);
		json_decref(entries);
	} else {
		printf("  response: %s\n", response ? "(not an object; --full prints it)"
		                           : response_text && response_text[0]
		                               ? "(not JSON or cut; --full prints it)"
		                               : "(empty)");
	}
	json_decref(response);
	json_decref(request);
}

static void print_body(const char *label, json_t *record, const char *key)
{
	const char *text = json_string_value(json_object_get(record, key));
	if (!text) {
		char encoded_key[64];
		snprintf(encoded_key, sizeof(encoded_key), "%s_base64", key);
		const char *encoded = json_string_value(json_object_get(record, encoded_key));
		if (encoded)
			printf("  %s (base64): %s\n", label, encoded);
		return;
	}
	/* a JSON body is shown indented; anything else as it is */
	json_t *parsed = json_loads(text, JSON_DECODE_ANY, NULL);
	char *pretty = parsed ? json_dumps(parsed, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	printf("  %s: %s\n", label, pretty ? pretty : (text[0] ? text : "(empty)"));
	free(pretty);
	json_decref(parsed);
}

/* Prints a rows array as ranges ("1-100", "3, 7, 9-12"): calls carry up to
 * hundreds of consecutive rows. */
static void print_rows(json_t *rows)
{
	size_t count = json_array_size(rows);
	if (count == 0) {
		fputs("-", stdout);
		return;
	}
	size_t start = 0;
	for (size_t index = 1; index <= count; index++) {
		json_int_t previous = json_integer_value(json_array_get(rows, index - 1));
		if (index < count &&
		    json_integer_value(json_array_get(rows, index)) == previous + 1)
			continue;
		json_int_t first = json_integer_value(json_array_get(rows, start));
		printf("%s%" JSON_INTEGER_FORMAT, start ? ", " : "", first);
		if (previous != first)
			printf("-%" JSON_INTEGER_FORMAT, previous);
		start = index;
	}
}

static int show_exchange(void *context, const char *line, size_t length)
{
	struct show_context *show = context;
	show->printed++;
	if (show->as_json) {
		printf("%.*s\n", (int)length, line);
		return 0;
	}
	json_t *record = json_loadb(line, length, 0, NULL);
	if (!record) {
		printf("(an unreadable record)\n");
		return 0;
	}
	if (show->printed == 1)
		print_row_parts(show, record, true);
	const char *error = json_string_value(json_object_get(record, "error"));
	printf("%sseq %" JSON_INTEGER_FORMAT "  %s  %s %s  attempt %" JSON_INTEGER_FORMAT
	       "  -> %" JSON_INTEGER_FORMAT "%s%s  (%" JSON_INTEGER_FORMAT " ms)  rows ",
	       show->printed > 1 ? "\n" : "", json_integer_value(json_object_get(record, "seq")),
	       json_string_value(json_object_get(record, "started_at")),
	       json_string_value(json_object_get(record, "method")),
	       json_string_value(json_object_get(record, "url")),
	       json_integer_value(json_object_get(record, "attempt")),
	       json_integer_value(json_object_get(record, "status")), error && error[0] ? " " : "",
	       error ? error : "", json_integer_value(json_object_get(record, "latency_ms")));
	print_rows(json_object_get(record, "rows"));
	putchar('\n');
	if (!show->full) {
		print_row_parts(show, record, false);
		json_decref(record);
		return 0;
	}
	print_body("request", record, "request_body");
	print_body("response", record, "response_body");
	json_t *length_value = json_object_get(record, "response_length");
	if (length_value)
		printf("  (response cut: %" JSON_INTEGER_FORMAT " bytes in all, SHA-256 %s)\n",
		       json_integer_value(length_value),
		       json_string_value(json_object_get(record, "response_sha256")));
	json_decref(record);
	return 0;
}

/* The options of `audit show` (verify takes none). */
struct audit_options {
	unsigned long long row;
	bool as_json, full;
};

enum audit_scope { AUDIT_SHOW = 1 << 0, AUDIT_VERIFY = 1 << 1 };

static const struct parse_option audit_option_rows[] = {
    {.name = "row",
     .type = PARSE_OPTION_UNSIGNED,
     .offset = offsetof(struct audit_options, row),
     .size = sizeof(unsigned long long),
     .value_name = "N",
     .scopes = AUDIT_SHOW,
     .minimum = 1,
     .maximum = UINT64_MAX,
     .rejection = "'{}' is not a row number (1, 2, ...)",
     .help = "show: the manifest row whose exchanges are printed"},
    {.name = "json",
     .type = PARSE_OPTION_FLAG,
     .offset = offsetof(struct audit_options, as_json),
     .size = sizeof(bool),
     .scopes = AUDIT_SHOW,
     .help = "show: the records themselves, one JSON object a line"},
    {.name = "full",
     .type = PARSE_OPTION_FLAG,
     .offset = offsetof(struct audit_options, full),
     .size = sizeof(bool),
     .scopes = AUDIT_SHOW,
     .help = "show: the whole request and response bodies, not the row's parts"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table audit_option_table = {
    .rows = audit_option_rows,
    .count = sizeof(audit_option_rows) / sizeof(audit_option_rows[0]),
    .program = "lattigo-batch",
};

/* Says why no exchange carried row, from the job's outcome store: invalid
 * (with the reason), skipped, or not sent yet. Returns 0 when it printed, -1
 * when the directory has no outcome store or it cannot be read (it is never
 * created here: show is read-only). */
static int print_unsent_row(const char *directory, uint64_t row)
{
	char index_path[4096];
	int written =
	    snprintf(index_path, sizeof(index_path), "%s/%s", directory, OUTCOME_INDEX_FILE);
	struct stat info;
	if (written < 0 || (size_t)written >= sizeof(index_path) || stat(index_path, &info) != 0)
		return -1;
	struct error error;
	error_clear(&error);
	struct outcome_store *store = outcome_store_open(directory, OUTCOME_STORE_OPEN, &error);
	struct row_outcome outcome;
	if (!store || row > OUTCOME_MAX_ROW || outcome_store_get(store, row, &outcome, &error)) {
		outcome_store_close(store);
		return -1;
	}
	outcome_store_close(store);
	if (outcome.status == ROW_PENDING)
		printf("row %" PRIu64 " has not been sent yet (no exchange carried it)\n", row);
	else if (row_status_has(outcome.status, ROW_STATUS_UNSENT))
		printf("row %" PRIu64 " was %s (%s), never sent\n", row,
		       row_status_name(outcome.status), outcome.message);
	else
		printf("row %" PRIu64 " is %s (%s), but no exchange in the trail carried it\n", row,
		       row_status_name(outcome.status), outcome.message);
	return 0;
}

static int audit_show_command(const char *path, const struct audit_options *options)
{
	unsigned long long row = options->row;
	struct show_context show = {.as_json = options->as_json, .full = options->full, .row = row};
	if (!path || !row) {
		fprintf(stderr, "lattigo-batch: audit show needs OUTDIR or FILE and --row N; see "
		                "'lattigo-batch audit --help'\n");
		return EXIT_USAGE;
	}
	/* OUTDIR: the trail inside it, and its outcome store for rows never sent */
	struct stat info;
	char trail[4096];
	const char *directory = NULL;
	if (stat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
		int written = snprintf(trail, sizeof(trail), "%s/%s", path, AUDIT_FILE_NAME);
		if (written < 0 || (size_t)written >= sizeof(trail)) {
			fprintf(stderr, "lattigo-batch: audit show: the path '%s' is too long\n",
			        path);
			return EXIT_USAGE;
		}
		directory = path;
		path = trail;
	}
	struct error error;
	error_clear(&error);
	if (audit_find_row(path, row, show_exchange, &show, &error)) {
		fprintf(stderr, "lattigo-batch: audit show: %s\n", error.message);
		return EXIT_USAGE;
	}
	if (show.printed)
		return EXIT_ALL_OK;
	if (directory && print_unsent_row(directory, row) == 0)
		return EXIT_SOME_FAILED;
	fprintf(stderr, "lattigo-batch: no exchange in '%s' carried row %llu\n", path, row);
	return EXIT_SOME_FAILED;
}

int command_audit(int argc, char **argv)
{
	struct audit_options options;
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	bool show = argc > 1 && strcmp(argv[1], "show") == 0;
	bool verify = argc > 1 && strcmp(argv[1], "verify") == 0;
	/* the subcommand picks the scope; options may come before or after FILE */
	int shift = show || verify ? 1 : 0;
	int parsed = parse_options_command(&audit_option_table, verify ? AUDIT_VERIFY : AUDIT_SHOW,
	                                   verify ? "audit verify" : "audit show", &options,
	                                   argc - shift, argv + shift, &line, &error);
	int exit_code = EXIT_USAGE;
	if (parsed == 1) {
		audit_usage(stdout);
		exit_code = EXIT_ALL_OK;
	} else if (parsed < 0) {
		report_error(&error, EXIT_USAGE);
	} else if (argc < 2) {
		audit_usage(stderr);
	} else if (!show && !verify) {
		fprintf(stderr,
		        "lattigo-batch: unknown audit command '%s' (verify or show); see "
		        "'lattigo-batch audit --help'\n",
		        argv[1]);
	} else if (verify && line.positional_count != 1) {
		fprintf(stderr, "lattigo-batch: audit verify takes one FILE; see "
		                "'lattigo-batch audit --help'\n");
	} else if (verify) {
		exit_code = audit_verify_command(line.positional[0]);
	} else if (show && line.positional_count > 1) {
		fprintf(stderr,
		        "lattigo-batch: audit show: unexpected argument '%s'; see "
		        "'lattigo-batch audit --help'\n",
		        line.positional[1]);
	} else {
		exit_code =
		    audit_show_command(line.positional_count ? line.positional[0] : NULL, &options);
	}
	parsed_command_line_release(&line);
	return exit_code;
}
