/* The progress line of `export` (see export_progress.h). The line is built by
 * a pure function, tested without a terminal. */
#include "cli/export_progress.h"

#include <string.h>

#include "common/clock.h"
#include "common/count_text.h"

#define TTY_REDRAW_MS  200  /* as run's line: at most 5 redraws a second */
#define PLAIN_EVERY_MS 5000 /* a plain line every 5 seconds */

void export_progress_init(struct export_progress *progress, enum progress_mode mode, FILE *stream,
                          bool per_device, const struct export_totals *totals)
{
	memset(progress, 0, sizeof(*progress));
	progress->mode = mode;
	progress->stream = stream;
	progress->per_device = per_device;
	progress->calls_at_start = totals ? totals->calls : 0;
	progress->started_ms = clock_monotonic_ms();
}

const char *export_progress_format_line(const struct export_totals *totals, bool per_device,
                                        double reads_per_second, size_t width, char *out,
                                        size_t size)
{
	char units[32], records[64], errors[32], calls[32], retries[32];
	count_grouped(totals->units, units, sizeof(units));
	count_grouped(totals->records, records, sizeof(records));
	if (!per_device && totals->listing_total >= 0) {
		/* an account listing says how many records it holds (X-Total) */
		char all[32];
		size_t length = strlen(records);
		snprintf(records + length, sizeof(records) - length, "/%s",
		         count_grouped((uint64_t)totals->listing_total, all, sizeof(all)));
	}
	count_grouped(totals->errors, errors, sizeof(errors));
	count_grouped(totals->calls, calls, sizeof(calls));
	count_grouped(totals->retries, retries, sizeof(retries));
	const char *unit = per_device ? "devices" : "pages";
	if (size == 0)
		return out;
	/* the fullest form that fits; a line filling the last column wraps on
	 * some terminals, and \r would then redraw the wrong line */
	for (int form = 0; form < 4; form++) {
		switch (form) {
		case 0:
			snprintf(out, size,
			         "%s %s | records %s | not read %s | reads %s, retries %s | %.1f "
			         "reads/s",
			         unit, units, records, errors, calls, retries, reads_per_second);
			break;
		case 1:
			snprintf(out, size, "%s %s | records %s | not read %s | %.0f reads/s", unit,
			         units, records, errors, reads_per_second);
			break;
		case 2:
			snprintf(out, size, "%s %s | records %s | not read %s", unit, units,
			         records, errors);
			break;
		default:
			snprintf(out, size, "%s %s | records %s", unit, units, records);
			break;
		}
		if (width == 0 || strlen(out) < width)
			return out;
	}
	out[width - 1 < size ? width - 1 : size - 1] = '\0';
	return out;
}

static void draw(struct export_progress *progress, const struct export_totals *totals,
                 int64_t now_ms)
{
	int64_t elapsed_ms = now_ms - progress->started_ms;
	uint64_t reads =
	    totals->calls > progress->calls_at_start ? totals->calls - progress->calls_at_start : 0;
	double rate = elapsed_ms > 0 ? (double)reads * 1000.0 / (double)elapsed_ms : 0.0;
	char line[512];
	export_progress_format_line(totals, progress->per_device, rate,
	                            progress_width(progress->stream), line, sizeof(line));
	if (progress->mode == PROGRESS_TTY) {
		fprintf(progress->stream, "\r%s\033[K", line);
		progress->drawn = true;
	} else {
		fprintf(progress->stream, "%s\n", line);
	}
	fflush(progress->stream);
	progress->last_draw_ms = now_ms;
}

void export_progress_update(void *context, const struct export_totals *totals)
{
	struct export_progress *progress = context;
	if (progress->mode == PROGRESS_OFF)
		return;
	int64_t now_ms = clock_monotonic_ms();
	int64_t every = progress->mode == PROGRESS_TTY ? TTY_REDRAW_MS : PLAIN_EVERY_MS;
	/* the first line after one interval too: an export done at once (or a
	 * first line of zeros) is not worth a line */
	int64_t since = progress->last_draw_ms ? progress->last_draw_ms : progress->started_ms;
	if (now_ms - since < every)
		return;
	draw(progress, totals, now_ms);
}

void export_progress_final(struct export_progress *progress, const struct export_totals *totals)
{
	if (progress->mode == PROGRESS_PLAIN && progress->last_draw_ms)
		draw(progress, totals, clock_monotonic_ms());
	export_progress_clear(progress);
}

void export_progress_clear(struct export_progress *progress)
{
	if (progress->mode == PROGRESS_TTY && progress->drawn) {
		fputs("\r\033[K", progress->stream);
		fflush(progress->stream);
		progress->drawn = false;
	}
}
