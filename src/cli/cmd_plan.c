/* `lattigo-batch plan`: validation plus the account's live state, sending no
 * write. Reads the manifest twice (first the identifiers its rows name, then
 * each row's verdict), the account once in between (live/take.h), and
 * prints counts per kind, the first rows of each kind, what activations
 * would cost and "did you mean" hints; --out DIR also writes plan.csv and
 * the snapshot (DIR/snapshot). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/api_session.h"
#include "cli/commands.h"
#include "cli/help.h"
#include "cli/options.h"
#include "cli/preflight.h"
#include "cli/signals.h"
#include "cli/stdin_copy.h"
#include "cli/step_config.h"
#include "cli/steps_preflight.h"
#include "common/clock.h"
#include "common/csv_writer.h"
#include "common/file_io.h"
#include "live/classify.h"
#include "live/judge.h"
#include "live/take.h"
#include "pipeline/pipeline.h"

#define PLAN_FILE        "plan.csv"
#define SAMPLES_PER_KIND 5
#define MAX_UNKNOWN      16 /* distinct unknown rate plans / usernames listed */

struct unknown_name {
	char name[128];
	/* a copy: the verdict's borrows a judge freed before the tally is printed */
	char suggestion[128]; /* "" when none */
	uint64_t rows;
};

/* What is printed at the end. */
struct plan_tally {
	uint64_t kinds[LIVE_KIND_COUNT];
	struct strbuf samples[LIVE_KIND_COUNT];
	unsigned sample_count[LIVE_KIND_COUNT];
	struct unknown_name unknown[MAX_UNKNOWN];
	size_t unknown_count;
	/* activations that would be sent: their fees */
	double activation_fees, monthly_costs;
	uint64_t priced_rows, unpriced_rows;
};

static void tally_unknown(struct plan_tally *tally, const struct live_verdict *verdict)
{
	for (size_t index = 0; index < tally->unknown_count; index++)
		if (strcmp(tally->unknown[index].name, verdict->unknown_name) == 0) {
			tally->unknown[index].rows++;
			return;
		}
	if (tally->unknown_count == MAX_UNKNOWN)
		return;
	struct unknown_name *entry = &tally->unknown[tally->unknown_count++];
	snprintf(entry->name, sizeof(entry->name), "%s", verdict->unknown_name);
	snprintf(entry->suggestion, sizeof(entry->suggestion), "%s",
	         verdict->suggestion ? verdict->suggestion : "");
	entry->rows = 1;
}

static void tally_cost(struct plan_tally *tally, const struct op *op, const struct record *record,
                       const struct live_snapshot *snapshot)
{
	if (!(op->live.flags & OP_LIVE_RATE_PLANS))
		return;
	const struct live_rate_plan *plan =
	    live_snapshot_rate_plan(snapshot, record->value[FIELD_RATE_PLAN_NAME]);
	if (!plan || isnan(plan->activation_fee)) {
		tally->unpriced_rows++;
		return;
	}
	tally->priced_rows++;
	tally->activation_fees += plan->activation_fee;
	if (!isnan(plan->monthly_data_plan_cost))
		tally->monthly_costs += plan->monthly_data_plan_cost;
	if (!isnan(plan->monthly_sms_plan_cost))
		tally->monthly_costs += plan->monthly_sms_plan_cost;
}

/* The identifier the row gave (its key field, or the device column with its id_type). */
static const char *row_identifier(const struct op *op, const struct record *record)
{
	if (!record)
		return "";
	const char *value = record->value[op->key_field];
	return value ? value : "";
}

static void sample(struct plan_tally *tally, enum live_kind kind, uint64_t row,
                   const char *identifier, const struct live_verdict *verdict, const char *message)
{
	if (tally->sample_count[kind] >= SAMPLES_PER_KIND)
		return;
	tally->sample_count[kind]++;
	struct strbuf *out = &tally->samples[kind];
	strbuf_appendf(out, "    row %" PRIu64 " %s", row, identifier);
	if (verdict && *verdict->device_name && strcmp(verdict->device_name, identifier) != 0)
		strbuf_appendf(out, " (device %s)", verdict->device_name);
	if (kind == LIVE_CHANGE || kind == LIVE_UNCHANGED)
		strbuf_appendf(out, ": '%s' -> '%s'", verdict->current, verdict->target);
	if (message && *message)
		strbuf_appendf(out, ": %s", message);
	strbuf_append_char(out, '\n');
}

