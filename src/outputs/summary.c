/* summary.json: the job's figures, derived from the outcome store and the
 * engine's counters. */
#include "outputs/summary.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "common/file_io.h"
#include "common/clock.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"

/* Exit statuses of SPEC §2; the CLI's enum exit_code has the same values
 * (outputs sits below the CLI and cannot include it). */
enum { SUMMARY_EXIT_OK = 0, SUMMARY_EXIT_SOME_FAILED = 1, SUMMARY_EXIT_INTERRUPTED = 3 };

void job_summary_count(struct job_summary *summary, const struct outcome_store *store,
                       uint64_t rows_total)
{
	uint64_t final = 0;
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++) {
		summary->counts[status] = outcome_store_count(store, (enum row_status)status);
		final += summary->counts[status];
	}
	summary->rows_total = rows_total;
	summary->counts[ROW_PENDING] = rows_total > final ? rows_total - final : 0;
}

int job_summary_exit_status(const struct job_summary *summary)
{
	if (summary->interrupted || summary->counts[ROW_PENDING] > 0)
		return SUMMARY_EXIT_INTERRUPTED;
	/* every final row that is not a success (ok, unchanged) makes the job one
	 * where some rows failed */
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
		if (summary->counts[status] > 0 &&
		    !row_status_has((enum row_status)status, ROW_STATUS_SUCCESS))
			return SUMMARY_EXIT_SOME_FAILED;
	return SUMMARY_EXIT_OK;
}

double job_summary_rows_per_second(const struct job_summary *summary)
{
	if (summary->wall_ms <= 0)
		return 0.0;
	return (double)summary->rows_this_run * 1000.0 / (double)summary->wall_ms;
}

const struct run_entry *job_summary_this_run(const struct job_summary *summary)
{
	return summary->runs && summary->run_count ? &summary->runs[summary->run_count - 1] : NULL;
}

int64_t job_summary_job_wall_ms(const struct job_summary *summary)
{
	if (!summary->runs || !summary->run_count)
		return summary->wall_ms;
	int64_t total = 0;
	for (size_t index = 0; index < summary->run_count; index++)
		total += summary->runs[index].wall_ms;
	return total;
}

static int add(json_t *object, const char *key, json_t *value)
{
	return value ? json_object_set_new(object, key, value) : -1;
}

static json_t *timestamp(int64_t epoch_ms)
{
	char text[40];
	if (epoch_ms <= 0)
		return json_null();
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	return json_string(text);
}

static json_t *text_or_null(const char *text)
{
	return text ? json_string(text) : json_null();
}

/* Rounds to 3 decimals so the file stays readable. */
static json_t *rounded(double value)
{
	return json_real((double)(int64_t)(value * 1000.0 + 0.5) / 1000.0);
}

/* One element of "runs". */
static json_t *run_object(const struct run_entry *entry)
{
	json_t *object = json_object();
	int failed = !object;
	if (failed)
		return NULL;
	failed |= add(object, "started_at", timestamp(entry->started_at_ms));
	failed |= add(object, "ended_at", timestamp(entry->running ? 0 : entry->ended_at_ms));
	failed |= add(object, "wall_time_seconds", rounded((double)entry->wall_ms / 1000.0));
	failed |= add(object, "rows_settled", json_integer((json_int_t)entry->rows_settled));
	failed |= add(object, "calls", json_integer((json_int_t)entry->calls));
	failed |= add(object, "retries", json_integer((json_int_t)entry->retries));
	failed |= add(object, "throttled", json_integer((json_int_t)entry->throttled));
	failed |=
	    add(object, "in_doubt_at_start", json_integer((json_int_t)entry->in_doubt_at_start));
	failed |= add(object, "exit_status",
	              entry->exit_status >= 0 ? json_integer(entry->exit_status) : json_null());
	failed |= add(object, "running", json_boolean(entry->running));
	failed |= add(object, "killed", json_boolean(entry->killed));
	if (failed) {
		json_decref(object);
		return NULL;
	}
	return object;
}

static json_t *runs_array(const struct job_summary *summary)
{
	json_t *array = json_array();
	for (size_t index = 0; array && index < summary->run_count; index++)
		if (json_array_append_new(array, run_object(&summary->runs[index])) != 0) {
			json_decref(array);
			return NULL;
		}
	return array;
}

static json_t *counts_object(const uint64_t *counts)
{
	json_t *object = json_object();
	for (size_t i = 0; object && i < row_status_order_count; i++)
		if (add(object, row_status_name(row_status_order[i]),
		        json_integer((json_int_t)counts[row_status_order[i]])) != 0) {
			json_decref(object);
			return NULL;
		}
	return object;
}

static json_t *undo_object(const char *file, uint64_t rows, uint64_t missing, const char *why)
{
	if (file)
		return json_pack("{s:s, s:I, s:I}", "file", file, "rows", (json_int_t)rows,
		                 "not_restorable", (json_int_t)missing);
	return why ? json_pack("{s:n, s:s}", "file", "why", why) : json_null();
}

