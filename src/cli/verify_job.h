/* Verifying a job from the CLI: `verify OUTDIR` and `run --verify` share
 * this one call, which turns the job's options into a verify_config and
 * prints the closing line.
 * Ownership: everything is borrowed for the call. */
#ifndef LATTIGO_CLI_VERIFY_JOB_H
#define LATTIGO_CLI_VERIFY_JOB_H

#include <signal.h>
#include <stdint.h>

#include "cli/options.h"
#include "common/error.h"
#include "outputs/outcome_store.h"

/* Where verification reads and with which credentials (borrowed). */
struct verify_access {
	const char *endpoint; /* the API root (never the word sim) */
	const char *key_name;
	const char *api_key;
	uint64_t job_id;             /* the job's id (its checkpoint header), names the trail */
	struct outcome_store *store; /* the job's open outcome store (run), or NULL */
	volatile sig_atomic_t *stop;
};

/* Verifies the job options describe (options->out, its manifest and
 * operation), waiting up to wait_ms for pending rows; its reads are recorded
 * in OUT/verify-audit.jsonl.gz (a trail of its own, so the job's calls stay
 * the job's). Returns an exit_code (verify.h); errors are reported on stderr. */
int verify_job(const struct job_options *options, const struct verify_access *access,
               int64_t wait_ms);

/* Refuses --verify for an operation whose rows cannot be verified, before
 * anything is sent. Returns 0, or -1 with error. */
int verify_option_check(const struct op *op, const struct job_options *options,
                        struct error *error);

#endif
