/* run's preflight: the account's live state before the first write, every
 * row classified against it, undo.csv, and the engine hook that settles rows
 * without a call. */
#include "cli/preflight.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli/signals.h"
#include "common/clock.h"
#include "live/judge.h"
#include "live/spool.h"
#include "live/verdicts.h"
#include "outputs/undo_writer.h"

void preflight_init(struct preflight *preflight, const struct op *op)
{
	memset(preflight, 0, sizeof(*preflight));
	preflight->op = op;
}

void preflight_release(struct preflight *preflight)
{
	live_verdicts_free(preflight->verdicts);
	preflight->verdicts = NULL;
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

/* The undo.csv line of a row that changes its device: the value now of the
 * device judgement found. Returns the row's undo flag (LIVE_VERDICT_UNDO_*,
 * 0: no undo for it), or -1 with error. */
static int add_undo_line(struct preflight *preflight, struct undo_writer *undo,
                         const struct record *record, const struct live_judgement *judgement,
                         struct error *error)
{
	const struct op *op = preflight->op;
	if (!op->live.previous || !judgement->found)
		return 0;
	const char *previous = judgement->previous;
	const char *name = judgement->resolved;
	/* a state no row can ask for, or no value where a row needs one (an empty
	 * cost center: a manifest row cannot ask to clear it), cannot be put back
	 * by a manifest: counted, said in the summary */
	const struct op_field *target = op_field_find(op, (enum field_id)op->live.target);
	if (!previous || !name || !*name ||
	    (!*previous && target && (target->flags & OP_FIELD_REQUIRED))) {
		preflight->tally.undo_unrestorable++;
		return LIVE_VERDICT_UNDO_MISSING;
	}
	if (undo_writer_add(undo, record, name, (enum field_id)op->live.target, previous, error) <
	    0)
		return -1;
	return LIVE_VERDICT_UNDO_LINE;
}

/* The judgement of record by the snapshot in memory (a step's row). */
static void judge_here(const struct preflight *preflight, const struct record *record,
                       struct live_judgement *judgement)
{
	struct device_view device;
	judgement->found = find_device(preflight, record, &device);
	judgement->resolved = judgement->found ? device.value[DEVICE_NAME] : NULL;
	judgement->previous = judgement->found && preflight->op->live.previous
	                          ? preflight->op->live.previous(record, &device)
	                          : NULL;
}

/* Counts a row not yet final in the tally: kind, unknown name (message: the
 * verdict's), the cost of a change. */
static void tally_row(struct preflight *preflight, const struct record *record, enum live_kind kind,
                      bool unknown_name, const char *message)
{
	struct preflight_tally *tally = &preflight->tally;
	tally->kinds[kind]++;
	if (unknown_name && tally->unknown_name_rows++ == 0)
		snprintf(tally->first_unknown, sizeof(tally->first_unknown), "%s", message);
	if (kind == LIVE_CHANGE) {
		if (record)
			add_cost(preflight, record);
		else
			tally->cost.rows++; /* from the verdicts: no rate plan to price */
	}
}

int preflight_begin(struct preflight *preflight, struct error *error)
{
	memset(&preflight->tally, 0, sizeof(preflight->tally));
	/* which row names each device first: the whole job, in manifest order */
	if (!preflight->claims && !(preflight->claims = live_claims_new(preflight->snapshot)))
		return error_set(error, "out of memory");
	live_claims_reset(preflight->claims);
	return 0;
}

int preflight_add_row(struct preflight *preflight, const struct record *record,
                      struct undo_writer *undo, bool count, bool created_earlier,
                      struct live_verdict *verdict, struct error *error)
{
	const struct op *op = preflight->op;
	live_classify(op, record, preflight->snapshot, verdict);
	if (live_claims_check(preflight->claims, record_shown_row(record), true, record, op,
	                      verdict) < 0)
		return error_set(error, "out of memory");
	if (verdict->kind == LIVE_MISSING && created_earlier) {
		/* the device an earlier step of the job activates: this step sets it */
		verdict->kind = LIVE_CHANGE;
		snprintf(verdict->message, sizeof(verdict->message),
		         "a device an earlier step activates");
	}
	if (undo && verdict->kind == LIVE_CHANGE) {
		struct live_judgement judgement;
		judgement.verdict = *verdict;
		judge_here(preflight, record, &judgement);
		if (add_undo_line(preflight, undo, record, &judgement, error) < 0)
			return -1;
	}
	if (count)
		tally_row(preflight, record, verdict->kind, verdict->unknown_name[0] != 0,
		          verdict->message);
	return 0;
}

int preflight_end(struct preflight *preflight, struct undo_writer *undo, struct error *error)
{
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

/* The byte and note that keep verdict of record (live/verdicts.h); the
 * device_name the row resolves to when it names its device otherwise. */
static uint8_t verdict_code(const struct record *record, const struct live_judgement *judgement,
                            struct live_verdict_note *note, bool *noted)
{
	const struct live_verdict *verdict = &judgement->verdict;
	const char *resolved = judgement->found ? judgement->resolved : NULL;
	const char *own = record->value[FIELD_DEVICE_NAME];
	uint8_t code = (uint8_t)verdict->kind;
	if (resolved)
		code |= LIVE_VERDICT_FOUND;
	if (verdict->unknown_name[0])
		code |= LIVE_VERDICT_UNKNOWN_NAME;
	bool renamed = resolved && (!own || strcmp(own, resolved) != 0);
	*note =
	    (struct live_verdict_note){renamed ? resolved : "", verdict->current, verdict->message};
	/* a change needs its note only for the name it is sent and shown under */
	*noted = renamed || verdict->kind != LIVE_CHANGE;
	return code;
}

/* The snapshot reduced to its meta data: once the verdicts are kept, no
 * device is looked up again, and a large account's devices are the bulk of
 * the client's memory. Returns 0 or -1 (out of memory; the snapshot kept). */
static int keep_meta_only(struct preflight *preflight)
{
	struct live_snapshot *meta_only = live_snapshot_new();
	if (!meta_only)
		return -1;
	*live_snapshot_meta(meta_only) = *live_snapshot_info(preflight->snapshot);
	live_snapshot_free(preflight->snapshot);
	preflight->snapshot = meta_only;
	live_claims_free(preflight->claims);
	preflight->claims = NULL;
	return 0;
}

/* The rows' verdicts and undo.csv, being written by preflight_classify. */
struct classify_files {
	struct undo_writer *undo;
	struct live_verdicts_writer *verdicts;
	char snapshot_directory[4096];
};

static int open_files(struct preflight *preflight, const char *out, uint64_t job_tag,
                      struct classify_files *files, struct error *error)
{
	if (snprintf(files->snapshot_directory, sizeof(files->snapshot_directory), "%s/%s", out,
	             LIVE_SNAPSHOT_DIRECTORY) >= (int)sizeof(files->snapshot_directory))
		return error_set(error, "job directory path too long: '%s'", out);
	if ((preflight->op->live.flags & OP_LIVE_UNDO) &&
	    !(files->undo = undo_writer_open(out, NULL, preflight->op, error)))
		return -1;
	files->verdicts = live_verdicts_writer_open(files->snapshot_directory, job_tag, error);
	return files->verdicts ? 0 : -1;
}

/* undo.csv first, then the verdicts (whose presence says both are whole),
 * then the verdicts opened for reading. */
static int commit_files(struct preflight *preflight, struct classify_files *files, uint64_t job_tag,
                        struct error *error)
{
	if (files->undo) {
		preflight->tally.undo_lines = undo_writer_lines(files->undo);
		struct undo_writer *undo = files->undo;
		files->undo = NULL;
		if (undo_writer_commit(undo, error) < 0)
			return -1;
		preflight->tally.undo_written = true;
	}
	struct live_verdicts_writer *verdicts = files->verdicts;
	files->verdicts = NULL;
	if (live_verdicts_writer_commit(verdicts, error) < 0)
		return -1;
	struct error why;
	error_clear(&why);
	if (live_verdicts_open(files->snapshot_directory, job_tag, &preflight->verdicts, &why) != 0)
		return error_set(error, "%s", why.message);
	return keep_meta_only(preflight) < 0 ? error_set(error, "out of memory") : 0;
}

int preflight_classify(struct preflight *preflight, const struct pipeline_config *config,
                       pipeline_settled_fn *settled, void *context, const char *out,
                       uint64_t job_tag, struct error *error)
{
	const struct op *op = preflight->op;
	struct classify_files files = {0};
	if (preflight_begin(preflight, error) < 0)
		return -1;
	/* every row of the job, final ones included: undo.csv covers the whole
	 * job; a snapshot beyond the memory budget is joined with the rows on
	 * disk first (live/judge.h) */
	struct live_judge *judge = live_judge_open(op, preflight->snapshot, config, error);
	if (!judge)
		return -1;
	struct pipeline *pipeline = pipeline_open(config, NULL, error);
	if (!pipeline) {
		live_judge_free(judge);
		return -1;
	}
	int next = out ? open_files(preflight, out, job_tag, &files, error) : 0;
	struct pipeline_row row;
	struct live_judgement judgement;
	const struct live_verdict *verdict = &judgement.verdict;
	while (next == 0 && (next = pipeline_next(pipeline, &row, error)) == 1) {
		next = 0;
		if (!row.valid || !row.record)
			continue;
		if (live_judge_row(judge, row.record, &judgement, error) < 0) {
			next = -1;
			break;
		}
		int undo_flag =
		    files.undo && verdict->kind == LIVE_CHANGE
		        ? add_undo_line(preflight, files.undo, row.record, &judgement, error)
		        : 0;
		if (undo_flag < 0) {
			next = -1;
			break;
		}
		if (files.verdicts) {
			struct live_verdict_note note;
			bool noted;
			uint8_t code = verdict_code(row.record, &judgement, &note, &noted);
			if (live_verdicts_writer_add(files.verdicts, row.record->row,
			                             (uint8_t)(code | undo_flag),
			                             noted ? &note : NULL, error) < 0) {
				next = -1;
				break;
			}
		}
		bool was_valid = true;
		if (!settled || !settled(context, row.row->number, &was_valid))
			tally_row(preflight, row.record, verdict->kind,
			          verdict->unknown_name[0] != 0, verdict->message);
	}
	pipeline_close(pipeline);
	live_judge_free(judge);
	if (next >= 0) {
		struct confirm_cost *cost = &preflight->tally.cost;
		cost->known = cost->rows > 0 && cost->priced_rows == cost->rows;
		if (out && commit_files(preflight, &files, job_tag, error) < 0)
			next = -1;
	}
	undo_writer_abort(files.undo);
	live_verdicts_writer_abort(files.verdicts);
	return next < 0 ? -1 : 0;
}

int preflight_resume(struct preflight *preflight, const char *out, uint64_t job_tag,
                     uint64_t settled_prefix, live_verdicts_final_fn *final, void *context,
                     struct error *error)
{
	char directory[4096];
	if (snprintf(directory, sizeof(directory), "%s/%s", out, LIVE_SNAPSHOT_DIRECTORY) >=
	    (int)sizeof(directory))
		return error_set(error, "job directory path too long: '%s'", out);
	/* the account's devices an earlier run killed with -9 left on disk */
	live_spool_remove_abandoned();
	if (live_verdicts_open(directory, job_tag, &preflight->verdicts, error) != 0)
		return 1;
	struct preflight_tally *tally = &preflight->tally;
	memset(tally, 0, sizeof(*tally));
	tally->undo_written = (preflight->op->live.flags & OP_LIVE_UNDO) != 0;
	uint64_t rows = live_verdicts_rows(preflight->verdicts);
	/* the rows this run may settle are checked before any is used; the rows
	 * before them only when an output reads them */
	if (live_verdicts_check(preflight->verdicts, settled_prefix + 1, rows, error) != 0) {
		live_verdicts_free(preflight->verdicts);
		preflight->verdicts = NULL;
		return 1;
	}
	/* undo.csv covers the whole job (the counts kept with the verdicts) */
	live_verdicts_count_undo(preflight->verdicts, 1, rows, &tally->undo_lines,
	                         &tally->undo_unrestorable);
	/* the finished rows count towards nothing else; the rest are counted
	 * from their bytes, the settled ones skipped 64 at a time */
	struct live_verdicts_tally counted;
	memset(&counted, 0, sizeof(counted));
	live_verdicts_tally(preflight->verdicts, settled_prefix + 1, rows, final, context,
	                    &counted);
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		tally->kinds[kind] = counted.kinds[kind];
	tally->cost.rows = counted.kinds[LIVE_CHANGE]; /* no rate plan to price */
	tally->unknown_name_rows = counted.unknown_name;
	if (counted.first_unknown) {
		/* the first unknown name's message is the refusal's */
		struct live_verdict_note note = {"", "", ""};
		if (live_verdicts_note(preflight->verdicts, counted.first_unknown, &note, error) <
		    0)
			return -1;
		snprintf(tally->first_unknown, sizeof(tally->first_unknown), "%s", note.message);
	}
	preflight->loaded = true;
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

/* The message of a row found already in place: the verdict's, else what
 * the device holds already. */
static void unchanged_message(const struct preflight *preflight, const char *message,
                              const char *current, char *out, size_t size)
{
	if (message[0]) {
		snprintf(out, size, "not sent: %.480s", message);
		return;
	}
	char when[40];
	clock_format_iso8601(live_snapshot_info(preflight->snapshot)->taken_at_ms, when,
	                     sizeof(when));
	int target = preflight->op->live.target;
	snprintf(out, size, "not sent: %s is already '%s' (account read at %s)",
	         (unsigned)target < FIELD_COUNT ? field_name((enum field_id)target) : "the target",
	         current, when);
}

/* The verdict preflight_classify kept for record: its kind, the message and
 * value then, the device_name it resolves to ("" when none). Returns 0 or -1. */
static int kept_verdict(struct preflight *preflight, const struct record *record,
                        struct live_verdict *verdict, struct error *error)
{
	memset(verdict, 0, sizeof(*verdict));
	uint8_t code = live_verdicts_code(preflight->verdicts, record->row);
	if (code == LIVE_VERDICT_NONE)
		return error_set(error, "the preflight's verdicts do not cover row %llu",
		                 (unsigned long long)record->row);
	struct live_verdict_note note = {"", "", ""};
	if (live_verdicts_note(preflight->verdicts, record->row, &note, error) < 0)
		return -1;
	verdict->kind = (enum live_kind)(code & LIVE_VERDICT_KIND_MASK);
	snprintf(verdict->message, sizeof(verdict->message), "%s", note.message);
	const char *own = record->value[FIELD_DEVICE_NAME];
	snprintf(preflight->resolved_name, sizeof(preflight->resolved_name), "%s",
	         !(code & LIVE_VERDICT_FOUND) ? ""
	         : note.device_name[0]        ? note.device_name
	         : own                        ? own
	                                      : "");
	verdict->device_name = preflight->resolved_name;
	verdict->current = note.current; /* borrows the reader until its next note */
	return 0;
}

int preflight_settle(void *context, const struct record *record, const struct record **send,
                     struct row_outcome *outcome, struct error *error)
{
	struct preflight *preflight = context;
	const struct op *op = preflight->op;
	struct live_verdict *verdict = &preflight->verdict;
	bool unknown_name;
	if (preflight->verdicts) {
		if (kept_verdict(preflight, record, verdict, error) < 0)
			return -1;
		unknown_name = (live_verdicts_code(preflight->verdicts, record->row) &
		                LIVE_VERDICT_UNKNOWN_NAME) != 0;
	} else {
		live_classify(op, record, preflight->snapshot, verdict);
		/* the claims of preflight_classify's pass over the whole job */
		if (preflight->claims)
			live_claims_check(preflight->claims, record_shown_row(record), false,
			                  record, op, verdict);
		unknown_name = verdict->unknown_name[0] != '\0';
	}
	switch (verdict->kind) {
	case LIVE_CHANGE:
		break;
	case LIVE_UNCHANGED:
		outcome->status = ROW_UNCHANGED;
		unchanged_message(preflight, verdict->message, verdict->current, outcome->message,
		                  sizeof(outcome->message));
		return ENGINE_ROW_SETTLED;
	case LIVE_INVALID:
		/* a second row for one device is a duplicate key (SPEC §3), invalid
		 * as validate and plan judge it; a rate plan or user the account
		 * lacks is the account's answer to a good row: error */
		if (!unknown_name) {
			outcome->status = ROW_INVALID;
			snprintf(outcome->message, sizeof(outcome->message), "%s",
			         verdict->message);
			return ENGINE_ROW_SETTLED;
		}
		/* fall through */
	case LIVE_MISSING:
	case LIVE_CONFLICT:
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
	struct preflight *preflight = context;
	if (preflight->verdicts) {
		struct error ignored;
		error_clear(&ignored);
		/* a note that cannot be read leaves the cell empty: results.csv is
		 * still written, the row's own identifier is in it */
		if (kept_verdict(preflight, record, &preflight->verdict, &ignored) < 0 ||
		    !preflight->resolved_name[0])
			return NULL;
		return preflight->resolved_name;
	}
	struct device_view device;
	if (!find_device(preflight, record, &device))
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