/* "steps" of a job with steps, and "undo_order": its undo files in the order
 * to run them (the last step's first). */
static int add_steps(json_t *root, const struct job_summary *summary)
{
	json_t *steps = json_array();
	json_t *order = json_array();
	int failed = !steps || !order;
	for (size_t index = 0; !failed && index < summary->step_count; index++) {
		const struct summary_step *step = &summary->steps[index];
		json_t *object = json_pack("{s:I, s:s, s:s, s:o, s:o}", "step",
		                           (json_int_t)(index + 1), "label", step->label, "op",
		                           step->op, "counts", counts_object(step->counts), "undo",
		                           undo_object(step->undo_file, step->undo_rows,
		                                       step->undo_missing, step->no_undo));
		if (object && step->verifies)
			failed |=
			    add(object, "verification",
			        json_pack("{s:I, s:I}", "verified", (json_int_t)step->verified,
			                  "not_verified", (json_int_t)step->not_verified));
		failed |= !object || json_array_append_new(steps, object) != 0;
	}
	for (size_t index = summary->step_count; !failed && index-- > 0;)
		if (summary->steps[index].undo_file)
			failed |= json_array_append_new(
			              order, json_string(summary->steps[index].undo_file)) != 0;
	if (failed) {
		json_decref(steps);
		json_decref(order);
		return -1;
	}
	return add(root, "steps", steps) | add(root, "undo_order", order);
}

static json_t *build(const struct job_summary *summary)
{
	json_t *root = json_object();
	json_t *counts = counts_object(summary->counts);
	int failed = !root || !counts;
	if (!failed)
		failed |= add(counts, "pending",
		              summary->rows_total_unknown
		                  ? json_null()
		                  : json_integer((json_int_t)summary->counts[ROW_PENDING]));
	if (failed) {
		json_decref(root);
		json_decref(counts);
		return NULL;
	}
	failed |= add(root, "op", text_or_null(summary->op));
	failed |= add(root, "manifest", text_or_null(summary->manifest));
	failed |= add(root, "endpoint", text_or_null(summary->endpoint));
	failed |= add(root, "rows_total",
	              summary->rows_total_unknown ? json_null()
	                                          : json_integer((json_int_t)summary->rows_total));
	failed |= add(root, "counts", counts);
	failed |= add(root, "complete",
	              json_boolean(!summary->live && !summary->interrupted &&
	                           summary->counts[ROW_PENDING] == 0));
	failed |= add(root, "calls", json_integer((json_int_t)summary->calls));
	failed |= add(root, "retries", json_integer((json_int_t)summary->retries));
	failed |= add(root, "throttled", json_integer((json_int_t)summary->throttled));
	failed |= add(root, "rows_this_run", json_integer((json_int_t)summary->rows_this_run));
	failed |= add(root, "wall_time_seconds",
	              rounded((double)job_summary_job_wall_ms(summary) / 1000.0));
	failed |= add(root, "rows_per_second", rounded(job_summary_rows_per_second(summary)));
	failed |= add(root, "started_at", timestamp(summary->started_at_ms));
	failed |= add(root, "finished_at",
	              summary->live ? json_null() : timestamp(summary->finished_at_ms));
	failed |= add(root, "exit_status",
	              summary->live ? json_null() : json_integer(summary->exit_status));
	if (summary->runs)
		failed |= add(root, "runs", runs_array(summary));
	failed |= add(root, "running", json_boolean(summary->live));
	if (summary->preflight_taken_at_ms)
		failed |= add(root, "preflight",
		              json_pack("{s:o, s:I, s:o}", "account_read_at",
		                        timestamp(summary->preflight_taken_at_ms), "calls",
		                        (json_int_t)summary->preflight_calls, "read_seconds",
		                        rounded((double)summary->preflight_read_ms / 1000.0)));
	if (summary->undo_file || summary->no_undo)
		failed |= add(root, "undo",
		              undo_object(summary->undo_file, summary->undo_rows,
		                          summary->undo_missing, summary->no_undo));
	if (summary->steps)
		failed |= add_steps(root, summary);
	failed |= add(
	    root, "updated_at",
	    timestamp(summary->updated_at_ms ? summary->updated_at_ms : summary->finished_at_ms));
	if (failed) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int job_summary_write(const struct job_summary *summary, struct error *error)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	json_t *root = NULL;
	int result = -1;
	if (strbuf_appendf(&path, "%s/%s", summary->directory, SUMMARY_FILE) != STRBUF_OK) {
		error_set(error, "job directory path too long: '%s'", summary->directory);
		goto out;
	}
	root = build(summary);
	if (!root) {
		error_set(error, "out of memory");
		goto out;
	}
	result = atomic_file_write_json(
	    strbuf_text(&path), root,
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), error);
out:
	json_decref(root);
	strbuf_release(&path);
	return result;
}