/* plan.csv's header; a job with steps starts each line with the step. */
static void write_plan_header(struct csv_writer *csv, bool steps)
{
	const char *header[] = {"row",     "identifier", "device_name", "kind",
	                        "current", "target",     "message"};
	if (steps)
		csv_writer_cell_raw(csv, "step");
	for (size_t index = 0; index < 7; index++)
		csv_writer_cell_raw(csv, header[index]);
	csv_writer_end_line(csv);
}

static void write_plan_line(struct csv_writer *csv, const char *step, uint64_t row,
                            const char *identifier, const char *device_name, enum live_kind kind,
                            const char *current, const char *target, const char *message)
{
	char number[24];
	snprintf(number, sizeof(number), "%" PRIu64, row);
	if (step)
		csv_writer_cell_raw(csv, step);
	csv_writer_cell_raw(csv, number);
	csv_writer_cell(csv, identifier);
	csv_writer_cell(csv, device_name);
	csv_writer_cell_raw(csv, live_kind_name(kind));
	csv_writer_cell(csv, current);
	csv_writer_cell(csv, target);
	csv_writer_cell(csv, message);
	csv_writer_end_line(csv);
}

/* One row's verdict (NULL: the row is invalid, with message), into tally
 * and plan.csv (csv NULL: none; step: its first cell, NULL: none). */
static void tally_row(struct plan_tally *tally, const struct op *op, const char *step,
                      uint64_t number, const struct record *record,
                      const struct live_verdict *verdict, const char *message,
                      const struct live_snapshot *snapshot, struct csv_writer *csv)
{
	const char *identifier = row_identifier(op, record);
	enum live_kind kind = verdict ? verdict->kind : LIVE_INVALID;
	tally->kinds[kind]++;
	if (!verdict) {
		sample(tally, LIVE_INVALID, number, identifier, NULL, message);
		if (csv)
			write_plan_line(csv, step, number, identifier, "", LIVE_INVALID, "", "",
			                message);
		return;
	}
	if (verdict->unknown_name[0])
		tally_unknown(tally, verdict);
	if (kind == LIVE_CHANGE)
		tally_cost(tally, op, record, snapshot);
	sample(tally, kind, number, identifier, verdict, verdict->message);
	if (csv)
		write_plan_line(csv, step, number, identifier, verdict->device_name, kind,
		                verdict->current, verdict->target, verdict->message);
}

/* Pass 2: every row's verdict, into tally and plan.csv. */
static int classify_rows(const struct pipeline_config *config, const struct live_snapshot *snapshot,
                         struct plan_tally *tally, FILE *plan_csv, struct error *error)
{
	struct pipeline *pipeline = pipeline_open(config, NULL, error);
	if (!pipeline)
		return -1;
	const struct op *op = pipeline_op(pipeline);
	struct csv_writer csv;
	if (plan_csv) {
		csv_writer_init(&csv, plan_csv);
		write_plan_header(&csv, false);
	}
	/* the same judging as run's preflight: joined on disk beyond the memory budget */
	struct live_judge *judge = live_judge_open(op, snapshot, config, error);
	if (!judge) {
		pipeline_close(pipeline);
		return -1;
	}
	struct pipeline_row row;
	struct live_judgement judgement;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1) {
		uint64_t number = row.record ? record_shown_row(row.record) : row.row->number;
		if (!row.valid || !row.record) {
			tally_row(tally, op, NULL, number, row.record, NULL, row.message, snapshot,
			          plan_csv ? &csv : NULL);
			continue;
		}
		if (live_judge_row(judge, row.record, &judgement, error) < 0) {
			next = -1;
			break;
		}
		tally_row(tally, op, NULL, number, row.record, &judgement.verdict,
		          judgement.verdict.message, snapshot, plan_csv ? &csv : NULL);
	}
	live_judge_free(judge);
	pipeline_close(pipeline);
	return next < 0 ? -1 : 0;
}

static uint64_t tally_rows(const struct plan_tally *tally)
{
	uint64_t rows = 0;
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		rows += tally->kinds[kind];
	return rows;
}

static void print_account(const struct live_snapshot *snapshot)
{
	const struct live_snapshot_meta *meta = live_snapshot_info(snapshot);
	char when[40];
	clock_format_iso8601(meta->taken_at_ms, when, sizeof(when));
	printf("account: read at %s from %s (%s, %zu device%s, %" PRIu64 " read%s, %" PRId64
	       " ms)\n",
	       when, meta->endpoint, live_scope_name(meta->scope),
	       live_snapshot_device_count(snapshot),
	       live_snapshot_device_count(snapshot) == 1 ? "" : "s", meta->calls,
	       meta->calls == 1 ? "" : "s", meta->read_ms);
}

