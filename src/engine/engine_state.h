/* The engine's internal state, shared by the transfer loop (engine.c) and
 * the handling of finished calls (answers.c). Not for use outside src/engine.
 * Ownership: the engine owns every call, record and buffer reachable from it. */
#ifndef LATTIGO_ENGINE_STATE_H
#define LATTIGO_ENGINE_STATE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/aimd.h"
#include "engine/backoff.h"
#include "engine/call.h"
#include "engine/engine.h"
#include "engine/planner.h"
#include "engine/rate_limiter.h"

#define BACKOFF_BASE_MS       250
#define BACKOFF_CAP_MS        30000
#define PROGRESS_INTERVAL_MS  200
#define RETRY_BUDGET_RATIO    0.5
#define RETRY_BUDGET_RESERVE  20
#define AIMD_RECOVER_AFTER    16
#define AIMD_COOLDOWN_MS      1000
#define READY_CHUNKS_PER_SLOT 2
#define DEAD_SERVICE_FAILURES 20

struct engine {
	const struct engine_config *config;
	const struct op *op;
	struct engine_source *source;
	const struct engine_doubts *doubts; /* NULL: a fresh job */
	struct engine_sink *sink;
	struct engine_stats *stats;
	struct error *error;
	struct call_transport transport;
	unsigned concurrency;
	unsigned max_retries;
	long stop_grace_ms;

	CURLM *multi;
	struct planner *planner;
	struct rate_limiter limiter;
	struct aimd aimd;
	struct retry_budget budget;
	uint64_t random_state;

	struct call *waiting;  /* retries waiting for their start time, by not_before_ms */
	struct call *due_head; /* splits and read-backs to start as soon as a slot frees */
	struct call *due_tail;
	size_t scheduled_count; /* calls in both lists */
	size_t settling_count;  /* of which read-backs of rows in doubt waiting for the settle
	                           time: they hold back no other row */
	struct call **running;  /* in flight, at most concurrency */
	struct call *finishing; /* answered, outcome not decided yet (read_finished) */
	unsigned running_count;

	bool curl_initialised;
	bool source_done;
	bool stopping;
	bool fatal;
	bool sink_broken; /* the job directory cannot record: nothing more is reported */
	int64_t stop_deadline_ms;
	int64_t hold_until_ms; /* after a 429 no call starts before this (monotonic) */
	int64_t next_progress_ms;
	uint64_t next_call_id;
	uint64_t sequence;
	uint64_t answered;          /* answers other than 401/403, 408, 429 and 5xx */
	uint64_t failures_in_a_row; /* 408, 5xx and transport failures since the last answer */
	struct strbuf key;
};

/* Ends the job early: no new call starts; error must already be set. */
void engine_fail(struct engine *engine, int64_t now_ms);
/* Reports record's final outcome to the sink and counts it; -1 when the sink failed (the job then
 * stops). */
int engine_report_row(struct engine *engine, const struct record *record, enum row_status status,
                      long http_status, unsigned attempts, const char *message);
/* Gives every row of call the same outcome, then frees the call. */
void engine_finish_call(struct engine *engine, struct call *call, enum row_status status,
                        long http_status, const char *message);
/* Frees a call still queued when the job stopped, reporting nothing: its rows
 * stay unsent or in doubt for the resume. */
void engine_abandon_call(struct engine *engine, struct call *call);
/* Queues call (owned by the engine from now on) to start at not_before_ms or later. */
void engine_schedule(struct engine *engine, struct call *call, int64_t not_before_ms);
/* Queues call (owned by the engine from now on) to start as soon as a slot frees, in order. */
void engine_schedule_now(struct engine *engine, struct call *call);
/* Replaces call by calls of at most piece rows, queued in order to start at once. */
void engine_split_call(struct engine *engine, struct call *call, size_t piece, int64_t now_ms);
/* Decides about a call whose transfer ended with result: outcome, retry,
 * split, read-back or stop. The call is consumed. */
void engine_handle_finished(struct engine *engine, struct call *call, CURLcode result,
                            int64_t now_ms);

#endif
