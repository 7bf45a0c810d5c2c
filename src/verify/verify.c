/* The verification loop (verify.h): rounds of reads (live_snapshot_take,
 * bounded), paced by the polling schedule. The first round passes over the
 * job's rows streamed from the manifest (targets.h); it and every later one
 * write the rows still pending to disk (pending.h), which is all a later
 * round walks, and the judgements they make to a layer of their own
 * (judgements.h); a last pass over the manifest writes verify.csv. */
#include "verify/verify.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/duration.h"
#include "live/judge.h"
#include "live/snapshot.h"
#include "live/take.h"
#include "verify/judgements.h"
#include "verify/pending.h"
#include "verify/schedule.h"
#include "verify/targets.h"
#include "verify/verdict.h"

/* How often a pause between rounds looks at the stop flag and the display. */
#define VERIFY_TICK_MS 200

struct verify_state {
	const struct verify_config *config;
	struct verify_targets targets;
	struct verify_judgements judgements; /* each row's last judgement, on disk */
	struct verify_pending pending;       /* the rows still pending, on disk */
	struct verify_judgement judgement;   /* scratch of one row's */
	struct verify_figures *figures;
	struct verify_schedule schedule;
	struct error *error;
	/* the pass under way */
	struct live_wanted *wanted;
	struct live_judge *judge;
	struct verify_csv csv;
	bool loaded;      /* the rows are read: a stop now ends a round */
	bool interrupted; /* the final pass: stopped, no verdict changes */
	int64_t now_ms;   /* the final pass: UTC epoch ms for the grace rule */
};

/* Whether a round reads row's device: a row read back, pending, naming one
 * (by *key and *value, borrowing record). */
static bool reads(const struct verify_state *state, const struct record *record,
                  enum device_field *key, const char **value)
{
	return verify_target_is(&state->targets, record->row) &&
	       verify_target_verdict(&state->targets, record->row) == VERIFY_PENDING &&
	       op_live_device_key(state->targets.op, record, key, value) == 0;
}

static bool judge_wants(void *context, const struct record *record)
{
	enum device_field key;
	const char *value;
	return reads(context, record, &key, &value);
}

/* Judges record against device (NULL: none found) and keeps the verdict;
 * *texts (borrowing state and last) is what verify.csv shows, written to
 * the pass's new file when it rewrites. last is the row's kept judgement
 * (NULL: none). Returns 0, or -1 with error. */
static int judge(struct verify_state *state, const struct record *record,
                 const struct device_view *device, bool wait_over, const char *absence,
                 const struct verify_texts *last, struct verify_texts *texts)
{
	struct verify_judgement *judgement = &state->judgement;
	verify_judge(state->targets.op, record, device, wait_over, judgement);
	if (!device && absence && judgement->verdict == VERIFY_MISSING) {
		strbuf_reset(&judgement->observed);
		strbuf_append_string(&judgement->observed, absence);
	}
	verify_target_set(&state->targets, record->row, judgement->verdict, device != NULL);
	*texts = (struct verify_texts){strbuf_text(&judgement->device_name),
	                               strbuf_text(&judgement->expected),
	                               strbuf_text(&judgement->observed)};
	/* a device found once keeps its name when a later read fails to find it */
	if (!judgement->device_name.length && last && last->device_name)
		texts->device_name = last->device_name;
	return state->judgements.written
	           ? verify_judgements_put(&state->judgements, record->row, texts, state->error)
	           : 0;
}

/* A round's first pass: the identifier of every row it reads. */
static int want_row(void *context, const struct record *record, struct error *error)
{
	struct verify_state *state = context;
	enum device_field key;
	const char *value;
	/* a pass over millions of rows is seconds: a stop is not kept waiting
	 * (the round ends before its reads, error left empty: a signal) */
	if (state->loaded && state->config->stop && *state->config->stop)
		return -1;
	if (!reads(state, record, &key, &value))
		return 0;
	/* the job's row, so verify-audit.jsonl.gz shows each read under it */
	if (live_wanted_add(state->wanted, key, value, record_shown_row(record)) < 0)
		return error_set(error, "out of memory");
	return 0;
}

static int want_pending_row(void *context, const struct record *record,
                            const char *last_device_name, struct error *error)
{
	(void)last_device_name;
	return want_row(context, record, error);
}

/* A round's second pass: every pending row judged against what was read
 * (last_device_name: what its last judgement showed, NULL: none), kept
 * among the pending rows when it still is. */
static int judge_pending_row(void *context, const struct record *record,
                             const char *last_device_name, struct error *error)
{
	struct verify_state *state = context;
	struct verify_texts last = {last_device_name, NULL, NULL}, texts;
	enum device_field key;
	const char *value;
	int judged;
	if (!reads(state, record, &key, &value)) {
		/* validation refuses such rows; never leave one pending forever */
		judged = judge(state, record, NULL, true, "the row names no device", &last, &texts);
	} else {
		struct device_view device;
		bool found = false;
		if (live_judge_device(state->judge, record, &found, &device, error) < 0)
			return -1;
		judged = judge(state, record, found ? &device : NULL, false, NULL, &last, &texts);
	}
	if (judged < 0)
		return -1;
	if (verify_target_verdict(&state->targets, record->row) != VERIFY_PENDING)
		return 0;
	return verify_pending_put(&state->pending, record, texts.device_name, error);
}

