/* Reading the runs back from summary.json and reconciling them with the
 * job's ground truth. */
#include "outputs/run_history.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

static int append(struct run_history *history, const struct run_entry *entry, struct error *error)
{
	struct run_entry *grown =
	    realloc(history->entries, (history->count + 1) * sizeof(*history->entries));
	if (!grown)
		return error_set(error, "out of memory");
	history->entries = grown;
	history->entries[history->count++] = *entry;
	return 0;
}

static uint64_t count_of(const json_t *object, const char *key)
{
	json_int_t value = json_integer_value(json_object_get(object, key));
	return value > 0 ? (uint64_t)value : 0;
}

static int64_t time_of(const json_t *object, const char *key)
{
	const char *text = json_string_value(json_object_get(object, key));
	int64_t epoch_ms = 0;
	if (!text || clock_parse_iso8601(text, &epoch_ms) != 0)
		return 0;
	return epoch_ms;
}

static void entry_from_json(const json_t *item, int64_t ended_by_ms, struct run_entry *entry)
{
	memset(entry, 0, sizeof(*entry));
	entry->started_at_ms = time_of(item, "started_at");
	entry->ended_at_ms = time_of(item, "ended_at");
	entry->wall_ms =
	    (int64_t)(json_number_value(json_object_get(item, "wall_time_seconds")) * 1000.0);
	entry->rows_settled = count_of(item, "rows_settled");
	entry->calls = count_of(item, "calls");
	entry->retries = count_of(item, "retries");
	entry->throttled = count_of(item, "throttled");
	entry->in_doubt_at_start = count_of(item, "in_doubt_at_start");
	json_t *exit_status = json_object_get(item, "exit_status");
	entry->exit_status =
	    json_is_integer(exit_status) ? (int)json_integer_value(exit_status) : -1;
	entry->killed = json_is_true(json_object_get(item, "killed"));
	if (json_is_true(json_object_get(item, "running"))) {
		/* its process is gone: it ended with its last record or snapshot */
		entry->killed = true;
		entry->exit_status = -1;
		if (ended_by_ms > entry->ended_at_ms)
			entry->ended_at_ms = ended_by_ms;
		if (entry->started_at_ms && entry->ended_at_ms > entry->started_at_ms)
			entry->wall_ms = entry->ended_at_ms - entry->started_at_ms;
	}
}

/* Subtracts what the entries account for from totals; false when an entry
 * claims more than the job holds (a summary.json of another job). */
static bool unaccounted(const struct run_history *history, const struct job_totals *totals,
                        struct job_totals *left)
{
	*left = *totals;
	for (size_t index = 0; index < history->count; index++) {
		const struct run_entry *entry = &history->entries[index];
		if (entry->rows_settled > left->rows_settled || entry->calls > left->calls ||
		    entry->retries > left->retries || entry->throttled > left->throttled)
			return false;
		left->rows_settled -= entry->rows_settled;
		left->calls -= entry->calls;
		left->retries -= entry->retries;
		left->throttled -= entry->throttled;
	}
	return true;
}

int run_history_load(struct run_history *history, const char *summary_path,
                     const struct job_totals *totals, struct error *error)
{
	memset(history, 0, sizeof(*history));
	json_t *root = json_load_file(summary_path, 0, NULL);
	json_t *runs = json_object_get(root, "runs");
	int64_t ended_by_ms = time_of(root, "updated_at");
	if (totals->last_written_ms > ended_by_ms)
		ended_by_ms = totals->last_written_ms;
	for (size_t index = 0; index < json_array_size(runs); index++) {
		struct run_entry entry;
		entry_from_json(json_array_get(runs, index), ended_by_ms, &entry);
		if (append(history, &entry, error) < 0) {
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	struct job_totals left;
	if (!unaccounted(history, totals, &left)) {
		/* not this job's history: keep none rather than wrong figures */
		history->count = 0;
		unaccounted(history, totals, &left);
	}
	if (!left.rows_settled && !left.calls)
		return 0;
	/* the run killed without a final summary made what no entry accounts for */
	struct run_entry *killed = NULL;
	for (size_t index = history->count; index-- > 0;)
		if (history->entries[index].killed) {
			killed = &history->entries[index];
			break;
		}
	struct run_entry unlisted = {.exit_status = -1, .killed = true};
	if (!killed)
		killed = &unlisted;
	killed->rows_settled += left.rows_settled;
	killed->calls += left.calls;
	killed->retries += left.retries;
	killed->throttled += left.throttled;
	return killed == &unlisted ? append(history, &unlisted, error) : 0;
}

struct run_entry *run_history_begin(struct run_history *history, int64_t started_at_ms,
                                    uint64_t in_doubt_at_start, struct error *error)
{
	struct run_entry entry = {.started_at_ms = started_at_ms,
	                          .in_doubt_at_start = in_doubt_at_start,
	                          .exit_status = -1,
	                          .running = true};
	if (append(history, &entry, error) < 0)
		return NULL;
	return &history->entries[history->count - 1];
}

int64_t run_history_wall_ms(const struct run_history *history)
{
	int64_t total = 0;
	for (size_t index = 0; index < history->count; index++)
		total += history->entries[index].wall_ms;
	return total;
}

void run_history_release(struct run_history *history)
{
	free(history->entries);
	history->entries = NULL;
	history->count = 0;
}
