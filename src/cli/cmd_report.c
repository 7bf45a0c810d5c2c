/* `lattigo-batch report OUTDIR [--output FILE]`: (re)writes a job's
 * report.html — for a finished, an interrupted or a running job (it only
 * reads, and takes no lock). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
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

int command_report(int argc, char **argv)
{
	const char *directory = NULL, *output = NULL;
	for (int index = 1; index < argc; index++) {
		if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0) {
			report_usage(stdout);
			return EXIT_ALL_OK;
		}
		if (strcmp(argv[index], "--output") == 0 && index + 1 < argc && !output) {
			output = argv[++index];
			continue;
		}
		if (directory || argv[index][0] == '-') {
			fprintf(stderr,
			        "lattigo-batch: report: unexpected argument '%s'; see "
			        "'lattigo-batch report --help'\n",
			        argv[index]);
			return EXIT_USAGE;
		}
		directory = argv[index];
	}
	if (!directory) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
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