/* The first round's second pass, over the manifest: no judgement yet. */
static int judge_row(void *context, const struct record *record, struct error *error)
{
	return judge_pending_row(context, record, NULL, error);
}

/* One round: reads the devices of every pending row (live_snapshot_take:
 * the whole account or one read per device, whichever needs fewer calls;
 * beyond the memory budget the devices go to disk and the rows meet them
 * partition by partition, live/judge.h) and judges each row again. Returns
 * 0, or the take's exit status (2: the credentials were refused, 3: the API
 * could not be read, a stop, or the pass failed). */
static int read_round(struct verify_state *state)
{
	const struct verify_config *config = state->config;
	struct live_snapshot *snapshot = NULL;
	int code = 3;
	/* the first round's identifiers came with the rows (verify_run) */
	if (!state->wanted) {
		state->wanted = live_wanted_new();
		if (!state->wanted) {
			error_set(state->error, "out of memory");
			goto out;
		}
		if ((verify_pending_known(&state->pending)
		         ? verify_pending_each(&state->pending, want_pending_row, state,
		                               state->error)
		         : verify_targets_each(&state->targets, want_row, state, state->error)) < 0)
			goto out;
	}
	if (live_wanted_count(state->wanted)) {
		struct live_take_request request = {
		    .transport = config->transport,
		    .concurrency = config->concurrency,
		    .rate = config->rate,
		    .max_tries = config->max_tries,
		    .stop = config->stop,
		    .verbose = config->verbose,
		    .audit = config->audit,
		    .bounded = true,
		};
		code = live_snapshot_take(&request, state->wanted, &snapshot, state->error);
		if (code != 0)
			goto out;
		state->figures->calls += live_snapshot_info(snapshot)->calls;
	} else if (!(snapshot = live_snapshot_new())) {
		/* rows that name no device are judged all the same */
		error_set(state->error, "out of memory");
		goto out;
	}
	live_wanted_free(state->wanted);
	state->wanted = NULL;
	code = 3;
	struct live_judge_options options = {judge_wants, state, true};
	state->judge =
	    live_judge_open_with(state->targets.op, snapshot, config->rows, &options, state->error);
	if (!state->judge || verify_judgements_begin(&state->judgements, true, state->error) < 0 ||
	    verify_pending_begin(&state->pending, state->error) < 0 ||
	    (verify_pending_known(&state->pending)
	         ? verify_pending_each(&state->pending, judge_pending_row, state, state->error)
	         : verify_targets_each(&state->targets, judge_row, state, state->error)) < 0 ||
	    verify_judgements_end(&state->judgements, state->error) < 0 ||
	    verify_pending_end(&state->pending, state->error) < 0)
		goto out;
	code = 0;
out:
	live_judge_free(state->judge);
	state->judge = NULL;
	live_snapshot_free(snapshot);
	live_wanted_free(state->wanted);
	state->wanted = NULL;
	return code;
}

static size_t count_pending(const struct verify_state *state)
{
	return (size_t)state->targets.counts[VERIFY_PENDING];
}

static void show_progress(const struct verify_state *state, int64_t next_ms, bool final)
{
	FILE *stream = state->config->progress;
	if (!stream)
		return;
	const uint64_t *counts = state->targets.counts;
	int64_t now = clock_monotonic_ms();
	char waited[32], wait[32], next[32];
	duration_format(verify_schedule_waited(&state->schedule, now) / 1000 * 1000, waited,
	                sizeof(waited));
	duration_format(state->config->wait_ms, wait, sizeof(wait));
	if (state->config->progress_in_place)
		fputs("\r\033[K", stream);
	fprintf(stream,
	        "verify: %" PRIu64 " verified, %" PRIu64 " pending, %" PRIu64 " mismatch, %" PRIu64
	        " missing",
	        counts[VERIFY_VERIFIED], counts[VERIFY_PENDING], counts[VERIFY_MISMATCH],
	        counts[VERIFY_MISSING]);
	if (next_ms > 0) {
		int64_t left = next_ms - now;
		duration_format(left > 0 ? (left + 999) / 1000 * 1000 : 0, next, sizeof(next));
		fprintf(stream, "; next look in %s (waited %s of %s)", next, waited, wait);
	}
	if (!state->config->progress_in_place || final)
		fputc('\n', stream);
	fflush(stream);
}

/* Pauses until monotonic time until_ms; false when a stop was asked. */
static bool pause_until(struct verify_state *state, int64_t until_ms)
{
	int64_t shown = 0;
	for (;;) {
		if (state->config->stop && *state->config->stop)
			return false;
		int64_t now = clock_monotonic_ms();
		if (now >= until_ms)
			return true;
		if (state->config->progress_in_place && now - shown >= 1000) {
			show_progress(state, until_ms, false);
			shown = now;
		}
		int64_t step = until_ms - now < VERIFY_TICK_MS ? until_ms - now : VERIFY_TICK_MS;
		struct timespec pause = {0, (long)step * 1000000L};
		nanosleep(&pause, NULL);
	}
}

