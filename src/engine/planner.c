/* Chunk planning with a small hash table of open groups kept in age order. */
#include "planner.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

struct group {
	char *key;
	uint64_t key_hash;
	struct record **records;
	uint64_t *device_hashes;
	const char **devices;
	size_t count, capacity;
	uint64_t opened_at_row;
	int64_t opened_at_ms;
	struct group *older, *newer; /* age list */
	struct group *bucket_next;
};

struct planner {
	struct planner_config config;
	struct group **buckets;
	size_t bucket_count; /* power of two */
	struct group *oldest, *newest;
	size_t open_groups, open_rows;
	uint64_t rows_added;
	struct chunk *ready_head, *ready_tail;
	size_t ready_count;
};

void chunk_free(struct chunk *chunk)
{
	if (!chunk)
		return;
	for (size_t index = 0; index < chunk->count; index++)
		free(chunk->records[index]);
	free(chunk->records);
	free(chunk);
}

void planner_config_defaults(struct planner_config *config, size_t chunk_size)
{
	config->chunk_size = chunk_size ? chunk_size : 1;
	config->max_open_groups = 64;
	/* A group getting at least 1/64 of the rows fills its chunk (64 groups
	 * interleaved, e.g. 50 sites' cost centers, each call full); a rarer
	 * one waits at most 64 full chunks' worth of other rows. Memory is
	 * bounded by max_open_groups either way. */
	config->flush_after_rows = (uint64_t)config->max_open_groups * config->chunk_size + 64;
	config->flush_after_ms = 1000;
}

struct planner *planner_new(const struct planner_config *config)
{
	struct planner *planner = calloc(1, sizeof(*planner));
	if (!planner)
		return NULL;
	planner->config = *config;
	if (!planner->config.chunk_size)
		planner->config.chunk_size = 1;
	if (!planner->config.max_open_groups)
		planner->config.max_open_groups = 1;
	planner->bucket_count = 16;
	while (planner->bucket_count < 2 * planner->config.max_open_groups)
		planner->bucket_count *= 2;
	planner->buckets = calloc(planner->bucket_count, sizeof(*planner->buckets));
	if (!planner->buckets) {
		free(planner);
		return NULL;
	}
	return planner;
}

static void group_free(struct group *group, bool free_records)
{
	if (free_records)
		for (size_t index = 0; index < group->count; index++)
			free(group->records[index]);
	free(group->records);
	free(group->device_hashes);
	free(group->devices);
	free(group->key);
	free(group);
}

void planner_free(struct planner *planner)
{
	if (!planner)
		return;
	struct group *group = planner->oldest;
	while (group) {
		struct group *newer = group->newer;
		group_free(group, true);
		group = newer;
	}
	struct chunk *chunk = planner->ready_head;
	while (chunk) {
		struct chunk *next = chunk->next;
		chunk_free(chunk);
		chunk = next;
	}
	free(planner->buckets);
	free(planner);
}

static void unlink_group(struct planner *planner, struct group *group)
{
	struct group **slot = &planner->buckets[group->key_hash & (planner->bucket_count - 1)];
	while (*slot != group)
		slot = &(*slot)->bucket_next;
	*slot = group->bucket_next;
	if (group->older)
		group->older->newer = group->newer;
	else
		planner->oldest = group->newer;
	if (group->newer)
		group->newer->older = group->older;
	else
		planner->newest = group->older;
	planner->open_groups--;
	planner->open_rows -= group->count;
}

/* Turns a group's partial chunk into a ready chunk; the group goes away. On
 * out of memory the rows are dropped with the group (the caller reports it). */
static int emit_group(struct planner *planner, struct group *group)
{
	unlink_group(planner, group);
	struct chunk *chunk = malloc(sizeof(*chunk));
	if (!chunk) {
		group_free(group, true);
		return -1;
	}
	chunk->records = group->records;
	chunk->count = group->count;
	chunk->next = NULL;
	group->records = NULL;
	group->count = 0;
	group_free(group, false);
	if (planner->ready_tail)
		planner->ready_tail->next = chunk;
	else
		planner->ready_head = chunk;
	planner->ready_tail = chunk;
	planner->ready_count++;
	return 0;
}

static struct group *find_group(struct planner *planner, const char *key, uint64_t key_hash)
{
	struct group *group = planner->buckets[key_hash & (planner->bucket_count - 1)];
	for (; group; group = group->bucket_next)
		if (group->key_hash == key_hash && !strcmp(group->key, key))
			return group;
	return NULL;
}

