/* The engine: plans chunks of valid rows and sends them through one libcurl
 * multi handle, concurrently and within limits, retrying what is safe to
 * retry, and reports every row's final outcome to a sink.
 * Ownership: the engine copies every record it takes from the source and
 * frees its copies; pointers handed to sink callbacks are valid only during
 * the call. */
#ifndef LATTIGO_ENGINE_H
#define LATTIGO_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/max_errors.h"
#include "http/exchange.h"
#include "ops/op.h"

/* How long calls in flight may finish after a stop when stop_grace_ms is 0
 * (no option sets it: the engine's own rule; tests shorten it). */
#define ENGINE_STOP_GRACE_MS 30000L

/* One lane of a job that sends several operations (a steps job: one lane per
 * step, and one per verification). The lanes share the job's concurrency,
 * rate limit, retry budget and back-off; each may be held to fewer calls in
 * flight and a lower rate of its own. A record names its lane (record.lane). */
struct engine_lane {
	const struct op *op;
	size_t chunk;         /* rows per call (op_chunk_size applies) */
	unsigned concurrency; /* at most this many of the lane's calls in flight; 0: the job's */
	double rate;          /* the lane's own calls per second; 0: only the job's limit */
};

/* What the engine is told; nothing of it is defaulted here: concurrency and
 * the three timeouts must be set (the option table, cli/options.c, holds
 * their defaults), or engine_run refuses the config. */
struct engine_config {
	const struct op *op; /* with no lanes: the one operation (chunk its rows per call) */
	const struct engine_lane *lanes; /* NULL: one lane, op and chunk */
	size_t lane_count;
	const char
	    *endpoint; /* API root, e.g. "https://api.lattigo.com" (no trailing slash needed) */
	const char *key_name;     /* Basic auth user; never printed */
	const char *api_key;      /* Basic auth password; never printed */
	size_t chunk;             /* rows per call for batchable operations (1 for OP_PER_ROW) */
	unsigned concurrency;     /* calls in flight, at least 1 */
	double rate;              /* calls per second, 0 = unlimited */
	unsigned max_retries;     /* retries of one call */
	long connect_timeout_ms;  /* > 0 */
	long total_timeout_ms;    /* > 0 */
	long stall_timeout_s;     /* below 1 byte/s for this long = stalled; > 0 */
	bool allow_insecure_http; /* plain http to a non-loopback host */
	const char *cacert;       /* --cacert: CA bundle to trust; NULL: $CURL_CA_BUNDLE,
	                             $SSL_CERT_FILE or the system's (http/tls.h) */
	bool resend_on_5xx;       /* re-send sms / locate calls answered 5xx (may apply twice) */
	struct max_errors max_errors; /* stop sending once more rows failed (--max-errors) */
	uint64_t errors_before;       /* rows that failed in earlier runs of the job */
	uint64_t finished_before;     /* rows with an outcome from earlier runs */
	volatile sig_atomic_t *stop_requested; /* set by SIGINT/SIGTERM: start no new calls */
	long stop_grace_ms; /* how long calls in flight may finish after a stop; 0:
	                       ENGINE_STOP_GRACE_MS */
};

/* What engine_source.settle decided about a row. */
enum engine_row_verdict {
	ENGINE_ROW_SEND = 0, /* plan a call for *send */
	ENGINE_ROW_SETTLED,  /* finished without a call: *outcome is its final outcome */
};

/* engine_source.next: no row now, but more later (rows waiting for an earlier
 * lane's outcome or for a time): the engine asks again after any row finished
 * and at wake_at_ms. */
#define ENGINE_SOURCE_LATER 2

