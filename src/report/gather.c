/* Gathering what report.html shows from a job directory, read-only. */
#include "report/report_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/members.h"
#include "audit/record.h"
#include "common/strbuf.h"
#include "jobdir/lock.h"

#define SIDE_FILE_MAX   (1024 * 1024) /* summary.json and job.json are a few hundred bytes */
#define FIRST_BUCKET_MS 10            /* grows by doubling: 120 buckets cover any job */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	unsigned year_of_era = (unsigned)(year - era * 400);
	unsigned day_of_year = (153 * (month + (month > 2 ? (unsigned)-3 : 9)) + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + (int64_t)day_of_era - 719468;
}

static int digits(const char *text, size_t count, unsigned *value)
{
	*value = 0;
	for (size_t index = 0; index < count; index++) {
		if (text[index] < '0' || text[index] > '9')
			return -1;
		*value = *value * 10 + (unsigned)(text[index] - '0');
	}
	return 0;
}

int report_parse_time(const char *text, size_t length, int64_t *epoch_ms)
{
	unsigned year, month, day, hour, minute, second, millis = 0;
	if (length < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
	    text[16] != ':' || digits(text, 4, &year) || digits(text + 5, 2, &month) ||
	    digits(text + 8, 2, &day) || digits(text + 11, 2, &hour) ||
	    digits(text + 14, 2, &minute) || digits(text + 17, 2, &second))
		return -1;
	size_t at = 19;
	if (text[at] == '.') {
		if (length < 24 || digits(text + 20, 3, &millis))
			return -1;
		at = 23;
	}
	if (at >= length || text[at] != 'Z' || month < 1 || month > 12 || day < 1 || day > 31 ||
	    hour > 23 || minute > 59 || second > 60)
		return -1;
	int64_t days = days_from_civil(year, month, day);
	*epoch_ms = ((days * 24 + hour) * 60 + minute) * 60000 + (int64_t)second * 1000 + millis;
	return 0;
}

/* ---- the checkpoint ---- */

struct journal_state {
	struct report_data *data;
	unsigned char *seen; /* one bit per row: the first outcome recorded wins (as replay) */
	size_t seen_bytes;
};

static int on_call(void *context, const struct journal_call *call, struct error *error)
{
	(void)error;
	struct journal_state *state = context;
	state->data->journal_calls++;
	if (call->attempt > 1)
		state->data->journal_retries++;
	return 0;
}

static int mark_seen(struct journal_state *state, uint64_t row, bool *first, struct error *error)
{
	size_t byte = (size_t)(row / 8);
	if (byte >= state->seen_bytes) {
		size_t size = state->seen_bytes ? state->seen_bytes : 4096;
		while (size <= byte)
			size *= 2;
		unsigned char *seen = realloc(state->seen, size);
		if (!seen) {
			error_set(error, "out of memory");
			return -1;
		}
		memset(seen + state->seen_bytes, 0, size - state->seen_bytes);
		state->seen = seen;
		state->seen_bytes = size;
	}
	unsigned char bit = (unsigned char)(1u << (row % 8));
	*first = (state->seen[byte] & bit) == 0;
	state->seen[byte] |= bit;
	return 0;
}

static int on_outcome(void *context, const struct manifest_position *position,
                      const struct row_outcome *outcome, struct error *error)
{
	struct journal_state *state = context;
	struct report_data *data = state->data;
	bool first = false;
	if (!row_status_is_final(outcome->status))
		return 0;
	if (mark_seen(state, position->row, &first, error) < 0)
		return -1;
	if (!first)
		return 0;
	data->counts[outcome->status]++;
	data->rows_final++;
	int64_t at = outcome->finished_at_ms;
	if (at > 0) {
		if (!data->first_outcome_ms || at < data->first_outcome_ms)
			data->first_outcome_ms = at;
		if (at > data->last_outcome_ms)
			data->last_outcome_ms = at;
		struct timeline_bucket *bucket = timeline_at(&data->timeline, at);
		if (row_status_has(outcome->status, ROW_STATUS_SUCCESS))
			bucket->rows_ok++;
		else
			bucket->rows_failed++;
	}
	if (!row_status_has(outcome->status, ROW_STATUS_SUCCESS) &&
	    group_set_add(&data->groups, outcome->status, position->row, outcome->http_status,
	                  outcome->message) < 0) {
		error_set(error, "out of memory");
		return -1;
	}
	return 0;
}

static int on_row_total(void *context, uint64_t rows, struct error *error)
{
	(void)error;
	struct journal_state *state = context;
	state->data->row_total = rows;
	return 0;
}

static int on_finished(void *context, int64_t finished_at_ms, struct error *error)
{
	(void)finished_at_ms;
	(void)error;
	struct journal_state *state = context;
	state->data->job_finished = true;
	return 0;
}

