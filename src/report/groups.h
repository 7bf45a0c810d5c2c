/* Rows that need attention, grouped by what went wrong: the message with its
 * numbers blanked ("duplicate of row #"), so a thousand duplicates make one
 * group. Keeps the count and the first GROUP_SAMPLE_ROWS rows of each group,
 * and at most GROUP_MAX groups (later kinds of message are only counted).
 * Ownership: a group_set owns its groups and their text (group_set_release). */
#ifndef LATTIGO_REPORT_GROUPS_H
#define LATTIGO_REPORT_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"

#define GROUP_SAMPLE_ROWS 5
#define GROUP_MAX         500

struct group_sample {
	uint64_t row;
	int http_status;
	char *message;    /* owned; the row's own message */
	char *identifier; /* owned; the row's key field from results.csv, or NULL */
};

struct message_group {
	enum row_status status;
	char *key; /* owned; the message with digit runs replaced by '#' */
	uint64_t count;
	size_t samples;
	struct group_sample sample[GROUP_SAMPLE_ROWS];
};

struct group_set {
	struct message_group *groups; /* owned, groups_used entries */
	size_t used, capacity;
	uint64_t ungrouped; /* rows whose kind of message came after GROUP_MAX groups */
	/* private: open-addressing hash of groups by (status, key) */
	size_t *slots;
	size_t slot_count;
};

/* Starts an empty set. */
void group_set_init(struct group_set *set);
/* Counts one row under its status and message. Returns 0 or -1 (out of memory). */
int group_set_add(struct group_set *set, enum row_status status, uint64_t row, int http_status,
                  const char *message);
/* Sorts the groups: by status (error, invalid, unknown, skipped), then by
 * count, largest first. */
void group_set_sort(struct group_set *set);
/* Frees everything; the set may be reused after group_set_init. */
void group_set_release(struct group_set *set);

#endif
