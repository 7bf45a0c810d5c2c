/* The job directory of `export … --out DIR`: export.json (what was asked),
 * the records and errors files (under .partial names until complete), the
 * checkpoint of units written, the audit trail, summary.json and the lock.
 * A resume truncates the files to the last checkpoint and continues at the
 * next unit, so the result is byte-identical to an uninterrupted export.
 * Ownership: an export_job owns its files, lock and audit writer. */
#ifndef LATTIGO_EXPORT_JOB_H
#define LATTIGO_EXPORT_JOB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "common/error.h"
#include "export/export.h"
#include "jobdir/lock.h"

#define EXPORT_JOB_FILE        "export.json"
#define EXPORT_CHECKPOINT_FILE "export.checkpoint"

struct export_job {
	char directory[4096];
	char records_name[32]; /* records.csv or records.jsonl */
	bool per_device;
	struct job_lock lock;
	FILE *records, *errors;
	int checkpoint_fd;
	struct audit_writer *audit;
	bool resuming;
	bool already_complete; /* a finished job: nothing to do */
	int64_t started_wall_ms;
	uint64_t units_at_start, records_at_start;
};

/* What the job is: settings decide the output (compared on resume: a
 * difference is exit 4), argv is how to run it again (`resume DIR`). Both are
 * borrowed. */
struct export_job_identity {
	const struct read_endpoint *endpoint;
	bool jsonl;
	const char *manifest_path; /* NULL for account listings */
	json_t *settings;
	json_t *argv;
};

/* Prepares a closed job. */
void export_job_init(struct export_job *job);

/* Opens DIR for identity: a new job in a missing or empty directory, or the
 * same job resumed (the manifest's content and every setting unchanged).
 * Fills totals with what is already written. Returns an exit_code: 0, 2
 * (unusable directory), 3 (cannot write) or 4 (resume refused), error filled. */
int export_job_open(struct export_job *job, const char *directory,
                    const struct export_job_identity *identity, const struct audit_secrets *secrets,
                    struct export_totals *totals, struct error *error);

/* export_output.commit for a job (context is the job): makes the files
 * durable and appends a checkpoint record. */
int export_job_commit(void *context, const struct export_totals *totals, struct error *error);

/* Ends the job: publishes the records and errors files when complete, writes
 * summary.json. Returns 0, or -1 with error. */
int export_job_finish(struct export_job *job, const struct export_totals *totals, const char *kind,
                      int exit_status, int64_t wall_ms, struct error *error);

/* Closes files, the audit trail and the lock. */
void export_job_close(struct export_job *job);

/* True when DIR holds an export job. */
bool export_job_present(const char *directory);

/* Reads DIR/export.json's argv (new reference), or NULL with error. */
json_t *export_job_argv(const char *directory, struct error *error);

/* Prints an export job's progress (for `status DIR`), reading only. Returns
 * an exit_code. */
int export_job_status(const char *directory);

#endif
