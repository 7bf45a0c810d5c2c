/* `lattigo-batch audit verify FILE` and `audit show FILE --row N`: check an
 * audit trail's members and hash chain, or print the exchanges of one row. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "common/parse_options.h"

static void audit_usage(FILE *stream)
{
	fputs("usage: lattigo-batch audit verify FILE\n"
	      "       lattigo-batch audit show FILE --row N [--json]\n"
	      "\n"
	      "An audit trail (OUT/audit.jsonl.gz) holds one JSON record per HTTP exchange,\n"
	      "each chained to the one before by its SHA-256 (see docs/audit.md).\n"
	      "\n"
	      "verify  reads every gzip member and checks the chain; prints the number of\n"
	      "        records, the first and last time, and the first break if any.\n"
	      "show    prints the exchanges that carried manifest row N: a summary with the\n"
	      "        request and response bodies, or with --json the records themselves\n"
	      "        (one JSON object per line).\n"
	      "\n"
	      "examples:\n"
	      "  lattigo-batch audit verify out/lot-42-activate/audit.jsonl.gz\n"
	      "  lattigo-batch audit show out/lot-42-activate/audit.jsonl.gz --row 1207\n"
	      "\n"
	      "exit status: verify: 0 intact; 1 a break or damage was found; 2 the file cannot\n"
	      "be read. show: 0 exchanges printed; 1 no exchange carried the row; 2 usage or\n"
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
	bool as_json;
	unsigned printed;
};

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
	bool as_json;
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
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table audit_option_table = {
    .rows = audit_option_rows,
    .count = sizeof(audit_option_rows) / sizeof(audit_option_rows[0]),
    .program = "lattigo-batch",
};

static int audit_show_command(const char *path, const struct audit_options *options)
{
	struct show_context show = {.as_json = options->as_json};
	unsigned long long row = options->row;
	if (!path || !row) {
		fprintf(stderr, "lattigo-batch: audit show needs FILE and --row N; see "
		                "'lattigo-batch audit --help'\n");
		return EXIT_USAGE;
	}
	struct error error;
	error_clear(&error);
	if (audit_find_row(path, row, show_exchange, &show, &error)) {
		fprintf(stderr, "lattigo-batch: audit show: %s\n", error.message);
		return EXIT_USAGE;
	}
	if (show.printed == 0) {
		fprintf(stderr, "lattigo-batch: no exchange in '%s' carried row %llu\n", path, row);
		return EXIT_SOME_FAILED;
	}
	return EXIT_ALL_OK;
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
