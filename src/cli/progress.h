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

/* What one progress line shows. */
struct progress_snapshot {
	uint64_t rows_total; /* 0 when unknown */
	uint64_t rows_done;  /* rows with an outcome, including earlier runs and invalid rows */
	uint64_t ok, unchanged, error, unknown, invalid;
	unsigned in_flight;
	double rows_per_second; /* this run */
	int64_t eta_seconds;    /* -1 when unknown */
};

struct progress {
	enum progress_mode mode;
	FILE *stream;
	uint64_t rows_total;
	uint64_t before[ROW_STATUS_COUNT]; /* outcomes already final when this run started */
	int64_t last_draw_ms;              /* monotonic; 0 = never drawn */
	bool drawn;                        /* a TTY line is on screen */
};

/* Chooses the mode from --quiet, --progress and whether stderr is a terminal. */
enum progress_mode progress_choose_mode(bool quiet, bool forced, bool stream_is_tty);
/* Prepares a display. counts_before (ROW_STATUS_COUNT entries, indexed by enum
 * row_status, e.g. job_summary.counts; NULL = none) holds the outcomes already
 * final when this run starts: earlier runs and rows found invalid. */
void progress_init(struct progress *progress, enum progress_mode mode, FILE *stream,
                   uint64_t rows_total, const uint64_t *counts_before);
/* Fills a snapshot from the engine's counters. */
void progress_snapshot_from_stats(const struct progress *progress, const struct engine_stats *stats,
                                  struct progress_snapshot *snapshot);
/* Formats one progress line (no \r, no newline) into out; returns out. Pure. */
const char *progress_format_line(const struct progress_snapshot *snapshot, char *out, size_t size);
/* Redraws when due (TTY: ≤ 5/s; plain: every 5 s); usable as engine_sink.progress
 * with the progress as context. */
void progress_update(struct progress *progress, const struct engine_stats *stats);
/* engine_sink.progress adapter: context is a struct progress. */
void progress_sink_callback(void *context, const struct engine_stats *stats);
/* Clears the TTY line so other messages start on a clean line. */
void progress_clear(struct progress *progress);
/* Writes the closing table (counts per status, calls, retries, wall time,
 * rows/s, where the outputs are) to stream. Unaffected by mode: --quiet
 * callers simply do not call it. */
void progress_print_summary(FILE *stream, const struct job_summary *summary);

#endif