static struct group *open_group(struct planner *planner, const char *key, uint64_t key_hash,
                                int64_t now_ms)
{
	size_t capacity = planner->config.chunk_size;
	struct group *group = calloc(1, sizeof(*group));
	if (!group)
		return NULL;
	group->key = strdup(key);
	group->records = malloc(capacity * sizeof(*group->records));
	group->device_hashes = malloc(capacity * sizeof(*group->device_hashes));
	group->devices = malloc(capacity * sizeof(*group->devices));
	if (!group->key || !group->records || !group->device_hashes || !group->devices) {
		group_free(group, false);
		return NULL;
	}
	group->key_hash = key_hash;
	group->capacity = capacity;
	group->opened_at_row = planner->rows_added;
	group->opened_at_ms = now_ms;
	size_t bucket = key_hash & (planner->bucket_count - 1);
	group->bucket_next = planner->buckets[bucket];
	planner->buckets[bucket] = group;
	group->older = planner->newest;
	if (planner->newest)
		planner->newest->newer = group;
	else
		planner->oldest = group;
	planner->newest = group;
	planner->open_groups++;
	return group;
}

static bool group_has_device(const struct group *group, const char *device, uint64_t device_hash)
{
	for (size_t index = 0; index < group->count; index++)
		if (group->device_hashes[index] == device_hash && group->devices[index] &&
		    !strcmp(group->devices[index], device))
			return true;
	return false;
}

int planner_add(struct planner *planner, struct record *record, const char *key, const char *device,
                int64_t now_ms)
{
	int result = 0;
	uint64_t key_hash = hash64(key, strlen(key), 0);
	uint64_t device_hash = device ? hash64(device, strlen(device), 1) : 0;
	struct group *group = find_group(planner, key, key_hash);
	if (group && device && group_has_device(group, device, device_hash)) {
		/* The device is already in this chunk: close it and start the next. */
		result |= emit_group(planner, group);
		group = NULL;
	}
	if (!group)
		group = open_group(planner, key, key_hash, now_ms);
	if (!group) {
		free(record);
		return -1;
	}
	group->records[group->count] = record;
	group->device_hashes[group->count] = device_hash;
	group->devices[group->count] = device;
	group->count++;
	planner->open_rows++;
	planner->rows_added++;
	if (group->count >= group->capacity || group->count >= planner->config.chunk_size)
		result |= emit_group(planner, group);

	while (planner->oldest && (planner->open_groups > planner->config.max_open_groups ||
	                           planner->rows_added - planner->oldest->opened_at_row >=
	                               planner->config.flush_after_rows))
		result |= emit_group(planner, planner->oldest);
	return result ? -1 : 0;
}

bool planner_linger(int64_t age_ms, int64_t linger_ms, bool more_may_come)
{
	return more_may_come && age_ms < linger_ms;
}

void planner_flush_stale(struct planner *planner, int64_t now_ms, bool more_may_come)
{
	/* oldest first: once one lingers, the younger ones do too */
	while (planner->oldest && !planner_linger(now_ms - planner->oldest->opened_at_ms,
	                                          planner->config.flush_after_ms, more_may_come))
		emit_group(planner, planner->oldest);
}

void planner_flush_all(struct planner *planner)
{
	while (planner->oldest)
		emit_group(planner, planner->oldest);
}

struct chunk *planner_take(struct planner *planner)
{
	struct chunk *chunk = planner->ready_head;
	if (!chunk)
		return NULL;
	planner->ready_head = chunk->next;
	if (!planner->ready_head)
		planner->ready_tail = NULL;
	chunk->next = NULL;
	planner->ready_count--;
	return chunk;
}

struct chunk *planner_take_startable(struct planner *planner, planner_startable_fn *startable,
                                     void *context, bool take)
{
	struct chunk *previous = NULL;
	for (struct chunk *chunk = planner->ready_head; chunk;
	     previous = chunk, chunk = chunk->next) {
		if (!startable(context, chunk))
			continue;
		if (!take)
			return chunk;
		if (previous)
			previous->next = chunk->next;
		else
			planner->ready_head = chunk->next;
		if (planner->ready_tail == chunk)
			planner->ready_tail = previous;
		chunk->next = NULL;
		planner->ready_count--;
		return chunk;
	}
	return NULL;
}

size_t planner_ready_count(const struct planner *planner)
{
	return planner->ready_count;
}

size_t planner_open_rows(const struct planner *planner)
{
	return planner->open_rows;
}

int64_t planner_next_stale_ms(const struct planner *planner)
{
	if (!planner->oldest)
		return INT64_MAX;
	return planner->oldest->opened_at_ms + planner->config.flush_after_ms;
}

void planner_set_chunk_size(struct planner *planner, size_t chunk_size)
{
	planner->config.chunk_size = chunk_size ? chunk_size : 1;
	struct group *group = planner->oldest;
	while (group) {
		struct group *newer = group->newer;
		if (group->count >= planner->config.chunk_size)
			emit_group(planner, group);
		group = newer;
	}
}

size_t planner_chunk_size(const struct planner *planner)
{
	return planner->config.chunk_size;
}

size_t planner_bisect_size(size_t count)
{
	return (count + 1) / 2;
}