/* The counts per kind, the first rows of each, unknown names, cost, undo. */
static void print_kinds(const struct plan_tally *tally, const struct op *op)
{
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		printf("  %-10s %" PRIu64 "\n", live_kind_name((enum live_kind)kind),
		       tally->kinds[kind]);
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++) {
		if (!tally->kinds[kind])
			continue;
		printf("first %s rows:\n%s", live_kind_name((enum live_kind)kind),
		       strbuf_text(&tally->samples[kind]));
	}
	for (size_t index = 0; index < tally->unknown_count; index++) {
		const struct unknown_name *entry = &tally->unknown[index];
		printf("'%s' does not exist in the account (%" PRIu64 " row%s)", entry->name,
		       entry->rows, entry->rows == 1 ? "" : "s");
		if (entry->suggestion[0])
			printf("; did you mean '%s'?", entry->suggestion);
		putchar('\n');
	}
	if (op->live.flags & OP_LIVE_RATE_PLANS && tally->kinds[LIVE_CHANGE]) {
		if (tally->priced_rows)
			printf("cost: %" PRIu64
			       " activation%s, activation fees %.2f, then %.2f per "
			       "month (the rate plans' activation_fee, monthly_data_plan_cost + "
			       "monthly_sms_plan_cost)\n",
			       tally->priced_rows, tally->priced_rows == 1 ? "" : "s",
			       tally->activation_fees, tally->monthly_costs);
		if (tally->unpriced_rows)
			printf("cost: %" PRIu64
			       " activation%s on rate plans without a readable fee\n",
			       tally->unpriced_rows, tally->unpriced_rows == 1 ? "" : "s");
	}
	if (!(op->live.flags & OP_LIVE_UNDO))
		printf("undo: %s sets nothing the API lets us read back; no undo exists\n",
		       op->name);
}

static void print_tally(const struct plan_tally *tally, const struct op *op,
                        const struct live_snapshot *snapshot)
{
	uint64_t rows = tally_rows(tally);
	printf("plan: %s, %" PRIu64 " row%s, nothing sent\n", op->name, rows, rows == 1 ? "" : "s");
	print_account(snapshot);
	print_kinds(tally, op);
}

static bool tally_fails(const struct plan_tally *tally)
{
	return tally->kinds[LIVE_MISSING] || tally->kinds[LIVE_CONFLICT] ||
	       tally->kinds[LIVE_INVALID];
}

/* --out: the snapshot stored in out/snapshot (its path into directory) and
 * plan.csv opened (*plan_csv). Returns 0 or -1 with error. */
static int open_plan_outputs(const char *out, const struct live_snapshot *snapshot, char *directory,
                             size_t size, FILE **plan_csv, struct error *error)
{
	char path[4200];
	snprintf(directory, size, "%s/%s", out, LIVE_SNAPSHOT_DIRECTORY);
	snprintf(path, sizeof(path), "%s/%s", out, PLAN_FILE);
	if (live_snapshot_store(snapshot, directory, error) < 0 || !(*plan_csv = fopen(path, "w")))
		return error_set(error, "cannot write %s", path);
	return 0;
}

/* Closes plan.csv (NULL: none) and says whether it was written whole. */
static int close_plan_csv(const char *out, FILE **plan_csv, struct error *error)
{
	if (!*plan_csv)
		return 0;
	int failed = ferror(*plan_csv) | fclose(*plan_csv);
	*plan_csv = NULL;
	return failed ? error_set(error, "cannot write %s/%s", out, PLAN_FILE) : 0;
}

/* A job directory's snapshot belongs to its job: plan would replace its baseline. */
static int refuse_job_directory(const char *directory, struct error *error)
{
	char path[4096];
	struct stat status;
	snprintf(path, sizeof(path), "%s/job.json", directory);
	if (stat(path, &status) == 0)
		return error_set(error,
		                 "'%s' holds a job (job.json); plan would replace its snapshot: "
		                 "choose another --out",
		                 directory);
	return 0;
}

/* Reads the account the way run's preflight does and classifies; returns
 * an exit_code. */
