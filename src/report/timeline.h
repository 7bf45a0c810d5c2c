/* Counters over time in a bounded number of buckets: when an event falls past
 * the last bucket, neighbouring buckets merge and the width doubles, so a job
 * of any length is summarised in at most TIMELINE_BUCKETS intervals.
 * Ownership: a timeline is a plain value; nothing to free. */
#ifndef LATTIGO_REPORT_TIMELINE_H
#define LATTIGO_REPORT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#define TIMELINE_BUCKETS 120

struct timeline_bucket {
	uint64_t rows_ok;     /* rows that finished ok */
	uint64_t rows_failed; /* rows that finished error, invalid, unknown or skipped */
	uint64_t calls;       /* exchanges that ended (audit trail) */
	uint64_t retries;     /* exchanges with attempt > 1 */
	uint64_t throttled;   /* answers with 429 */
	uint64_t failures;    /* 5xx answers and transport failures */
	double busy_ms;       /* sum over exchanges of their time inside the bucket */
};

struct timeline {
	int64_t origin_ms; /* start of bucket 0 (UTC epoch ms) */
	int64_t width_ms;  /* width of every bucket */
	size_t used;       /* buckets 0..used-1 cover every event so far */
	struct timeline_bucket buckets[TIMELINE_BUCKETS];
};

/* Starts an empty timeline at origin_ms with buckets of width_ms (> 0). */
void timeline_init(struct timeline *timeline, int64_t origin_ms, int64_t width_ms);
/* Returns the bucket holding time_ms, widening the buckets when needed; times
 * before the origin go to bucket 0. */
struct timeline_bucket *timeline_at(struct timeline *timeline, int64_t time_ms);
/* Spreads the interval [start_ms, end_ms) over the buckets it overlaps
 * (busy_ms), so busy_ms / width_ms is the mean number of calls in flight. */
void timeline_add_busy(struct timeline *timeline, int64_t start_ms, int64_t end_ms);

#endif
