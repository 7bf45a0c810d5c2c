/* The engine's internal state: the transfer loop's (engine.c), read by the
 * per-device ordering of new chunks (device_order.c). Not for use outside
 * src/engine; the policy (decide.c) never sees it.
 * Ownership: the engine owns every call, record and buffer reachable from it. */
#ifndef LATTIGO_ENGINE_INTERNAL_H
#define LATTIGO_ENGINE_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/aimd.h"
#include "http/backoff.h"
#include "engine/call.h"
#include "engine/engine.h"
#include "engine/planner.h"
#include "common/rate_limiter.h"

#define PROGRESS_INTERVAL_MS  200
#define READY_CHUNKS_PER_SLOT 2

/* One lane's own state (engine_config.lanes); the budget, limiter and
 * back-off it shares are the engine's. */
struct engine_lane_state {
	const struct op *op;
	struct planner *planner;
	unsigned running;     /* its calls in flight */
	unsigned concurrency; /* at most this many of them */
	bool limited;         /* limiter applies (a rate of its own) */
	struct rate_limiter limiter;
};

struct engine {
	const struct engine_config *config;
	struct engine_source *source;
	const struct engine_doubts *doubts; /* NULL: a fresh job */
	struct engine_sink *sink;
	struct engine_stats *stats;
	struct error *error;
	struct http_settings transport;
	unsigned concurrency;
	unsigned max_retries;
	long stop_grace_ms;

	CURLM *multi;
	struct engine_lane_state *lanes; /* at least one */
	size_t lane_count;
	size_t next_lane; /* round robin: the lane asked first for the next new chunk */
	bool source_idle; /* the source said ENGINE_SOURCE_LATER: ask again after a row
	                     finished or at its wake time */
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

#endif
