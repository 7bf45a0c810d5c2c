/* The one verification call of `verify` and `run --verify` (verify_job.h). */
#include "cli/verify_job.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/api_session.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "common/duration.h"
#include "http/endpoint_policy.h"
#include "http/tls.h"
#include "journal/journal.h"
#include "verify/verdict.h"
#include "verify/verify.h"

static void print_closing(const struct job_options *options, const struct verify_figures *figures)
{
	if (options->quiet)
		return;
	char waited[32];
	duration_format(figures->waited_ms / 1000 * 1000, waited, sizeof(waited));
	fprintf(stderr,
	        "lattigo-batch: verify: %" PRIu64 " verified, %" PRIu64 " pending, %" PRIu64
	        " mismatch, %" PRIu64 " missing (%" PRIu64 " calls, waited %s); see %s/%s\n",
	        figures->counts[VERIFY_VERIFIED], figures->counts[VERIFY_PENDING],
	        figures->counts[VERIFY_MISMATCH], figures->counts[VERIFY_MISSING], figures->calls,
	        waited, options->out, VERIFY_FILE);
	if (figures->counts[VERIFY_MISSING] && figures->devices_created && !figures->wait_ms &&
	    !figures->interrupted)
		fprintf(stderr,
		        "lattigo-batch: verify: an accepted activation can take a while to show; "
		        "give it time with: lattigo-batch verify %s --wait 30m\n",
		        options->out);
	else if (figures->counts[VERIFY_PENDING] && !figures->interrupted)
		fprintf(stderr,
		        "lattigo-batch: verify: rows still pending; look again later with: "
		        "lattigo-batch verify %s --wait 30m\n",
		        options->out);
}

/* OUT/verify-audit.jsonl.gz, continued from an earlier verify: verify's
 * reads are evidence too, but not the job's calls (summary.json, status).
 * Returns the writer, or NULL with error. */
static struct audit_writer *open_audit(const struct job_options *options,
                                       const struct verify_access *access, struct error *error)
{
	char path[4096];
	char job_id[20];
	if (snprintf(path, sizeof(path), "%s/%s", options->out, VERIFY_AUDIT_FILE) >=
	    (int)sizeof(path)) {
		error_set(error, "verify: directory name too long: '%s'", options->out);
		return NULL;
	}
	journal_job_id_text(access->job_id, job_id, sizeof(job_id));
	struct audit_secrets secrets = {access->key_name, access->api_key};
	return audit_open(path, job_id, "verify", &secrets, error);
}

int verify_job(const struct job_options *options, const struct verify_access *access,
               int64_t wait_ms)
{
	struct error error;
	error_clear(&error);
	bool plain_http = false;
	if (endpoint_policy_check(access->endpoint, options->insecure_http, &plain_http, &error) <
	        0 ||
	    http_ca_bundle_check(options->cacert, &error) < 0)
		return report_error(&error, EXIT_USAGE);
	struct pipeline_config rows;
	job_options_pipeline_config(options, &rows);
	bool show = progress_choose_mode(options->quiet, options->progress,
	                                 isatty(STDERR_FILENO)) != PROGRESS_OFF;
	struct verify_config config = {
	    .directory = options->out,
	    .rows = &rows,
	    .store = access->store,
	    .concurrency = options->concurrency,
	    .rate = options->rate,
	    .max_tries = options->max_retries + 1,
	    .verbose = options->verbose,
	    .wait_ms = wait_ms,
	    .stop = access->stop,
	    .progress = show ? stderr : NULL,
	    .progress_in_place = show && isatty(STDERR_FILENO),
	};
	api_transport_fill(&config.transport, access->endpoint, access->key_name, access->api_key,
	                   plain_http, options);
	config.audit = open_audit(options, access, &error);
	if (!config.audit)
		return report_error(&error, EXIT_USAGE);
	struct verify_figures figures;
	int exit_code = verify_run(&config, &figures, &error);
	struct error close_error;
	error_clear(&close_error);
	if (audit_close(config.audit, &close_error) < 0) {
		report_error(&close_error, 0);
		if (exit_code == EXIT_ALL_OK || exit_code == EXIT_SOME_FAILED)
			exit_code = EXIT_INTERRUPTED;
	}
	if (exit_code == EXIT_USAGE)
		return report_error(&error, EXIT_USAGE);
	if (error.set)
		report_error(&error, 0);
	if (exit_code == EXIT_INTERRUPTED && !options->quiet)
		fprintf(stderr,
		        "lattigo-batch: verify: stopped; %s/%s holds what was known; run "
		        "'lattigo-batch verify %s' again to finish\n",
		        options->out, VERIFY_FILE, options->out);
	print_closing(options, &figures);
	return exit_code;
}

int verify_option_check(const struct op *op, const struct job_options *options, struct error *error)
{
	if (!options->verify.enabled || options->dry_run || verify_op_readable(op))
		return 0;
	return error_set(error,
	                 "--verify: operation '%s' leaves no state the API lets us read back, "
	                 "so its rows cannot be verified; drop --verify",
	                 op->name);
}