/* The rounds; returns 0 when they ended normally, else the exit status. */
static int poll(struct verify_state *state)
{
	for (;;) {
		if (!count_pending(state))
			return 0;
		int read = read_round(state);
		if (read == 2 || read == 3)
			return read;
		if (!count_pending(state))
			return 0;
		int64_t next = verify_schedule_next(&state->schedule, clock_monotonic_ms());
		if (next < 0)
			return 0;
		show_progress(state, next, false);
		if (!pause_until(state, next))
			return 3;
	}
}

/* The final pass: the grace rule once the wait is over, then each row's
 * line of verify.csv. */
static int final_row(void *context, const struct record *record, struct error *error)
{
	struct verify_state *state = context;
	struct verify_texts last, judged;
	int kept = verify_judgements_last(&state->judgements, record->row, &last, error);
	if (kept < 0)
		return -1;
	/* The wait is over: a device the job created that never showed up is
	 * missing — once its activation is older than VERIFY_ACTIVATION_GRACE_MS;
	 * before that it is still on its way ("accepted and will be worked on"),
	 * and stays pending. */
	const struct verify_texts *texts = kept ? &last : NULL;
	if (!state->interrupted &&
	    verify_target_verdict(&state->targets, record->row) == VERIFY_PENDING &&
	    !verify_target_found(&state->targets, record->row)) {
		bool recent = false;
		if (state->targets.op->live.flags & OP_LIVE_CREATES) {
			struct row_outcome outcome;
			if (verify_target_outcome(&state->targets, record->row, &outcome, error) <
			    0)
				return -1;
			recent =
			    state->now_ms - outcome.finished_at_ms < VERIFY_ACTIVATION_GRACE_MS;
		}
		if (!recent) {
			if (judge(state, record, NULL, true, NULL, texts, &judged) < 0)
				return -1;
			texts = &judged;
		}
	}
	verify_csv_row(&state->csv, record->row, verify_record_identifier(&state->targets, record),
	               texts, verify_target_verdict(&state->targets, record->row));
	return 0;
}

static int finish(struct verify_state *state, int status, bool interrupted)
{
	struct verify_figures *figures = state->figures;
	state->interrupted = interrupted;
	state->now_ms = clock_wall_ms();
	if (verify_csv_open(&state->csv, state->config->directory, state->error) < 0)
		return 3;
	if (verify_judgements_begin(&state->judgements, false, state->error) < 0 ||
	    verify_targets_each(&state->targets, final_row, state, state->error) < 0) {
		verify_csv_abort(&state->csv);
		return 3;
	}
	memcpy(figures->counts, state->targets.counts, sizeof(figures->counts));
	figures->rows_not_verified = state->targets.skipped;
	figures->rounds = state->schedule.rounds;
	figures->finished_at_ms = clock_wall_ms();
	figures->waited_ms = verify_schedule_waited(&state->schedule, clock_monotonic_ms());
	figures->interrupted = interrupted;
	if (status == 0)
		status = figures->counts[VERIFY_VERIFIED] == state->targets.count ? 0 : 1;
	figures->exit_status = status;
	show_progress(state, 0, true);
	struct error write_error;
	error_clear(&write_error);
	if (verify_csv_commit(&state->csv, &write_error) < 0 ||
	    verify_write_summary(state->config->directory, figures, &write_error) < 0) {
		if (!state->error->set)
			*state->error = write_error;
		return 3;
	}
	return status;
}

int verify_run(const struct verify_config *config, struct verify_figures *figures,
               struct error *error)
{
	struct verify_state state;
	memset(&state, 0, sizeof(state));
	memset(figures, 0, sizeof(*figures));
	state.config = config;
	state.figures = figures;
	state.error = error;
	verify_judgement_init(&state.judgement);
	verify_judgements_init(&state.judgements);
	verify_pending_init(&state.pending);
	figures->started_at_ms = clock_wall_ms();
	figures->wait_ms = config->wait_ms;
	verify_schedule_init(&state.schedule, clock_monotonic_ms(), config->wait_ms);
	int status = 2;
	state.wanted = live_wanted_new();
	if (!state.wanted) {
		error_set(error, "out of memory");
		goto out;
	}
	if (verify_targets_load(&state.targets, config->rows, config->store, config->directory,
	                        want_row, &state, error) < 0)
		goto out;
	state.loaded = true;
	figures->devices_created = (state.targets.op->live.flags & OP_LIVE_CREATES) != 0;
	if (!verify_op_readable(state.targets.op)) {
		error_set(error,
		          "operation '%s' leaves no state the API lets us read back, so its rows "
		          "cannot be verified",
		          state.targets.op->name);
		goto out;
	}
	status = poll(&state);
	if (status == 2)
		goto out;
	status = finish(&state, status == 3 ? 3 : 0, status == 3);
out:
	verify_judgement_release(&state.judgement);
	verify_judgements_release(&state.judgements);
	verify_pending_release(&state.pending);
	verify_targets_release(&state.targets);
	live_wanted_free(state.wanted);
	return status;
}
