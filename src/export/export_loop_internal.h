/* The export loop's state (export_loop.c), shared by the files that keep
 * its window and output order (export_window.c), size and page an account
 * listing (export_listing.c) and take one read's answer (export_answer.c).
 * Not for use outside src/export.
 * Ownership: the loop owns every unit, its transfer and its text. */
#ifndef LATTIGO_EXPORT_LOOP_INTERNAL_H
#define LATTIGO_EXPORT_LOOP_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/rate_limiter.h"
#include "export/device_source.h"
#include "export/export.h"
#include "export/paging.h"
#include "http/aimd.h"
#include "http/backoff.h"
#include "http/multi_events.h"
#include "http/transfer.h"

struct unit;

/* The transfers that ended and wait to be handled, in the order they ended. */
struct answered_queue {
	struct unit *head, **tail;
	unsigned failed; /* of them, ended without a 2xx: they may change what starts */
};

/* One unit of work, written as a whole once every page of it is read. */
struct unit {
	uint64_t index;        /* position in the output order */
	struct device_row row; /* per-device kinds */
	uint64_t page;         /* the page to read next */
	struct paging paging;
	bool done, in_flight;
	bool parked;      /* refused before the listing's size was known: waits for it
	                   * (export_refused_past_end)
	                   */
	bool answered;    /* its transfer ended and waits to be handled (read_finished) */
	CURLcode result;  /* how it ended, while answered */
	bool answered_ok; /* with a 2xx, while answered */
	struct unit *next_answered;
	const struct export_side_read *side; /* a list read alongside, NULL: the request's own */
	char *error;                         /* the row's error (errors.csv), owned */
	long error_status;                   /* the HTTP status that made it, 0 when none */
	unsigned attempt;
	int64_t not_before_ms;
	char *text; /* formatted records, through an open_memstream */
	size_t text_size;
	FILE *stream;
	uint64_t records;
	struct http_transfer transfer;
	int64_t started_wall_ms, started_mono_ms; /* of the read in flight */
};

struct export_loop {
	const struct export_request *request;
	struct export_output *output;
	struct export_totals *totals;
	struct error *error;
	struct http_settings settings; /* every read's handle, from request->transport */
	int exit_code;                 /* the first stop's */
	bool stopping;
	bool output_broken;         /* a write failed: nothing more may be written or committed */
	struct multi_events events; /* the multi handle, moved socket by socket */
	struct answered_queue answered;
	struct device_source source;
	bool source_open, source_done;
	size_t listed;        /* request->devices: the next index */
	char **error_columns; /* errors.csv header: the manifest's columns (owned) */
	size_t error_column_count;
	struct unit **window; /* ring of window_size units, by index */
	size_t window_size;
	struct unit **side; /* request->side_reads, one unit each, outside the window */
	size_t side_count;
	uint64_t first, next; /* unit indexes: oldest not written, next to create */
	/* account listings: pages known to exist, and whether the listing ended */
	uint64_t planned_last;
	uint64_t page_cap;  /* the sink's listing() ended the listing here (0: no cap) */
	bool listing_sized; /* a page told the listing's size (size_listing) */
	int64_t last_page;  /* the listing's last page as its headers tell it, -1: not told */
	bool listing_done;
	struct paging listing;
	unsigned in_flight;
	struct aimd aimd;
	struct rate_limiter limiter;
	struct retry_budget budget;
	uint64_t random;
	int64_t pause_until_ms; /* a 429 holds every read until then */
	int64_t last_commit_ms;
	uint64_t exchange_sequence;
	uint64_t row_errors_this_run;
};

/* The loop itself (export_loop.c). */

/* Clears the progress display before a line of ours goes to stderr. */
void export_loop_progress_clear(const struct export_loop *loop);
/* Stops the loop with exit_code and message (the first stop's are kept); returns -1. */
int export_loop_stop(struct export_loop *loop, int exit_code, const char *message);

/* Units, the window and the output order (export_window.c). */

/* Frees unit and what it owns; NULL is allowed. */
void unit_free(struct unit *unit);
/* A new unit at index of the output order, owned by the caller (unit_free); NULL: out of memory. */
struct unit *unit_new(struct export_loop *loop, uint64_t index);
/* What unit reads: a side read's list, or the request's endpoint (borrowed). */
const struct read_endpoint *unit_endpoint(const struct export_loop *loop, const struct unit *unit);
/* Where unit's answers go: a side read's sink, or the output's (borrowed, may be NULL). */
const struct export_sink *unit_sink(const struct export_loop *loop, const struct unit *unit);
/* Opens the manifest (or request->devices) and passes over the units already written. Returns 0 or
 * -1. */
int export_open_source(struct export_loop *loop);
/* Creates units while the window has room. Returns 0 or -1 (stopping). */
int export_fill_window(struct export_loop *loop);
/* Writes finished units in order; commits about every second, or now when final. Returns 0 or -1.
 */
int export_write_finished(struct export_loop *loop, bool final);

/* The listing's size and paging (export_listing.c). */

/* The hash of unit's answer body (a server repeating a page). */
uint64_t export_body_hash(const struct unit *unit);
/* A page's answer arrived (not yet read): sizes the listing when its headers tell it. */
void export_size_listing_early(struct export_loop *loop, const struct unit *unit);
/* After a listing's page of count records: the pages to read next. Returns 0 or -1 (stopping). */
int export_plan_pages(struct export_loop *loop, struct unit *unit, size_t count);
/* Whether a refusal (status) of a page of the first wave was taken as past the listing's end. */
bool export_refused_past_end(struct export_loop *loop, struct unit *unit, long status);

/* One read's answer (export_answer.c). */

/* Takes unit's ended transfer (result): audit, then kept, retried, an error of the row, or a stop.
 */
void export_finish_read(struct export_loop *loop, struct unit *unit, CURLcode result);

#endif
