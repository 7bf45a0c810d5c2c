/* Grouping the rows that need attention by kind of message. */
#include "report/groups.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

void group_set_init(struct group_set *set)
{
	memset(set, 0, sizeof(*set));
}

/* Writes message with every run of digits replaced by one '#' into a new
 * string (caller frees), so messages that differ only in numbers group. */
static char *group_key(const char *message)
{
	size_t length = strlen(message);
	char *key = malloc(length + 1);
	if (!key)
		return NULL;
	size_t out = 0;
	for (size_t index = 0; index < length; index++) {
		if (message[index] >= '0' && message[index] <= '9') {
			if (out == 0 || key[out - 1] != '#')
				key[out++] = '#';
			continue;
		}
		key[out++] = message[index];
	}
	key[out] = '\0';
	return key;
}

static uint64_t slot_hash(enum row_status status, const char *key)
{
	return hash64(key, strlen(key), (uint64_t)status);
}

static int grow_slots(struct group_set *set)
{
	size_t count = set->slot_count ? set->slot_count * 2 : 64;
	size_t *slots = malloc(count * sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t index = 0; index < count; index++)
		slots[index] = SIZE_MAX;
	for (size_t group = 0; group < set->used; group++) {
		size_t slot = (size_t)slot_hash(set->groups[group].status, set->groups[group].key) &
		              (count - 1);
		while (slots[slot] != SIZE_MAX)
			slot = (slot + 1) & (count - 1);
		slots[slot] = group;
	}
	free(set->slots);
	set->slots = slots;
	set->slot_count = count;
	return 0;
}

/* Returns the group of (status, key), creating it when there is room; NULL
 * when GROUP_MAX groups exist already; *failed set on out of memory. key is
 * taken over (freed when not kept). */
static struct message_group *find_or_add(struct group_set *set, enum row_status status, char *key,
                                         int *failed)
{
	if ((set->used + 1) * 2 > set->slot_count && grow_slots(set) < 0) {
		free(key);
		*failed = 1;
		return NULL;
	}
	size_t mask = set->slot_count - 1;
	size_t slot = (size_t)slot_hash(status, key) & mask;
	while (set->slots[slot] != SIZE_MAX) {
		struct message_group *group = &set->groups[set->slots[slot]];
		if (group->status == status && strcmp(group->key, key) == 0) {
			free(key);
			return group;
		}
		slot = (slot + 1) & mask;
	}
	if (set->used == GROUP_MAX) {
		free(key);
		return NULL;
	}
	if (set->used == set->capacity) {
		size_t capacity = set->capacity ? set->capacity * 2 : 16;
		struct message_group *groups = realloc(set->groups, capacity * sizeof(*groups));
		if (!groups) {
			free(key);
			*failed = 1;
			return NULL;
		}
		set->groups = groups;
		set->capacity = capacity;
	}
	struct message_group *group = &set->groups[set->used];
	memset(group, 0, sizeof(*group));
	group->status = status;
	group->key = key;
	set->slots[slot] = set->used++;
	return group;
}

int group_set_add(struct group_set *set, enum row_status status, uint64_t row, int http_status,
                  const char *message)
{
	char *key = group_key(message ? message : "");
	if (!key)
		return -1;
	int failed = 0;
	struct message_group *group = find_or_add(set, status, key, &failed);
	if (failed)
		return -1;
	if (!group) {
		set->ungrouped++;
		return 0;
	}
	group->count++;
	if (group->samples < GROUP_SAMPLE_ROWS) {
		char *copy = strdup(message ? message : "");
		if (!copy)
			return -1;
		group->sample[group->samples++] =
		    (struct group_sample){row, http_status, copy, NULL};
	}
	return 0;
}

static int compare_groups(const void *left, const void *right)
{
	const struct message_group *a = left, *b = right;
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->key, b->key);
}

void group_set_sort(struct group_set *set)
{
	if (set->used > 1)
		qsort(set->groups, set->used, sizeof(*set->groups), compare_groups);
	/* the hash no longer matches the positions; it is not needed after sorting */
	free(set->slots);
	set->slots = NULL;
	set->slot_count = 0;
}

void group_set_release(struct group_set *set)
{
	for (size_t group = 0; group < set->used; group++) {
		for (size_t sample = 0; sample < set->groups[group].samples; sample++) {
			free(set->groups[group].sample[sample].message);
			free(set->groups[group].sample[sample].identifier);
		}
		free(set->groups[group].key);
	}
	free(set->groups);
	free(set->slots);
	group_set_init(set);
}
