/* Running a job for real: the job directory (lock, checkpoint journal, audit
 * trail, outcome store), the row source that feeds the engine, the sink that
 * records what the engine learns, and the final outputs. */
#include "cli/run_job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/commands.h"
#include "cli/api_session.h"
#include "cli/confirm.h"
#include "cli/preflight.h"
#include "cli/job_directory.h"
#include "cli/job_runs.h"
#include "pipeline/pipeline.h"
#include "ops/validate.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "cli/verify_job.h"
#include "common/clock.h"
#include "common/count_text.h"
#include "common/path_display.h"
#include "common/file_io.h"
#include "http/endpoint_policy.h"
#include "engine/engine.h"
#include "engine/max_errors.h"
#include "http/tls.h"
#include "journal/duplicate_rows.h"
#include "journal/journal.h"
#include "jobdir/lock.h"
#include "outputs/outcome_store.h"
#include "outputs/results_writer.h"
#include "outputs/xlsx_copy.h"
#include "outputs/summary.h"
#include "outputs/undo_writer.h"
#include "report/report.h"

/* How long after an interruption a call it left in flight may still take
 * effect in the service; rows in doubt are read back only after that. */
#define IN_DOUBT_SETTLE_MS 5000
/* How often summary.json is rewritten while the job runs, for monitoring. */
#define LIVE_SUMMARY_INTERVAL_MS 2000

/* Everything one run holds; released in one place. */
struct job_run {
	const struct job_options *options;
	const struct op *op;
	struct job_directory directory;
	struct api_session api; /* the endpoint, its credentials, the bundled simulator */
	struct stop_signals signals;
	struct pipeline *pipeline;
	struct progress progress;
	const char *endpoint;
	struct max_errors max_errors; /* --max-errors, parsed */
	struct preflight preflight;   /* the account's live state (unless --no-preflight) */
	bool preflight_on;            /* rows are settled against preflight.snapshot */
	uint64_t rows_read;           /* data rows the pipeline yielded this run */
	uint64_t rows_reported;       /* outcomes recorded this run (invalid rows included) */
	bool source_finished;         /* the whole manifest was read */
	uint64_t manifest_bytes; /* size of a plain (not gzip) manifest, for the row estimate */
	int64_t started_at_ms;   /* wall clock, when the engine started */
	int64_t next_summary_ms; /* monotonic: when the live summary.json is due */
	/* The job's counters come from one place each: rows from the outcome
	 * store (rebuilt from the checkpoint on resume), calls from the audit
	 * trail; "this run" is the difference from their values at its start. */
	struct job_runs runs;                  /* every run, this one last */
	struct duplicate_rows *duplicate_rows; /* resume: the rows found duplicate before sending */
};

/* Records one outcome durably (journal) and in the outcome store. */
static int record_outcome(struct job_run *run, const struct manifest_position *position,
                          const struct row_outcome *outcome, struct error *error)
{
	if (outcome_store_put(run->directory.store, position->row, outcome, error) < 0)
		return -1;
	if (journal_row_outcome(run->directory.journal, position, outcome, error) < 0)
		return -1;
	run->rows_reported++;
	return 0;
}

static void outcome_now(struct row_outcome *outcome, enum row_status status, const char *message)
{
	memset(outcome, 0, sizeof(*outcome));
	outcome->status = status;
	outcome->finished_at_ms = clock_wall_ms();
	snprintf(outcome->message, sizeof(outcome->message), "%s", message);
}

/* Until the whole manifest has been read, the progress line's ETA is
 * estimated from the bytes read so far; the line shows no total until the
 * exact count is known, so the total it shows never shifts. Rows read ahead
 * of the calls keep the estimate current. */
static void estimate_rows_total(struct job_run *run, const struct manifest_row *row)
{
	if (!run->manifest_bytes || run->directory.replay.row_total || row->offset == 0 ||
	    (run->rows_read & 255) != 0)
		return;
	double rows_per_byte = (double)run->rows_read / (double)row->offset;
	run->progress.rows_estimate = (uint64_t)(rows_per_byte * (double)run->manifest_bytes);
}

/* Size of the manifest when it is plain text, 0 for gzip (whose offsets count
 * decompressed bytes) or when it cannot be known. */