/* A compacted checkpoint: the snapshot's calls, and the outcomes of the rows
 * it holds final, read from the outcome store (the journal no longer has them). */
static int on_snapshot(void *context, const struct journal_snapshot *snapshot, struct error *error)
{
	struct journal_state *state = context;
	state->data->journal_calls += snapshot->state->calls;
	state->data->journal_retries += snapshot->state->retries;
	state->data->row_total = snapshot->state->row_total;
	struct outcome_store *store =
	    outcome_store_open(state->data->directory, OUTCOME_STORE_OPEN, error);
	if (!store)
		return -1;
	int result = 0;
	for (uint64_t row = 1; row <= snapshot->highest_final && result == 0; row++) {
		if (journal_replay_row_state(snapshot->state, row) != JOURNAL_ROW_FINAL)
			continue;
		struct row_outcome outcome;
		struct manifest_position position = {.row = row};
		result = outcome_store_get(store, row, &outcome, error);
		if (result == 0)
			result = on_outcome(state, &position, &outcome, error);
	}
	outcome_store_close(store);
	return result;
}

static int read_checkpoint(struct report_data *data, struct error *error)
{
	struct journal_header header;
	memset(&header, 0, sizeof(header));
	if (journal_read_header(data->directory, &header, error) < 0) {
		journal_header_release(&header);
		return -1;
	}
	timeline_init(&data->timeline, header.created_at_ms, FIRST_BUCKET_MS);
	journal_header_release(&header);
	struct journal_state state = {data, NULL, 0};
	struct journal_visitor visitor = {&state,       on_call,     on_outcome,
	                                  on_row_total, on_finished, on_snapshot};
	int result = journal_read(data->directory, &visitor, &data->journal, error);
	free(state.seen);
	return result;
}

/* ---- the audit trail ---- */

struct audit_state {
	struct report_data *data;
	char *last; /* copy of the latest record line */
	size_t last_length, last_capacity;
	bool failed; /* out of memory */
};

/* memmem without _GNU_SOURCE: memchr finds the candidates. */
static const char *find_bytes(const char *text, size_t length, const char *needle,
                              size_t needle_length)
{
	const char *end = text + length;
	while ((size_t)(end - text) >= needle_length) {
		const char *candidate =
		    memchr(text, needle[0], (size_t)(end - text) - needle_length + 1);
		if (!candidate)
			return NULL;
		if (memcmp(candidate, needle, needle_length) == 0)
			return candidate;
		text = candidate + 1;
	}
	return NULL;
}

/* Returns the text just after the first occurrence of key in line, or NULL. */
static const char *after_key(const char *line, size_t length, const char *key, size_t *rest)
{
	size_t key_length = strlen(key);
	const char *found = find_bytes(line, length, key, key_length);
	if (!found)
		return NULL;
	const char *value = found + key_length;
	*rest = length - (size_t)(value - line);
	return value;
}

static uint64_t number_after(const char *line, size_t length, const char *key, bool *present)
{
	size_t rest = 0;
	const char *value = after_key(line, length, key, &rest);
	uint64_t number = 0;
	*present = false;
	for (size_t index = 0; value && index < rest && index < 19; index++) {
		if (value[index] < '0' || value[index] > '9')
			break;
		number = number * 10 + (uint64_t)(value[index] - '0');
		*present = true;
	}
	return number;
}

static bool time_after(const char *line, size_t length, const char *key, int64_t *epoch_ms)
{
	size_t rest = 0;
	const char *value = after_key(line, length, key, &rest);
	return value && report_parse_time(value, rest, epoch_ms) == 0;
}

/* Keeps scheme://host[:port] of the URL (never a path or query). */
static void note_endpoint(struct report_data *data, const char *line, size_t length)
{
	size_t rest = 0;
	const char *url = after_key(line, length, "\"url\":\"", &rest);
	if (!url)
		return;
	size_t end = 0, slashes = 0;
	while (end < rest && url[end] != '"' && url[end] != '\\' && url[end] != '?') {
		if (url[end] == '/' && ++slashes == 3)
			break;
		end++;
	}
	if (end >= sizeof(data->endpoint_seen))
		end = sizeof(data->endpoint_seen) - 1;
	memcpy(data->endpoint_seen, url, end);
	data->endpoint_seen[end] = '\0';
}

/* Reads the fields of an exchange record by key. Our writer emits the keys in
 * a fixed order and escapes every '"' inside string values, so the first
 * `"status":` of a line is the record's own. */
