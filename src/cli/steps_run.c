/* Running steps jobs (steps_run.h): the job directory and one checkpoint per
 * step, the source that feeds the engine's lanes from the manifest and from
 * rows moving on, the sink that moves rows on, and the final outputs. */
#include "cli/steps_run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/api_session.h"
#include "cli/commands.h"
#include "cli/confirm.h"
#include "cli/job_directory.h"
#include "cli/job_runs.h"
#include "cli/progress.h"
#include "cli/signals.h"
#include "cli/step_config.h"
#include "cli/step_flow.h"
#include "cli/steps_preflight.h"
#include "common/clock.h"
#include "common/file_io.h"
#include "common/path_display.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "outputs/outcome_store.h"
#include "outputs/steps_outputs.h"
#include "outputs/summary.h"
#include "report/report.h"
#include "manifest/manifest.h"
#include "pipeline/step_rows.h"
#include "export/read_endpoint.h"
#include "verify/page_read.h"
#include "verify/step_read.h"
#include "verify/verdict.h"
#include "live/snapshot.h"
#include "live/take.h"

/* How long after an interruption a call it left in flight may still take
 * effect in the service; rows in doubt are read back only after that. */
#define STEPS_IN_DOUBT_SETTLE_MS 5000
/* Rows between their first step and their end at once: bounds memory, and
 * is far more than the calls in flight can keep busy. */
#define STEPS_ACTIVE_ROWS 65536
#define STEPS_PROGRESS_MS 1000
/* Rows waiting at a step (some due) from which a round of reads is tried
 * (read_round) instead of a read per due row through the engine. */
#define STEPS_ROUND_ROWS 64

/* The job's own operation as the checkpoint header and audit trail name it. */
static const struct op steps_job_op = {.name = "steps"};

/* One checkpoint with its outcome store: a step's, or its verification's. */
struct step_journal {
	char directory[4096];
	struct journal *journal;
	struct outcome_store *store;
	struct journal_replay replay; /* what an earlier run recorded (zero for a new one) */
	int64_t last_written_ms;      /* resumed: UTC epoch ms of its last write, else 0 */
};

/* A round of verification reads: the pages of the account's listing in
 * the engine's page lane, and the rows they judge (run->round). */
struct steps_round {
	bool running;
	bool failed;    /* a page could not be read */
	size_t rows;    /* in run->round, not settled yet */
	size_t settled; /* rows it settled (verified, or never) */
	uint64_t pages_wanted, pages_yielded, pages_answered;
	uint64_t begun_before; /* run->verifications_begun when the last round started */
	int64_t started_ms;
	struct live_snapshot *snapshot; /* the pages read so far */
};

/* A row between its first step and its end. */
struct active_row {
	uint64_t row, offset, line;
	struct flow_row flow;
	struct record *records[STEP_ROWS_MAX]; /* the row as each step sends it */
	char *device_name;                     /* found by a verification, else NULL */
	size_t invalid_step;                   /* partial: the step it is invalid for */
	char *invalid_message;
	unsigned lane;              /* queued: the lane to send it in */
	size_t counted_step;        /* the step run->at_step counts it at */
	int64_t read_at_ms;         /* waiting: when to read it back */
	struct active_row *next;    /* ready queue, or hash chain */
	struct active_row *chained; /* hash chain */
};

struct steps_run_state {
	const struct job_options *options;
	struct step_config *configs;
	size_t step_count;
	struct step_read reads[STEP_ROWS_MAX];
	struct page_read pages; /* the page lane's operation */
	struct engine_lane lanes[2 * STEP_ROWS_MAX + 1];
	struct flow_step flow[STEP_ROWS_MAX];
	char labels[STEP_ROWS_MAX][80];
	char columns[STEP_ROWS_MAX][64];

	struct job_directory directory;
	struct step_journal steps[STEP_ROWS_MAX];
	struct step_journal verified[STEP_ROWS_MAX]; /* journal NULL: no verification */
	struct api_session api; /* the endpoint, its credentials, the bundled simulator */
	struct stop_signals signals;
	const char *endpoint;
	struct job_runs runs; /* every run of the job, this one last */

	struct step_rows *reader;
	bool resuming; /* the job directory held the job: rows continue where they were */
	bool manifest_done;
	uint64_t rows_read;
	/* rows in flight, by row number (chained hash) */
	struct active_row **buckets;
	size_t bucket_count, active;
	/* rows to send now, in order */
	struct active_row *ready_head, *ready_tail;
	/* rows in flight at each step, and rows queued for each lane: whether
	 * rows may still come into a lane (source_lane_open) */
	size_t at_step[STEP_ROWS_MAX];
	size_t queued[2 * STEP_ROWS_MAX + 1];
	/* rows waiting to be read back, a min-heap by read_at_ms */
	struct active_row **waiting;
	size_t waiting_count, waiting_size;
	struct record scratch;     /* what source_next yields */
	struct active_row **round; /* the rows due now, and those a round of reads judges */
	size_t round_size;
	struct steps_round reading;
	int64_t account_devices;      /* devices in the account as the last round (or the baseline)
	                                 saw, -1 unknown */
	int64_t next_reads_ms;        /* monotonic: reads due wait until then (flow_round_gap) */
	int64_t round_gap_ms;         /* the pause after the last round */
	uint64_t verifications_begun; /* rows whose step ended ok, now to be verified */
	struct live_snapshot *baseline;     /* the account before the job (NULL: --no-preflight) */
	struct steps_preflight preflight;   /* every row judged per step against the baseline */
	char undo_names[STEP_ROWS_MAX][96]; /* each step's undo file in OUT */

	uint64_t finished[ROW_STATUS_COUNT]; /* the rows' final outcomes this run */
	uint64_t finished_this_run;          /* their sum */
	uint64_t step_counts[STEP_ROWS_MAX][ROW_STATUS_COUNT];
	int64_t next_progress_ms;
	bool progress_shown;
	struct error *error;
};

/* The lanes: step k sends in lane 2k, its verification reads one row a call
 * in lane 2k+1, and the pages of the rounds of reads go in the last. */
static unsigned page_lane(const struct steps_run_state *run)
{
	return (unsigned)(2 * run->step_count);
}

/* True for a lane whose calls change something (a step's own). */
static bool sends_step(const struct steps_run_state *run, unsigned lane)
{
	return lane < page_lane(run) && lane % 2 == 0;
}

/* ---- rows in flight ---- */