static int plan_job(const struct job_options *options, const struct pipeline_config *config,
                    const struct op *op, const struct live_wanted *wanted, struct error *error)
{
	struct api_session session;
	api_session_init(&session);
	struct live_snapshot *snapshot = NULL;
	struct plan_tally tally;
	memset(&tally, 0, sizeof(tally));
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		strbuf_init(&tally.samples[kind], 1u << 16);
	char directory[4096] = "";
	FILE *plan_csv = NULL;
	int exit_code = api_session_open(&session, options, options->quiet, error);
	if (exit_code != 0)
		goto out;
	struct read_transport transport;
	struct live_take_request request;
	api_session_transport(&session, options, &transport);
	preflight_request(&request, options, op, &transport, session.api_root, NULL);
	request.bounded = true;
	exit_code = live_snapshot_take(&request, wanted, &snapshot, error);
	if (exit_code != 0)
		goto out;
	if (options->out && open_plan_outputs(options->out, snapshot, directory, sizeof(directory),
	                                      &plan_csv, error) < 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}
	if (classify_rows(config, snapshot, &tally, plan_csv, error) < 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}
	if (close_plan_csv(options->out, &plan_csv, error) < 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}
	print_tally(&tally, op, snapshot);
	if (options->out)
		printf("plan:    %s/%s\nsnapshot: %s\n", options->out, PLAN_FILE, directory);
	exit_code = tally_fails(&tally) ? EXIT_SOME_FAILED : EXIT_ALL_OK;
out:
	if (plan_csv)
		fclose(plan_csv);
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		strbuf_release(&tally.samples[kind]);
	live_snapshot_free(snapshot);
	api_session_close(&session);
	return exit_code;
}

/* plan of a job with steps: per step, what its rows would do. */
struct steps_plan {
	const struct step_config *configs;
	size_t step_count;
	struct plan_tally tallies[STEP_ROWS_MAX];
	char labels[STEP_ROWS_MAX][96];
	const struct live_snapshot *snapshot;
	struct csv_writer csv;
	bool csv_open;
};

/* steps_visit_fn: each step's verdict of the row into that step's tally,
 * and the row's invalid step as invalid there. */
static int steps_plan_row(void *context, const struct step_row *row,
                          const struct live_verdict *const *verdicts, struct error *error)
{
	(void)error;
	struct steps_plan *plan = context;
	struct csv_writer *csv = plan->csv_open ? &plan->csv : NULL;
	for (size_t step = 0; step < plan->step_count; step++) {
		const struct op *op = plan->configs[step].op;
		const struct record *record = row->steps[step].record;
		uint64_t number = record ? record_shown_row(record) : row->row->number;
		if (verdicts[step])
			tally_row(&plan->tallies[step], op, plan->labels[step], number, record,
			          verdicts[step], verdicts[step]->message, plan->snapshot, csv);
		else if (step == row->first_invalid)
			tally_row(&plan->tallies[step], op, plan->labels[step], number, record,
			          NULL, row->message, plan->snapshot, csv);
	}
	return 0;
}

/* Reads the account as a steps job's run would before its first write and
 * prints, per step, what its rows would do; returns an exit_code. */
