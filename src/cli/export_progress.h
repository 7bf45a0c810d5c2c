/* The progress line of `export` on stderr: devices (or pages) written,
 * records, rows that could not be read, and this run's reads per second;
 * redrawn on a terminal like run's (cli/progress.h), a plain line every few
 * seconds with --progress elsewhere.
 * Ownership: an export_progress borrows its stream. */
#ifndef LATTIGO_EXPORT_PROGRESS_H
#define LATTIGO_EXPORT_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/progress.h"
#include "export/export.h"

struct export_progress {
	enum progress_mode mode;
	FILE *stream;
	bool per_device;         /* units are manifest rows (devices), else listing pages */
	uint64_t calls_at_start; /* the job's reads before this run (a resumed --out) */
	int64_t started_ms;      /* monotonic */
	int64_t last_draw_ms;    /* monotonic; 0 = never drawn */
	bool drawn;              /* a TTY line is on screen */
};

/* Prepares a display (mode from progress_choose_mode); totals are the
 * counters the export starts from. */
void export_progress_init(struct export_progress *progress, enum progress_mode mode, FILE *stream,
                          bool per_device, const struct export_totals *totals);
/* Formats one line (no \r, no newline) into out from totals and this run's
 * reads per second, dropping fields so it stays shorter than width columns
 * (0: no limit); returns out. Pure. */
const char *export_progress_format_line(const struct export_totals *totals, bool per_device,
                                        double reads_per_second, size_t width, char *out,
                                        size_t size);
/* The export loop's callback (context: a struct export_progress): redraws
 * when due (TTY: at most 5 times a second; plain: every 5 s). */
void export_progress_update(void *context, const struct export_totals *totals);
/* Ends the display: plain mode draws a last line with the final figures (a
 * log ends on them); a TTY line is cleared, so the closing line starts on a
 * clean line. */
void export_progress_final(struct export_progress *progress, const struct export_totals *totals);
/* Clears the TTY line, so the closing line starts on a clean line. */
void export_progress_clear(struct export_progress *progress);

#endif
