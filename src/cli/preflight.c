/* run's preflight: the account's live state before the first write, every
 * row classified against it, undo.csv, and the engine hook that settles rows
 * without a call. */
#include "cli/preflight.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli/signals.h"
#include "common/clock.h"
#include "outputs/undo_writer.h"

void preflight_init(struct preflight *preflight, const struct op *op)
{
	memset(preflight, 0, sizeof(*preflight));
	preflight->op = op;
}

void preflight_release(struct preflight *preflight)
{
	live_claims_free(preflight->claims);
	preflight->claims = NULL;
	live_snapshot_free(preflight->snapshot);
	preflight->snapshot = NULL;
}

void preflight_request(struct live_take_request *request, const struct job_options *options,
                       const struct op *op, const struct read_transport *transport,
                       const char *endpoint_shown, struct audit_writer *audit)
{
	memset(request, 0, sizeof(*request));
	request->transport = *transport;
	request->endpoint_shown = endpoint_shown;
	request->concurrency = options->concurrency;
	request->rate = options->rate;
	request->max_tries = options->max_retries + 1;
	request->stop = stop_signals_flag();
	request->verbose = options->verbose;
	request->audit = audit;
	request->rate_plans = (op->live.flags & OP_LIVE_RATE_PLANS) != 0;
	request->users = (op->live.flags & OP_LIVE_USERS) != 0;
}

/* The device record names in the snapshot, or false. */
static bool find_device(const struct preflight *preflight, const struct record *record,
                        struct device_view *device)
{
	enum device_field key;
	const char *value;
	return preflight->snapshot &&
	       op_live_device_key(preflight->op, record, &key, &value) == 0 &&
	       live_snapshot_find(preflight->snapshot, key, value, device);
}

/* Adds what an activation of record would cost (its rate plan's activation_fee). */
static void add_cost(struct preflight *preflight, const struct record *record)
{
	struct confirm_cost *cost = &preflight->tally.cost;
	cost->rows++;
	if (!(preflight->op->live.flags & OP_LIVE_RATE_PLANS))
		return;
	const struct live_rate_plan *plan =
	    live_snapshot_rate_plan(preflight->snapshot, record->value[FIELD_RATE_PLAN_NAME]);
	if (plan && !isnan(plan->activation_fee)) {
		cost->priced_rows++;
		cost->amount += plan->activation_fee;
	}
}

/* The undo.csv line of a row that changes its device: the device's value now. */
static int add_undo_line(struct preflight *preflight, struct undo_writer *undo,
                         const struct record *record, struct error *error)
{
	const struct op *op = preflight->op;
	struct device_view device;
	if (!op->live.previous || !find_device(preflight, record, &device))
		return 0;
	const char *previous = op->live.previous(record, &device);
	const char *name = device.value[DEVICE_NAME];
	/* a state no row can ask for, or no value where a row needs one (an empty
	 * cost center: a manifest row cannot ask to clear it), cannot be put back
	 * by a manifest: counted, said in the summary */
	const struct op_field *target = op_field_find(op, (enum field_id)op->live.target);
	if (!previous || !name || !*name ||
	    (!*previous && target && (target->flags & OP_FIELD_REQUIRED))) {
		preflight->tally.undo_unrestorable++;
		return 0;
	}
	return undo_writer_add(undo, record, name, (enum field_id)op->live.target, previous, error);
}

int preflight_classify(struct preflight *preflight, const struct pipeline_config *config,
                       pipeline_settled_fn *settled, void *context, const char *undo_directory,
                       struct error *error)
{
	const struct op *op = preflight->op;
	struct undo_writer *undo = NULL;
	memset(&preflight->tally, 0, sizeof(preflight->tally));
	/* which row names each device first: the whole job, in manifest order */
	if (!preflight->claims && !(preflight->claims = live_claims_new(preflight->snapshot)))
		return error_set(error, "out of memory");
	live_claims_reset(preflight->claims);
	/* every row of the job, final ones included: undo.csv covers the whole job */
	struct pipeline *pipeline = pipeline_open(config, NULL, error);
	if (!pipeline)
		return -1;
	if (undo_directory && (op->live.flags & OP_LIVE_UNDO)) {
		undo = undo_writer_open(undo_directory, op, error);
		if (!undo) {
			pipeline_close(pipeline);
			return -1;
		}
	}
	struct pipeline_row row;
	struct live_verdict verdict;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1) {
		if (!row.valid || !row.record)
			continue;
		live_classify(op, row.record, preflight->snapshot, &verdict);
		if (live_claims_check(preflight->claims, record_shown_row(row.record), true,
		                      row.record, op, &verdict) < 0) {
			error_set(error, "out of memory");
			next = -1;
			break;
		}
		if (undo && verdict.kind == LIVE_CHANGE &&
		    add_undo_line(preflight, undo, row.record, error) < 0) {
			next = -1;
			break;
		}
		bool was_valid = true;
		if (settled && settled(context, row.row->number, &was_valid))
			continue;
		struct preflight_tally *tally = &preflight->tally;
		tally->kinds[verdict.kind]++;
		if (verdict.unknown_name[0] && tally->unknown_name_rows++ == 0)
			snprintf(tally->first_unknown, sizeof(tally->first_unknown), "%s",
			         verdict.message);
		if (verdict.kind == LIVE_CHANGE)
			add_cost(preflight, row.record);
	}
	pipeline_close(pipeline);
	if (next < 0) {
		undo_writer_abort(undo);
		return -1;
	}
	struct confirm_cost *cost = &preflight->tally.cost;
	cost->known = cost->rows > 0 && cost->priced_rows == cost->rows;
	if (undo) {
		preflight->tally.undo_lines = undo_writer_lines(undo);
		if (undo_writer_commit(undo, error) < 0)
			return -1;
		preflight->tally.undo_written = true;
	}
	return 0;
}

