/* OUT/runs.jsonl: one line as each run starts (synced), one as it ends, and
 * the runs of summary.json derived from them and the job's ground truth. */
#include "outputs/run_history.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/file_io.h"

/* runs.jsonl holds a few lines per run: anything larger is not ours. */
#define RUN_HISTORY_MAX_BYTES (16u * 1024u * 1024u)

/* A start line as read: the run's figures at its start. */
struct run_start {
	struct job_totals at_start;
	int64_t started_at_ms;
	uint64_t in_doubt;
	bool ended;
	int64_t ended_at_ms, wall_ms;
	int exit_status;
};

static int append_entry(struct run_history *history, const struct run_entry *entry,
                        struct error *error)
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

static json_t *timestamp(int64_t epoch_ms)
{
	char text[40];
	if (epoch_ms <= 0)
		return json_null();
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	return json_string(text);
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0; /* a trail cut by a power loss may hold less than a run saw */
}

/* What the job gained between two sets of figures. */
static void share(const struct job_totals *from, const struct job_totals *to,
                  struct run_entry *entry)
{
	entry->rows_settled = less(to->rows_settled, from->rows_settled);
	entry->calls = less(to->calls, from->calls);
	entry->retries = less(to->retries, from->retries);
	entry->throttled = less(to->throttled, from->throttled);
}

/* Reads the whole file (small) into a NUL-terminated buffer the caller frees;
 * *text NULL when the file does not exist. */
