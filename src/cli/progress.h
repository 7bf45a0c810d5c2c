/* The progress display on stderr: one redrawn line on a TTY (or a plain line
 * every few seconds when forced), and the closing summary table.
 * Ownership: a progress borrows its stream; snapshots are plain values. */
#ifndef LATTIGO_PROGRESS_H
#define LATTIGO_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "outputs/summary.h"

enum progress_mode {
	PROGRESS_OFF = 0, /* --quiet, or stderr is not a TTY */
	PROGRESS_TTY,     /* redraw one line with \r, at most 5 times a second */
	PROGRESS_PLAIN,   /* --progress without a TTY: a new line every few seconds */
};

/* What one progress line shows: the job's rows (all runs), this run's rate. */
struct progress_snapshot {
	uint64_t rows_total; /* 0 until counted exactly: an estimate is never shown */
	uint64_t rows_done;  /* rows with an outcome, including earlier runs and invalid rows */
	uint64_t ok, unchanged, error, unknown, invalid;
	unsigned in_flight;
	double rows_per_second; /* this run */
	int64_t eta_seconds;    /* -1 when unknown */
};

struct progress {
	enum progress_mode mode;
	FILE *stream;
	uint64_t rows_total;    /* exact, 0 until known */
	uint64_t rows_estimate; /* for the ETA only, until rows_total is known (0: none) */
	uint64_t done_at_start; /* rows with an outcome when this run started */
	int64_t last_draw_ms;   /* monotonic; 0 = never drawn */
	bool drawn;             /* a TTY line is on screen */
};

/* Chooses the mode from --quiet, --progress and whether stderr is a terminal. */
enum progress_mode progress_choose_mode(bool quiet, bool forced, bool stream_is_tty);
/* Prepares a display. rows_total: exact, 0 when not counted yet.
 * done_at_start: rows with an outcome when this run starts (earlier runs). */
void progress_init(struct progress *progress, enum progress_mode mode, FILE *stream,
                   uint64_t rows_total, uint64_t done_at_start);
/* Fills a snapshot from the job's counts (ROW_STATUS_COUNT entries indexed by
 * enum row_status: the outcome store's, all runs) and the engine's counters
 * of this run (in flight, elapsed). */
void progress_snapshot_fill(const struct progress *progress, const uint64_t *counts,
                            const struct engine_stats *stats, struct progress_snapshot *snapshot);
/* Formats one progress line (no \r, no newline) into out, dropping and
 * abbreviating fields so it stays shorter than width columns (0: no limit);
 * returns out. Pure. */
const char *progress_format_line(const struct progress_snapshot *snapshot, size_t width, char *out,
                                 size_t size);
/* The columns a line may use on stream: $COLUMNS, else the terminal's width,
 * else 80. */
size_t progress_width(FILE *stream);
/* Redraws when due (TTY: ≤ 5/s; plain: every 5 s) from the job's counts (as
 * progress_snapshot_fill) and the engine's counters. */
void progress_update(struct progress *progress, const uint64_t *counts,
                     const struct engine_stats *stats);
/* Draws the run's last figures at once (plain mode: a last line, so a log
 * ends on the final counts; TTY: redrawn, then cleared by progress_clear). */
void progress_final(struct progress *progress, const uint64_t *counts,
                    const struct engine_stats *stats);
/* Clears the TTY line so other messages start on a clean line. */
void progress_clear(struct progress *progress);
/* Prints the closing lines about undo: the undo file and how to run it, or
 * for a job with steps each step's in the order to run them (the last
 * step's first), and why a job or step has none. */
void progress_print_undo(FILE *stream, const struct job_summary *summary);
/* Writes the closing lines to stream: what this run did, the job's counts
 * per status, calls and retries (the job's and this run's), where the
 * outputs are, and how to resume a stopped job. Unaffected by mode: --quiet
 * callers simply do not call it. */
void progress_print_summary(FILE *stream, const struct job_summary *summary);

#endif
