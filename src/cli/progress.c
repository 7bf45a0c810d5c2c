/* The progress line and the closing summary table, both on stderr. The line
 * is built by a pure function so it can be tested without a terminal. */
#include "cli/progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/count_text.h"
#include "common/path_display.h"

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
                   uint64_t rows_total, uint64_t done_at_start)
{
	memset(progress, 0, sizeof(*progress));
	progress->mode = mode;
	progress->stream = stream;
	progress->rows_total = rows_total;
	progress->done_at_start = done_at_start;
}

void progress_snapshot_fill(const struct progress *progress, const uint64_t *counts,
                            const struct engine_stats *stats, struct progress_snapshot *snapshot)
{
	memset(snapshot, 0, sizeof(*snapshot));
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
		snapshot->rows_done += counts[status];
	snapshot->rows_total = progress->rows_total;
	snapshot->ok = counts[ROW_OK];
	snapshot->unchanged = counts[ROW_UNCHANGED];
	snapshot->error = counts[ROW_ERROR];
	snapshot->unknown = counts[ROW_UNKNOWN];
	snapshot->invalid = counts[ROW_INVALID];
	snapshot->in_flight = stats->in_flight;
	uint64_t this_run = snapshot->rows_done > progress->done_at_start
	                        ? snapshot->rows_done - progress->done_at_start
	                        : 0;
	snapshot->rows_per_second =
	    stats->elapsed_ms > 0 ? (double)this_run * 1000.0 / (double)stats->elapsed_ms : 0.0;
	snapshot->eta_seconds = -1;
	uint64_t total = progress->rows_total ? progress->rows_total : progress->rows_estimate;
	if (total >= snapshot->rows_done && snapshot->rows_per_second > 0.0)
		snapshot->eta_seconds =
		    (int64_t)((double)(total - snapshot->rows_done) / snapshot->rows_per_second +
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

/* The figures of a line as text, shared by its longer and shorter forms. */
struct line_parts {
	char done[64]; /* "19,372/50,000 (38%)" or "19,372" */
	char ok[32], error[32], unknown[32], invalid[32];
	char unchanged[48]; /* " unchanged 17", or "" while there is none */
	char eta[32];
};

/* The forms of the line, longest first; the first that fits is printed. */
enum line_form {
	FORM_FULL,    /* every field, words spelt out */
	FORM_NO_FLOW, /* without the calls in flight */
	FORM_SHORT,   /* abbreviated status names, rate without decimals */
	FORM_NO_RATE, /* without the rate */
	FORM_MAIN,    /* done, ok, error, ETA */
	FORM_MINIMAL, /* done and ETA */
	FORM_COUNT,
};

static void format_form(const struct progress_snapshot *snapshot, const struct line_parts *parts,
                        enum line_form form, char *out, size_t size)
{
	switch (form) {
	case FORM_FULL:
		snprintf(out, size,
		         "rows %s | ok %s%s error %s unknown %s invalid %s | in flight %u | %.1f "
		         "rows/s | ETA %s",
		         parts->done, parts->ok, parts->unchanged, parts->error, parts->unknown,
		         parts->invalid, snapshot->in_flight, snapshot->rows_per_second,
		         parts->eta);
		break;
	case FORM_NO_FLOW:
		snprintf(out, size,
		         "rows %s | ok %s%s error %s unknown %s invalid %s | %.1f rows/s | ETA %s",
		         parts->done, parts->ok, parts->unchanged, parts->error, parts->unknown,
		         parts->invalid, snapshot->rows_per_second, parts->eta);
		break;
	case FORM_SHORT:
		snprintf(out, size, "rows %s | ok %s err %s unk %s inv %s | %.0f/s | ETA %s",
		         parts->done, parts->ok, parts->error, parts->unknown, parts->invalid,
		         snapshot->rows_per_second, parts->eta);
		break;
	case FORM_NO_RATE:
		snprintf(out, size, "%s | ok %s err %s unk %s inv %s | ETA %s", parts->done,
		         parts->ok, parts->error, parts->unknown, parts->invalid, parts->eta);
		break;
	case FORM_MAIN:
		snprintf(out, size, "%s ok %s err %s ETA %s", parts->done, parts->ok, parts->error,
		         parts->eta);
		break;
	default:
		snprintf(out, size, "%s ETA %s", parts->done, parts->eta);
		break;
	}
}

const char *progress_format_line(const struct progress_snapshot *snapshot, size_t width, char *out,
                                 size_t size)
{
	struct line_parts parts;
	char done[32], total[32];
	count_grouped(snapshot->rows_done, done, sizeof(done));
	if (snapshot->rows_total > 0)
		snprintf(parts.done, sizeof(parts.done), "%s/%s (%" PRIu64 "%%)", done,
		         count_grouped(snapshot->rows_total, total, sizeof(total)),
		         snapshot->rows_done * 100 / snapshot->rows_total);
	else
		snprintf(parts.done, sizeof(parts.done), "%s", done);
	count_grouped(snapshot->ok, parts.ok, sizeof(parts.ok));
	/* only a job whose preflight found rows in place has any */
	parts.unchanged[0] = '\0';
	if (snapshot->unchanged > 0) {
		char unchanged[32];
		snprintf(parts.unchanged, sizeof(parts.unchanged), " unchanged %s",
		         count_grouped(snapshot->unchanged, unchanged, sizeof(unchanged)));
	}
	count_grouped(snapshot->error, parts.error, sizeof(parts.error));
	count_grouped(snapshot->unknown, parts.unknown, sizeof(parts.unknown));
	count_grouped(snapshot->invalid, parts.invalid, sizeof(parts.invalid));
	snprintf(parts.eta, sizeof(parts.eta), "?");
	if (snapshot->eta_seconds >= 0)
		format_duration(snapshot->eta_seconds, parts.eta, sizeof(parts.eta));
	if (size == 0)
		return out;
	for (int form = FORM_FULL; form < FORM_COUNT; form++) {
		format_form(snapshot, &parts, (enum line_form)form, out, size);
		/* shorter than the width: a line filling the last column wraps
		 * on some terminals, and \r then redraws the wrong line */
		if (width == 0 || strlen(out) < width)
			return out;
	}
	out[width - 1 < size ? width - 1 : size - 1] = '\0';
	return out;
}

size_t progress_width(FILE *stream)
{
	const char *columns = getenv("COLUMNS");
	if (columns && *columns) {
		char *end = NULL;
		unsigned long value = strtoul(columns, &end, 10);
		if (end && *end == '\0' && value > 1 && value < 10000)
			return (size_t)value;
	}
	struct winsize size;
	if (ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 1)
		return size.ws_col;
	return 80;
}

static void draw(struct progress *progress, const uint64_t *counts,
                 const struct engine_stats *stats)
{
	struct progress_snapshot snapshot;
	char line[512];
	progress_snapshot_fill(progress, counts, stats, &snapshot);
	progress_format_line(&snapshot, progress_width(progress->stream), line, sizeof(line));
	if (progress->mode == PROGRESS_TTY) {
		fprintf(progress->stream, "\r%s\033[K", line);
		progress->drawn = true;
	} else {
		fprintf(progress->stream, "%s\n", line);
	}
	fflush(progress->stream);
}

void progress_update(struct progress *progress, const uint64_t *counts,
                     const struct engine_stats *stats)
{
	if (progress->mode == PROGRESS_OFF)
		return;
	int64_t now = clock_monotonic_ms();
	int64_t every = progress->mode == PROGRESS_TTY ? TTY_REDRAW_MS : PLAIN_EVERY_MS;
	if (progress->last_draw_ms != 0 && now - progress->last_draw_ms < every)
		return;
	progress->last_draw_ms = now;
	draw(progress, counts, stats);
}

void progress_final(struct progress *progress, const uint64_t *counts,
                    const struct engine_stats *stats)
{
	if (progress->mode == PROGRESS_OFF)
		return;
	progress->last_draw_ms = clock_monotonic_ms();
	draw(progress, counts, stats);
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

/* The first closing line: what the job has now. */
static void print_headline(FILE *stream, const struct job_summary *summary)
{
	char done[48], total[48];
	uint64_t settled = 0;
	for (size_t status = 1; status < ROW_STATUS_COUNT; status++)
		if (status != ROW_PENDING)
			settled += summary->counts[status];
	const char *op = summary->op ? summary->op : "job";
	if (!summary->interrupted)
		fprintf(stream, "%s finished: %s\n", op,
		        count_noun(summary->rows_total, "row", "rows", total, sizeof(total)));
	else if (summary->rows_total_unknown || summary->rows_total == 0)
		fprintf(stream, "%s stopped early: %s done (the total is not counted yet)\n", op,
		        count_noun(settled, "row", "rows", done, sizeof(done)));
	else
		fprintf(stream, "%s stopped early: %s of %s done\n", op,
		        count_grouped(settled, done, sizeof(done)),
		        count_noun(summary->rows_total, "row", "rows", total, sizeof(total)));
}

/* "this run: 4,100 rows, 120 calls, 1 retry, 0 throttled in 3.21 s (1,277.3 rows/s)" */
static void print_this_run(FILE *stream, const struct job_summary *summary)
{
	const struct run_entry *this_run = job_summary_this_run(summary);
	char rows[48], took[32];
	describe_wall_time(summary->wall_ms, took, sizeof(took));
	fprintf(stream, "  this run: %s",
	        count_noun(summary->rows_this_run, "row", "rows", rows, sizeof(rows)));
	if (this_run) {
		char calls[48], retries[48], throttled[48];
		fprintf(stream, ", %s, %s, %s throttled",
		        count_noun(this_run->calls, "call", "calls", calls, sizeof(calls)),
		        count_noun(this_run->retries, "retry", "retries", retries, sizeof(retries)),
		        count_grouped(this_run->throttled, throttled, sizeof(throttled)));
	}
	fprintf(stream, " in %s", took);
	/* A rate measured over less than a second says more about the clock than
	 * about the job (48 rows in 3 ms is not "16000 rows/s"). */
	if (summary->wall_ms >= RATE_SHOWN_FROM_MS)
		fprintf(stream, " (%.1f rows/s)", job_summary_rows_per_second(summary));
	fputc('\n', stream);
}

/* One undo file: where it is, what it holds and how to run it. */
static void print_undo_file(FILE *stream, const char *directory, const char *file, const char *op,
                            uint64_t rows, uint64_t missing, const char *order)
{
	char undo[4096];
	path_display_join(directory, file, undo, sizeof(undo));
	fprintf(stream,
	        "  undo: %s%s (%" PRIu64 " row%s planned to change, each with its value before "
	        "the job; puts them back: lattigo-batch run --op %s --manifest %s)\n",
	        order, undo, rows, rows == 1 ? "" : "s", op, undo);
	if (missing)
		fprintf(stream,
		        "  undo: %" PRIu64 " changed row%s had no value before, which a "
		        "manifest cannot ask for: not in %s\n",
		        missing, missing == 1 ? "" : "s", file);
}

/* A job with steps: its undo files in the order to run them (the last
 * step's first), then the steps that have none and why. */
static void print_steps_undo(FILE *stream, const struct job_summary *summary)
{
	size_t files = 0;
	for (size_t step = 0; step < summary->step_count; step++)
		files += summary->steps[step].undo_file != NULL;
	if (files > 1)
		fprintf(stream, "  undo: run these in this order (the last step's first):\n");
	size_t shown = 0;
	for (size_t step = summary->step_count; summary->directory && step-- > 0;) {
		const struct summary_step *entry = &summary->steps[step];
		if (!entry->undo_file)
			continue;
		char order[32] = "";
		if (files > 1)
			snprintf(order, sizeof(order), "%zu. ", ++shown);
		print_undo_file(stream, summary->directory, entry->undo_file, entry->op,
		                entry->undo_rows, entry->undo_missing, order);
	}
	for (size_t step = 0; step < summary->step_count; step++)
		if (summary->steps[step].no_undo)
			fprintf(stream, "  undo: none for step %zu (%s): %s\n", step + 1,
			        summary->steps[step].op, summary->steps[step].no_undo);
}

void progress_print_undo(FILE *stream, const struct job_summary *summary)
{
	if (summary->steps)
		print_steps_undo(stream, summary);
	else if (summary->undo_file && summary->directory)
		print_undo_file(stream, summary->directory, summary->undo_file,
		                summary->op ? summary->op : "OP", summary->undo_rows,
		                summary->undo_missing, "");
	else if (summary->no_undo)
		fprintf(stream, "  undo: none: %s\n", summary->no_undo);
}

void progress_print_summary(FILE *stream, const struct job_summary *summary)
{
	char calls[48], retries[48], throttled[48], runs[48];
	print_headline(stream, summary);
	for (size_t i = 0; i <= row_status_order_count; i++) {
		/* the final statuses, then the rows still pending */
		enum row_status status =
		    i < row_status_order_count ? row_status_order[i] : ROW_PENDING;
		uint64_t count = summary->counts[status];
		char number[32];
		if (count == 0 && status != ROW_OK)
			continue;
		if (status == ROW_PENDING && summary->rows_total_unknown)
			continue;
		fprintf(stream, "  %-9s %11s\n", row_status_name(status),
		        count_grouped(count, number, sizeof(number)));
	}
	fprintf(stream, "  job (%s): %s, %s, %s throttled\n",
	        count_noun(summary->run_count ? summary->run_count : 1, "run", "runs", runs,
	                   sizeof(runs)),
	        count_noun(summary->calls, "call", "calls", calls, sizeof(calls)),
	        count_noun(summary->retries, "retry", "retries", retries, sizeof(retries)),
	        count_grouped(summary->throttled, throttled, sizeof(throttled)));
	print_this_run(stream, summary);
	progress_print_undo(stream, summary);
	if (summary->directory) {
		char results[4096], errors[4096], file[4096], report[4096];
		fprintf(
		    stream, "  results: %s  errors: %s  summary: %s\n  report: %s\n",
		    path_display_join(summary->directory, "results.csv", results, sizeof(results)),
		    path_display_join(summary->directory, "errors.csv", errors, sizeof(errors)),
		    path_display_join(summary->directory, "summary.json", file, sizeof(file)),
		    path_display_join(summary->directory, "report.html", report, sizeof(report)));
		if (summary->interrupted)
			fprintf(stream, "  resume with: lattigo-batch resume %s%s\n",
			        path_display(summary->directory, file, sizeof(file)),
			        summary->resume_options ? summary->resume_options : "");
	}
}
