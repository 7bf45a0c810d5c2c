/* Dry-run plans: a hash table of batching groups (a 64-bit key hash, a row
 * count and a short label each) and the arithmetic of chunking them. */
#include "plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"

#define PLAN_HASH_SEED 0x706c616e /* any constant: hashes never leave the process */

struct plan_group {
	uint64_t hash;
	uint64_t rows;
	char label[PLAN_LABEL_MAX + 4];
};

struct plan {
	size_t chunk;
	struct plan_group *groups; /* in order of first appearance */
	size_t group_count;
	size_t group_capacity;
	size_t *slots;     /* open addressing: group index + 1, 0 = empty */
	size_t slot_count; /* a power of two, kept at most half full */
	uint64_t rows;
};

struct plan *plan_new(size_t chunk)
{
	struct plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return NULL;
	plan->chunk = chunk ? chunk : 1;
	plan->slot_count = 64;
	plan->slots = calloc(plan->slot_count, sizeof(*plan->slots));
	if (!plan->slots) {
		free(plan);
		return NULL;
	}
	return plan;
}

void plan_free(struct plan *plan)
{
	if (!plan)
		return;
	free(plan->groups);
	free(plan->slots);
	free(plan);
}

static size_t find_slot(const size_t *slots, size_t slot_count, const struct plan_group *groups,
                        uint64_t hash)
{
	size_t slot = (size_t)hash & (slot_count - 1);
	while (slots[slot] && groups[slots[slot] - 1].hash != hash)
		slot = (slot + 1) & (slot_count - 1);
	return slot;
}

static int grow_slots(struct plan *plan)
{
	size_t slot_count = plan->slot_count * 2;
	size_t *slots = calloc(slot_count, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t index = 0; index < plan->group_count; index++)
		slots[find_slot(slots, slot_count, plan->groups, plan->groups[index].hash)] =
		    index + 1;
	free(plan->slots);
	plan->slots = slots;
	plan->slot_count = slot_count;
	return 0;
}

/* Copies label, cut at a UTF-8 character boundary with "..." when too long. */
static void copy_label(char *out, const char *label)
{
	size_t length = strlen(label);
	if (length <= PLAN_LABEL_MAX) {
		memcpy(out, label, length + 1);
		return;
	}
	size_t cut = PLAN_LABEL_MAX - 3;
	while (cut > 0 && ((unsigned char)label[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(out, label, cut);
	memcpy(out + cut, "...", 4);
}

int plan_add(struct plan *plan, const char *key, size_t length, const char *label)
{
	uint64_t hash = hash64(key, length, PLAN_HASH_SEED);
	size_t slot = find_slot(plan->slots, plan->slot_count, plan->groups, hash);
	if (!plan->slots[slot]) {
		if (plan->group_count == plan->group_capacity) {
			size_t capacity = plan->group_capacity ? plan->group_capacity * 2 : 16;
			struct plan_group *groups =
			    realloc(plan->groups, capacity * sizeof(*groups));
			if (!groups)
				return -1;
			plan->groups = groups;
			plan->group_capacity = capacity;
		}
		struct plan_group *group = &plan->groups[plan->group_count];
		group->hash = hash;
		group->rows = 0;
		copy_label(group->label, label ? label : "");
		plan->slots[slot] = ++plan->group_count;
		if (plan->group_count * 2 > plan->slot_count && grow_slots(plan) < 0)
			return -1;
		slot = find_slot(plan->slots, plan->slot_count, plan->groups, hash);
	}
	plan->groups[plan->slots[slot] - 1].rows++;
	plan->rows++;
	return 0;
}

uint64_t plan_calls_for(uint64_t rows, size_t chunk)
{
	return chunk ? (rows + chunk - 1) / chunk : rows;
}

uint64_t plan_rows(const struct plan *plan)
{
	return plan->rows;
}

uint64_t plan_calls(const struct plan *plan)
{
	uint64_t calls = 0;
	for (size_t index = 0; index < plan->group_count; index++)
		calls += plan_calls_for(plan->groups[index].rows, plan->chunk);
	return calls;
}

size_t plan_groups(const struct plan *plan)
{
	return plan->group_count;
}

void plan_describe_calls(uint64_t rows, size_t chunk, char *out, size_t size)
{
	uint64_t calls = plan_calls_for(rows, chunk);
	uint64_t full = rows / chunk;
	uint64_t rest = rows % chunk;
	if (calls <= 5) {
		int written =
		    snprintf(out, size, "%" PRIu64 " call%s:", calls, calls == 1 ? "" : "s");
		for (uint64_t call = 0; call < calls && written > 0 && (size_t)written < size;
		     call++)
			written += snprintf(out + written, size - (size_t)written, "%s %" PRIu64,
			                    call ? "," : "", call < full ? (uint64_t)chunk : rest);
		return;
	}
	if (rest)
		snprintf(out, size,
		         "%" PRIu64 " calls: %" PRIu64 " x %zu rows + 1 x %" PRIu64 " rows", calls,
		         full, chunk, rest);
	else
		snprintf(out, size, "%" PRIu64 " calls: %" PRIu64 " x %zu rows", calls, full,
		         chunk);
}

void plan_print(const struct plan *plan, FILE *stream)
{
	char calls[160];
	size_t printed =
	    plan->group_count < PLAN_PRINTED_GROUPS ? plan->group_count : PLAN_PRINTED_GROUPS;
	fprintf(stream, "  %-44s %10s  %s\n", "group", "rows", "calls (rows per call)");
	for (size_t index = 0; index < printed; index++) {
		const struct plan_group *group = &plan->groups[index];
		plan_describe_calls(group->rows, plan->chunk, calls, sizeof(calls));
		fprintf(stream, "  %-44s %10" PRIu64 "  %s\n", group->label, group->rows, calls);
	}
	if (printed < plan->group_count) {
		uint64_t rows = 0;
		uint64_t rest_calls = 0;
		for (size_t index = printed; index < plan->group_count; index++) {
			rows += plan->groups[index].rows;
			rest_calls += plan_calls_for(plan->groups[index].rows, plan->chunk);
		}
		char label[64];
		snprintf(label, sizeof(label), "(%zu more groups)", plan->group_count - printed);
		fprintf(stream, "  %-44s %10" PRIu64 "  %" PRIu64 " calls\n", label, rows,
		        rest_calls);
	}
	fprintf(stream, "total: %" PRIu64 " rows in %" PRIu64 " calls (%zu group%s)\n", plan->rows,
	        plan_calls(plan), plan->group_count, plan->group_count == 1 ? "" : "s");
}
