/* What report.html shows, gathered from a job directory: the checkpoint
 * (header, calls, outcomes), the audit trail (exchanges: latency, 429s,
 * calls in flight, the last record's hash), summary.json and job.json.
 * Every read is read-only and takes no lock, so it works on a running job.
 * Ownership: report_data owns everything it points to (report_data_release). */
#ifndef LATTIGO_REPORT_DATA_H
#define LATTIGO_REPORT_DATA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "journal/journal.h"
#include "outputs/outcome_store.h"
#include "report/groups.h"
#include "report/latency.h"
#include "report/step_progress.h"
#include "report/timeline.h"

struct report_data {
	const char *directory;
	struct journal_read_result journal; /* header: operation, manifest, fingerprint */
	uint64_t counts[ROW_STATUS_COUNT];  /* final outcomes per status (checkpoint) */
	uint64_t rows_final;
	uint64_t row_total;       /* summary.json's rows_total, else the checkpoint's; 0 unknown */
	uint64_t journal_calls;   /* call records in the checkpoint */
	uint64_t journal_retries; /* ... with attempt > 1 */
	bool job_finished;        /* the checkpoint records the end of the job */
	int64_t first_outcome_ms, last_outcome_ms;
	struct group_set groups;  /* error, invalid, unknown and skipped rows by message */
	char identifier_name[64]; /* the key column of results.csv ("iccid"), "" if unknown */
	struct timeline timeline;
	/* a job with steps: each step's progress (step_count 0 otherwise) */
	struct step_progress steps[STEP_PROGRESS_MAX];
	size_t step_count;

	/* the audit trail */
	bool audit_present;
	uint64_t exchanges, exchanges_429, exchanges_5xx, exchanges_transport, exchange_retries;
	struct latency_stats latency;
	char audit_last_hash[65]; /* SHA-256 of the last complete record line, "" if none */
	uint64_t audit_records;
	bool audit_truncated; /* the last gzip member is unfinished (a running or killed job) */
	bool audit_damaged;
	char endpoint_seen[256]; /* scheme://host[:port] of the first exchange's URL */

	json_t *summary;   /* summary.json, or NULL when missing or unreadable */
	json_t *job;       /* job.json, or NULL */
	bool running;      /* a live process holds the job's lock */
	pid_t running_pid; /* its PID when known, else 0 */
};

/* Reads the job in directory into data (which it initialises). Returns 0, or
 * -1 with error when directory holds no readable checkpoint; a missing or
 * damaged audit trail, summary.json or job.json is not an error (the report
 * says so). Release data with report_data_release after either result. */
int report_data_gather(const char *directory, struct report_data *data, struct error *error);
/* Sets the identifier of every sample row in data->groups, and
 * data->identifier_name, from OUT/results.csv (one pass that stops after the
 * highest sample row). A missing or older results.csv leaves them unset. */
void report_identifiers_fill(struct report_data *data);
/* Frees what data holds. */
void report_data_release(struct report_data *data);

/* Parses an ISO 8601 UTC time of the form 2026-11-25T19:15:47.123Z (the
 * milliseconds optional) into epoch ms. Returns 0, or -1 when text is not one. */
int report_parse_time(const char *text, size_t length, int64_t *epoch_ms);

#endif
