/* The runs of a job (job_runs.h): one set of figures for every kind of job. */
#include "cli/job_runs.h"

#include <string.h>

int job_runs_begin(struct job_runs *runs, const struct job_directory *directory, const char *out,
                   int64_t started_at_ms, struct error *error)
{
	/* the runs so far, reconciled with what the checkpoint and the audit
	 * trail hold, then this one */
	audit_job_counts(directory->audit, &runs->calls_at_start);
	struct job_totals before_this_run = {
	    directory->replay.rows_final, runs->calls_at_start.calls, runs->calls_at_start.retries,
	    runs->calls_at_start.throttled, directory->last_written_ms};
	char job_id[17];
	journal_job_id_text(journal_get_header(directory->journal)->job_id, job_id, sizeof(job_id));
	if (run_history_load(&runs->history, out, job_id, &before_this_run, error) < 0)
		return -1;
	return run_history_begin(&runs->history, started_at_ms, directory->replay.rows_in_doubt,
	                         &before_this_run, error)
	           ? 0
	           : -1;
}

void job_runs_summary(struct job_runs *runs, struct audit_writer *audit, uint64_t rows_settled,
                      int64_t wall_ms, struct job_summary *summary)
{
	struct audit_counts job;
	audit_job_counts(audit, &job);
	struct run_history *history = &runs->history;
	struct run_entry *this_run = history->count ? &history->entries[history->count - 1] : NULL;
	if (this_run) {
		this_run->rows_settled = rows_settled;
		this_run->calls = job.calls - runs->calls_at_start.calls;
		this_run->retries = job.retries - runs->calls_at_start.retries;
		this_run->throttled = job.throttled - runs->calls_at_start.throttled;
		this_run->wall_ms = wall_ms;
	}
	summary->rows_this_run = rows_settled;
	summary->calls = job.calls;
	summary->retries = job.retries;
	summary->throttled = job.throttled;
	summary->runs = history->entries;
	summary->run_count = history->count;
}

int job_runs_end(struct job_runs *runs, int64_t ended_at_ms, int exit_status, struct error *error)
{
	struct run_history *history = &runs->history;
	if (!history->count)
		return 0;
	struct run_entry *this_run = &history->entries[history->count - 1];
	this_run->ended_at_ms = ended_at_ms;
	this_run->exit_status = exit_status;
	return run_history_end(history, error);
}

void job_runs_release(struct job_runs *runs)
{
	run_history_release(&runs->history);
	memset(&runs->calls_at_start, 0, sizeof(runs->calls_at_start));
}
