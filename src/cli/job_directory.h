/* The job directory (--out) of a run: its lock, checkpoint journal, outcome
 * store and audit trail, created for a new job or reopened to resume one.
 * Ownership: a job_directory owns everything it opened; job_directory_close
 * releases it all. */
#ifndef LATTIGO_JOB_DIRECTORY_H
#define LATTIGO_JOB_DIRECTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "cli/options.h"
#include "common/error.h"
#include "journal/journal.h"
#include "jobdir/lock.h"
#include "outputs/outcome_store.h"

#define JOB_STDIN_MANIFEST "manifest.stdin" /* a manifest read from stdin is kept here */

struct job_directory {
	struct job_lock lock;
	struct journal *journal;
	struct journal_replay replay; /* what the journal held (zero for a new job) */
	bool resuming;
	int64_t last_written_ms; /* resuming: UTC epoch ms of the checkpoint's last write */
	struct outcome_store *store;
	struct audit_writer *audit;
	char manifest_path[4096]; /* the manifest to read: the given path, or the stdin copy */
};

/* Prepares an empty job_directory (safe to close). */
void job_directory_init(struct job_directory *directory);
/* Opens options->out for op: takes the lock, then either starts a new job
 * (the directory must hold no other files; a stdin manifest is copied in) or
 * resumes the one found there after checking that the manifest and the
 * result-affecting options are unchanged, rebuilding the outcome store from
 * the journal. Writes job.json. Returns an exit_code: 0, EXIT_USAGE, or
 * EXIT_RESUME_REFUSED, with error filled when not 0. */
int job_directory_open(struct job_directory *directory, const struct job_options *options,
                       const struct op *op, const struct audit_secrets *secrets,
                       struct error *error);
/* Commits and closes the journal and the audit trail, closes the store and
 * releases the lock. Returns 0, or -1 with error when a final commit failed. */
int job_directory_close(struct job_directory *directory, struct error *error);
/* Closes a job that was just started (not resumed) and found unusable before
 * anything was sent (e.g. a stdin manifest that does not fit the operation):
 * removes every file it created, so the same --out can be used again. */
/* A finished job run again sends nothing and rewrites nothing: for a
 * resumed job whose checkpoint records its end and whose final outputs were
 * written, the exit status its recorded outcomes imply; else -1. */
int job_directory_finished_status(const struct job_directory *directory, const char *out,
                                  const char *op_name);
/* True when OUT already holds a job's checkpoint. */
bool job_directory_holds_job(const char *out);
/* Returns the endpoint recorded in OUT/job.json (the API root or the word
 * sim; caller frees), or NULL when there is none or it cannot be read. */
char *job_directory_stored_endpoint(const char *out);

void job_directory_discard(struct job_directory *directory, const char *out);

#endif
