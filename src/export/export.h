/* `export`: reading every record of a read endpoint (read_endpoint.h) for the
 * whole account or for each device of a manifest, many reads in flight on one
 * libcurl multi handle, written in a fixed order (manifest order, then page
 * order) so an interrupted export resumes to the same bytes.
 * Ownership: a request's strings are borrowed for the duration of export_run;
 * the output's streams and audit writer stay the caller's. */
#ifndef LATTIGO_EXPORT_H
#define LATTIGO_EXPORT_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "common/error.h"
#include "export/paging.h"
#include "export/read_endpoint.h"
#include "manifest/binding.h"

/* Where and how every read connects; each read's handle is set up from it by
 * the one HTTP layer (http/transfer.h, as the write engine's calls). */
struct read_transport {
	const char *api_root;
	const char *key_name;
	const char *api_key;
	bool plain_http;       /* http allowed (endpoint_policy_check said so) */
	const char *ca_bundle; /* NULL: the system's trust store */
	long connect_timeout_ms;
	long total_timeout_ms;
	long stall_timeout_s; /* below 1 byte/s for this long: stalled */
};

struct device_row;
struct export_totals;
struct export_sink;

/* An account list read in the same loop as the request's own reads, from
 * its first wave on (the live snapshot's rate plans and users next to its
 * devices, live/take.c): every page of it, its records handed to its own
 * sink (records only: no listing() or row errors), none written as text. */
struct export_side_read {
	const struct read_endpoint *endpoint; /* account-wide, READ_PAGED */
	uint64_t per_page;
	const struct export_sink *sink;
};

/* The devices of a per-device read given as a list instead of a manifest
 * (the live snapshot's identifiers, live/take.c): count devices, the
 * index-th filled by at() — strings copied into row, which the loop
 * releases, and row->row the caller's own row number (the audit trail's). */
struct export_device_list {
	size_t count;
	int (*at)(void *context, size_t index, struct device_row *row);
	void *context;
};

/* What to read and how: everything but the transport decides the output. */
struct export_request {
	const struct read_endpoint *endpoint;
	const char *manifest_path;                /* per-device kinds */
	const struct export_device_list *devices; /* per-device kinds: read these instead */
	const struct field_assignment *maps;
	size_t map_count;
	const struct field_assignment *sets; /* --set, and --id-type as --set id_type=… */
	size_t set_count;
	const char *start_date, *end_date; /* checked ISO 8601, or NULL */
	uint64_t limit;                    /* --limit per device; 0: everything (READ_LIMIT_ALL) */
	const char *direction;             /* sms-log; NULL: the API's default */
	const char *state;                 /* devices */
	bool no_details;                   /* devices: names only */
	bool jsonl;
	uint64_t per_page;  /* asked of paginated endpoints */
	uint64_t max_pages; /* account listings: read at most this many pages (0: all) */
	/* account listings: pages asked at once before page 1 tells how many
	 * there are (0 or 1: page 1 alone); pages past the end answer [] */
	uint64_t first_pages;
	/* lists read alongside (their calls count in totals; a refused one
	 * stops the export as a refused listing does), NULL / 0: none */
	const struct export_side_read *side_reads;
	size_t side_read_count;

	struct read_transport transport;
	unsigned concurrency;
	double rate;                 /* calls per second, 0: unlimited */
	unsigned max_tries;          /* tries of one read, 429s included */
	volatile sig_atomic_t *stop; /* SIGINT / SIGTERM flag, or NULL */
	bool verbose;                /* one line per read on stderr */
	/* Called on every turn of the loop with the counters as they stand (it
	 * throttles itself: a progress display); NULL: none. */
	void (*progress)(void *context, const struct export_totals *totals);
	/* Called before the loop writes a line to stderr (a row that could not
	 * be read, --verbose), so it starts on a clean line; NULL: none. */
	void (*progress_clear)(void *context);
	void *progress_context;
};

/* Counters of an export; a resumed export starts from the committed ones. */
struct export_totals {
	uint64_t units;   /* manifest rows (per-device) or pages (account) written */
	uint64_t records; /* records written */
	uint64_t errors;  /* rows in errors.csv (unknown devices, invalid rows) */
	uint64_t calls, retries, throttled;
	bool complete; /* every unit written */
	/* account listings: X-Total of the page that told the size, -1: none */
	int64_t listing_total;
};

/* Records handed over as JSON instead of written as text (the live
 * snapshot, live/take.c). record receives every kept record as its answer
 * arrives (units in any order; row is NULL for account listings); row_error
 * every per-device row that could not be read, in manifest order, with the
 * HTTP status (0 when none) — instead of errors.csv and stderr. A callback
 * returning -1 stops the export (exit 3). */
struct export_sink {
	int (*record)(void *context, const struct device_row *row, const json_t *item);
	int (*row_error)(void *context, const struct device_row *row, long http_status,
	                 const char *message);
	/* When set, takes each answer's body as text instead of record taking
	 * parsed items (a reader that needs no JSON values: the live snapshot's
	 * devices, thousands a page): returns 0 with *count the records the
	 * answer held (1 for an object), 1 when the body is not the JSON the
	 * endpoint answers (retried like a 5xx, nothing kept), -1 to stop. */
	int (*answer)(void *context, const struct device_row *row, const char *body, size_t length,
	              size_t *count);
	/* Account listings, NULL to read them whole: called once, with the
	 * pagination headers of the first page answered that tells the
	 * listing's size (count 0: called before its records are read), else
	 * with page 1's and its number of records; false ends the listing once
	 * the pages already asked are read. */
	bool (*listing)(void *context, const struct page_headers *headers, size_t count);
	void *context;
};

/* Where the records go. Writes are checked: a failing write stops the export. */
struct export_output {
	FILE *records;                  /* NULL when sink takes the records */
	const struct export_sink *sink; /* NULL: records are written as text */
	FILE *errors;                   /* errors.csv; NULL: per-row errors go to stderr only */
	bool errors_header;             /* write errors.csv's header line first (a new job) */
	struct audit_writer *audit;     /* NULL: no audit trail */
	uint64_t skip_units;            /* resuming: units already written */
	/* Makes what was written so far durable (about every 250 ms and at the
	 * end); NULL when nothing needs it. Returns 0, or -1 with error. */
	int (*commit)(void *context, const struct export_totals *totals, struct error *error);
	void *context;
};

/* Runs the export. totals holds the committed counters on entry and the
 * final ones on return. Returns an exit_code: 0 every record read, 1 some
 * rows failed (errors.csv), 2 the credentials or the manifest were refused,
 * 3 stopped (signal, a failing API, a failing write) — resumable; error is
 * filled for 2 and 3, and for 1 when an account listing was refused. */
int export_run(const struct export_request *request, struct export_output *output,
               struct export_totals *totals, struct error *error);

#endif
