/* The progress line and the closing summary table, both on stderr. The line
 * is built by a pure function so it can be tested without a terminal. */
#include "cli/progress.h"

#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/clock.h"

#define TTY_REDRAW_MS  200  /* at most 5 redraws a second */
#define PLAIN_EVERY_MS 5000 /* a plain line every 5 seconds */

enum progress_mode progress_choose_mode(bool quiet, bool forced, bool stream_is_tty)
{
	if (quiet)
		return PROGRESS_OFF;
	if (stream_is_tty)
		return PROGRESS_TTY;
	return forced ? PROGRESS_PLAIN : PROGRESS_OFF;
}

void progress_init(struct progress *progress, enum progress_mode mode, FILE *stream,
                   uint64_t rows_total, const uint64_t *counts_before)
{
	memset(progress, 0, sizeof(*progress));
	progress->mode = mode;
	progress->stream = stream;
	progress->rows_total = rows_total;
	if (counts_before)
		memcpy(progress->before, counts_before, sizeof(progress->before));
}

void progress_snapshot_from_stats(const struct progress *progress, const struct engine_stats *stats,
                                  struct progress_snapshot *snapshot)
{
	const uint64_t *before = progress->before;
	uint64_t this_run = stats->rows_ok + stats->rows_unchanged + stats->rows_error +
	                    stats->rows_unknown + stats->rows_skipped;
	uint64_t done_before = 0;
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
		done_before += before[status];
	memset(snapshot, 0, sizeof(*snapshot));
	snapshot->rows_total = progress->rows_total;
	snapshot->rows_done = done_before + this_run;
	snapshot->ok = before[ROW_OK] + stats->rows_ok;
	snapshot->unchanged = before[ROW_UNCHANGED] + stats->rows_unchanged;
	snapshot->error = before[ROW_ERROR] + stats->rows_error;
	snapshot->unknown = before[ROW_UNKNOWN] + stats->rows_unknown;
	snapshot->invalid = before[ROW_INVALID];
	snapshot->in_flight = stats->in_flight;
	snapshot->rows_per_second =
	    stats->elapsed_ms > 0 ? (double)this_run * 1000.0 / (double)stats->elapsed_ms : 0.0;
	snapshot->eta_seconds = -1;
	if (snapshot->rows_total >= snapshot->rows_done && snapshot->rows_per_second > 0.0)
		snapshot->eta_seconds =
		    (int64_t)((double)(snapshot->rows_total - snapshot->rows_done) /
		                  snapshot->rows_per_second +
		              0.5);
}

static void format_duration(int64_t seconds, char *out, size_t size)
{
	if (seconds >= 3600)
		snprintf(out, size, "%" PRId64 "h%02" PRId64 "m", seconds / 3600,
		         seconds / 60 % 60);
	else if (seconds >= 60)
		snprintf(out, size, "%" PRId64 "m%02" PRId64 "s", seconds / 60, seconds % 60);
	else
		snprintf(out, size, "%" PRId64 "s", seconds);
}

const char *progress_format_line(const struct progress_snapshot *snapshot, char *out, size_t size)
{
	char total[48] = "", eta[32] = "?", unchanged[40] = "";
	if (snapshot->rows_total > 0)
		snprintf(total, sizeof(total), "/%" PRIu64 " (%" PRIu64 "%%)", snapshot->rows_total,
		         snapshot->rows_done * 100 / snapshot->rows_total);
	if (snapshot->eta_seconds >= 0)
		format_duration(snapshot->eta_seconds, eta, sizeof(eta));
	/* only a job whose preflight found rows in place has any */
	if (snapshot->unchanged > 0)
		snprintf(unchanged, sizeof(unchanged), " unchanged %" PRIu64, snapshot->unchanged);
	snprintf(out, size,
	         "rows %" PRIu64 "%s | ok %" PRIu64 "%s error %" PRIu64 " unknown %" PRIu64
	         " invalid %" PRIu64 " | in flight %u | %.1f rows/s | ETA %s",
	         snapshot->rows_done, total, snapshot->ok, unchanged, snapshot->error,
	         snapshot->unknown, snapshot->invalid, snapshot->in_flight,
	         snapshot->rows_per_second, eta);
	return out;
}

/* Keeps the line within the terminal so \r redraws in place instead of wrapping. */
static size_t terminal_width(FILE *stream)
{
	struct winsize size;
	if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 1)
		return size.ws_col;
	return 0;
}