static uint64_t plain_manifest_bytes(const char *path)
{
	FILE *file = fopen(path, "rb");
	if (!file)
		return 0;
	unsigned char magic[2] = {0, 0};
	size_t got = fread(magic, 1, sizeof(magic), file);
	struct stat status;
	bool plain = !(got == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
	uint64_t size = plain && fstat(fileno(file), &status) == 0 ? (uint64_t)status.st_size : 0;
	fclose(file);
	return size;
}

/* engine_source.next: the valid rows not yet final, in manifest order.
 * Invalid rows are recorded on the way; rows already final are skipped.
 * Rows left in doubt by an interrupted run are yielded too: the engine asks
 * row_in_doubt about each and never blindly re-sends a non-idempotent one. */
static int source_next(void *context, const struct record **record, struct error *error)
{
	struct job_run *run = context;
	struct pipeline_row row;
	for (;;) {
		int next = pipeline_next(run->pipeline, &row, error);
		if (next < 0)
			return -1;
		if (next == 0) {
			run->source_finished = true;
			run->progress.rows_total = run->rows_read;
			return journal_row_total(run->directory.journal, run->rows_read, error) < 0
			           ? -1
			           : 0;
		}
		run->rows_read++;
		estimate_rows_total(run, row.row);
		if (row.settled)
			continue;
		uint64_t number = row.row->number;
		if (!row.valid) {
			struct row_outcome outcome;
			outcome_now(&outcome, ROW_INVALID, row.message);
			struct manifest_position position = {row.row->offset, number,
			                                     row.row->line};
			if (record_outcome(run, &position, &outcome, error) < 0)
				return -1;
			continue;
		}
		*record = row.record;
		return 1;
	}
}

/* engine_source.settle: the preflight's verdict on the row. */
static int settle_row(void *context, const struct record *record, const struct record **send,
                      struct row_outcome *outcome, struct error *error)
{
	struct job_run *run = context;
	return preflight_settle(&run->preflight, record, send, outcome, error);
}

/* outputs_job.resolve: the device_name the row's identifier resolved to. */
static const char *resolved_device_name(void *context, const struct record *record)
{
	struct job_run *run = context;
	return preflight_device_name(&run->preflight, record);
}

/* engine_doubts.in_doubt: a call carried the row before an interruption and
 * no answer was recorded. */
static bool row_in_doubt(void *context, const struct record *record)
{
	const struct job_run *run = context;
	return run->directory.resuming &&
	       journal_replay_row_state(&run->directory.replay, record->row) ==
	           JOURNAL_ROW_IN_DOUBT;
}

/* pipeline_settled_fn: rows with a recorded final outcome; those that were
 * invalid claimed no unique key in the run that judged them. */
static bool row_settled(void *context, uint64_t row, bool *was_valid)
{
	struct job_run *run = context;
	if (journal_replay_row_state(&run->directory.replay, row) != JOURNAL_ROW_FINAL)
		return false;
	/* no row of the job was invalid: every settled row claimed its keys, and
	 * the outcome store need not be read once per row */
	if (run->directory.replay.rows_by_status[ROW_INVALID] == 0) {
		*was_valid = true;
		return true;
	}
	struct row_outcome outcome;
	struct error error;
	error_clear(&error);
	*was_valid = outcome_store_get(run->directory.store, row, &outcome, &error) == 0 &&
	             outcome.status != ROW_INVALID;
	return true;
}

/* pipeline_claims_fn: the keys a row claimed go to the checkpoint's keys file. */
static int claims_to_journal(void *context, uint64_t manifest_row, uint64_t shown_row,
                             const uint64_t *fingerprints, size_t count, struct error *error)
{
	struct job_run *run = context;
	return journal_keys_claim(run->directory.journal, manifest_row, shown_row, fingerprints,
	                          count, error);
}

/* journal_keys_visitor: the keys an earlier run claimed go into the pipeline's set. */
static int keys_begin(void *context, uint64_t seed, struct error *error)
{
	struct job_run *run = context;
	return pipeline_reset_keys(run->pipeline, true, seed) < 0
	           ? error_set(error, "out of memory (duplicate keys)")
	           : 0;
}

static int keys_add(void *context, uint64_t fingerprint, uint64_t row, struct error *error)
{
	struct job_run *run = context;
	return pipeline_add_claimed_key(run->pipeline, fingerprint, row) < 0
	           ? error_set(error, "out of memory (duplicate keys)")
	           : 0;
}

/* pipeline_duplicate_fn: the job's duplicate rows, as its first pass found them. */
static int duplicate_of(void *context, uint64_t row, size_t *key, uint64_t *earlier_row,
                        struct error *error)
{
	struct job_run *run = context;
	uint32_t index = 0;
	int found = duplicate_rows_find(run->duplicate_rows, row, &index, earlier_row, error);
	*key = index;
	return found;
}

/* When the preflight's classification read the whole manifest before
 * anything was sent, it recorded which rows were duplicates: the sending
 * then needs no duplicate set and no keys file, and a resume needs no key of
 * the rows before it: it reads the manifest from the first row not final and
 * looks each row up (docs/checkpoint.md, "The duplicate rows"). Returns 1
 * when they are used, 0 when there are none usable (the keys file serves),
 * -1 on error. */
static int use_duplicate_rows(struct job_run *run, struct error *error)
{
	struct job_directory *directory = &run->directory;
	const struct journal_replay *replay = &directory->replay;
	char reason[600];
	int status =
	    duplicate_rows_open(run->options->out, journal_get_header(directory->journal)->job_id,
	                        &run->duplicate_rows, reason, sizeof(reason), error);
	/* damaged: the keys file's own note speaks when it serves instead */
	if (status == 0 && reason[0] && directory->resuming && !replay->keys.known &&
	    !run->options->quiet)
		fprintf(stderr,
		        "lattigo-batch: note: %s: reading the manifest from its first row to learn "
		        "its duplicate keys again\n",
		        reason);
	if (status <= 0)
		return status;
	if (replay->row_total && duplicate_rows_covered(run->duplicate_rows) != replay->row_total) {
		duplicate_rows_close(run->duplicate_rows);
		run->duplicate_rows = NULL;
		return 0;
	}
	const struct manifest_position *from =
	    replay->resume_from_known ? &replay->resume_from : NULL;
	if (pipeline_continue_with_duplicates(run->pipeline, from, duplicate_of, run, error) < 0)
		return -1;
	if (from)
		run->rows_read = from->row - 1;
	return 1;
}

/* Duplicates are judged from the job's duplicate rows when it has them.
 * Otherwise the duplicate keys of the rows an earlier run read come from the
 * keys file its latest snapshot vouches for, and the manifest is sought to
 * the snapshot's position instead of read from its first row: a resume's
 * cost then follows the rows left, not the job (docs/checkpoint.md). Without
 * a usable keys file (older job, never compacted, damaged) the manifest is
 * read from its first row as before. Either way the keys claimed from now
 * on go to the keys file. Returns 0 or -1. */
static int keep_claimed_keys(struct job_run *run, struct error *error)
{
	struct job_directory *directory = &run->directory;
	const struct journal_keys_mark *mark = &directory->replay.keys;
	bool loaded = false;
	int used = use_duplicate_rows(run, error);
	if (used != 0)
		return used < 0 ? -1 : 0;
	if (directory->resuming && mark->known) {
		char reason[600];
		struct journal_keys_visitor visitor = {run, keys_begin, keys_add};
		int status = journal_keys_load(
		    run->options->out, journal_get_header(directory->journal)->job_id,
		    DUPE_SET_FINGERPRINT_SCHEME, mark, &visitor, reason, sizeof(reason), error);
		if (status < 0)
			return -1;
		loaded = status == 1;
		if (!loaded) {
			if (!run->options->quiet)
				fprintf(
				    stderr,
				    "lattigo-batch: note: %s: reading the manifest from its first "
				    "row to learn its duplicate keys again\n",
				    reason);
			if (pipeline_reset_keys(run->pipeline, false, 0) < 0)
				return error_set(error, "out of memory (duplicate keys)");
		}
	}
	if (loaded) {
		const struct manifest_position *from = mark->seek_known ? &mark->seek : NULL;
		if (pipeline_continue_after_claims(run->pipeline, from, mark->claimed_through,
		                                   error) < 0)
			return -1;
		if (from)
			run->rows_read = from->row - 1;
	}
	if (journal_keys_start(directory->journal, pipeline_keys_seed(run->pipeline),
	                       DUPE_SET_FINGERPRINT_SCHEME, loaded ? mark : NULL, error) < 0)
		return -1;
	pipeline_on_claims(run->pipeline, claims_to_journal, run);
	return 0;
}

static int sink_call_starting(void *context, uint64_t call_id, const struct record *const *records,
                              size_t count, unsigned attempt)
{
	struct job_run *run = context;
	struct error error;
	error_clear(&error);
	/* A non-idempotent call must be on disk before it goes out, so that a
	 * crash leaves its rows in doubt rather than forgotten. */
	bool durable = (run->op->flags & OP_NON_IDEMPOTENT) != 0;
	if (journal_call_started(run->directory.journal, call_id, attempt, records, count, durable,
	                         &error) < 0)
		return report_error(&error, -1);
	return 0;
}

static int sink_row_finished(void *context, const struct record *record,
                             const struct row_outcome *outcome)
{
	struct job_run *run = context;
	struct error error;
	error_clear(&error);
	struct manifest_position position = {record->offset, record->row, record->line};
	if (record_outcome(run, &position, outcome, &error) < 0)
		return report_error(&error, -1);
	return 0;
}

/* --verbose: one line per HTTP exchange on stderr with its full URL, so the
 * target is visible; never headers, bodies or credentials (the URL never
 * carries them). */
static void print_exchange(const struct exchange *exchange)
{
	const char *url = exchange->url && exchange->url[0] ? exchange->url : exchange->path;
	long long elapsed = (long long)(exchange->finished_at_ms - exchange->started_at_ms);
	if (exchange->http_status)
		fprintf(stderr, "%s %s -> %ld (%lld ms, %zu rows, attempt %u)\n", exchange->method,
		        url, exchange->http_status, elapsed, exchange->row_count,
		        exchange->attempt);
	else
		fprintf(stderr, "%s %s -> no answer: %s (%lld ms, %zu rows, attempt %u)\n",
		        exchange->method, url, exchange->curl_error, elapsed, exchange->row_count,
		        exchange->attempt);
}

static int sink_exchange_finished(void *context, const struct exchange *exchange)
{
	struct job_run *run = context;
	struct error error;
	error_clear(&error);
	if (run->options->verbose)
		print_exchange(exchange);
	if (audit_record_exchange(run->directory.audit, exchange, &error) < 0)
		return report_error(&error, -1);
	return 0;
}

/* The summary of the job as it stands: rows from the outcome store, calls
 * from the audit trail, this run's entry brought up to date. rows_total 0:
 * not known yet. */
static void job_run_summary(struct job_run *run, const struct engine_stats *stats,
                            uint64_t rows_total, struct job_summary *summary)
{
	memset(summary, 0, sizeof(*summary));
	summary->op = run->op->name;
	summary->manifest = run->options->manifest;
	summary->directory = run->options->out;
	summary->endpoint = run->endpoint;
	job_runs_summary(&run->runs, run->directory.audit, run->rows_reported, stats->elapsed_ms,
	                 summary);
	summary->started_at_ms = journal_get_header(run->directory.journal)->created_at_ms;
	summary->wall_ms = stats->elapsed_ms;
	summary->rows_total_unknown = rows_total == 0;
	job_summary_count(summary, run->directory.store, rows_total);
}

/* The data rows of the manifest when known exactly (0: not yet). */
static uint64_t known_rows_total(const struct job_run *run)
{
	if (run->directory.replay.row_total)
		return run->directory.replay.row_total;
	return run->source_finished ? run->rows_read : 0;
}

/* Rewrites summary.json (atomically) as a snapshot of the running job, so a
 * monitor can poll it. A failed snapshot is not worth stopping the job for:
 * the final write at the end reports a lasting problem. */
static void write_live_summary(struct job_run *run, const struct engine_stats *stats)
{
	int64_t now_ms = clock_monotonic_ms();
	if (now_ms < run->next_summary_ms)
		return;
	run->next_summary_ms = now_ms + LIVE_SUMMARY_INTERVAL_MS;
	struct error error;
	error_clear(&error);
	/* never claim more than the checkpoint and the audit trail hold: a kill
	 * -9 or a power loss right after this write must find them at least as
	 * far (the commit syncs both) */
	if (journal_commit(run->directory.journal, &error) < 0)
		return;
	struct job_summary summary;
	job_run_summary(run, stats, known_rows_total(run), &summary);
	summary.live = true;
	summary.updated_at_ms = clock_wall_ms();
	(void)job_summary_write(&summary, &error);
}

/* The job's rows per status, all runs, from the outcome store. */
static void job_counts(const struct job_run *run, uint64_t counts[ROW_STATUS_COUNT])
{
	for (size_t status = 0; status < ROW_STATUS_COUNT; status++)
		counts[status] = outcome_store_count(run->directory.store, (enum row_status)status);
}

static void sink_progress(void *context, const struct engine_stats *stats)
{
	struct job_run *run = context;
	struct error error;
	error_clear(&error);
	uint64_t counts[ROW_STATUS_COUNT];
	job_counts(run, counts);
	progress_update(&run->progress, counts, stats);
	write_live_summary(run, stats);
	/* Group commit by age: a slow job still makes its outcomes durable often. */
	if (journal_commit_if_due(run->directory.journal, &error) < 0) {
		progress_clear(&run->progress);
		report_error(&error, -1);
	}
}

static void fill_engine_config(const struct job_run *run, struct engine_config *config)
{
	api_session_engine_config(&run->api, run->options, config);
	config->op = run->op;
	config->chunk = op_chunk_size(run->op, run->options->chunk);
	config->max_errors = run->max_errors;
}

/* What summary.json and the closing lines say about the preflight and undo.csv. */
static void describe_preflight(const struct job_run *run, struct job_summary *summary)
{
	if (run->preflight_on) {
		const struct live_snapshot_meta *meta = live_snapshot_info(run->preflight.snapshot);
		summary->preflight_taken_at_ms = meta->taken_at_ms;
		summary->preflight_calls = meta->calls;
		summary->preflight_read_ms = meta->read_ms;
	}
	if (!(run->op->live.flags & OP_LIVE_UNDO))
		summary->no_undo = "this operation sets nothing the API lets us read back, so no "
		                   "undo exists";
	else if (!run->preflight_on)
		summary->no_undo = "the account was not read before the job (--no-preflight)";
	else if (run->preflight.tally.undo_written) {
		summary->undo_file = UNDO_FILE;
		summary->undo_rows = run->preflight.tally.undo_lines;
		summary->undo_missing = run->preflight.tally.undo_unrestorable;
	}
}

/* Writes results.csv, errors.csv and summary.json and prints the closing
 * table; returns the exit status they imply. */
static int finish_outputs(struct job_run *run, const struct engine_stats *stats, bool interrupted,
                          bool refused, struct error *error)
{
	const struct job_options *options = run->options;
	char skipped[256];
	snprintf(skipped, sizeof(skipped),
	         "not sent: the job stopped once more rows failed than --max-errors %.40s allows; "
	         "resume with a higher --max-errors to send it",
	         options->max_errors ? options->max_errors : "");
	struct manifest_options manifest_options = {options->format, options->delimiter,
	                                            options->sheet};
	struct outputs_job job = {
	    .directory = options->out,
	    .op = run->op,
	    .manifest_path = run->directory.manifest_path,
	    .manifest_options = &manifest_options,
	    .maps = options->maps,
	    .map_count = options->map_count,
	    .sets = options->sets,
	    .set_count = options->set_count,
	    .skipped_message = stats->threshold_exceeded ? skipped : NULL,
	};
	/* rows may name their device by ICCID or IMEI: show the name it resolved to */
	if (run->preflight_on && (run->op->live.flags & OP_LIVE_RESOLVE)) {
		job.resolve = resolved_device_name;
		job.resolve_context = run;
	}
	struct outputs_report outputs = {0};
	if (outputs_write_rows(&job, run->directory.store, &outputs, error) < 0)
		return -1;
	if (job_options_want_xlsx(options) &&
	    xlsx_copy_job_outputs(options->out, stderr, error) < 0)
		return -1;
	/* results.csv has read the whole manifest: a stopped run records the
	 * total it counted, so status and the next run know it too */
	if (!known_rows_total(run) && outputs.rows_total &&
	    journal_row_total(run->directory.journal, outputs.rows_total, error) < 0)
		return -1;
	struct job_summary summary;
	job_run_summary(run, stats, outputs.rows_total, &summary);
	summary.finished_at_ms = clock_wall_ms();
	summary.interrupted = interrupted;
	if (stats->threshold_exceeded)
		summary.resume_options = " --max-errors <higher>";
	describe_preflight(run, &summary);
	if (stats->threshold_exceeded) {
		/* results.csv shows the rows not sent as skipped: so does the summary */
		summary.counts[ROW_SKIPPED] += summary.counts[ROW_PENDING];
		summary.counts[ROW_PENDING] = 0;
	}
	summary.exit_status = refused ? EXIT_USAGE : job_summary_exit_status(&summary);
	/* the checkpoint first (the total just recorded too): summary.json never
	 * claims more than it holds; then the run's end, then the summary */
	if (journal_commit(run->directory.journal, error) < 0 ||
	    job_runs_end(&run->runs, summary.finished_at_ms, summary.exit_status, error) < 0 ||
	    job_summary_write(&summary, error) < 0)
		return -1;
	/* The report reads what was just written; a failure costs the page, not
	 * the job's outcome: say so and go on. */
	struct error page_error;
	error_clear(&page_error);
	if (report_write(options->out, NULL, &page_error) < 0)
		report_error(&page_error, 0);
	progress_clear(&run->progress);
	if (!options->quiet)
		progress_print_summary(stderr, &summary);
	return summary.exit_status;
}

static int run_engine(struct job_run *run, struct error *error)
{
	struct engine_config config;
	fill_engine_config(run, &config);
	struct engine_source source = {.context = run, .next = source_next};
	if (run->preflight_on) {
		source.context = run;
		source.settle = settle_row;
	}
	struct engine_sink sink = {run, sink_call_starting, sink_row_finished,
	                           sink_exchange_finished, sink_progress};
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	run->started_at_ms = clock_wall_ms();
	if (job_runs_begin(&run->runs, &run->directory, run->options->out, run->started_at_ms,
	                   error) < 0)
		return EXIT_INTERRUPTED;
	write_live_summary(run, &stats);

	uint64_t before[ROW_STATUS_COUNT];
	job_counts(run, before);
	progress_init(&run->progress,
	              progress_choose_mode(run->options->quiet, run->options->progress,
	                                   isatty(STDERR_FILENO)),
	              stderr, run->directory.replay.row_total, run->directory.replay.rows_final);

	/* A call in flight when the last run died may still be at work in the
	 * service: read rows in doubt back only once it has surely landed. */
	int64_t settled_at_ms = run->directory.last_written_ms + IN_DOUBT_SETTLE_MS;
	int64_t wait_ms = settled_at_ms - clock_wall_ms();
	struct engine_doubts doubts = {run, row_in_doubt,
	                               clock_monotonic_ms() + (wait_ms > 0 ? wait_ms : 0),
	                               journal_get_header(run->directory.journal)->created_at_ms};
	/* --max-errors counts the whole job, earlier runs included */
	config.errors_before = before[ROW_ERROR];
	config.finished_before =
	    before[ROW_OK] + before[ROW_UNCHANGED] + before[ROW_ERROR] + before[ROW_UNKNOWN];
	int engine_result = engine_run_resuming(&config, &source, &doubts, &sink, &stats, error);
	struct error commit_error;
	error_clear(&commit_error);
	bool complete = engine_result == 0 && run->source_finished;
	if (complete && journal_job_finished(run->directory.journal, &commit_error) < 0)
		complete = false;
	if (journal_commit(run->directory.journal, &commit_error) < 0)
		complete = false;
	if (commit_error.set)
		report_error(&commit_error, 0);

	if (engine_result < 0) {
		progress_clear(&run->progress);
		report_error(error, 0);
		error_clear(error);
	}
	/* A refusal before any row got an answer (wrong credentials, an endpoint
	 * the policy forbids) is a configuration error: nothing was applied. A
	 * service that keeps failing is not: the job resumes later. */
	bool refused = engine_result < 0 && !stats.service_failing && !stats.credentials_refused &&
	               !file_storage_failure(NULL) &&
	               stats.rows_ok + stats.rows_error + stats.rows_unknown == 0;
	uint64_t final_counts[ROW_STATUS_COUNT];
	job_counts(run, final_counts);
	progress_final(&run->progress, final_counts, &stats);
	progress_clear(&run->progress);
	char out[4096];
	path_display(run->options->out, out, sizeof(out));
	/* The check before the job passed: credentials refused now were revoked
	 * (or lack a right) mid-job; nothing more was sent, the job resumes. */
	if (stats.credentials_refused) /* an error: shown even with --quiet */
		fprintf(stderr,
		        "lattigo-batch: stopped: fix the credentials, then resume with: "
		        "lattigo-batch resume %s\n",
		        out);
	if (stats.threshold_exceeded && !run->options->quiet)
		fprintf(
		    stderr,
		    "lattigo-batch: stopped: more rows failed than --max-errors %s allows; rows "
		    "not yet sent are skipped; after fixing the cause resume with: lattigo-batch "
		    "resume %s --max-errors <higher>\n",
		    run->options->max_errors, out);
	/* how to resume is the closing lines' last line */
	if (stop_signals_received() && !run->options->quiet)
		fputs("lattigo-batch: stopped by a signal\n", stderr);
	int exit_code = finish_outputs(run, &stats, !complete, refused, error);
	if (exit_code < 0) {
		report_error(error, 0);
		error_clear(error); /* reported: not again by run_job */
		return EXIT_INTERRUPTED;
	}
	return exit_code;
}

/* The start line: where the job sends and what is about to happen, from the
 * checkpoint's replay. */
static void print_start_line(const struct job_run *run)
{
	const struct journal_replay *replay = &run->directory.replay;
	char done[32], total[32], doubt[32];
	fprintf(stderr, "lattigo-batch: %s to %s: ", run->op->name, run->endpoint);
	if (!run->directory.resuming)
		fputs("new job\n", stderr);
	else if (replay->job_finished)
		fputs("already complete, nothing to send\n", stderr);
	else if (replay->row_total)
		fprintf(stderr, "resuming: %s of %s done, %s in doubt\n",
		        count_grouped(replay->rows_final, done, sizeof(done)),
		        count_grouped(replay->row_total, total, sizeof(total)),
		        count_grouped(replay->rows_in_doubt, doubt, sizeof(doubt)));
	else
		fprintf(stderr, "resuming: %s done (total not counted yet), %s in doubt\n",
		        count_grouped(replay->rows_final, done, sizeof(done)),
		        count_grouped(replay->rows_in_doubt, doubt, sizeof(doubt)));
}

/* The reads of the preflight, recorded in audit (NULL before the job
 * directory exists). Returns an exit_code (always 0: the session checked
 * the endpoint). */
static int snapshot_request(struct job_run *run, struct audit_writer *audit,
                            struct read_transport *transport, struct live_take_request *request,
                            struct error *error)
{
	(void)error;
	api_session_transport(&run->api, run->options, transport);
	preflight_request(request, run->options, run->op, transport, run->endpoint, audit);
	/* judged by preflight_classify (live/judge.h): a large account on disk */
	request->bounded = true;
	return EXIT_ALL_OK;
}

/* A new job that stopped before sending anything (its preflight refused it
 * or could not read the account) leaves nothing behind: the same command
 * runs it again. */
static void discard_new_job(struct job_run *run)
{
	static const char *const files[] = {"devices.jsonl.gz", "meta.json", LIVE_VERDICTS_FILE,
	                                    LIVE_VERDICT_NOTES_FILE};
	const char *out = run->options->out;
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", out, UNDO_FILE);
	unlink(path);
	for (size_t index = 0; index < sizeof(files) / sizeof(files[0]); index++) {
		snprintf(path, sizeof(path), "%s/%s/%s", out, LIVE_SNAPSHOT_DIRECTORY,
		         files[index]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", out, LIVE_SNAPSHOT_DIRECTORY);
	rmdir(path);
	job_directory_discard(&run->directory, out);
}

/* A new job whose manifest is a file: the account is read before the job
 * directory exists, so that a job refused for a rate plan or user the account
 * lacks, or not confirmed, leaves nothing behind. Returns an exit_code. */
static int preflight_before_directory(struct job_run *run, struct error *error)
{
	struct read_transport transport;
	struct live_take_request request;
	int exit_code = snapshot_request(run, NULL, &transport, &request, error);
	if (exit_code != EXIT_ALL_OK)
		return exit_code;
	struct pipeline_config config;
	job_options_pipeline_config(run->options, &config);
	struct live_wanted *wanted = live_wanted_from_rows(&config, NULL, error);
	if (!wanted)
		return EXIT_USAGE;
	exit_code = live_snapshot_take(&request, wanted, &run->preflight.snapshot, error);
	live_wanted_free(wanted);
	if (exit_code != EXIT_ALL_OK)
		return exit_code;
	run->preflight_on = true;
	/* the rows are classified here only when that can stop the job before
	 * its directory exists: a rate plan or user the account lacks, or a
	 * confirmation that counts the rows to send; else the one pass in the
	 * directory does it all */
	if (!(run->op->live.flags & (OP_LIVE_RATE_PLANS | OP_LIVE_USERS)) &&
	    !confirm_needed(run->op, run->options))
		return EXIT_ALL_OK;
	if (preflight_classify(&run->preflight, &config, NULL, NULL, NULL, 0, error) < 0)
		return EXIT_USAGE;
	return preflight_refuses(&run->preflight, error) ? EXIT_USAGE : EXIT_ALL_OK;
}

/* live_verdicts_final_fn: 64 rows' final bits from the replay. */
static uint64_t final_rows(void *context, uint64_t first)
{
	struct job_run *run = context;
	return journal_replay_final_word(&run->directory.replay, first);
}

/* A resume whose first run kept every row's verdict (and undo.csv whole)
 * settles the rows left from them: only the snapshot's meta data is read,
 * no device loaded, no row classified again, undo.csv not rewritten — what
 * it costs depends on the rows left, not on the job or the account. An
 * activation (its cost priced per row from the rate plans) is classified
 * again. Returns 0 when done, 1 when the caller must classify, or an
 * exit_code > 1. */
static int preflight_from_verdicts(struct job_run *run, const char *directory, struct error *error)
{
	const char *out = run->options->out;
	char undo[4200];
	snprintf(undo, sizeof(undo), "%s/%s", out, UNDO_FILE);
	if (!run->directory.resuming || (run->op->live.flags & OP_LIVE_RATE_PLANS) ||
	    ((run->op->live.flags & OP_LIVE_UNDO) && access(undo, F_OK) != 0))
		return 1;
	struct live_snapshot *meta = NULL;
	int loaded = live_snapshot_load_meta(directory, &meta, error);
	if (loaded != 0)
		return loaded < 0 ? EXIT_RESUME_REFUSED : 1;
	if (live_snapshot_check_age(meta, run->options->max_snapshot_age_ms, clock_wall_ms(),
	                            error) < 0) {
		live_snapshot_free(meta);
		return EXIT_USAGE;
	}
	run->preflight.snapshot = meta;
	struct error why;
	error_clear(&why);
	int resumed = preflight_resume(
	    &run->preflight, out, journal_get_header(run->directory.journal)->job_id,
	    journal_replay_final_prefix(&run->directory.replay), final_rows, run, &why);
	if (resumed == 0)
		return 0;
	run->preflight.snapshot = NULL;
	live_snapshot_free(meta);
	if (resumed < 0) {
		error_set(error, "%s", why.message);
		return EXIT_INTERRUPTED;
	}
	if (run->options->verbose)
		fprintf(stderr, "lattigo-batch: preflight: %s: classifying the rows again\n",
		        why.message);
	return 1;
}

/* In the job directory, before the first write: the snapshot (stored now for
 * a new job; a resume loads the first one), every row classified in one pass
 * that writes undo.csv and the rows' verdicts — or, on a resume, those
 * verdicts read back. Returns an exit_code; for a new job refused here
 * (stdin manifest) the job directory is removed. */
/* pipeline_duplicates_sink: the classification's duplicates go to OUT/duplicate-rows. */
static int duplicate_to_record(void *context, uint64_t row, size_t key, uint64_t earlier_row,
                               struct error *error)
{
	return duplicate_rows_writer_add(context, row, (uint32_t)key, earlier_row, error);
}

static int duplicates_begin(void *context, struct error *error)
{
	return duplicate_rows_writer_restart(context, error);
}

static int duplicates_end(void *context, uint64_t rows, struct error *error)
{
	return duplicate_rows_writer_commit(context, rows, error);
}

static int preflight_in_directory(struct job_run *run, struct error *error)
{
	const char *out = run->options->out;
	char directory[4096];
	snprintf(directory, sizeof(directory), "%s/%s", out, LIVE_SNAPSHOT_DIRECTORY);
	int exit_code = preflight_from_verdicts(run, directory, error);
	if (exit_code == 0) {
		run->preflight_on = true;
		return preflight_refuses(&run->preflight, error) ? EXIT_USAGE : EXIT_ALL_OK;
	}
	if (exit_code != 1)
		return exit_code;
	struct read_transport transport;
	struct live_take_request request;
	exit_code = snapshot_request(run, run->directory.audit, &transport, &request, error);
	if (exit_code != EXIT_ALL_OK)
		return exit_code;
	struct pipeline_config config;
	job_options_pipeline_config(run->options, &config);
	config.manifest = run->directory.manifest_path;
	/* a job that sent rows without a snapshot (an older run): a new one
	 * would not show the state before the job */
	bool sent = run->directory.resuming && run->directory.replay.calls > 0;
	bool taken = false;
	exit_code = live_snapshot_for_job(directory, sent ? NULL : &request, &config,
	                                  run->options->max_snapshot_age_ms, clock_wall_ms(),
	                                  &run->preflight.snapshot, &taken, error);
	if (exit_code != EXIT_ALL_OK)
		return exit_code;
	if (!run->preflight.snapshot) {
		if (!run->options->quiet)
			fprintf(stderr, "lattigo-batch: preflight: none (the job sent rows "
			                "before any snapshot was kept)\n");
		run->preflight_on = false;
		return EXIT_ALL_OK;
	}
	run->preflight_on = true;
	run->preflight.loaded = !taken;
	/* undo.csv and the verdicts are whole before anything is sent; a resume
	 * that could not use them writes both again from the same first
	 * snapshot (the same content). The same pass over every row records
	 * the duplicate rows, so a resume needs no key of the rows before it. */
	uint64_t job_id = journal_get_header(run->directory.journal)->job_id;
	struct duplicate_rows_writer *duplicates = duplicate_rows_writer_open(out, job_id, error);
	if (!duplicates)
		return EXIT_INTERRUPTED;
	/* the classification may read the manifest twice (live/judge.c routes
	 * the rows to partitions first): each pass writes the list anew */
	struct pipeline_duplicates_sink sink = {duplicates_begin, duplicate_to_record,
	                                        duplicates_end, duplicates};
	config.duplicates = &sink;
	int classified =
	    preflight_classify(&run->preflight, &config, row_settled, run, out, job_id, error);
	duplicate_rows_writer_free(duplicates);
	if (classified < 0)
		return EXIT_INTERRUPTED;
	return preflight_refuses(&run->preflight, error) ? EXIT_USAGE : EXIT_ALL_OK;
}

/* Counts the rows a job without a preflight would send: valid, not final
 * in an earlier run. Returns 0 or -1 with error set. */
static int count_rows_to_send(struct job_run *run, const char *manifest_path,
                              struct confirm_cost *cost, struct error *error)
{
	struct pipeline_config config;
	job_options_pipeline_config(run->options, &config);
	config.manifest = manifest_path;
	struct pipeline *pipeline = pipeline_open(&config, NULL, error);
	if (!pipeline)
		return -1;
	if (run->directory.resuming)
		pipeline_skip_settled(pipeline, row_settled, run);
	struct pipeline_row row;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1)
		if (row.valid && !row.settled)
			cost->rows++;
	pipeline_close(pipeline);
	return next < 0 ? -1 : 0;
}

/* The typed confirmation of an OP_NEEDS_YES operation without --yes (the
 * command refused the job already when no terminal can answer): shows the
 * rows that would be sent — those the preflight found to change, priced from
 * the rate plans, else every valid row not yet final — and asks. Returns 0
 * when confirmed (or none needed), else EXIT_USAGE with error set. */
static int confirm_job(struct job_run *run, const char *manifest_path, struct error *error)
{
	if (!confirm_needed(run->op, run->options))
		return 0;
	struct confirm_cost counted = {0};
	const struct confirm_cost *cost = &run->preflight.tally.cost;
	if (!run->preflight_on) {
		if (count_rows_to_send(run, manifest_path, &counted, error) < 0)
			return EXIT_USAGE;
		cost = &counted;
	}
	if (cost->rows == 0)
		return 0;
	progress_clear(&run->progress);
	return confirm_ask(stdin, stderr, run->op, cost, error) < 0 ? EXIT_USAGE : 0;
}

/* run --verify: the rows read back while the job's endpoint (the bundled
 * simulator too) is still there; a row not verified makes the run exit 1. */
static int verify_after_run(const struct job_run *run, int exit_code)
{
	if (!run->options->verify.enabled ||
	    (exit_code != EXIT_ALL_OK && exit_code != EXIT_SOME_FAILED))
		return exit_code;
	struct verify_access access = {
	    .endpoint = run->endpoint,
	    .key_name = run->api.credentials.key_name,
	    .api_key = run->api.credentials.api_key,
	    .job_id = journal_get_header(run->directory.journal)->job_id,
	    .store = run->directory.store,
	    .stop = stop_signals_flag(),
	};
	int verified = verify_job(run->options, &access, run->options->verify.wait_ms);
	if (verified == EXIT_INTERRUPTED)
		return EXIT_INTERRUPTED;
	return verified == EXIT_ALL_OK ? exit_code : EXIT_SOME_FAILED;
}

int run_job(const struct job_options *options)
{
	struct job_run run;
	struct error error;
	int exit_code = EXIT_USAGE;
	memset(&run, 0, sizeof(run));
	error_clear(&error);
	run.options = options;
	api_session_init(&run.api);
	job_directory_init(&run.directory);

	run.op = pipeline_find_op(options->op, &error);
	if (!run.op)
		goto out;
	preflight_init(&run.preflight, run.op);
	/* A manifest that cannot be read or bound to the operation is a usage
	 * error: find it before a simulator is started or a job directory
	 * created for it. */
	if (strcmp(options->manifest, "-") != 0) {
		struct pipeline_config probe_config;
		job_options_pipeline_config(options, &probe_config);
		struct pipeline *probe = pipeline_open(&probe_config, NULL, &error);
		if (!probe)
			goto out;
		pipeline_close(probe);
	}
	if (options->max_errors &&
	    max_errors_parse(options->max_errors, &run.max_errors, &error) < 0)
		goto out;
	/* Credentials first: nothing is written to OUT for a job that cannot run. */
	if (api_session_start(&run.api, options, options->quiet, &error) != EXIT_ALL_OK)
		goto out;
	run.endpoint = run.api.api_root;
	/* A new job: one read proves the credentials before its directory is
	 * created (exit 2, nothing sent). An existing job is opened first, so a
	 * changed manifest is still exit 4; a refusal there stops it resumably. */
	bool new_job = !job_directory_holds_job(options->out);
	if (new_job) {
		exit_code = api_session_check(&run.api, options, &error);
		if (exit_code != EXIT_ALL_OK)
			goto out;
		/* before the job directory exists, when the manifest can be read twice */
		if (strcmp(options->manifest, "-") != 0) {
			if (!options->no_preflight &&
			    (exit_code = preflight_before_directory(&run, &error)) != EXIT_ALL_OK)
				goto out;
			if ((exit_code = confirm_job(&run, options->manifest, &error)) !=
			    EXIT_ALL_OK)
				goto out;
		}
		exit_code = EXIT_USAGE;
	}
	struct audit_secrets secrets = {run.api.credentials.key_name, run.api.credentials.api_key};
	exit_code = job_directory_open(&run.directory, options, run.op, &secrets, &error);
	if (exit_code != EXIT_ALL_OK)
		goto out;
	exit_code = EXIT_USAGE;
	if (!options->quiet)
		print_start_line(&run);
	if ((exit_code =
	         job_directory_finished_status(&run.directory, options->out, run.op->name)) >= 0)
		goto out;
	exit_code = EXIT_USAGE;
	if (!options->no_preflight &&
	    (exit_code = preflight_in_directory(&run, &error)) != EXIT_ALL_OK) {
		if (!run.directory.resuming)
			discard_new_job(&run);
		goto out;
	}
	if (!options->quiet && run.preflight_on)
		preflight_print(&run.preflight, stderr);
	if (!new_job &&
	    (exit_code = confirm_job(&run, run.directory.manifest_path, &error)) != EXIT_ALL_OK)
		goto out;
	exit_code = EXIT_USAGE;

	/* The pipeline reads the manifest the journal was fingerprinted with
	 * (for stdin, the copy kept in the job directory). */
	struct pipeline_config reading;
	job_options_pipeline_config(options, &reading);
	reading.manifest = run.directory.manifest_path;
	run.pipeline = pipeline_open(&reading, options->quiet ? NULL : stderr, &error);
	if (!run.pipeline) {
		/* Only a stdin manifest gets here (a file was checked before): leave
		 * no job behind that could never run. */
		job_directory_discard(&run.directory, options->out);
		goto out;
	}
	if (run.directory.resuming)
		pipeline_skip_settled(run.pipeline, row_settled, &run);
	if (keep_claimed_keys(&run, &error) < 0)
		goto out;
	run.manifest_bytes = plain_manifest_bytes(run.directory.manifest_path);
	if (stop_signals_install(&run.signals) < 0) {
		error_set(&error, "cannot install signal handlers: %s", strerror(errno));
		goto out;
	}
	exit_code = run_engine(&run, &error);
	exit_code = verify_after_run(&run, exit_code);
	stop_signals_restore(&run.signals);
out:
	if (error.set)
		report_error(&error, 0);
	pipeline_close(run.pipeline);
	duplicate_rows_close(run.duplicate_rows);
	struct error close_error;
	error_clear(&close_error);
	if (job_directory_close(&run.directory, &close_error) < 0) {
		report_error(&close_error, 0);
		if (exit_code == EXIT_ALL_OK || exit_code == EXIT_SOME_FAILED)
			exit_code = EXIT_INTERRUPTED;
	}
	const char *failed_path = NULL;
	int cause = file_storage_failure(&failed_path);
	if (cause) {
		/* nothing more was sent after the failed write; what was recorded
		 * before it is intact, so the job resumes once there is room */
		char checkpoint[4096], shown[4096], out[4096];
		snprintf(checkpoint, sizeof(checkpoint), "%s/%s", options->out, JOURNAL_FILE_NAME);
		bool started = access(checkpoint, F_OK) == 0;
		fprintf(stderr,
		        "lattigo-batch: stopped: cannot write '%s' (%s); free some space (or raise "
		        "the limit), then %s%s\n",
		        path_display(failed_path, shown, sizeof(shown)), strerror(cause),
		        started ? "resume with: lattigo-batch resume "
		                : "run the same command again",
		        started ? path_display(options->out, out, sizeof(out)) : "");
		exit_code = EXIT_INTERRUPTED;
	}
	api_session_close(&run.api);
	job_runs_release(&run.runs);
	preflight_release(&run.preflight);
	return exit_code;
}
