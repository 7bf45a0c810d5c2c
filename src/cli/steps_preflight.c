/* The preflight of a job with steps (steps_preflight.h): one preflight per
 * step over the rows read in lockstep. */
#include "cli/steps_preflight.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "live/take.h"

void steps_preflight_init(struct steps_preflight *preflight, const struct step_config *configs,
                          size_t step_count, bool partial, struct live_snapshot *baseline)
{
	memset(preflight, 0, sizeof(*preflight));
	preflight->configs = configs;
	preflight->step_count = step_count;
	preflight->partial = partial;
	for (size_t step = 0; step < step_count; step++) {
		preflight_init(&preflight->steps[step], configs[step].op);
		preflight->steps[step].snapshot = baseline;
	}
}

void steps_preflight_release(struct steps_preflight *preflight)
{
	for (size_t step = 0; step < preflight->step_count; step++) {
		/* the baseline is the job's, not the step's */
		preflight->steps[step].snapshot = NULL;
		preflight_release(&preflight->steps[step]);
	}
}

size_t steps_preflight_last(const struct steps_preflight *preflight, const struct step_row *row)
{
	size_t count = preflight->step_count;
	return row->first_invalid == count ? count : preflight->partial ? row->first_invalid : 0;
}

/* The row as step looks its device up: by ICCID until an earlier step's
 * activation names it (the same lookup as the run's). */
static struct record lookup_record(const struct steps_preflight *preflight, size_t step,
                                   const struct step_row *row)
{
	struct record lookup = *row->steps[step].record;
	if (preflight->configs[step].device_by_iccid)
		lookup.value[FIELD_ID_TYPE] = "iccid";
	return lookup;
}

size_t steps_preflight_unknown_name(const struct steps_preflight *preflight,
                                    const struct step_row *row, size_t last,
                                    struct live_verdict *verdict)
{
	for (size_t step = 0; step < last; step++) {
		const struct op *op = preflight->configs[step].op;
		const struct live_snapshot *snapshot = preflight->steps[step].snapshot;
		if (!snapshot || !(op->live.flags & (OP_LIVE_RATE_PLANS | OP_LIVE_USERS)))
			continue;
		struct record lookup = lookup_record(preflight, step, row);
		live_classify(op, &lookup, snapshot, verdict);
		if (verdict->unknown_name[0])
			return step;
	}
	return last;
}

int steps_preflight_read_account(const struct steps_preflight *preflight,
                                 const struct pipeline_config *pipelines,
                                 struct live_take_request *request, struct live_snapshot **out,
                                 size_t *identifiers, struct error *error)
{
	struct live_wanted *wanted = live_wanted_new();
	struct step_rows *reader = step_rows_open(pipelines, preflight->step_count, NULL, error);
	int exit_code = EXIT_USAGE;
	if (!wanted || !reader) {
		if (!wanted)
			error_set(error, "out of memory");
		goto out;
	}
	struct step_row row;
	int got;
	while ((got = step_rows_next(reader, &row, error)) == 1) {
		size_t last = steps_preflight_last(preflight, &row);
		for (size_t step = 0; step < last; step++) {
			const struct op *op = preflight->configs[step].op;
			struct record lookup = lookup_record(preflight, step, &row);
			if (op->live.compare && live_wanted_add_record(wanted, op, &lookup) < 0) {
				error_set(error, "out of memory");
				goto out;
			}
		}
	}
	if (got < 0)
		goto out;
	for (size_t step = 0; step < preflight->step_count; step++) {
		unsigned flags = preflight->configs[step].op->live.flags;
		request->rate_plans |= (flags & OP_LIVE_RATE_PLANS) != 0;
		request->users |= (flags & OP_LIVE_USERS) != 0;
	}
	*identifiers = live_wanted_count(wanted);
	exit_code = live_snapshot_take(request, wanted, out, error);
out:
	step_rows_close(reader);
	live_wanted_free(wanted);
	return exit_code;
}

void steps_undo_file_name(size_t step, const struct op *op, char *out, size_t size)
{
	snprintf(out, size, "undo-%zu-%s.csv", step + 1, op->name);
}