static int plan_steps(const struct job_options *options, struct error *error)
{
	struct step_config *configs = NULL;
	struct steps_plan plan;
	memset(&plan, 0, sizeof(plan));
	struct api_session session;
	api_session_init(&session);
	struct steps_preflight preflight;
	memset(&preflight, 0, sizeof(preflight));
	struct live_snapshot *snapshot = NULL;
	FILE *plan_csv = NULL;
	char directory[4096] = "";
	int exit_code = EXIT_USAGE;
	if (options->step_count > STEP_ROWS_MAX) {
		error_set(error, "more than %d steps", STEP_ROWS_MAX);
		goto out;
	}
	if (step_configs_build(options, &configs, error) < 0)
		goto out;
	plan.configs = configs;
	plan.step_count = options->step_count;
	struct pipeline_config pipelines[STEP_ROWS_MAX];
	for (size_t step = 0; step < plan.step_count; step++) {
		pipelines[step] = configs[step].pipeline;
		for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
			strbuf_init(&plan.tallies[step].samples[kind], 1u << 16);
		snprintf(plan.labels[step], sizeof(plan.labels[step]), "%zu-%s", step + 1,
		         configs[step].op->name);
	}
	exit_code = api_session_open(&session, options, options->quiet, error);
	if (exit_code != 0)
		goto out;
	struct read_transport transport;
	struct live_take_request request;
	api_session_transport(&session, options, &transport);
	preflight_request(&request, options, configs[0].op, &transport, session.api_root, NULL);
	steps_preflight_init(&preflight, configs, plan.step_count, options->partial, NULL);
	size_t identifiers = 0;
	exit_code = steps_preflight_read_account(&preflight, pipelines, &request, &snapshot,
	                                         &identifiers, error);
	if (exit_code != 0)
		goto out;
	exit_code = EXIT_USAGE;
	if (options->out) {
		if (open_plan_outputs(options->out, snapshot, directory, sizeof(directory),
		                      &plan_csv, error) < 0)
			goto out;
		csv_writer_init(&plan.csv, plan_csv);
		write_plan_header(&plan.csv, true);
		plan.csv_open = true;
	}
	plan.snapshot = snapshot;
	steps_preflight_release(&preflight);
	steps_preflight_init(&preflight, configs, plan.step_count, options->partial, snapshot);
	if (steps_preflight_classify(&preflight, pipelines, NULL, NULL, NULL, steps_plan_row, &plan,
	                             error) < 0)
		goto out;
	if (close_plan_csv(options->out, &plan_csv, error) < 0)
		goto out;
	printf("plan: %zu steps, nothing sent\n", plan.step_count);
	print_account(snapshot);
	bool fails = false;
	for (size_t step = 0; step < plan.step_count; step++) {
		const struct op *op = configs[step].op;
		uint64_t rows = tally_rows(&plan.tallies[step]);
		printf("\nstep %zu of %zu: %s, %" PRIu64 " row%s%s\n", step + 1, plan.step_count,
		       op->name, rows, rows == 1 ? "" : "s",
		       configs[step].device_by_iccid ? " (devices named by ICCID)" : "");
		print_kinds(&plan.tallies[step], op);
		if (op->live.flags & OP_LIVE_UNDO) {
			char name[96];
			steps_undo_file_name(step, op, name, sizeof(name));
			printf("undo: run writes OUT/%s (the values before the job) before its "
			       "first write\n",
			       name);
		}
		fails |= tally_fails(&plan.tallies[step]);
	}
	if (options->out)
		printf("\nplan:    %s/%s\nsnapshot: %s\n", options->out, PLAN_FILE, directory);
	exit_code = fails ? EXIT_SOME_FAILED : EXIT_ALL_OK;
out:
	if (plan_csv)
		fclose(plan_csv);
	for (size_t step = 0; step < plan.step_count; step++)
		for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
			strbuf_release(&plan.tallies[step].samples[kind]);
	steps_preflight_release(&preflight);
	live_snapshot_free(snapshot);
	step_configs_free(configs, options->step_count);
	api_session_close(&session);
	return exit_code;
}

int command_plan(int argc, char **argv)
{
	struct job_options options;
	struct error error;
	struct live_wanted *wanted = NULL;
	struct stop_signals signals;
	memset(&signals, 0, sizeof(signals));
	bool signals_installed = false;
	int exit_code = EXIT_USAGE;
	error_clear(&error);
	job_options_init(&options);
	int loaded = job_options_load(&options, SCOPE_PLAN, argc, argv, &error);
	if (loaded == 1) {
		help_command(stdout, "plan");
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (loaded < 0)
		goto out;
	/* plan passes over the manifest more than once: a piped one is made a
	 * file first, which each pass then reads from its start */
	if (strcmp(options.manifest, "-") == 0 && stdin_copy_to_file(&error) < 0)
		goto out;
	if (options.out && (refuse_job_directory(options.out, &error) < 0 ||
	                    file_make_directories(options.out, &error) < 0))
		goto out;
	if (options.step_count) {
		signals_installed = stop_signals_install(&signals) == 0;
		exit_code = plan_steps(&options, &error);
		goto out;
	}
	struct pipeline_config config;
	job_options_pipeline_config(&options, &config);
	const struct op *op = pipeline_find_op(options.op, &error);
	if (!op)
		goto out;
	wanted = live_wanted_from_rows(&config, stderr, &error);
	if (!wanted)
		goto out;
	signals_installed = stop_signals_install(&signals) == 0;
	exit_code = plan_job(&options, &config, op, wanted, &error);
out:
	if (signals_installed)
		stop_signals_restore(&signals);
	if (error.set)
		report_error(&error, exit_code);
	live_wanted_free(wanted);
	job_options_release(&options);
	return exit_code;
}