static size_t bucket_of(const struct steps_run_state *run, uint64_t row)
{
	return (size_t)((row * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (run->bucket_count - 1);
}

static struct active_row *find_row(const struct steps_run_state *run, uint64_t row)
{
	for (struct active_row *entry = run->buckets[bucket_of(run, row)]; entry;
	     entry = entry->chained)
		if (entry->row == row)
			return entry;
	return NULL;
}

static void add_row(struct steps_run_state *run, struct active_row *entry)
{
	size_t bucket = bucket_of(run, entry->row);
	entry->chained = run->buckets[bucket];
	run->buckets[bucket] = entry;
	run->active++;
	entry->counted_step = entry->flow.step;
	run->at_step[entry->counted_step]++;
}

static void free_row(struct active_row *entry)
{
	for (size_t step = 0; step < STEP_ROWS_MAX; step++)
		free(entry->records[step]);
	free(entry->device_name);
	free(entry->invalid_message);
	free(entry);
}

static void remove_row(struct steps_run_state *run, struct active_row *entry)
{
	struct active_row **slot = &run->buckets[bucket_of(run, entry->row)];
	while (*slot && *slot != entry)
		slot = &(*slot)->chained;
	if (*slot)
		*slot = entry->chained;
	run->active--;
	run->at_step[entry->counted_step]--;
	free_row(entry);
}

static void enqueue(struct steps_run_state *run, struct active_row *entry, unsigned lane)
{
	entry->lane = lane;
	entry->next = NULL;
	run->queued[lane]++;
	if (run->ready_tail)
		run->ready_tail->next = entry;
	else
		run->ready_head = entry;
	run->ready_tail = entry;
}

static struct active_row *dequeue(struct steps_run_state *run)
{
	struct active_row *entry = run->ready_head;
	if (entry) {
		run->ready_head = entry->next;
		if (!run->ready_head)
			run->ready_tail = NULL;
		entry->next = NULL;
		run->queued[entry->lane]--;
	}
	return entry;
}

/* Appends entry to *rows (*count of them, room for *size, grown as
 * needed). Returns 0, or -1 when out of memory. */
static int rows_append(struct active_row ***rows, size_t *size, size_t *count,
                       struct active_row *entry)
{
	if (*count == *size) {
		size_t grown_size = *size ? *size * 2 : 256;
		struct active_row **grown = realloc(*rows, grown_size * sizeof(*grown));
		if (!grown)
			return -1;
		*rows = grown;
		*size = grown_size;
	}
	(*rows)[(*count)++] = entry;
	return 0;
}

static int wait_push(struct steps_run_state *run, struct active_row *entry, int64_t at_ms)
{
	entry->read_at_ms = at_ms;
	if (rows_append(&run->waiting, &run->waiting_size, &run->waiting_count, entry) < 0)
		return -1;
	size_t index = run->waiting_count - 1;
	while (index > 0) {
		size_t parent = (index - 1) / 2;
		if (run->waiting[parent]->read_at_ms <= at_ms)
			break;
		run->waiting[index] = run->waiting[parent];
		index = parent;
	}
	run->waiting[index] = entry;
	return 0;
}

/* Moves entry down from index to its place in the heap. */
static void wait_sift(struct steps_run_state *run, size_t index, struct active_row *entry)
{
	for (;;) {
		size_t child = 2 * index + 1;
		if (child >= run->waiting_count)
			break;
		if (child + 1 < run->waiting_count &&
		    run->waiting[child + 1]->read_at_ms < run->waiting[child]->read_at_ms)
			child++;
		if (entry->read_at_ms <= run->waiting[child]->read_at_ms)
			break;
		run->waiting[index] = run->waiting[child];
		index = child;
	}
	run->waiting[index] = entry;
}

static struct active_row *wait_pop(struct steps_run_state *run)
{
	struct active_row *top = run->waiting[0];
	struct active_row *last = run->waiting[--run->waiting_count];
	if (run->waiting_count)
		wait_sift(run, 0, last);
	return top;
}

/* ---- checkpoints ---- */

static int commit_audit_first(void *context, struct error *error)
{
	struct steps_run_state *run = context;
	return run->directory.audit ? audit_commit(run->directory.audit, error) : 0;
}

/* journal visitor: rebuilds a step's outcome store from its checkpoint. */
static int restore_outcome(void *context, const struct manifest_position *position,
                           const struct row_outcome *outcome, struct error *error)
{
	struct step_journal *step = context;
	return outcome_store_put(step->store, position->row, outcome, error);
}

/* Reopens the checkpoint of a step an earlier run kept: its outcome store
 * rebuilt, replay says which rows were final or in doubt. */
static int step_journal_resume(struct step_journal *step, const struct journal_options *options,
                               const char *checkpoint, struct error *error)
{
	struct stat status;
	if (stat(checkpoint, &status) == 0)
		step->last_written_ms =
		    (int64_t)status.st_mtim.tv_sec * 1000 + status.st_mtim.tv_nsec / 1000000;
	step->store = outcome_store_open(step->directory, OUTCOME_STORE_TRUNCATE, error);
	if (!step->store)
		return -1;
	struct journal_visitor visitor = {.context = step, .row_outcome = restore_outcome};
	struct journal_header recorded;
	memset(&recorded, 0, sizeof(recorded));
	step->journal =
	    journal_resume(step->directory, options, &visitor, &recorded, &step->replay, error);
	journal_header_release(&recorded);
	return step->journal ? 0 : -1;
}

/* Creates one step's checkpoint and outcome store in directory, or reopens
 * the one an earlier run of the job left there. */
static int step_journal_open(struct steps_run_state *run, struct step_journal *step,
                             const char *directory, const char *operation, struct error *error)
{
	snprintf(step->directory, sizeof(step->directory), "%s", directory);
	if (file_make_directories(directory, error) < 0)
		return -1;
	/* never compacted: a step's checkpoint is read whole on resume, and
	 * its outcome store rebuilt from it */
	struct journal_options options = {.before_commit = commit_audit_first,
	                                  .commit_context = run,
	                                  .segment_bytes = UINT64_MAX / 2};
	char checkpoint[4200];
	snprintf(checkpoint, sizeof(checkpoint), "%s/%s", directory, JOURNAL_FILE_NAME);
	if (run->resuming && access(checkpoint, F_OK) == 0)
		return step_journal_resume(step, &options, checkpoint, error);
	const struct journal_header *job = journal_get_header(run->directory.journal);
	struct journal_header header;
	memset(&header, 0, sizeof(header));
	snprintf(header.operation, sizeof(header.operation), "%s", operation);
	memcpy(header.manifest_path, job->manifest_path, sizeof(header.manifest_path));
	header.fingerprint = job->fingerprint;
	header.options_json = job_options_result_affecting_text(run->options);
	if (!header.options_json)
		return error_set(error, "out of memory");
	step->journal = journal_create(directory, &header, &options, error);
	journal_header_release(&header);
	if (!step->journal)
		return -1;
	step->store = outcome_store_open(directory, OUTCOME_STORE_TRUNCATE, error);
	return step->store ? 0 : -1;
}

static int step_journal_close(struct step_journal *step, struct error *error)
{
	int result = 0;
	if (step->journal && journal_close(step->journal, error) < 0)
		result = -1;
	step->journal = NULL;
	outcome_store_close(step->store);
	step->store = NULL;
	journal_replay_release(&step->replay);
	return result;
}

static int put_outcome(struct step_journal *step, const struct manifest_position *position,
                       const struct row_outcome *outcome, struct error *error)
{
	if (outcome_store_put(step->store, position->row, outcome, error) < 0)
		return -1;
	return journal_row_outcome(step->journal, position, outcome, error);
}

/* The row's final outcome: the job's checkpoint, then its store. */
static int finish_row(struct steps_run_state *run, const struct manifest_position *position,
                      enum row_status status, const char *message, struct error *error)
{
	struct row_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = status;
	outcome.finished_at_ms = clock_wall_ms();
	snprintf(outcome.message, sizeof(outcome.message), "%s", message);
	if (outcome_store_put(run->directory.store, position->row, &outcome, error) < 0 ||
	    journal_row_outcome(run->directory.journal, position, &outcome, error) < 0)
		return -1;
	run->finished[status]++;
	run->finished_this_run++;
	return 0;
}

static void step_message(const struct steps_run_state *run, size_t step, const char *message,
                         char *out, size_t size)
{
	snprintf(out, size, "step %zu (%s): %s", step + 1, run->configs[step].op->name, message);
}

/* ---- moving rows on ---- */

static struct manifest_position position_of(const struct active_row *entry)
{
	return (struct manifest_position){entry->offset, entry->row, entry->line};
}

/* Applies what the flow decided for entry; the row may be freed. */
static int apply_flow(struct steps_run_state *run, struct active_row *entry,
                      const struct flow_action *action, struct error *error)
{
	struct manifest_position position = position_of(entry);
	char message[700];
	if (entry->flow.step != entry->counted_step && entry->flow.step < run->step_count) {
		run->at_step[entry->counted_step]--;
		entry->counted_step = entry->flow.step;
		run->at_step[entry->counted_step]++;
	}
	switch (action->next) {
	case FLOW_SEND:
		enqueue(run, entry, (unsigned)(2 * entry->flow.step));
		return 0;
	case FLOW_READ:
		return wait_push(run, entry, action->at_ms) < 0 ? error_set(error, "out of memory")
		                                                : 0;
	case FLOW_DONE:
		if (entry->invalid_message) {
			/* partial: the steps before the one it is invalid for are done */
			step_message(run, entry->invalid_step, entry->invalid_message, message,
			             sizeof(message));
			if (finish_row(run, &position, ROW_INVALID, message, error) < 0)
				return -1;
		} else if (finish_row(run, &position, ROW_OK, "", error) < 0) {
			return -1;
		}
		break;
	case FLOW_FAILED:
		step_message(run, entry->flow.step, action->message, message, sizeof(message));
		if (finish_row(run, &position, action->status, message, error) < 0)
			return -1;
		break;
	}
	remove_row(run, entry);
	return 0;
}

static void failed_at(struct active_row *entry, size_t step, const struct row_outcome *outcome,
                      struct flow_action *action)
{
	entry->flow.step = step;
	memset(action, 0, sizeof(*action));
	action->next = FLOW_FAILED;
	action->status = outcome->status;
	snprintf(action->message, sizeof(action->message), "%s", outcome->message);
}

/* A row of a resumed job: where the step checkpoints say it is. A step
 * final and a success is passed (with what its verification found); a
 * step not final is where the row goes on — in doubt there, the engine
 * settles it (engine_doubts) rather than send it blindly again; a
 * verification still waiting goes on until the wait it began with ends. */
static int place_resumed(struct steps_run_state *run, struct active_row *entry,
                         struct flow_action *action, struct error *error)
{
	int64_t now = clock_monotonic_ms();
	int64_t wall = clock_wall_ms();
	struct row_outcome outcome;
	for (size_t step = 0; step < entry->flow.last; step++) {
		struct step_journal *sent = &run->steps[step];
		if (journal_replay_row_state(&sent->replay, entry->row) != JOURNAL_ROW_FINAL) {
			flow_resume_at(&entry->flow, step, action);
			return 0;
		}
		if (outcome_store_get(sent->store, entry->row, &outcome, error) < 0)
			return -1;
		if (!row_status_has(outcome.status, ROW_STATUS_SUCCESS)) {
			failed_at(entry, step, &outcome, action);
			return 0;
		}
		int64_t verify_ms = run->configs[step].verify_ms;
		if (!verify_ms)
			continue;
		struct step_journal *read = &run->verified[step];
		if (journal_replay_row_state(&read->replay, entry->row) != JOURNAL_ROW_FINAL) {
			int64_t ended = now - (wall - outcome.finished_at_ms);
			flow_resume_verifying(&entry->flow, step, ended, ended + verify_ms, now,
			                      action);
			return 0;
		}
		if (outcome_store_get(read->store, entry->row, &outcome, error) < 0)
			return -1;
		if (outcome.status != ROW_OK) {
			failed_at(entry, step, &outcome, action);
			return 0;
		}
		free(entry->device_name);
		entry->device_name = outcome.message[0] ? strdup(outcome.message) : NULL;
	}
	flow_resume_at(&entry->flow, entry->flow.last, action);
	return 0;
}

/* A new row from the manifest: judged for every step already. */
static int take_row(struct steps_run_state *run, const struct step_row *row, struct error *error)
{
	size_t count = run->step_count;
	size_t last = row->first_invalid == count ? count
	              : run->options->partial     ? row->first_invalid
	                                          : 0;
	struct manifest_position position = {row->row->offset, row->row->number, row->row->line};
	if (run->resuming &&
	    journal_replay_row_state(&run->directory.replay, position.row) == JOURNAL_ROW_FINAL)
		return 0; /* ended in an earlier run */
	if (row->first_invalid < count &&
	    !(run->resuming && journal_replay_row_state(&run->steps[row->first_invalid].replay,
	                                                position.row) == JOURNAL_ROW_FINAL)) {
		/* the step it is invalid for shows it */
		struct row_outcome invalid;
		memset(&invalid, 0, sizeof(invalid));
		invalid.status = ROW_INVALID;
		invalid.finished_at_ms = clock_wall_ms();
		snprintf(invalid.message, sizeof(invalid.message), "%s", row->message);
		if (put_outcome(&run->steps[row->first_invalid], &position, &invalid, error) < 0)
			return -1;
		run->step_counts[row->first_invalid][ROW_INVALID]++;
	}
	struct live_verdict verdict;
	size_t refused = steps_preflight_unknown_name(&run->preflight, row, last, &verdict);
	if (refused < last) {
		/* a rate plan or user the account lacks: the row ends in that step
		 * with nothing sent for it, as an invalid row does — its earlier
		 * steps would leave the device half provisioned */
		char message[sizeof(((struct row_outcome *)0)->message)];
		snprintf(message, sizeof(message), "not sent: %.480s", verdict.message);
		if (!(run->resuming &&
		      journal_replay_row_state(&run->steps[refused].replay, position.row) ==
		          JOURNAL_ROW_FINAL)) {
			struct row_outcome refusal;
			memset(&refusal, 0, sizeof(refusal));
			refusal.status = ROW_ERROR;
			refusal.finished_at_ms = clock_wall_ms();
			snprintf(refusal.message, sizeof(refusal.message), "%s", message);
			if (put_outcome(&run->steps[refused], &position, &refusal, error) < 0)
				return -1;
			run->step_counts[refused][ROW_ERROR]++;
		}
		char shown[700];
		step_message(run, refused, message, shown, sizeof(shown));
		return finish_row(run, &position, ROW_ERROR, shown, error);
	}
	if (last == 0) {
		char message[700];
		step_message(run, row->first_invalid, row->message, message, sizeof(message));
		return finish_row(run, &position, ROW_INVALID, message, error);
	}
	struct active_row *entry = calloc(1, sizeof(*entry));
	if (!entry)
		return error_set(error, "out of memory");
	entry->row = row->row->number;
	entry->offset = row->row->offset;
	entry->line = row->row->line;
	for (size_t step = 0; step < last; step++) {
		entry->records[step] = record_clone(row->steps[step].record);
		if (!entry->records[step]) {
			free_row(entry);
			return error_set(error, "out of memory");
		}
	}
	if (last < count) {
		entry->invalid_step = last;
		entry->invalid_message = strdup(row->message);
		if (!entry->invalid_message) {
			free_row(entry);
			return error_set(error, "out of memory");
		}
	}
	add_row(run, entry);
	struct flow_action action;
	flow_start(&entry->flow, last, &action);
	if (run->resuming && place_resumed(run, entry, &action, error) < 0)
		return -1;
	return apply_flow(run, entry, &action, error);
}

/* The record entry sends in its queued lane: step k's own, or the read of
 * step k's verification; a device named by ICCID is named by the name a
 * verification found, else by the ICCID with id_type. */
static const struct record *lane_record(struct steps_run_state *run, struct active_row *entry)
{
	size_t step = entry->lane / 2;
	run->scratch = *entry->records[step];
	run->scratch.lane = entry->lane;
	if (entry->lane % 2 == 0 && run->configs[step].device_by_iccid) {
		if (entry->device_name) {
			run->scratch.value[FIELD_DEVICE_NAME] = entry->device_name;
			run->scratch.value[FIELD_ID_TYPE] = NULL;
		} else {
			run->scratch.value[FIELD_ID_TYPE] = "iccid";
		}
	}
	return &run->scratch;
}

/* The request of a round of reads with the job's endpoint, credentials and
 * sending options (the same transport set-up as every other read). */
static void read_request(const struct steps_run_state *run, struct live_take_request *request)
{
	const struct job_options *options = run->options;
	struct read_transport transport;
	api_session_transport(&run->api, options, &transport);
	*request = (struct live_take_request){
	    .transport = transport,
	    .endpoint_shown = run->endpoint,
	    .concurrency = options->concurrency,
	    .rate = options->rate,
	    .max_tries = options->max_retries + 1,
	    .stop = stop_signals_flag(),
	    .verbose = options->verbose,
	    .audit = run->directory.audit,
	};
}

static int read_finished(struct steps_run_state *run, struct active_row *entry, size_t step,
                         const struct row_outcome *outcome, struct error *error);

/* True when a round reading the whole account costs fewer calls than count
 * reads of a row each (unknown before the first round: tried from
 * STEPS_ROUND_ROWS rows on); count is every row waiting, which the round
 * judges too. */
static bool round_pays(const struct steps_run_state *run, size_t count)
{
	if (count < STEPS_ROUND_ROWS)
		return false;
	if (run->account_devices < 0)
		return true;
	return page_read_pages(run->account_devices, run->pages.per_page) * 2 < count;
}

/* Starts a round of reads for the rows in run->round (count): the pages of
 * the account's listing are yielded to the engine's page lane by
 * source_next, and round_end judges the rows once every page is in. */
static int round_start(struct steps_run_state *run, size_t count, int64_t now, struct error *error)
{
	struct steps_round *round = &run->reading;
	round->snapshot = live_snapshot_new();
	if (!round->snapshot)
		return error_set(error, "out of memory");
	live_snapshot_meta(round->snapshot)->scope = LIVE_SCOPE_ACCOUNT;
	run->pages.snapshot = round->snapshot;
	run->pages.last_full = 0;
	round->rows = count;
	round->settled = 0;
	round->running = true;
	round->failed = false;
	round->started_ms = now;
	/* the pages all at once: the account as last seen, and a device more
	 * for each verification begun since (its step may have created one),
	 * or a page per call in flight when its size is not known yet; a full
	 * last page asks for more (page_finished) */
	uint64_t begun = run->verifications_begun - round->begun_before;
	round->begun_before = run->verifications_begun;
	round->pages_wanted =
	    run->account_devices < 0
	        ? run->options->concurrency
	        : page_read_pages(run->account_devices + (int64_t)begun, run->pages.per_page);
	round->pages_yielded = round->pages_answered = 0;
	return 0;
}

/* The verdict on entry's step from the round's pages so far (device not
 * shown: as by a read that found none). Returns whether its device showed. */
static bool round_judge(const struct steps_run_state *run, const struct active_row *entry,
                        struct row_outcome *outcome)
{
	size_t step = entry->flow.step;
	const struct op *op = run->configs[step].op;
	const struct record *record = entry->records[step];
	enum device_field key = DEVICE_NAME;
	const char *value = NULL;
	struct device_view device;
	bool found = op_live_device_key(op, record, &key, &value) == 0 &&
	             live_snapshot_find(run->reading.snapshot, key, value, &device);
	step_read_judge(op, record, found ? &device : NULL, outcome);
	return found;
}

/* The rows of the running round whose device a page has shown and whose
 * verification that settles (verified, or never) move on now, before the
 * last page is in: the later steps start on them while the round goes on. */
static int round_settle_shown(struct steps_run_state *run, struct error *error)
{
	struct steps_round *round = &run->reading;
	size_t index = 0;
	while (index < round->rows) {
		struct active_row *entry = run->round[index];
		struct row_outcome outcome;
		if (!round_judge(run, entry, &outcome) || outcome.status == ROW_UNKNOWN) {
			index++;
			continue;
		}
		run->round[index] = run->round[--round->rows];
		round->settled++;
		if (read_finished(run, entry, entry->flow.step, &outcome, error) < 0)
			return -1;
	}
	return 0;
}

/* Every page of the round is in: each row still in it is judged by its
 * step's verification as by its own read (step_read_judge) when it was
 * due; a row not due yet only when the listing shows its verification over
 * (verified, or never), else it keeps its time: a row whose effect showed
 * before its read was due moves on now instead of after its back-off. When
 * a page could not be read, the rows due go to their step's own reads
 * (which retry, back off and report). Returns 0, or -1 on a fatal error. */
static int round_end(struct steps_run_state *run, struct error *error)
{
	struct steps_round *round = &run->reading;
	int64_t ended = clock_monotonic_ms();
	int result = 0;
	if (!round->failed)
		run->account_devices = (int64_t)live_snapshot_device_count(round->snapshot);
	for (size_t index = 0; index < round->rows; index++) {
		struct active_row *entry = run->round[index];
		bool due = entry->read_at_ms <= ended;
		struct row_outcome outcome;
		outcome.status = ROW_UNKNOWN;
		if (!round->failed) {
			round_judge(run, entry, &outcome);
			round->settled += outcome.status != ROW_UNKNOWN;
		}
		if (result < 0 || (!due && outcome.status == ROW_UNKNOWN)) {
			if (wait_push(run, entry, entry->read_at_ms) < 0)
				result = error_set(error, "out of memory");
		} else if (round->failed) {
			enqueue(run, entry, (unsigned)(2 * entry->flow.step + 1));
		} else if (read_finished(run, entry, entry->flow.step, &outcome, error) < 0) {
			result = -1;
		}
	}
	run->round_gap_ms =
	    flow_round_gap(run->round_gap_ms, ended - round->started_ms, round->settled);
	run->next_reads_ms = ended + run->round_gap_ms;
	run->pages.snapshot = NULL;
	live_snapshot_free(round->snapshot);
	round->snapshot = NULL;
	round->running = false;
	round->rows = 0;
	return result;
}

/* A page of the running round ended with outcome: a full last page asks
 * for the next (the account grew, or its size was not known); the round
 * ends once every page asked for is in. */
static int page_finished(struct steps_run_state *run, const struct record *record,
                         const struct row_outcome *outcome, struct error *error)
{
	struct steps_round *round = &run->reading;
	if (!round->running)
		return 0;
	round->pages_answered++;
	if (run->options->verbose && outcome->status == ROW_OK)
		fprintf(stderr, "  %s\n", outcome->message); /* "page 3: 834 devices" */
	if (outcome->status != ROW_OK) {
		round->failed = true;
		round->pages_wanted = round->pages_yielded; /* no further page */
	} else if (record->row == round->pages_wanted && run->pages.last_full >= record->row) {
		/* more than expected: twice as many at once, not one by one */
		round->pages_wanted *= 2;
	}
	if (round->pages_answered < round->pages_wanted) {
		/* a quarter of the pages more in: the rows they settle go on */
		uint64_t quarter = round->pages_wanted / 4 ? round->pages_wanted / 4 : 1;
		return round->failed || round->pages_answered % quarter
		           ? 0
		           : round_settle_shown(run, error);
	}
	return round_end(run, error);
}

/* The rows whose verification read is due: with every row waiting, in a
 * round of the account's listing where that pays, else each through its
 * step's read lane. */
static int read_due(struct steps_run_state *run, int64_t now, struct error *error)
{
	size_t count = 0;
	while (run->waiting_count && run->waiting[0]->read_at_ms <= now)
		if (rows_append(&run->round, &run->round_size, &count, wait_pop(run)) < 0)
			return error_set(error, "out of memory");
	if (!round_pays(run, count + run->waiting_count)) {
		for (size_t index = 0; index < count; index++)
			enqueue(run, run->round[index],
			        (unsigned)(2 * run->round[index]->flow.step + 1));
		return 0;
	}
	/* the round judges every row waiting, due or not */
	size_t in_round = count;
	for (size_t index = 0; index < run->waiting_count; index++)
		if (rows_append(&run->round, &run->round_size, &in_round, run->waiting[index]) < 0)
			return error_set(error, "out of memory");
	run->waiting_count = 0;
	return round_start(run, in_round, now, error);
}

/* engine_source.next: the pages of a round of reads, rows moving on (they
 * finish work begun), then rows due to be read back, then new rows of the
 * manifest. */
static int source_next(void *context, const struct record **record, struct error *error)
{
	struct steps_run_state *run = context;
	for (;;) {
		int64_t now = clock_monotonic_ms();
		struct steps_round *round = &run->reading;
		if (!round->running && run->waiting_count && run->waiting[0]->read_at_ms <= now &&
		    now >= run->next_reads_ms && read_due(run, now, error) < 0)
			return -1;
		if (round->running && round->pages_yielded < round->pages_wanted) {
			memset(&run->scratch, 0, sizeof(run->scratch));
			run->scratch.row = ++round->pages_yielded;
			run->scratch.lane = page_lane(run);
			*record = &run->scratch;
			return 1;
		}
		struct active_row *entry = dequeue(run);
		if (entry) {
			*record = lane_record(run, entry);
			return 1;
		}
		if (run->manifest_done)
			return run->active ? ENGINE_SOURCE_LATER : 0;
		if (run->active >= STEPS_ACTIVE_ROWS)
			return ENGINE_SOURCE_LATER;
		struct step_row row;
		int got = step_rows_next(run->reader, &row, error);
		if (got < 0)
			return -1;
		if (got == 0) {
			run->manifest_done = true;
			if (journal_row_total(run->directory.journal, run->rows_read, error) < 0)
				return -1;
			continue;
		}
		run->rows_read++;
		if (take_row(run, &row, error) < 0)
			return -1;
	}
}

/* engine_source.settle: a step whose effect the row's device already held
 * before the job is not sent: it ends unchanged (errors.csv fed back
 * through the same job file redoes only what failed). Reads go through. */
static int settle_row(void *context, const struct record *record, const struct record **send,
                      struct row_outcome *outcome, struct error *error)
{
	(void)error;
	struct steps_run_state *run = context;
	*send = record;
	if (!run->baseline || !sends_step(run, record->lane))
		return ENGINE_ROW_SEND;
	const struct op *op = run->configs[record->lane / 2].op;
	enum device_field key = DEVICE_NAME;
	const char *value = NULL;
	struct device_view device;
	if (!op->live.compare || op_live_device_key(op, record, &key, &value) < 0 ||
	    !live_snapshot_find(run->baseline, key, value, &device))
		return ENGINE_ROW_SEND;
	struct live_comparison comparison;
	struct strbuf message;
	strbuf_init(&message, 1024);
	op_live_compare(op, record, &device, &comparison, &message);
	strbuf_release(&message);
	if (comparison.match != LIVE_IN_PLACE)
		return ENGINE_ROW_SEND;
	outcome->status = ROW_UNCHANGED;
	snprintf(outcome->message, sizeof(outcome->message), "already %s before the job",
	         comparison.current && *comparison.current ? comparison.current : "in place");
	return ENGINE_ROW_SETTLED;
}

/* Reads the account before a new job sends anything, before its directory
 * exists (a refusal leaves nothing behind): the devices its rows name for
 * the steps whose effect can be read, and the rate plans and users when a
 * step names them. Returns an exit_code. */
static int read_baseline(struct steps_run_state *run, const struct pipeline_config *pipelines,
                         struct error *error)
{
	struct live_take_request request;
	read_request(run, &request);
	request.audit = NULL; /* no job yet */
	/* the rows' steps as the preflight judges them (the baseline is not read yet) */
	steps_preflight_init(&run->preflight, run->configs, run->step_count, run->options->partial,
	                     NULL);
	size_t identifiers = 0;
	int exit_code = steps_preflight_read_account(&run->preflight, pipelines, &request,
	                                             &run->baseline, &identifiers, error);
	if (exit_code == EXIT_ALL_OK && !run->options->quiet)
		fprintf(stderr,
		        "lattigo-batch: the account was read before the job: %zu identifiers "
		        "named by the rows\n",
		        identifiers);
	return exit_code;
}
/* The baseline in OUT/steps/baseline before the first write: a new job's
 * (read by read_baseline) is stored, a resume loads the first run's. A job
 * that sent rows before any baseline was kept has none: a read now would
 * not show the state before the job. Returns 0 or -1. */
static int keep_baseline(struct steps_run_state *run, struct error *error)
{
	char directory[4200];
	snprintf(directory, sizeof(directory), "%s/%s/baseline", run->options->out,
	         STEPS_DIRECTORY);
	if (run->baseline) {
		/* how many pages the first round of verification reads asks for */
		run->account_devices = live_snapshot_info(run->baseline)->account_devices;
		return live_snapshot_store(run->baseline, directory, error);
	}
	if (run->options->no_preflight)
		return 0;
	int loaded = live_snapshot_load(directory, &run->baseline, error);
	if (loaded < 0)
		return -1;
	if (run->baseline) /* how many pages the first round of verification reads asks for */
		run->account_devices = live_snapshot_info(run->baseline)->account_devices;
	if (loaded == 1 && !run->options->quiet)
		fprintf(stderr, "lattigo-batch: preflight: none (the job sent rows before any "
		                "baseline was kept)\n");
	else if (!run->options->quiet)
		fprintf(stderr, "lattigo-batch: the account as read before the job\n");
	return 0;
}

/* engine_doubts.in_doubt: an earlier run recorded a call of this step
 * carrying the row, and no outcome. */
static bool row_in_doubt(void *context, const struct record *record)
{
	const struct steps_run_state *run = context;
	return run->resuming && sends_step(run, record->lane) &&
	       journal_replay_row_state(&run->steps[record->lane / 2].replay, record->row) ==
	           JOURNAL_ROW_IN_DOUBT;
}

/* engine_source.lane_open: rows may still come into lane while the manifest
 * is being read, rows are queued for it, or (a step's lane) rows are still
 * at an earlier step; reads are one row a call and never linger. */
static bool source_lane_open(void *context, unsigned lane)
{
	const struct steps_run_state *run = context;
	if (!run->manifest_done || run->queued[lane] || !sends_step(run, lane))
		return true;
	for (size_t step = 0; step < lane / 2; step++)
		if (run->at_step[step])
			return true;
	return false;
}

static int64_t source_wake_at(void *context)
{
	const struct steps_run_state *run = context;
	/* a round's pages, as they finish, ask for the source again */
	if (!run->waiting_count || run->reading.running)
		return INT64_MAX;
	int64_t at = run->waiting[0]->read_at_ms;
	return at > run->next_reads_ms ? at : run->next_reads_ms;
}

/* ---- the engine's sink ---- */

static int sink_call_starting(void *context, uint64_t call_id, const struct record *const *records,
                              size_t count, unsigned attempt)
{
	struct steps_run_state *run = context;
	unsigned lane = count ? records[0]->lane : 0;
	if (!sends_step(run, lane))
		return 0; /* a read changes nothing */
	size_t step = lane / 2;
	struct error error;
	error_clear(&error);
	/* a non-idempotent call is on disk before it goes out */
	bool durable = (run->configs[step].op->flags & OP_NON_IDEMPOTENT) != 0;
	if (journal_call_started(run->steps[step].journal, call_id, attempt, records, count,
	                         durable, &error) < 0)
		return report_error(&error, -1);
	return 0;
}

static int row_finished(struct steps_run_state *run, const struct record *record,
                        const struct row_outcome *outcome, struct error *error)
{
	if (record->lane == page_lane(run))
		return page_finished(run, record, outcome, error);
	struct active_row *entry = find_row(run, record->row);
	if (!entry)
		return error_set(error, "row %" PRIu64 " finished a step it was not at",
		                 record->row);
	size_t step = record->lane / 2;
	struct manifest_position position = position_of(entry);
	struct flow_action action;
	int64_t now = clock_monotonic_ms();
	if (record->lane % 2 == 0) {
		if (put_outcome(&run->steps[step], &position, outcome, error) < 0)
			return -1;
		run->step_counts[step][outcome->status]++;
		flow_step_finished(&entry->flow, run->flow, outcome, now, &action);
		run->verifications_begun += action.next == FLOW_READ;
		return apply_flow(run, entry, &action, error);
	}
	return read_finished(run, entry, step, outcome, error);
}

/* A verification read of entry's step ended with outcome (through the
 * engine's lane, or a read round). */
static int read_finished(struct steps_run_state *run, struct active_row *entry, size_t step,
                         const struct row_outcome *outcome, struct error *error)
{
	struct manifest_position position = position_of(entry);
	struct flow_action action;
	flow_read_finished(&entry->flow, run->flow, outcome, clock_monotonic_ms(), &action);
	if (action.next != FLOW_READ) {
		/* verified (its device's name is what later steps send), or never */
		struct row_outcome read = *outcome;
		if (action.next == FLOW_FAILED) {
			read.status = action.status;
			snprintf(read.message, sizeof(read.message), "%s", action.message);
		} else {
			snprintf(read.message, sizeof(read.message), "%s", outcome->device_name);
			free(entry->device_name);
			entry->device_name =
			    outcome->device_name[0] ? strdup(outcome->device_name) : NULL;
		}
		if (put_outcome(&run->verified[step], &position, &read, error) < 0)
			return -1;
		if (action.next == FLOW_FAILED) {
			/* the step counts as failed: its effect never showed */
			enum row_status was =
			    run->step_counts[step][ROW_OK] ? ROW_OK : ROW_UNCHANGED;
			run->step_counts[step][was]--;
			run->step_counts[step][action.status]++;
		}
	}
	return apply_flow(run, entry, &action, error);
}

static int sink_row_finished(void *context, const struct record *record,
                             const struct row_outcome *outcome)
{
	struct steps_run_state *run = context;
	struct error error;
	error_clear(&error);
	if (row_finished(run, record, outcome, &error) < 0)
		return report_error(&error, -1);
	return 0;
}

static int sink_exchange_finished(void *context, const struct exchange *exchange)
{
	struct steps_run_state *run = context;
	struct error error;
	error_clear(&error);
	if (run->options->verbose) {
		const char *url =
		    exchange->url && exchange->url[0] ? exchange->url : exchange->path;
		/* a call that carried no manifest row is a page of a round of
		 * reads: what it held is said once it is read (page_finished) */
		if (exchange->row_count)
			fprintf(stderr, "%s %s -> %ld (%zu rows, attempt %u)\n", exchange->method,
			        url, exchange->http_status, exchange->row_count, exchange->attempt);
		else
			fprintf(stderr, "%s %s -> %ld (a page of the listing, attempt %u)\n",
			        exchange->method, url, exchange->http_status, exchange->attempt);
	}
	if (audit_record_exchange(run->directory.audit, exchange, &error) < 0)
		return report_error(&error, -1);
	return 0;
}

static void print_progress(struct steps_run_state *run, bool final)
{
	if (run->options->quiet)
		return;
	bool in_place = isatty(STDERR_FILENO) && !final;
	if (in_place)
		fputs("\r\033[K", stderr);
	else if (run->progress_shown && isatty(STDERR_FILENO))
		fputs("\r\033[K", stderr);
	fprintf(stderr, "steps: %" PRIu64 " rows read, %zu in flight", run->rows_read, run->active);
	for (size_t step = 0; step < run->step_count; step++)
		fprintf(stderr, "; %s %" PRIu64 " ok", run->configs[step].op->name,
		        run->step_counts[step][ROW_OK] + run->step_counts[step][ROW_UNCHANGED]);
	fputs(in_place ? "" : "\n", stderr);
	run->progress_shown = in_place;
}

static void sink_progress(void *context, const struct engine_stats *stats)
{
	(void)stats;
	struct steps_run_state *run = context;
	struct error error;
	error_clear(&error);
	int failed = journal_commit_if_due(run->directory.journal, &error);
	for (size_t step = 0; step < run->step_count && !failed; step++) {
		failed = journal_commit_if_due(run->steps[step].journal, &error);
		if (!failed && run->verified[step].journal)
			failed = journal_commit_if_due(run->verified[step].journal, &error);
	}
	if (failed)
		report_error(&error, -1);
	int64_t now = clock_monotonic_ms();
	if (now >= run->next_progress_ms && isatty(STDERR_FILENO)) {
		run->next_progress_ms = now + STEPS_PROGRESS_MS;
		print_progress(run, false);
	}
}

/* ---- setting up ---- */

/* A resumed job's per-step counts start from what its steps recorded. */
static void count_earlier_outcomes(struct steps_run_state *run)
{
	for (size_t step = 0; run->resuming && step < run->step_count; step++)
		for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
			run->step_counts[step][status] =
			    outcome_store_count(run->steps[step].store, (enum row_status)status);
}

/* The lanes (page_lane): each step's, its verification's, the pages'. */
static int build_lanes(struct steps_run_state *run, struct error *error)
{
	page_read_init(&run->pages, READ_MAX_PER_PAGE);
	run->lanes[page_lane(run)] = (struct engine_lane){&run->pages.op, 1, 0, 0};
	for (size_t step = 0; step < run->step_count; step++) {
		const struct step_config *config = &run->configs[step];
		const struct job_step *spec = &run->options->steps[step];
		if (config->verify_ms && !verify_op_readable(config->op))
			return error_set(
			    error,
			    "step %zu (%s): \"verify\" needs an operation whose effect "
			    "the API lets us read back",
			    step + 1, config->op->name);
		step_read_init(&run->reads[step], config->op);
		run->lanes[2 * step] =
		    (struct engine_lane){config->op, config->chunk, config->concurrency,
		                         spec->rate > 0 ? spec->rate : 0};
		run->lanes[2 * step + 1] = (struct engine_lane){&run->reads[step].op, 1, 0, 0};
		run->flow[step].verify_ms = config->verify_ms;
		snprintf(run->labels[step], sizeof(run->labels[step]), "%zu-%s", step + 1,
		         config->op->name);
		snprintf(run->columns[step], sizeof(run->columns[step]), "%s", config->op->name);
		for (char *at = run->columns[step]; *at; at++)
			if (*at == '-')
				*at = '_';
	}
	return 0;
}

static int open_step_journals(struct steps_run_state *run, struct error *error)
{
	char directory[4096];
	for (size_t step = 0; step < run->step_count; step++) {
		const char *name = run->configs[step].op->name;
		if (snprintf(directory, sizeof(directory), "%s/%s/%s", run->options->out,
		             STEPS_DIRECTORY, run->labels[step]) >= (int)sizeof(directory))
			return error_set(error, "job directory path too long");
		if (step_journal_open(run, &run->steps[step], directory, name, error) < 0)
			return -1;
		if (!run->configs[step].verify_ms)
			continue;
		if (snprintf(directory, sizeof(directory), "%s/%s/%s/verify", run->options->out,
		             STEPS_DIRECTORY, run->labels[step]) >= (int)sizeof(directory))
			return error_set(error, "job directory path too long");
		if (step_journal_open(run, &run->verified[step], directory, "verify", error) < 0)
			return -1;
	}
	return 0;
}

static void fill_engine_config(const struct steps_run_state *run, struct engine_config *config)
{
	api_session_engine_config(&run->api, run->options, config);
	config->lanes = run->lanes;
	config->lane_count = page_lane(run) + 1u;
}

/* What the summary says about each step: its outcomes, its verification
 * and its undo file (or why it has none). */
static void describe_steps(const struct steps_run_state *run, struct summary_step *steps)
{
	for (size_t step = 0; step < run->step_count; step++) {
		const struct op *op = run->configs[step].op;
		const struct preflight_tally *tally = &run->preflight.steps[step].tally;
		struct summary_step *shown = &steps[step];
		memset(shown, 0, sizeof(*shown));
		shown->label = run->labels[step];
		shown->op = op->name;
		for (size_t status = 0; status < ROW_STATUS_COUNT; status++)
			shown->counts[status] =
			    outcome_store_count(run->steps[step].store, (enum row_status)status);
		const struct outcome_store *read = run->verified[step].store;
		shown->verifies = read != NULL;
		for (size_t status = 1; read && status < ROW_STATUS_COUNT; status++) {
			uint64_t rows = outcome_store_count(read, (enum row_status)status);
			if (status == ROW_OK)
				shown->verified = rows;
			else
				shown->not_verified += rows;
		}
		if (!(op->live.flags & OP_LIVE_UNDO))
			shown->no_undo =
			    "this operation sets nothing the API lets us read back, so "
			    "no undo exists";
		else if (!run->baseline)
			shown->no_undo = "the account was not read before the job (--no-preflight, "
			                 "or a job that sent rows before it kept a baseline)";
		else if (tally->undo_written) {
			shown->undo_file = run->undo_names[step];
			shown->undo_rows = tally->undo_lines;
			shown->undo_missing = tally->undo_unrestorable;
		}
	}
}

/* results.csv, errors.csv, summary.json and report.html; returns the exit
 * status. */
static int finish_outputs(struct steps_run_state *run, const struct engine_stats *stats,
                          bool complete, struct error *error)
{
	const struct job_options *options = run->options;
	struct manifest_options manifest_options = {options->format, options->delimiter,
	                                            options->sheet};
	struct steps_outputs_job job = {
	    .directory = options->out,
	    .manifest_path = run->directory.manifest_path,
	    .manifest_options = &manifest_options,
	    .first_op = run->configs[0].op,
	    .maps = run->configs[0].maps,
	    .map_count = run->configs[0].map_count,
	    .sets = run->configs[0].sets,
	    .set_count = run->configs[0].set_count,
	    .step_count = run->step_count,
	    .job = run->directory.store,
	};
	for (size_t step = 0; step < run->step_count; step++) {
		job.columns[step] = run->columns[step];
		job.labels[step] = run->labels[step];
		job.steps[step] = run->steps[step].store;
		job.reads[step] = run->verified[step].store;
	}
	struct steps_outputs_report report;
	if (steps_outputs_write(&job, &report, error) < 0)
		return -1;
	struct summary_step steps[STEP_ROWS_MAX];
	describe_steps(run, steps);
	struct job_summary summary;
	memset(&summary, 0, sizeof(summary));
	summary.op = steps_job_op.name;
	summary.manifest = options->manifest;
	summary.directory = options->out;
	summary.endpoint = run->endpoint;
	job_runs_summary(&run->runs, run->directory.audit, run->finished_this_run,
	                 stats->elapsed_ms, &summary);
	summary.started_at_ms = journal_get_header(run->directory.journal)->created_at_ms;
	summary.finished_at_ms = clock_wall_ms();
	summary.wall_ms = stats->elapsed_ms;
	summary.interrupted = !complete;
	summary.steps = steps;
	summary.step_count = run->step_count;
	job_summary_count(&summary, run->directory.store, report.rows_total);
	summary.exit_status = job_summary_exit_status(&summary);
	/* the checkpoint first: summary.json never claims more than it holds */
	if (journal_commit(run->directory.journal, error) < 0 ||
	    job_runs_end(&run->runs, summary.finished_at_ms, summary.exit_status, error) < 0 ||
	    job_summary_write(&summary, error) < 0)
		return -1;
	/* a failure costs the page, not the job's outcome */
	struct error page_error;
	error_clear(&page_error);
	if (report_write(options->out, NULL, &page_error) < 0)
		report_error(&page_error, 0);
	print_progress(run, true);
	if (!options->quiet) {
		for (size_t step = 0; step < run->step_count; step++) {
			fprintf(stderr, "step %zu (%s):", step + 1, run->configs[step].op->name);
			for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
				if (run->step_counts[step][status])
					fprintf(stderr, " %" PRIu64 " %s",
					        run->step_counts[step][status],
					        row_status_name((enum row_status)status));
			fputc('\n', stderr);
		}
		fprintf(stderr, "rows: %" PRIu64 ", through every step %" PRIu64, report.rows_total,
		        summary.counts[ROW_OK]);
		for (size_t status = ROW_ERROR; status < ROW_STATUS_COUNT; status++)
			if (summary.counts[status])
				fprintf(stderr, ", %s %" PRIu64,
				        row_status_name((enum row_status)status),
				        summary.counts[status]);
		fprintf(stderr, "; %" PRIu64 " calls\n", summary.calls);
		char out[4096];
		path_display(options->out, out, sizeof(out));
		fprintf(stderr, "results: %s/results.csv", out);
		if (report.error_rows)
			fprintf(stderr, ", errors: %s/errors.csv (%" PRIu64 " rows)", out,
			        report.error_rows);
		fputc('\n', stderr);
		progress_print_undo(stderr, &summary);
	}
	return summary.exit_status;
}

static int run_engine(struct steps_run_state *run, struct error *error)
{
	struct engine_config config;
	fill_engine_config(run, &config);
	struct engine_source source = {run, source_next, run->baseline ? settle_row : NULL,
	                               source_wake_at, source_lane_open};
	struct engine_sink sink = {run, sink_call_starting, sink_row_finished,
	                           sink_exchange_finished, sink_progress};
	struct engine_stats stats;
	memset(&stats, 0, sizeof(stats));
	if (job_runs_begin(&run->runs, &run->directory, run->options->out, clock_wall_ms(), error) <
	    0)
		return -1;
	/* A call in flight when the last run died may still be at work in the
	 * service: rows in doubt are read back only once it has surely landed. */
	int64_t last_written = run->directory.last_written_ms;
	for (size_t step = 0; step < run->step_count; step++)
		if (run->steps[step].last_written_ms > last_written)
			last_written = run->steps[step].last_written_ms;
	int64_t wait_ms = last_written + STEPS_IN_DOUBT_SETTLE_MS - clock_wall_ms();
	struct engine_doubts doubts = {run, row_in_doubt,
	                               clock_monotonic_ms() + (wait_ms > 0 ? wait_ms : 0),
	                               journal_get_header(run->directory.journal)->created_at_ms};
	int engine_result = engine_run_resuming(&config, &source, &doubts, &sink, &stats, error);
	bool complete = engine_result == 0 && run->manifest_done && run->active == 0;
	struct error commit_error;
	error_clear(&commit_error);
	if (complete && journal_job_finished(run->directory.journal, &commit_error) < 0)
		complete = false;
	if (commit_error.set)
		report_error(&commit_error, 0);
	if (engine_result < 0) {
		if (run->progress_shown)
			fputs("\n", stderr);
		run->progress_shown = false;
		report_error(error, 0);
		error_clear(error);
	}
	if (stop_signals_received() && !run->options->quiet)
		fputs("lattigo-batch: stopped by a signal\n", stderr);
	int exit_code = finish_outputs(run, &stats, complete, error);
	if (exit_code < 0) {
		report_error(error, 0);
		error_clear(error);
		return EXIT_INTERRUPTED;
	}
	return exit_code;
}

/* Checks what can be checked before anything is started or written. */
static int check_job(struct steps_run_state *run, struct error *error)
{
	const struct job_options *options = run->options;
	if (options->step_count > STEP_ROWS_MAX)
		return error_set(error, "more than %d steps", STEP_ROWS_MAX);
	if (step_configs_build(options, &run->configs, error) < 0)
		return -1;
	run->step_count = options->step_count;
	if (build_lanes(run, error) < 0)
		return -1;
	struct pipeline_config pipelines[STEP_ROWS_MAX];
	for (size_t step = 0; step < run->step_count; step++)
		pipelines[step] = run->configs[step].pipeline;
	/* a manifest that cannot be read or bound to a step is a usage error */
	struct step_rows *probe = step_rows_open(pipelines, run->step_count, NULL, error);
	if (!probe)
		return -1;
	step_rows_close(probe);
	return 0;
}

/* steps_settled_fn: a resumed row's step already has its final outcome. */
static bool step_settled(void *context, size_t step, uint64_t row)
{
	const struct steps_run_state *run = context;
	return run->resuming &&
	       (journal_replay_row_state(&run->directory.replay, row) == JOURNAL_ROW_FINAL ||
	        journal_replay_row_state(&run->steps[step].replay, row) == JOURNAL_ROW_FINAL);
}

/* Judges every row for every step against the baseline (without one, only
 * counts the rows each step would send); with undo, writes the undo files
 * into OUT first. Refuses (exit 2) a job whose every row of some step names
 * a rate plan or user the account lacks. Returns an exit_code. */
static int judge_rows(struct steps_run_state *run, const struct pipeline_config *pipelines,
                      bool undo, struct error *error)
{
	steps_preflight_release(&run->preflight);
	steps_preflight_init(&run->preflight, run->configs, run->step_count, run->options->partial,
	                     run->baseline);
	for (size_t step = 0; step < run->step_count; step++)
		steps_undo_file_name(step, run->configs[step].op, run->undo_names[step],
		                     sizeof(run->undo_names[step]));
	if (steps_preflight_classify(&run->preflight, pipelines, step_settled, run,
	                             undo && run->baseline ? run->options->out : NULL, NULL, NULL,
	                             error) < 0)
		return undo ? EXIT_INTERRUPTED : EXIT_USAGE;
	return steps_preflight_refuses(&run->preflight, error) ? EXIT_USAGE : EXIT_ALL_OK;
}

/* The typed confirmation of each step whose operation costs money or cannot
 * be recalled, exactly as for a one-operation job: the rows it would send
 * and what they would cost; --yes or --endpoint sim need none. Returns 0 or
 * EXIT_USAGE with error. */
static int confirm_steps(struct steps_run_state *run, struct error *error)
{
	for (size_t step = 0; step < run->step_count; step++) {
		const struct op *op = run->configs[step].op;
		const struct confirm_cost *cost = &run->preflight.steps[step].tally.cost;
		if (!confirm_needed(op, run->options) || cost->rows == 0)
			continue;
		if (!confirm_can_ask(run->options)) {
			confirm_refuse(op, error);
			return EXIT_USAGE;
		}
		if (confirm_ask(stdin, stderr, op, cost, error) < 0)
			return EXIT_USAGE;
	}
	return EXIT_ALL_OK;
}

int steps_run(const struct job_options *options)
{
	struct steps_run_state run;
	struct error error;
	int exit_code = EXIT_USAGE;
	memset(&run, 0, sizeof(run));
	error_clear(&error);
	run.options = options;
	run.error = &error;
	api_session_init(&run.api);
	job_directory_init(&run.directory);
	run.account_devices = -1;
	run.bucket_count = 1u << 16;
	run.buckets = calloc(run.bucket_count, sizeof(*run.buckets));
	if (!run.buckets) {
		error_set(&error, "out of memory");
		goto out;
	}
	if (check_job(&run, &error) < 0)
		goto out;
	if ((exit_code = api_session_start(&run.api, options, options->quiet, &error)) !=
	    EXIT_ALL_OK)
		goto out;
	run.endpoint = run.api.api_root;
	struct pipeline_config pipelines[STEP_ROWS_MAX];
	for (size_t step = 0; step < run.step_count; step++)
		pipelines[step] = run.configs[step].pipeline;
	/* a new job: one read proves the credentials, the account is read and
	 * every row judged, the costly steps confirmed — all before its
	 * directory exists, so a refusal leaves nothing behind */
	if (!job_directory_holds_job(options->out)) {
		if ((exit_code = api_session_check(&run.api, options, &error)) != EXIT_ALL_OK ||
		    (!options->no_preflight &&
		     (exit_code = read_baseline(&run, pipelines, &error)) != EXIT_ALL_OK) ||
		    (exit_code = judge_rows(&run, pipelines, false, &error)) != EXIT_ALL_OK ||
		    (exit_code = confirm_steps(&run, &error)) != EXIT_ALL_OK)
			goto out;
	}
	/* the checks above read a manifest on stdin; the job directory keeps a
	 * copy of it (or, resuming, compares it with the copy), read from its start */
	exit_code = EXIT_USAGE;
	if (options->manifest && strcmp(options->manifest, "-") == 0 &&
	    manifest_rewind_stdin(&error) < 0)
		goto out;
	struct audit_secrets secrets = {run.api.credentials.key_name, run.api.credentials.api_key};
	exit_code = job_directory_open(&run.directory, options, &steps_job_op, &secrets, &error);
	if (exit_code != EXIT_ALL_OK)
		goto out;
	exit_code = EXIT_INTERRUPTED;
	run.resuming = run.directory.resuming;
	if (open_step_journals(&run, &error) < 0) {
		exit_code = run.resuming ? EXIT_RESUME_REFUSED : EXIT_INTERRUPTED;
		goto out;
	}
	count_earlier_outcomes(&run);
	if (!options->quiet) {
		fprintf(stderr, "lattigo-batch: %zu steps to %s: %s:", run.step_count, run.endpoint,
		        !run.resuming                       ? "new job"
		        : run.directory.replay.job_finished ? "already complete"
		                                            : "resuming");
		for (size_t step = 0; step < run.step_count; step++)
			fprintf(stderr, "%s %s", step ? " >" : "", run.labels[step]);
		fputc('\n', stderr);
	}
	if ((exit_code = job_directory_finished_status(&run.directory, options->out,
	                                               steps_job_op.name)) >= 0)
		goto out;
	exit_code = EXIT_INTERRUPTED;
	for (size_t step = 0; step < run.step_count; step++)
		pipelines[step].manifest = run.directory.manifest_path;
	/* before the first write: the baseline kept, the undo files complete
	 * (a resume writes them again from the same baseline: the same content) */
	if (keep_baseline(&run, &error) < 0)
		goto out;
	exit_code = judge_rows(&run, pipelines, true, &error);
	if (exit_code != EXIT_ALL_OK ||
	    (run.resuming && (exit_code = confirm_steps(&run, &error)) != EXIT_ALL_OK))
		goto out;
	exit_code = EXIT_INTERRUPTED;
	run.reader =
	    step_rows_open(pipelines, run.step_count, options->quiet ? NULL : stderr, &error);
	if (!run.reader)
		goto out;
	if (stop_signals_install(&run.signals) < 0) {
		error_set(&error, "cannot install signal handlers: %s", strerror(errno));
		goto out;
	}
	exit_code = run_engine(&run, &error);
	stop_signals_restore(&run.signals);
out:
	if (error.set)
		report_error(&error, 0);
	step_rows_close(run.reader);
	struct error close_error;
	error_clear(&close_error);
	bool close_failed = false;
	for (size_t step = 0; step < STEP_ROWS_MAX; step++) {
		close_failed |= step_journal_close(&run.steps[step], &close_error) < 0;
		close_failed |= step_journal_close(&run.verified[step], &close_error) < 0;
	}
	close_failed |= job_directory_close(&run.directory, &close_error) < 0;
	if (close_failed) {
		report_error(&close_error, 0);
		if (exit_code == EXIT_ALL_OK || exit_code == EXIT_SOME_FAILED)
			exit_code = EXIT_INTERRUPTED;
	}
	/* every row still in flight is in the table, queued or waiting or not */
	for (size_t bucket = 0; run.buckets && bucket < run.bucket_count; bucket++)
		while (run.buckets[bucket]) {
			struct active_row *entry = run.buckets[bucket];
			run.buckets[bucket] = entry->chained;
			free_row(entry);
		}
	free(run.waiting);
	free(run.round);
	steps_preflight_release(&run.preflight);
	live_snapshot_free(run.reading.snapshot);
	live_snapshot_free(run.baseline);
	free(run.buckets);
	step_configs_free(run.configs, run.step_count);
	job_runs_release(&run.runs);
	api_session_close(&run.api);
	return exit_code;
}