static void abort_all(struct undo_writer **undo, size_t count)
{
	for (size_t step = 0; step < count; step++) {
		undo_writer_abort(undo[step]);
		undo[step] = NULL;
	}
}

/* One row: its verdict for each step it enters. */
static int classify_row(struct steps_preflight *preflight, const struct step_row *row,
                        steps_settled_fn *settled, void *context, struct undo_writer **undo,
                        struct live_verdict *verdicts, const struct live_verdict **shown,
                        struct error *error)
{
	size_t last = steps_preflight_last(preflight, row);
	size_t first = 0;
	size_t refused = steps_preflight_unknown_name(preflight, row, last, &verdicts[0]);
	if (refused < last) {
		/* it ends at that step, nothing sent: no earlier step counts it */
		first = refused;
		last = refused + 1;
	}
	for (size_t step = 0; step < preflight->step_count; step++)
		shown[step] = NULL;
	for (size_t step = first; step < last; step++) {
		struct record lookup = lookup_record(preflight, step, row);
		uint64_t number = row->row->number;
		bool count = !(settled && settled(context, step, number));
		struct preflight *judge = &preflight->steps[step];
		if (!judge->snapshot) {
			/* no baseline: every row the step would send counts */
			judge->tally.kinds[LIVE_CHANGE] += count;
			judge->tally.cost.rows += count;
			continue;
		}
		if (preflight_add_row(&preflight->steps[step], &lookup, undo[step], count,
		                      preflight->configs[step].device_by_iccid, &verdicts[step],
		                      error) < 0)
			return -1;
		shown[step] = &verdicts[step];
	}
	return 0;
}

int steps_preflight_classify(struct steps_preflight *preflight,
                             const struct pipeline_config *pipelines, steps_settled_fn *settled,
                             void *context, const char *undo_directory, steps_visit_fn *visit,
                             void *visit_context, struct error *error)
{
	size_t count = preflight->step_count;
	struct undo_writer *undo[STEP_ROWS_MAX] = {0};
	struct live_verdict verdicts[STEP_ROWS_MAX];
	const struct live_verdict *shown[STEP_ROWS_MAX];
	for (size_t step = 0; step < count; step++) {
		const struct op *op = preflight->configs[step].op;
		struct preflight *judge = &preflight->steps[step];
		memset(&judge->tally, 0, sizeof(judge->tally));
		if (judge->snapshot && preflight_begin(judge, error) < 0) {
			abort_all(undo, count);
			return -1;
		}
		if (!undo_directory || !judge->snapshot || !(op->live.flags & OP_LIVE_UNDO))
			continue;
		char name[128];
		steps_undo_file_name(step, op, name, sizeof(name));
		undo[step] = undo_writer_open(undo_directory, name, op, error);
		if (!undo[step]) {
			abort_all(undo, count);
			return -1;
		}
	}
	struct step_rows *reader = step_rows_open(pipelines, count, NULL, error);
	if (!reader) {
		abort_all(undo, count);
		return -1;
	}
	struct step_row row;
	int next;
	while ((next = step_rows_next(reader, &row, error)) == 1)
		if (classify_row(preflight, &row, settled, context, undo, verdicts, shown, error) <
		        0 ||
		    (visit && visit(visit_context, &row, shown, error) < 0)) {
			next = -1;
			break;
		}
	step_rows_close(reader);
	if (next < 0) {
		abort_all(undo, count);
		return -1;
	}
	for (size_t step = 0; step < count; step++) {
		struct undo_writer *taken = undo[step];
		undo[step] = NULL;
		if (preflight_end(&preflight->steps[step], taken, error) < 0) {
			abort_all(undo, count);
			return -1;
		}
	}
	return 0;
}

bool steps_preflight_refuses(const struct steps_preflight *preflight, struct error *error)
{
	for (size_t step = 0; step < preflight->step_count; step++) {
		if (!preflight_refuses(&preflight->steps[step], error))
			continue;
		char text[sizeof(error->message)];
		snprintf(text, sizeof(text), "%s", error->message);
		error_clear(error);
		error_set(error, "step %zu (%s): %s", step + 1, preflight->configs[step].op->name,
		          text);
		return true;
	}
	return false;
}
