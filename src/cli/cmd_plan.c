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
#include "common/clock.h"
#include "common/csv_writer.h"
#include "common/file_io.h"
#include "live/classify.h"
#include "live/take.h"
#include "pipeline/pipeline.h"

#define PLAN_FILE        "plan.csv"
#define SAMPLES_PER_KIND 5
#define MAX_UNKNOWN      16 /* distinct unknown rate plans / usernames listed */

struct unknown_name {
	char name[128];
	const char *suggestion; /* into the snapshot */
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
	entry->suggestion = verdict->suggestion;
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

static void write_plan_line(struct csv_writer *csv, uint64_t row, const char *identifier,
                            const char *device_name, enum live_kind kind, const char *current,
                            const char *target, const char *message)
{
	char number[24];
	snprintf(number, sizeof(number), "%" PRIu64, row);
	csv_writer_cell_raw(csv, number);
	csv_writer_cell(csv, identifier);
	csv_writer_cell(csv, device_name);
	csv_writer_cell_raw(csv, live_kind_name(kind));
	csv_writer_cell(csv, current);
	csv_writer_cell(csv, target);
	csv_writer_cell(csv, message);
	csv_writer_end_line(csv);
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
		const char *header[] = {"row",     "identifier", "device_name", "kind",
		                        "current", "target",     "message"};
		for (size_t index = 0; index < 7; index++)
			csv_writer_cell_raw(&csv, header[index]);
		csv_writer_end_line(&csv);
	}
	struct live_claims *claims = live_claims_new(snapshot);
	if (!claims) {
		pipeline_close(pipeline);
		return error_set(error, "out of memory");
	}
	struct pipeline_row row;
	struct live_verdict verdict;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1) {
		uint64_t number = row.record ? record_shown_row(row.record) : row.row->number;
		const char *identifier = row_identifier(op, row.record);
		if (!row.valid || !row.record) {
			tally->kinds[LIVE_INVALID]++;
			sample(tally, LIVE_INVALID, number, identifier, NULL, row.message);
			if (plan_csv)
				write_plan_line(&csv, number, identifier, "", LIVE_INVALID, "", "",
				                row.message);
			continue;
		}
		live_classify(op, row.record, snapshot, &verdict);
		if (live_claims_check(claims, number, true, row.record, op, &verdict) < 0) {
			error_set(error, "out of memory");
			next = -1;
			break;
		}
		tally->kinds[verdict.kind]++;
		if (verdict.unknown_name[0])
			tally_unknown(tally, &verdict);
		if (verdict.kind == LIVE_CHANGE)
			tally_cost(tally, op, row.record, snapshot);
		sample(tally, verdict.kind, number, identifier, &verdict, verdict.message);
		if (plan_csv)
			write_plan_line(&csv, number, identifier, verdict.device_name, verdict.kind,
			                verdict.current, verdict.target, verdict.message);
	}
	live_claims_free(claims);
	pipeline_close(pipeline);
	return next < 0 ? -1 : 0;
}

static void print_tally(const struct plan_tally *tally, const struct op *op,
                        const struct live_snapshot *snapshot)
{
	const struct live_snapshot_meta *meta = live_snapshot_info(snapshot);
	char when[40];
	clock_format_iso8601(meta->taken_at_ms, when, sizeof(when));
	uint64_t rows = 0;
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		rows += tally->kinds[kind];
	printf("plan: %s, %" PRIu64 " row%s, nothing sent\n", op->name, rows, rows == 1 ? "" : "s");
	printf("account: read at %s from %s (%s, %zu device%s, %" PRIu64 " read%s, %" PRId64
	       " ms)\n",
	       when, meta->endpoint, live_scope_name(meta->scope),
	       live_snapshot_device_count(snapshot),
	       live_snapshot_device_count(snapshot) == 1 ? "" : "s", meta->calls,
	       meta->calls == 1 ? "" : "s", meta->read_ms);
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
		if (entry->suggestion)
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
	exit_code = live_snapshot_take(&request, wanted, &snapshot, error);
	if (exit_code != 0)
		goto out;
	if (options->out) {
		char path[4200];
		snprintf(directory, sizeof(directory), "%s/%s", options->out,
		         LIVE_SNAPSHOT_DIRECTORY);
		snprintf(path, sizeof(path), "%s/%s", options->out, PLAN_FILE);
		if (live_snapshot_store(snapshot, directory, error) < 0 ||
		    !(plan_csv = fopen(path, "w"))) {
			error_set(error, "cannot write %s", path);
			exit_code = EXIT_USAGE;
			goto out;
		}
	}
	if (classify_rows(config, snapshot, &tally, plan_csv, error) < 0) {
		exit_code = EXIT_USAGE;
		goto out;
	}
	if (plan_csv) {
		int failed = ferror(plan_csv) | fclose(plan_csv);
		plan_csv = NULL;
		if (failed) {
			error_set(error, "cannot write %s/%s", options->out, PLAN_FILE);
			exit_code = EXIT_USAGE;
			goto out;
		}
	}
	print_tally(&tally, op, snapshot);
	if (options->out)
		printf("plan:    %s/%s\nsnapshot: %s\n", options->out, PLAN_FILE, directory);
	exit_code =
	    tally.kinds[LIVE_MISSING] || tally.kinds[LIVE_CONFLICT] || tally.kinds[LIVE_INVALID]
	        ? EXIT_SOME_FAILED
	        : EXIT_ALL_OK;
out:
	if (plan_csv)
		fclose(plan_csv);
	for (int kind = 0; kind < LIVE_KIND_COUNT; kind++)
		strbuf_release(&tally.samples[kind]);
	live_snapshot_free(snapshot);
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
	if (options.step_count) {
		error_set(&error, "plan takes one operation: a job file with \"steps\" is not "
		                  "planned yet; plan each step with --op OP");
		goto out;
	}
	if (strcmp(options.manifest, "-") == 0) {
		error_set(&error, "plan reads the manifest twice: give a file, not - (stdin)");
		goto out;
	}
	struct pipeline_config config;
	job_options_pipeline_config(&options, &config);
	const struct op *op = pipeline_find_op(options.op, &error);
	if (!op)
		goto out;
	if (options.out && (refuse_job_directory(options.out, &error) < 0 ||
	                    file_make_directories(options.out, &error) < 0))
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
