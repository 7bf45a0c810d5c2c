/* `lattigo-batch report OUTDIR [--output FILE]`: (re)writes a job's
 * report.html — for a finished, an interrupted or a running job (it only
 * reads, and takes no lock). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "common/parse_options.h"
#include "common/error.h"
#include "report/report.h"

static void report_usage(FILE *stream)
{
	fputs("usage: lattigo-batch report OUTDIR [--output FILE]\n"
	      "\n"
	      "Writes OUTDIR/report.html (or FILE): one self-contained page about the job —\n"
	      "operation, manifest and its SHA-256, times, exit status, the command line, the\n"
	      "endpoint, the audit trail's last hash; counts per status; errors grouped by\n"
	      "message with their first rows; unknown rows and why; rows, calls in flight,\n"
	      "retries and 429s over time; call latency (p50/p90/p99, histogram). No scripts,\n"
	      "no network: it opens anywhere, with JavaScript off. `run` writes it at the end\n"
	      "of every run; this command makes it for an interrupted or running job too\n"
	      "(read-only: it never takes the job's lock).\n"
	      "\n"
	      "  --output FILE   write here instead of OUTDIR/report.html\n"
	      "\n"
	      "examples:\n"
	      "  lattigo-batch report out/lot-42-activate\n"
	      "  lattigo-batch report out/lot-42-activate --output /tmp/lot-42.html\n"
	      "\n"
	      "exit status: 0 written; 2 OUTDIR holds no job (or a usage error), or the file\n"
	      "cannot be written.\n",
	      stream);
}

static int report_directory(const char *directory, const char *output);

struct report_options {
	char *output;
};

static const struct parse_option report_option_rows[] = {
    {.name = "output",
     .type = PARSE_OPTION_STRING,
     .offset = offsetof(struct report_options, output),
     .size = sizeof(char *),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .help = "write here instead of OUTDIR/report.html"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
};

static const struct parse_options_table report_option_table = {
    .rows = report_option_rows,
    .count = sizeof(report_option_rows) / sizeof(report_option_rows[0]),
    .program = "lattigo-batch",
};

int command_report(int argc, char **argv)
{
	struct report_options options = {0};
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	int exit_code = EXIT_USAGE;
	int parsed = parse_options_command(&report_option_table, 0, "report", &options, argc, argv,
	                                   &line, &error);
	const char *directory = line.positional_count == 1 ? line.positional[0] : NULL;
	if (parsed == 0 && line.positional_count > 1)
		parsed = error_set(&error,
		                   "report: unexpected argument '%s'; see 'lattigo-batch report "
		                   "--help'",
		                   line.positional[1]);
	parsed_command_line_release(&line);
	if (parsed == 1) {
		report_usage(stdout);
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (parsed < 0) {
		report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (!directory) {
		report_usage(stderr);
		goto out;
	}
	exit_code = report_directory(directory, options.output);
out:
	parse_options_release(&report_option_table, &options);
	return exit_code;
}

/* Writes the report of the job in directory; returns an exit_code. */
static int report_directory(const char *directory, const char *output)
{
	struct stat info;
	if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode)) {
		fprintf(stderr, "lattigo-batch: report: job directory '%s' does not exist\n",
		        directory);
		return EXIT_USAGE;
	}
	struct error error;
	error_clear(&error);
	if (report_write(directory, output, &error) < 0) {
		char text[1200];
		error_format(&error, text, sizeof(text));
		fprintf(stderr, "lattigo-batch: report: %s\n", text);
		return EXIT_USAGE;
	}
	return EXIT_ALL_OK;
}