static void draw(struct progress *progress, const struct engine_stats *stats)
{
	struct progress_snapshot snapshot;
	char line[512];
	progress_snapshot_from_stats(progress, stats, &snapshot);
	progress_format_line(&snapshot, line, sizeof(line));
	if (progress->mode == PROGRESS_TTY) {
		size_t width = terminal_width(progress->stream);
		if (width > 0 && strlen(line) >= width)
			line[width - 1] = '\0';
		fprintf(progress->stream, "\r%s\033[K", line);
		progress->drawn = true;
	} else {
		fprintf(progress->stream, "%s\n", line);
	}
	fflush(progress->stream);
}

void progress_update(struct progress *progress, const struct engine_stats *stats)
{
	if (progress->mode == PROGRESS_OFF)
		return;
	int64_t now = clock_monotonic_ms();
	int64_t every = progress->mode == PROGRESS_TTY ? TTY_REDRAW_MS : PLAIN_EVERY_MS;
	if (progress->last_draw_ms != 0 && now - progress->last_draw_ms < every)
		return;
	progress->last_draw_ms = now;
	draw(progress, stats);
}

void progress_sink_callback(void *context, const struct engine_stats *stats)
{
	progress_update(context, stats);
}

void progress_clear(struct progress *progress)
{
	if (progress->mode == PROGRESS_TTY && progress->drawn) {
		fputs("\r\033[K", progress->stream);
		fflush(progress->stream);
		progress->drawn = false;
	}
}

/* Runs shorter than this get no rows/s figure in the closing table. */
#define RATE_SHOWN_FROM_MS 1000

/* Writes a run's wall time for people: "3 ms" under a second, "1.23 s" under
 * ten, "12.3 s" above. */
static void describe_wall_time(int64_t wall_ms, char *out, size_t size)
{
	if (wall_ms < 1000)
		snprintf(out, size, "%lld ms", (long long)(wall_ms > 0 ? wall_ms : 0));
	else
		snprintf(out, size, "%.*f s", wall_ms < 10000 ? 2 : 1, (double)wall_ms / 1000.0);
}

void progress_print_summary(FILE *stream, const struct job_summary *summary)
{
	char took[32];
	describe_wall_time(summary->wall_ms, took, sizeof(took));
	fprintf(stream, "%s %s: %" PRIu64 " %s in %s%s\n", summary->op ? summary->op : "job",
	        summary->interrupted ? "stopped early" : "finished", summary->rows_total,
	        summary->rows_total == 1 ? "row" : "rows", took,
	        summary->interrupted ? " (run the same command again to resume)" : "");
	for (size_t i = 0; i <= row_status_order_count; i++) {
		/* the final statuses, then the rows still pending */
		enum row_status status =
		    i < row_status_order_count ? row_status_order[i] : ROW_PENDING;
		uint64_t count = summary->counts[status];
		if (count == 0 && status != ROW_OK)
			continue;
		fprintf(stream, "  %-9s %11" PRIu64 "\n", row_status_name(status), count);
	}
	fprintf(stream, "  calls %" PRIu64 ", retries %" PRIu64 ", throttled %" PRIu64,
	        summary->calls, summary->retries, summary->throttled);
	/* A rate measured over less than a second says more about the clock than
	 * about the job (48 rows in 3 ms is not "16000 rows/s"). */
	if (summary->wall_ms >= RATE_SHOWN_FROM_MS)
		fprintf(stream, ", %.1f rows/s", job_summary_rows_per_second(summary));
	fputc('\n', stream);
	if (summary->undo_file && summary->directory)
		fprintf(stream,
		        "  undo: %s/%s (%" PRIu64 " row%s; puts back what this job changed: "
		        "lattigo-batch run --op %s --manifest %s/%s)\n",
		        summary->directory, summary->undo_file, summary->undo_rows,
		        summary->undo_rows == 1 ? "" : "s", summary->op ? summary->op : "OP",
		        summary->directory, summary->undo_file);
	if (summary->undo_file && summary->undo_missing)
		fprintf(stream,
		        "  undo: %" PRIu64 " changed row%s had no value before, which a manifest "
		        "cannot ask for: not in undo.csv\n",
		        summary->undo_missing, summary->undo_missing == 1 ? "" : "s");
	else if (summary->no_undo)
		fprintf(stream, "  undo: none: %s\n", summary->no_undo);
	if (summary->directory)
		fprintf(
		    stream,
		    "  results: %s/results.csv  errors: %s/errors.csv  summary: %s/summary.json\n"
		    "  report: %s/report.html\n",
		    summary->directory, summary->directory, summary->directory, summary->directory);
}
