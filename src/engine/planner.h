/* Chunk planning: groups rows by batching key into chunks of up to the chunk
 * size, never putting the same device twice in one chunk, and flushes partial
 * chunks of rare groups early so nothing waits for the end of a big job.
 * Memory is bounded: at most max_open_groups partial chunks are held.
 * Ownership: the planner owns the records it is given (freed with free())
 * until a chunk is taken; a taken chunk belongs to the caller (chunk_free). */
#ifndef LATTIGO_PLANNER_H
#define LATTIGO_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"

struct chunk {
	struct record **records; /* count records sharing one batching key */
	size_t count;
	struct chunk *next; /* the planner's ready queue */
};

/* Frees the chunk, its array and its records. */
void chunk_free(struct chunk *chunk);

struct planner_config {
	size_t chunk_size;         /* rows per chunk, at least 1 */
	size_t max_open_groups;    /* partial chunks held at once; more flushes the oldest */
	uint64_t flush_after_rows; /* a partial chunk is flushed after this many rows arrived since
	                              it opened */
	int64_t flush_after_ms;    /* ... or after it lingered this long for more rows of its
	                              group (planner_flush_stale) */
};

/* Fills config with the defaults for chunk_size. */
void planner_config_defaults(struct planner_config *config, size_t chunk_size);

struct planner;

/* Returns a new planner (free with planner_free), or NULL when out of memory. */
struct planner *planner_new(const struct planner_config *config);
/* Frees the planner, every chunk it still holds and their records. */
void planner_free(struct planner *planner);

/* Adds record (ownership moves to the planner, also on failure) to the group
 * of key; device is the value that may not repeat within a chunk (it must
 * point into record, or be NULL for none). now_ms opens the group's clock.
 * Returns 0, or -1 when out of memory. */
int planner_add(struct planner *planner, struct record *record, const char *key, const char *device,
                int64_t now_ms);
/* The linger rule (after Kafka's linger.ms), pure: whether a partial chunk
 * open for age_ms goes now rather than wait for more rows of its group. It
 * waits only while more rows may still come (more_may_come: the source, or
 * an earlier step of a steps job, has rows it has not handed over yet) and
 * for at most linger_ms: one fuller call instead of several thin ones,
 * without holding the last rows once nothing more can join them. */
bool planner_linger(int64_t age_ms, int64_t linger_ms, bool more_may_come);
/* Flushes the partial chunks the linger rule lets go at now_ms: those open
 * flush_after_ms or more, or every one when no more rows may come. */
void planner_flush_stale(struct planner *planner, int64_t now_ms, bool more_may_come);
/* Flushes every partial chunk (the source has ended). */
void planner_flush_all(struct planner *planner);
/* Removes and returns the oldest ready chunk (caller owns it), or NULL. */
struct chunk *planner_take(struct planner *planner);
/* Says whether a ready chunk may start now. It is asked about ready chunks
 * oldest first, and may remember the ones it refused (a later chunk must not
 * overtake them for a device they share). */
typedef bool planner_startable_fn(void *context, const struct chunk *chunk);
/* The oldest ready chunk startable accepts: removed and returned (caller owns
 * it) when take is true, only returned (still the planner's) when false; NULL
 * when it accepts none. */
struct chunk *planner_take_startable(struct planner *planner, planner_startable_fn *startable,
                                     void *context, bool take);
/* Chunks ready to be taken. */
size_t planner_ready_count(const struct planner *planner);
/* Rows held in partial chunks. */
size_t planner_open_rows(const struct planner *planner);
/* Earliest monotonic time a partial chunk becomes stale, or INT64_MAX when none is open. */
int64_t planner_next_stale_ms(const struct planner *planner);

/* Lowers (or raises) the chunk size for chunks formed from now on; open
 * partial chunks already at the new size are flushed. */
void planner_set_chunk_size(struct planner *planner, size_t chunk_size);
/* The chunk size new chunks get. */
size_t planner_chunk_size(const struct planner *planner);

/* Rows of the first half when a chunk of count rows is bisected (count ≥ 2). */
size_t planner_bisect_size(size_t count);

#endif
