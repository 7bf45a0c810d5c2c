/* `lattigo-batch status OUTDIR`: a job's progress read from its checkpoint,
 * without taking the lock or changing any file, so it is safe while the job
 * runs. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "common/clock.h"
#include "journal/journal.h"
#include "jobdir/lock.h"

static void status_usage(FILE *stream)
{
	fputs("usage: lattigo-batch status OUTDIR\n"
	      "\n"
	      "Shows the job recorded in OUTDIR: operation, manifest, rows done of the total by\n"
	      "status, rows sent whose outcome is not recorded yet (in doubt), calls and\n"
	      "retries, start and last-update times, whether a live process is running it, and\n"
	      "whether the checkpoint ends in an incomplete record. Reads only: it never takes\n"
	      "the job's lock and never changes a file, so it is safe while the job runs.\n"
	      "\n"
	      "example:\n"
	      "  lattigo-batch status out/lot-42-activate\n"
	      "\n"
	      "exit status: 0 shown; 2 OUTDIR holds no job (or a usage error); 4 the\n"
	      "checkpoint is damaged or inconsistent.\n",
	      stream);
}

static void print_time(const char *label, int64_t epoch_ms)
{
	char text[40];
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	printf("%-13s%s\n", label, text);
}

static void print_rows(const struct journal_replay *replay)
{
	if (replay->row_total)
		printf("%-13s%" PRIu64 " of %" PRIu64 " done (%.1f%%)\n",
		       "rows:", replay->rows_final, replay->row_total,
		       100.0 * (double)replay->rows_final / (double)replay->row_total);
	else
		printf("%-13s%" PRIu64 " done (the total is not counted yet)\n",
		       "rows:", replay->rows_final);
	static const enum row_status shown[] = {ROW_OK, ROW_ERROR, ROW_INVALID, ROW_UNKNOWN,
	                                        ROW_SKIPPED};
	printf("%-13s", "by status:");
	for (size_t index = 0; index < sizeof(shown) / sizeof(shown[0]); index++)
		printf("%s%s %" PRIu64, index ? ", " : "", row_status_name(shown[index]),
		       replay->rows_by_status[shown[index]]);
	printf("\n%-13s%" PRIu64 "\n", "in doubt:", replay->rows_in_doubt);
}

int command_status(int argc, char **argv)
{
	const char *directory = NULL;
	for (int index = 1; index < argc; index++) {
		if (strcmp(argv[index], "--help") == 0 || strcmp(argv[index], "-h") == 0) {
			status_usage(stdout);
			return EXIT_ALL_OK;
		}
		if (directory || argv[index][0] == '-') {
			fprintf(stderr,
			        "lattigo-batch: status: unexpected argument '%s'; see "
			        "'lattigo-batch status --help'\n",
			        argv[index]);
			return EXIT_USAGE;
		}
		directory = argv[index];
	}
	if (!directory) {
		status_usage(stderr);
		return EXIT_USAGE;
	}
	struct stat info;
	if (stat(directory, &info) != 0 || !S_ISDIR(info.st_mode)) {
		fprintf(stderr, "lattigo-batch: status: job directory '%s' does not exist\n",
		        directory);
		return EXIT_USAGE;
	}
	char checkpoint[4096];
	snprintf(checkpoint, sizeof(checkpoint), "%s/%s", directory, JOURNAL_FILE_NAME);
	if (stat(checkpoint, &info) != 0) {
		fprintf(stderr, "lattigo-batch: status: '%s' holds no job (no checkpoint)\n",
		        directory);
		return EXIT_USAGE;
	}
	struct journal_read_result result;
	struct journal_replay replay;
	struct error error;
	error_clear(&error);
	int exit_code = EXIT_ALL_OK;
	if (journal_summarize(directory, &result, &replay, &error)) {
		fprintf(stderr, "lattigo-batch: status: %s\n", error.message);
		exit_code = EXIT_RESUME_REFUSED;
		goto out;
	}
	pid_t holder = 0;
	bool running = job_lock_is_held(directory, &holder);
	char job_id[20];
	journal_job_id_text(result.header.job_id, job_id, sizeof(job_id));
	printf("%-13s%s\n", "job:", directory);
	printf("%-13s%s\n", "operation:", result.header.operation);
	printf("%-13s%s (%" PRIu64 " bytes)\n", "manifest:", result.header.manifest_path,
	       result.header.fingerprint.size);
	printf("%-13s%s\n", "job id:", job_id);
	if (running && holder > 0)
		printf("%-13srunning (process %ld holds the lock)\n", "state:", (long)holder);
	else if (running)
		printf("%-13srunning (a process holds the lock)\n", "state:");
	else if (replay.job_finished)
		printf("%-13sfinished\n", "state:");
	else
		printf("%-13snot running, not finished (resume it with 'lattigo-batch resume "
		       "%s')\n",
		       "state:", directory);
	print_rows(&replay);
	printf("%-13s%" PRIu64 " (retries %" PRIu64 ")\n", "calls:", replay.calls, replay.retries);
	print_time("started:", result.header.created_at_ms);
	print_time("last update:", result.last_record_ms);
	if (!result.tail_torn)
		printf("%-13sintact (%" PRIu64 " records, %" PRIu64 " bytes)\n",
		       "checkpoint:", result.records, result.valid_bytes);
	else if (running)
		printf("%-13s%" PRIu64 " records; its last record is being written\n",
		       "checkpoint:", result.records);
	else
		printf("%-13s%" PRIu64 " records; the last %" PRIu64
		       " bytes are an incomplete record (a crash), dropped on resume\n",
		       "checkpoint:", result.records, result.file_bytes - result.valid_bytes);
out:
	journal_replay_release(&replay);
	journal_header_release(&result.header);
	return exit_code;
}
