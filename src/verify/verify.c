/* The verification loop (verify.h): rounds of reads through export_run's
 * per-device reads, judged row by row, paced by the polling schedule. */
#include "verify/verify.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/duration.h"
#include "live/snapshot.h"
#include "live/take.h"
#include "verify/schedule.h"
#include "verify/targets.h"
#include "verify/verdict.h"

/* How often a pause between rounds looks at the stop flag and the display. */
#define VERIFY_TICK_MS 200

struct verify_state {
	const struct verify_config *config;
	struct verify_targets targets;
	struct verify_judgement judgement;
	struct verify_figures *figures;
	struct verify_schedule schedule;
	struct error *error;
};

static int judge(struct verify_state *state, struct verify_target *target,
                 const struct device_view *device, bool wait_over, const char *absence)
{
	verify_judge(state->targets.op, target->record, device, wait_over, &state->judgement);
	if (!device && absence && state->judgement.verdict == VERIFY_MISSING) {
		strbuf_reset(&state->judgement.observed);
		strbuf_append_string(&state->judgement.observed, absence);
	}
	target->found = device != NULL;
	if (verify_target_set(target, &state->judgement) < 0)
		return error_set(state->error, "out of memory");
	return 0;
}

/* One round: reads the devices of every pending row (live_snapshot_take:
 * the whole account or one read per device, whichever needs fewer calls)
 * and judges each row again. Returns 0, or the take's exit status (2: the
 * credentials were refused, 3: the API could not be read or a stop). */
static int read_round(struct verify_state *state)
{
	const struct verify_config *config = state->config;
	const struct op *op = state->targets.op;
	struct live_wanted *wanted = live_wanted_new();
	struct live_snapshot *snapshot = NULL;
	int code = 3;
	if (!wanted) {
		error_set(state->error, "out of memory");
		goto out;
	}
	for (size_t index = 0; index < state->targets.count; index++) {
		struct verify_target *target = &state->targets.items[index];
		if (target->verdict != VERIFY_PENDING)
			continue;
		enum device_field key = DEVICE_NAME;
		const char *value = NULL;
		if (op_live_device_key(op, target->record, &key, &value) < 0) {
			/* validation refuses such rows; never leave one pending forever */
			if (judge(state, target, NULL, true, "the row names no device") < 0)
				goto out;
			continue;
		}
		/* the job's row, so verify-audit.jsonl.gz shows each read under it */
		if (live_wanted_add(wanted, key, value, record_shown_row(target->record)) < 0) {
			error_set(state->error, "out of memory");
			goto out;
		}
	}
	code = 0;
	if (!live_wanted_count(wanted))
		goto out;
	struct live_take_request request = {
	    .transport = config->transport,
	    .concurrency = config->concurrency,
	    .rate = config->rate,
	    .max_tries = config->max_tries,
	    .stop = config->stop,
	    .verbose = config->verbose,
	    .audit = config->audit,
	};
	code = live_snapshot_take(&request, wanted, &snapshot, state->error);
	if (code != 0)
		goto out;
	state->figures->calls += live_snapshot_info(snapshot)->calls;
	for (size_t index = 0; index < state->targets.count; index++) {
		struct verify_target *target = &state->targets.items[index];
		enum device_field key = DEVICE_NAME;
		const char *value = NULL;
		if (target->verdict != VERIFY_PENDING ||
		    op_live_device_key(op, target->record, &key, &value) < 0)
			continue;
		struct device_view device;
		bool found = live_snapshot_find(snapshot, key, value, &device);
		if (judge(state, target, found ? &device : NULL, false, NULL) < 0) {
			code = 3;
			goto out;
		}
	}
out:
	live_snapshot_free(snapshot);
	live_wanted_free(wanted);
	return code;
}

static size_t count_pending(const struct verify_state *state)
{
	size_t pending = 0;
	for (size_t index = 0; index < state->targets.count; index++)
		pending += state->targets.items[index].verdict == VERIFY_PENDING;
	return pending;
}

static void show_progress(const struct verify_state *state, int64_t next_ms, bool final)
{
	FILE *stream = state->config->progress;
	if (!stream)
		return;
	uint64_t counts[VERIFY_VERDICT_COUNT];
	verify_targets_count(&state->targets, counts);
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

static int finish(struct verify_state *state, int status, bool interrupted)
{
	struct verify_figures *figures = state->figures;
	/* The wait is over: a device the job created that never showed up is
	 * missing — once its activation is older than VERIFY_ACTIVATION_GRACE_MS;
	 * before that it is still on its way ("accepted and will be worked on"),
	 * and stays pending. */
	int64_t now = clock_wall_ms();
	bool creates = (state->targets.op->live.flags & OP_LIVE_CREATES) != 0;
	for (size_t index = 0; !interrupted && index < state->targets.count; index++) {
		struct verify_target *target = &state->targets.items[index];
		bool recent = creates && now - target->accepted_at_ms < VERIFY_ACTIVATION_GRACE_MS;
		if (target->verdict == VERIFY_PENDING && !target->found && !recent &&
		    judge(state, target, NULL, true, NULL) < 0)
			return 3;
	}
	verify_targets_count(&state->targets, figures->counts);
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
	if (verify_write_csv(state->config->directory, &state->targets, &write_error) < 0 ||
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
	figures->started_at_ms = clock_wall_ms();
	figures->wait_ms = config->wait_ms;
	verify_schedule_init(&state.schedule, clock_monotonic_ms(), config->wait_ms);
	int status = 2;
	if (verify_targets_load(&state.targets, config->rows, config->store, config->directory,
	                        error) < 0)
		goto out;
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
	verify_targets_release(&state.targets);
	return status;
}