/* Pulls the rows to send: valid, not yet finished. */
struct engine_source {
	void *context;
	/* 1 = *record set (borrowed until the next call), 0 = no more rows, -1 = error (engine
	 * stops), ENGINE_SOURCE_LATER = none now. */
	int (*next)(void *context, const struct record **record, struct error *error);
	/* May be NULL (every row is sent as read). Decides, before a row is
	 * planned, whether it needs a call at all: ENGINE_ROW_SEND with *send set
	 * to the record to send (record itself, or one naming the device
	 * differently, e.g. by the device_name an ICCID resolves to; borrowed
	 * until the next call), or ENGINE_ROW_SETTLED with *outcome filled (status,
	 * message; e.g. unchanged because the live state already matches). A
	 * settled row is reported like any other, without a call. -1 = error. */
	int (*settle)(void *context, const struct record *record, const struct record **send,
	              struct row_outcome *outcome, struct error *error);
	/* May be NULL. After ENGINE_SOURCE_LATER: the monotonic time at which rows
	 * become due without any row finishing (INT64_MAX: none). */
	int64_t (*wake_at_ms)(void *context);
	/* May be NULL (every lane open until the source ends). Whether rows may
	 * still come into lane (e.g. rows still at an earlier step): while so, a
	 * partial chunk of the lane lingers for more rows (planner_linger); once
	 * not, it goes at once. */
	bool (*lane_open)(void *context, unsigned lane);
};

struct engine_stats;

/* Receives what the job directory records. Callbacks returning -1 stop the engine. */
struct engine_sink {
	void *context;
	/* A call carrying these rows is about to go out (for a non-idempotent op this
	 * must be durable before it returns). May be NULL. */
	int (*call_starting)(void *context, uint64_t call_id, const struct record *const *records,
	                     size_t count, unsigned attempt);
	/* A row reached its final outcome. */
	int (*row_finished)(void *context, const struct record *record,
	                    const struct row_outcome *outcome);
	/* An exchange ended (answer or transport failure). May be NULL. */
	int (*exchange_finished)(void *context, const struct exchange *exchange);
	/* Called about every 200 ms and at the end with the engine's counters. May be NULL. */
	void (*progress)(void *context, const struct engine_stats *stats);
};

struct engine_stats {
	uint64_t rows_taken; /* rows pulled from the source */
	uint64_t rows_ok, rows_unchanged, rows_error, rows_unknown, rows_skipped;
	uint64_t calls; /* HTTP exchanges, including retries and reconciliation look-ups */
	uint64_t retries;
	uint64_t throttled; /* answers with 429 */
	unsigned in_flight;
	int64_t started_ms, elapsed_ms; /* monotonic */
	bool stopped;                   /* a stop request or a fatal error ended the job early */
	bool threshold_exceeded;        /* --max-errors stopped the job: rows not sent are left */
	bool service_failing;           /* the fatal error was the API failing call after call: a
	                                   later resume may get through (not a configuration error) */
	bool credentials_refused;       /* the fatal error was a 401/403 refusing the credentials */
};

/* Runs until the source is exhausted and every row has an outcome, or a stop
 * is requested. Returns 0 when every row taken got an outcome, 1 when stopped
 * early (rows not started are simply not reported), -1 on a fatal error
 * (error filled: e.g. 401 wrong credentials, endpoint refused by policy). */
int engine_run(const struct engine_config *config, struct engine_source *source,
               struct engine_sink *sink, struct engine_stats *stats, struct error *error);

/* Rows an earlier, interrupted run of the same job sent without a recorded
 * answer. in_doubt is asked about every row the source yields. */
struct engine_doubts {
	void *context;
	bool (*in_doubt)(void *context, const struct record *record);
	/* Monotonic ms before which no row in doubt is read back, so that a call
	 * the service was still working on when the client died has landed
	 * (0: at once). */
	int64_t read_back_not_before_ms;
	/* UTC epoch ms before which the interrupted run cannot have sent anything
	 * (the job's creation): a device read back as activated earlier is not
	 * this job's doing (0: unknown, no date check). */
	int64_t sent_after_wall_ms;
};

/* As engine_run, for a resumed job: a row in doubt of an OP_NON_IDEMPOTENT
 * operation is never sent blindly again. With OP_RECONCILE_BY_ICCID it is
 * read back (no earlier than read_back_not_before_ms): ok when the device
 * exists; when the service says it does not exist, the interrupted call
 * evidently never took effect and the row is sent again; anything else ends
 * unknown. Other non-idempotent rows in doubt end unknown. Rows of
 * idempotent operations are simply sent again. doubts may be NULL. */
int engine_run_resuming(const struct engine_config *config, struct engine_source *source,
                        const struct engine_doubts *doubts, struct engine_sink *sink,
                        struct engine_stats *stats, struct error *error);

#endif
