/* Counters over time in at most TIMELINE_BUCKETS buckets of doubling width. */
#include "report/timeline.h"

#include <string.h>

void timeline_init(struct timeline *timeline, int64_t origin_ms, int64_t width_ms)
{
	memset(timeline, 0, sizeof(*timeline));
	timeline->origin_ms = origin_ms;
	timeline->width_ms = width_ms > 0 ? width_ms : 1;
}

/* Halves the number of buckets: bucket i takes 2i and 2i+1; the width doubles. */
static void merge_pairs(struct timeline *timeline)
{
	for (size_t index = 0; index < TIMELINE_BUCKETS / 2; index++) {
		struct timeline_bucket merged = timeline->buckets[2 * index];
		const struct timeline_bucket *next = &timeline->buckets[2 * index + 1];
		merged.rows_ok += next->rows_ok;
		merged.rows_failed += next->rows_failed;
		merged.calls += next->calls;
		merged.retries += next->retries;
		merged.throttled += next->throttled;
		merged.failures += next->failures;
		merged.busy_ms += next->busy_ms;
		timeline->buckets[index] = merged;
	}
	memset(&timeline->buckets[TIMELINE_BUCKETS / 2], 0,
	       sizeof(timeline->buckets[0]) * (TIMELINE_BUCKETS - TIMELINE_BUCKETS / 2));
	timeline->used = (timeline->used + 1) / 2;
	timeline->width_ms *= 2;
}

static size_t index_of(struct timeline *timeline, int64_t time_ms)
{
	if (time_ms <= timeline->origin_ms)
		return 0;
	uint64_t offset = (uint64_t)(time_ms - timeline->origin_ms);
	/* Widths stay far below INT64_MAX: each merge at least doubles the
	 * covered span, and spans are bounded by int64 milliseconds. */
	while (offset / (uint64_t)timeline->width_ms >= TIMELINE_BUCKETS)
		merge_pairs(timeline);
	return (size_t)(offset / (uint64_t)timeline->width_ms);
}

struct timeline_bucket *timeline_at(struct timeline *timeline, int64_t time_ms)
{
	size_t index = index_of(timeline, time_ms);
	if (index + 1 > timeline->used)
		timeline->used = index + 1;
	return &timeline->buckets[index];
}

void timeline_add_busy(struct timeline *timeline, int64_t start_ms, int64_t end_ms)
{
	if (end_ms <= start_ms)
		return;
	if (start_ms < timeline->origin_ms)
		start_ms = timeline->origin_ms;
	if (end_ms <= start_ms)
		return;
	(void)timeline_at(timeline, end_ms - 1); /* widen first: the indexes below stay valid */
	size_t first = index_of(timeline, start_ms);
	if (first + 1 > timeline->used)
		timeline->used = first + 1;
	for (size_t index = first; index < timeline->used; index++) {
		int64_t bucket_start = timeline->origin_ms + (int64_t)index * timeline->width_ms;
		int64_t bucket_end = bucket_start + timeline->width_ms;
		if (bucket_start >= end_ms)
			break;
		int64_t from = start_ms > bucket_start ? start_ms : bucket_start;
		int64_t to = end_ms < bucket_end ? end_ms : bucket_end;
		if (to > from)
			timeline->buckets[index].busy_ms += (double)(to - from);
	}
}