bool preflight_refuses(const struct preflight *preflight, struct error *error)
{
	const struct preflight_tally *tally = &preflight->tally;
	uint64_t rows = 0;
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		rows += tally->kinds[kind];
	if (rows == 0 || tally->unknown_name_rows < rows)
		return false;
	error_set(error,
	          "%s; every row to send names a rate plan or user the account does not "
	          "have: nothing was sent",
	          tally->first_unknown);
	return true;
}

/* The message of a row found already in place. */
static void unchanged_message(const struct preflight *preflight, const struct live_verdict *verdict,
                              char *out, size_t size)
{
	if (verdict->message[0]) {
		snprintf(out, size, "not sent: %.480s", verdict->message);
		return;
	}
	char when[40];
	clock_format_iso8601(live_snapshot_info(preflight->snapshot)->taken_at_ms, when,
	                     sizeof(when));
	int target = preflight->op->live.target;
	snprintf(out, size, "not sent: %s is already '%s' (account read at %s)",
	         (unsigned)target < FIELD_COUNT ? field_name((enum field_id)target) : "the target",
	         verdict->current, when);
}

int preflight_settle(void *context, const struct record *record, const struct record **send,
                     struct row_outcome *outcome, struct error *error)
{
	(void)error;
	struct preflight *preflight = context;
	const struct op *op = preflight->op;
	struct live_verdict *verdict = &preflight->verdict;
	live_classify(op, record, preflight->snapshot, verdict);
	/* the claims of preflight_classify's pass over the whole job */
	if (preflight->claims && live_claims_check(preflight->claims, record_shown_row(record),
	                                           false, record, op, verdict) == 1) {
		/* a second row for one device is a duplicate key, as validate and
		 * plan judge it: invalid, never sent (SPEC §3) */
		outcome->status = ROW_INVALID;
		snprintf(outcome->message, sizeof(outcome->message), "%s", verdict->message);
		return ENGINE_ROW_SETTLED;
	}
	switch (verdict->kind) {
	case LIVE_CHANGE:
		break;
	case LIVE_UNCHANGED:
		outcome->status = ROW_UNCHANGED;
		unchanged_message(preflight, verdict, outcome->message, sizeof(outcome->message));
		return ENGINE_ROW_SETTLED;
	case LIVE_MISSING:
	case LIVE_CONFLICT:
	case LIVE_INVALID:
	case LIVE_KIND_COUNT:
		outcome->status = ROW_ERROR;
		snprintf(outcome->message, sizeof(outcome->message), "not sent: %.480s",
		         verdict->message);
		return ENGINE_ROW_SETTLED;
	}
	/* the endpoint takes device names only: send the one the identifier names */
	const char *id_type = record->value[FIELD_ID_TYPE];
	if ((op->live.flags & OP_LIVE_RESOLVE) && id_type && *id_type &&
	    strcmp(id_type, "device_name") != 0 && verdict->device_name[0]) {
		preflight->resolved = *record;
		preflight->resolved.value[FIELD_DEVICE_NAME] = verdict->device_name;
		preflight->resolved.value[FIELD_ID_TYPE] = NULL;
		*send = &preflight->resolved;
	}
	return ENGINE_ROW_SEND;
}

const char *preflight_device_name(void *context, const struct record *record)
{
	struct device_view device;
	if (!find_device(context, record, &device))
		return NULL;
	return device.value[DEVICE_NAME];
}

void preflight_print(const struct preflight *preflight, FILE *stream)
{
	const struct live_snapshot_meta *meta = live_snapshot_info(preflight->snapshot);
	const struct preflight_tally *tally = &preflight->tally;
	char when[40];
	clock_format_iso8601(meta->taken_at_ms, when, sizeof(when));
	fprintf(stream, "lattigo-batch: preflight: ");
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		fprintf(stream, "%s%" PRIu64 " %s", kind ? ", " : "", tally->kinds[kind],
		        kind == LIVE_CHANGE ? "to change" : live_kind_name((enum live_kind)kind));
	if (preflight->loaded)
		fprintf(stream, " (against the job's first snapshot, read at %s)\n", when);
	else
		fprintf(stream, " (account read at %s: %" PRIu64 " read%s, %" PRId64 " ms)\n", when,
		        meta->calls, meta->calls == 1 ? "" : "s", meta->read_ms);
}
