/* `lattigo-batch verify OUTDIR [--wait DURATION]`: reads back the devices of
 * the rows a job reported ok or unknown and writes OUT/verify.csv and the
 * verification section of OUT/summary.json. Takes the job's lock (a running
 * job is left alone) and records its reads in OUT/verify-audit.jsonl.gz. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/credentials.h"
#include "cli/help.h"
#include "cli/options.h"
#include "cli/signals.h"
#include "cli/verify_job.h"
#include "export/export_job.h"
#include "journal/journal.h"
#include "jobdir/lock.h"
#include "pipeline/pipeline.h"
#include "verify/verdict.h"

#define JOB_OPTIONS_FILE "job.json"

/* Everything one verification holds; released in one place. */
struct verify_session {
	struct job_options options;
	struct credentials credentials;
	struct job_lock lock;
	struct journal_header header;
	struct stop_signals signals;
};

/* The job's options from OUTDIR/job.json, then the command line's. Returns 0,
 * or -1 with error (every problem here is exit 2). */
static int load_options(struct job_options *options, const char *directory,
                        const struct parsed_command_line *line, struct error *error)
{
	struct stat status;
	if (stat(directory, &status) < 0 || !S_ISDIR(status.st_mode))
		return error_set(error, "verify: job directory '%s' does not exist", directory);
	if (export_job_present(directory))
		return error_set(
		    error, "verify: '%s' holds an export, which only reads: nothing to verify",
		    directory);
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", directory, JOB_OPTIONS_FILE) >= (int)sizeof(path))
		return error_set(error, "verify: directory name too long: '%s'", directory);
	if (access(path, F_OK) < 0)
		return error_set(error, "verify: '%s' holds no job (%s is missing)", directory,
		                 JOB_OPTIONS_FILE);
	/* The job's endpoint, not $LATTIGO_ENDPOINT: verify reads where the job wrote. */
	if (job_options_read_file(options, path, error) < 0)
		return -1;
	free(options->out);
	options->out = strdup(directory);
	if (!options->out)
		return error_set(error, "out of memory");
	if (parse_options_apply_line(line, options, error) < 0)
		return -1;
	return job_options_finish(options, true, error);
}

/* Checks what can be checked before any read: a verifiable operation, an
 * endpoint that still holds the job's devices, credentials. */
static int prepare(struct verify_session *session, struct error *error)
{
	const struct job_options *options = &session->options;
	const struct op *op = pipeline_find_op(options->op, error);
	if (!op)
		return -1;
	if (!verify_op_readable(op))
		return error_set(error,
		                 "verify: operation '%s' leaves no state the API lets us read back "
		                 "(no device field shows it), so its rows cannot be verified; "
		                 "results.csv holds what the API answered",
		                 op->name);
	if (strcmp(options->endpoint, "sim") == 0)
		return error_set(
		    error, "verify: the job ran against the bundled simulator (--endpoint sim), "
		           "whose devices ended with that run; use 'run --verify' for such "
		           "rehearsals, or give --endpoint URL of a simulator you run");
	if (journal_read_header(options->out, &session->header, error) < 0)
		return -1;
	return credentials_load(&session->credentials, options->credentials, error);
}

static int verify_directory(struct verify_session *session, const char *directory,
                            const struct parsed_command_line *line)
{
	struct error error;
	error_clear(&error);
	if (load_options(&session->options, directory, line, &error) < 0 ||
	    prepare(session, &error) < 0)
		return report_error(&error, EXIT_USAGE);
	/* A running job is left alone: verify after it ends (or use run --verify). */
	if (job_lock_acquire(&session->lock, directory, &error) < 0) {
		fprintf(stderr,
		        "lattigo-batch: verify: %s; verify it once the job has ended (or run it "
		        "with --verify)\n",
		        error.message);
		return EXIT_USAGE;
	}
	if (stop_signals_install(&session->signals) < 0) {
		error_set(&error, "cannot install signal handlers: %s", strerror(errno));
		return report_error(&error, EXIT_USAGE);
	}
	struct verify_access access = {
	    .endpoint = session->options.endpoint,
	    .key_name = session->credentials.key_name,
	    .api_key = session->credentials.api_key,
	    .job_id = session->header.job_id,
	    .stop = stop_signals_flag(),
	};
	int exit_code = verify_job(&session->options, &access, session->options.wait_ms);
	stop_signals_restore(&session->signals);
	return exit_code;
}

int command_verify(int argc, char **argv)
{
	struct verify_session session;
	struct parsed_command_line line;
	struct error error;
	int exit_code = EXIT_USAGE;
	memset(&session, 0, sizeof(session));
	error_clear(&error);
	job_options_init(&session.options);
	credentials_init(&session.credentials);
	session.lock.fd = -1;
	if (parse_options_argv(&job_option_table, SCOPE_VERIFY, "verify", argc, argv, &line,
	                       &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (line.help) {
		help_command(stdout, "verify");
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (line.positional_count != 1) {
		error_set(&error, "verify needs exactly one job directory (OUTDIR); see "
		                  "'lattigo-batch verify --help'");
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	exit_code = verify_directory(&session, line.positional[0], &line);
out:
	job_lock_release(&session.lock);
	journal_header_release(&session.header);
	parsed_command_line_release(&line);
	credentials_release(&session.credentials);
	job_options_release(&session.options);
	return exit_code;
}