static void on_exchange(struct report_data *data, const char *line, size_t length)
{
	bool present = false;
	int64_t started = 0, finished = 0;
	uint64_t latency = number_after(line, length, "\"latency_ms\":", &present);
	bool has_latency = present;
	uint64_t attempt = number_after(line, length, "\"attempt\":", &present);
	uint64_t status = number_after(line, length, "\"status\":", &present);
	bool has_status = present;
	bool has_started = time_after(line, length, "\"started_at\":\"", &started);
	bool has_finished = time_after(line, length, "\"finished_at\":\"", &finished);
	if (!data->endpoint_seen[0])
		note_endpoint(data, line, length);
	data->exchanges++;
	if (attempt > 1)
		data->exchange_retries++;
	if (has_status && status == 429)
		data->exchanges_429++;
	else if (has_status && status >= 500)
		data->exchanges_5xx++;
	else if (!has_status || status == 0)
		data->exchanges_transport++;
	if (has_latency)
		latency_stats_add(&data->latency, latency);
	if (!has_finished)
		return;
	struct timeline_bucket *bucket = timeline_at(&data->timeline, finished);
	bucket->calls++;
	if (attempt > 1)
		bucket->retries++;
	if (has_status && status == 429)
		bucket->throttled++;
	else if (!has_status || status == 0 || status >= 500)
		bucket->failures++;
	if (has_started)
		timeline_add_busy(&data->timeline, started, finished);
}

static int on_audit_line(void *context, const char *line, size_t length, uint64_t member_offset,
                         struct error *error)
{
	(void)member_offset;
	(void)error;
	struct audit_state *state = context;
	struct report_data *data = state->data;
	data->audit_records++;
	if (length + 1 > state->last_capacity) {
		size_t capacity = state->last_capacity ? state->last_capacity : 4096;
		while (capacity < length + 1)
			capacity *= 2;
		char *last = realloc(state->last, capacity);
		if (!last) {
			state->failed = true;
			return 1;
		}
		state->last = last;
		state->last_capacity = capacity;
	}
	memcpy(state->last, line, length);
	state->last_length = length;
	size_t rest = 0;
	const char *kind = after_key(line, length, "\"kind\":\"", &rest);
	if (kind && rest >= 9 && memcmp(kind, "exchange\"", 9) == 0)
		on_exchange(data, line, length);
	return 0;
}

static void read_audit(struct report_data *data)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	if (strbuf_appendf(&path, "%s/%s", data->directory, AUDIT_FILE_NAME) != STRBUF_OK) {
		strbuf_release(&path);
		return;
	}
	struct stat info;
	if (stat(strbuf_text(&path), &info) != 0) {
		strbuf_release(&path);
		return;
	}
	struct audit_state state = {data, NULL, 0, 0, false};
	struct member_visitor visitor = {&state, on_audit_line, NULL};
	struct member_result result;
	struct error error;
	error_clear(&error);
	memset(&result, 0, sizeof(result));
	data->audit_present = true;
	if (audit_read_members(strbuf_text(&path), &visitor, &result, &error) < 0 || state.failed)
		data->audit_damaged = true;
	data->audit_truncated = result.truncated;
	data->audit_damaged |= result.damaged;
	if (state.last_length)
		audit_sha256_hex(state.last, state.last_length, data->audit_last_hash);
	free(state.last);
	strbuf_release(&path);
}

/* ---- summary.json and job.json ---- */

static json_t *load_side_file(const char *directory, const char *name)
{
	char path[4096];
	struct stat info;
	if (snprintf(path, sizeof(path), "%s/%s", directory, name) >= (int)sizeof(path) ||
	    stat(path, &info) != 0 || !S_ISREG(info.st_mode) || info.st_size > SIDE_FILE_MAX)
		return NULL;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (root && !json_is_object(root)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int report_data_gather(const char *directory, struct report_data *data, struct error *error)
{
	memset(data, 0, sizeof(*data));
	data->directory = directory;
	group_set_init(&data->groups);
	if (latency_stats_init(&data->latency) < 0) {
		error_set(error, "out of memory");
		return -1;
	}
	if (read_checkpoint(data, error) < 0)
		return -1;
	int steps = step_progress_read(directory, data->steps, STEP_PROGRESS_MAX, error);
	if (steps < 0)
		return -1;
	data->step_count = (size_t)steps;
	group_set_sort(&data->groups);
	report_identifiers_fill(data);
	read_audit(data);
	data->summary = load_side_file(directory, "summary.json");
	data->job = load_side_file(directory, "job.json");
	json_t *total = data->summary ? json_object_get(data->summary, "rows_total") : NULL;
	if (json_is_integer(total) && json_integer_value(total) >= 0)
		data->row_total = (uint64_t)json_integer_value(total);
	data->running = job_lock_is_held(directory, &data->running_pid);
	/* `run` writes the report at its own end, still holding the lock: the
	 * job is then not "running" but finishing, and the checkpoint says how. */
	if (data->running && data->running_pid == getpid()) {
		data->running = false;
		data->running_pid = 0;
	}
	return 0;
}

void report_data_release(struct report_data *data)
{
	journal_header_release(&data->journal.header);
	group_set_release(&data->groups);
	latency_stats_release(&data->latency);
	json_decref(data->summary);
	json_decref(data->job);
	data->summary = data->job = NULL;
}