static int read_all(const char *path, char **text, struct error *error)
{
	*text = NULL;
	FILE *file = fopen(path, "rb");
	if (!file) {
		if (errno == ENOENT)
			return 0;
		return error_set(error, "cannot read '%s': %s", path, strerror(errno));
	}
	size_t size = 0, capacity = 0;
	char *buffer = NULL;
	int result = 0;
	for (;;) {
		if (capacity - size < 4096) {
			if (capacity >= RUN_HISTORY_MAX_BYTES) {
				result = error_set(
				    error, "'%s' is larger than a run history can be", path);
				break;
			}
			capacity = capacity ? capacity * 2 : 8192;
			char *grown = realloc(buffer, capacity + 1);
			if (!grown) {
				result = error_set(error, "out of memory");
				break;
			}
			buffer = grown;
		}
		size_t got = fread(buffer + size, 1, capacity - size, file);
		size += got;
		if (got == 0) {
			if (ferror(file))
				result =
				    error_set(error, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
	}
	fclose(file);
	if (result < 0) {
		free(buffer);
		return -1;
	}
	if (!buffer && !(buffer = malloc(1)))
		return error_set(error, "out of memory");
	buffer[size] = '\0';
	*text = buffer;
	return 0;
}

/* Parses the lines of this job: start lines in order, each end line closing
 * the latest start line still open. A torn or foreign line is skipped. */
static int parse_lines(char *text, const char *job_id, struct run_start **starts, size_t *count,
                       struct error *error)
{
	*starts = NULL;
	*count = 0;
	for (char *line = text; line && *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		json_t *item = json_loads(line, 0, NULL);
		line = end ? end + 1 : NULL;
		const char *kind = json_string_value(json_object_get(item, "run"));
		const char *job = json_string_value(json_object_get(item, "job"));
		if (!kind || !job || strcmp(job, job_id) != 0) {
			json_decref(item);
			continue;
		}
		if (strcmp(kind, "start") == 0) {
			struct run_start *grown = realloc(*starts, (*count + 1) * sizeof(**starts));
			if (!grown) {
				json_decref(item);
				return error_set(error, "out of memory");
			}
			*starts = grown;
			struct run_start *start = &grown[(*count)++];
			memset(start, 0, sizeof(*start));
			start->started_at_ms = time_of(item, "started_at");
			start->in_doubt = count_of(item, "in_doubt");
			start->at_start.rows_settled = count_of(item, "rows_settled");
			start->at_start.calls = count_of(item, "calls");
			start->at_start.retries = count_of(item, "retries");
			start->at_start.throttled = count_of(item, "throttled");
			start->at_start.last_written_ms = time_of(item, "last_written_at");
			start->exit_status = -1;
		} else if (strcmp(kind, "end") == 0 && *count && !(*starts)[*count - 1].ended) {
			struct run_start *start = &(*starts)[*count - 1];
			start->ended = true;
			start->ended_at_ms = time_of(item, "ended_at");
			start->wall_ms = (int64_t)count_of(item, "wall_ms");
			json_t *exit_status = json_object_get(item, "exit_status");
			start->exit_status = json_is_integer(exit_status)
			                         ? (int)json_integer_value(exit_status)
			                         : -1;
		}
		json_decref(item);
	}
	return 0;
}

int run_history_load(struct run_history *history, const char *directory, const char *job_id,
                     const struct job_totals *totals, struct error *error)
{
	memset(history, 0, sizeof(*history));
	snprintf(history->job_id, sizeof(history->job_id), "%s", job_id);
	size_t length = strlen(directory) + sizeof(RUN_HISTORY_FILE) + 2;
	history->path = malloc(length);
	if (!history->path)
		return error_set(error, "out of memory");
	snprintf(history->path, length, "%s/%s", directory, RUN_HISTORY_FILE);
	char *text = NULL;
	struct run_start *starts = NULL;
	size_t count = 0;
	int result = -1;
	if (read_all(history->path, &text, error) < 0 ||
	    (text && parse_lines(text, job_id, &starts, &count, error) < 0))
		goto out;
	/* what the job did before its first recorded start (an older version) */
	static const struct job_totals zero;
	const struct job_totals *first = count ? &starts[0].at_start : totals;
	struct run_entry unlisted = {.exit_status = -1, .killed = true};
	share(&zero, first, &unlisted);
	if ((unlisted.rows_settled || unlisted.calls) &&
	    append_entry(history, &unlisted, error) < 0)
		goto out;
	for (size_t index = 0; index < count; index++) {
		const struct run_start *start = &starts[index];
		const struct job_totals *next =
		    index + 1 < count ? &starts[index + 1].at_start : totals;
		struct run_entry entry = {.started_at_ms = start->started_at_ms,
		                          .in_doubt_at_start = start->in_doubt,
		                          .exit_status = start->exit_status};
		share(&start->at_start, next, &entry);
		if (start->ended) {
			entry.ended_at_ms = start->ended_at_ms;
			entry.wall_ms = start->wall_ms;
		} else {
			/* its process is gone: it ended with the job's last record
			 * before the next run */
			entry.killed = true;
			entry.exit_status = -1;
			entry.ended_at_ms = next->last_written_ms > entry.started_at_ms
			                        ? next->last_written_ms
			                        : entry.started_at_ms;
			entry.wall_ms =
			    entry.started_at_ms ? entry.ended_at_ms - entry.started_at_ms : 0;
		}
		if (append_entry(history, &entry, error) < 0)
			goto out;
	}
	result = 0;
out:
	free(starts);
	free(text);
	return result;
}

/* Appends one line to runs.jsonl and syncs it (and, when it created the
 * file, the directory entry). A line torn by a crash is ended first, so the
 * new one stays readable. */
static int append_line(const struct run_history *history, json_t *line, struct error *error)
{
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (!text)
		return error_set(error, "out of memory");
	int result = -1;
	bool created = access(history->path, F_OK) != 0;
	int fd = open(history->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		goto failed;
	struct stat info;
	char last = '\n';
	if (fstat(fd, &info) != 0 ||
	    (info.st_size > 0 && pread(fd, &last, 1, info.st_size - 1) != 1))
		goto failed;
	if ((last != '\n' && file_write_all(fd, "\n", 1) != 0) ||
	    file_write_all(fd, text, strlen(text)) != 0 || file_write_all(fd, "\n", 1) != 0 ||
	    fsync(fd) != 0 || (created && file_sync_directory_of(history->path) != 0))
		goto failed;
	result = 0;
	goto out;
failed:
	file_storage_note(history->path, errno);
	error_set(error, "cannot write '%s': %s", history->path, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return result;
}

struct run_entry *run_history_begin(struct run_history *history, int64_t started_at_ms,
                                    uint64_t in_doubt_at_start, const struct job_totals *at_start,
                                    struct error *error)
{
	json_t *line = json_pack(
	    "{s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:o}", "job", history->job_id, "run", "start",
	    "started_at", timestamp(started_at_ms), "in_doubt", (json_int_t)in_doubt_at_start,
	    "rows_settled", (json_int_t)at_start->rows_settled, "calls",
	    (json_int_t)at_start->calls, "retries", (json_int_t)at_start->retries, "throttled",
	    (json_int_t)at_start->throttled, "last_written_at",
	    timestamp(at_start->last_written_ms));
	if (!line) {
		error_set(error, "out of memory");
		return NULL;
	}
	if (append_line(history, line, error) < 0)
		return NULL;
	struct run_entry entry = {.started_at_ms = started_at_ms,
	                          .in_doubt_at_start = in_doubt_at_start,
	                          .exit_status = -1,
	                          .running = true};
	if (append_entry(history, &entry, error) < 0)
		return NULL;
	return &history->entries[history->count - 1];
}

int run_history_end(struct run_history *history, struct error *error)
{
	if (!history->count || !history->entries[history->count - 1].running)
		return 0;
	struct run_entry *entry = &history->entries[history->count - 1];
	entry->running = false;
	json_t *line =
	    json_pack("{s:s, s:s, s:o, s:o, s:I}", "job", history->job_id, "run", "end", "ended_at",
	              timestamp(entry->ended_at_ms), "exit_status",
	              entry->exit_status >= 0 ? json_integer(entry->exit_status) : json_null(),
	              "wall_ms", (json_int_t)(entry->wall_ms > 0 ? entry->wall_ms : 0));
	if (!line)
		return error_set(error, "out of memory");
	return append_line(history, line, error);
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
	free(history->path);
	history->entries = NULL;
	history->path = NULL;
	history->count = 0;
}
