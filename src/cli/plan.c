/* Dry-run plans: valid rows go through the real planner; a hash table of
 * batching groups (a 64-bit key hash, rows, calls and a short label each)
 * counts what comes out. */
#include "plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/strbuf.h"
#include "engine/planner.h"

#define PLAN_HASH_SEED 0x706c616e /* any constant: hashes never leave the process */

struct plan_group {
	uint64_t hash;
	uint64_t rows;
	uint64_t calls;
	size_t first_sizes[PLAN_LISTED_CALLS]; /* rows of the first calls, in order */
	uint64_t full_calls;                   /* calls of plan->chunk rows */
	uint64_t other_calls;                  /* calls of fewer rows */
	uint64_t other_rows;
	char label[PLAN_LABEL_MAX + 4];
};

struct plan {
	const struct op *op;
	size_t chunk;
	struct planner *planner;
	struct strbuf key;
	struct strbuf label;
	struct plan_group *groups; /* in order of first appearance */
	size_t group_count;
	size_t group_capacity;
	size_t *slots;     /* open addressing: group index + 1, 0 = empty */
	size_t slot_count; /* a power of two, kept at most half full */
	uint64_t rows;
	uint64_t calls;
};

struct plan *plan_new(const struct op *op, size_t requested_chunk)
{
	struct plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return NULL;
	plan->op = op;
	plan->chunk = op_chunk_size(op, requested_chunk);
	/* the configuration a run gives its planner (engine.c) */
	struct planner_config config;
	planner_config_defaults(&config, plan->chunk);
	plan->planner = planner_new(&config);
	strbuf_init(&plan->key, PLAN_KEY_LIMIT);
	strbuf_init(&plan->label, PLAN_KEY_LIMIT);
	plan->slot_count = 64;
	plan->slots = calloc(plan->slot_count, sizeof(*plan->slots));
	if (!plan->slots || !plan->planner) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

void plan_free(struct plan *plan)
{
	if (!plan)
		return;
	planner_free(plan->planner);
	strbuf_release(&plan->key);
	strbuf_release(&plan->label);
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

static uint64_t key_hash(const struct strbuf *key)
{
	return hash64(key->data ? key->data : "", key->length, PLAN_HASH_SEED);
}

/* Returns the group of hash, adding it (labelled label) when new; NULL when out of memory. */
static struct plan_group *find_group(struct plan *plan, uint64_t hash, const char *label)
{
	size_t slot = find_slot(plan->slots, plan->slot_count, plan->groups, hash);
	if (plan->slots[slot])
		return &plan->groups[plan->slots[slot] - 1];
	if (plan->group_count == plan->group_capacity) {
		size_t capacity = plan->group_capacity ? plan->group_capacity * 2 : 16;
		struct plan_group *groups = realloc(plan->groups, capacity * sizeof(*groups));
		if (!groups)
			return NULL;
		plan->groups = groups;
		plan->group_capacity = capacity;
	}
	struct plan_group *group = &plan->groups[plan->group_count];
	memset(group, 0, sizeof(*group));
	group->hash = hash;
	copy_label(group->label, label ? label : "");
	plan->slots[slot] = ++plan->group_count;
	if (plan->group_count * 2 > plan->slot_count && grow_slots(plan) < 0)
		return NULL;
	return group;
}

/* Counts the chunks the planner has ready, each one call of its group. */
static void take_ready_chunks(struct plan *plan)
{
	struct chunk *chunk = NULL;
	while ((chunk = planner_take(plan->planner)) != NULL) {
		struct plan_group *group = NULL;
		if (chunk->count && op_batch_key(plan->op, chunk->records[0], &plan->key) == 0) {
			uint64_t hash = key_hash(&plan->key);
			size_t slot = find_slot(plan->slots, plan->slot_count, plan->groups, hash);
			if (plan->slots[slot])
				group = &plan->groups[plan->slots[slot] - 1];
		}
		if (group) {
			if (group->calls < PLAN_LISTED_CALLS)
				group->first_sizes[group->calls] = chunk->count;
			group->calls++;
			if (chunk->count == plan->chunk) {
				group->full_calls++;
			} else {
				group->other_calls++;
				group->other_rows += chunk->count;
			}
			plan->calls++;
		}
		chunk_free(chunk);
	}
}

int plan_add_row(struct plan *plan, const struct record *record)
{
	if (op_batch_key(plan->op, record, &plan->key) < 0 ||
	    op_batch_label(plan->op, record, &plan->label) < 0)
		return -1;
	struct plan_group *group =
	    find_group(plan, key_hash(&plan->key), strbuf_text(&plan->label));
	strbuf_reset(&plan->label);
	if (!group)
		return -1;
	group->rows++;
	plan->rows++;
	struct record *copy = record_clone(record);
	if (!copy)
		return -1;
	/* the clock stays at 0: a dry run reads as fast as it can, so only the
	 * planner's row-count rules flush partial chunks early */
	if (planner_add(plan->planner, copy, strbuf_text(&plan->key),
	                copy->value[plan->op->key_field], 0) < 0)
		return -1;
	take_ready_chunks(plan);
	return 0;
}

void plan_finish(struct plan *plan)
{
	planner_flush_all(plan->planner);
	take_ready_chunks(plan);
}

uint64_t plan_rows(const struct plan *plan)
{
	return plan->rows;
}

uint64_t plan_calls(const struct plan *plan)
{
	return plan->calls;
}

size_t plan_groups(const struct plan *plan)
{
	return plan->group_count;
}

size_t plan_chunk(const struct plan *plan)
{
	return plan->chunk;
}

/* Writes how a group's rows split into calls into out. */
static void describe_calls(const struct plan *plan, const struct plan_group *group, char *out,
                           size_t size)
{
	uint64_t calls = group->calls;
	if (calls <= PLAN_LISTED_CALLS) {
		int written =
		    snprintf(out, size, "%" PRIu64 " call%s:", calls, calls == 1 ? "" : "s");
		for (uint64_t call = 0; call < calls && written > 0 && (size_t)written < size;
		     call++)
			written += snprintf(out + written, size - (size_t)written, "%s %zu",
			                    call ? "," : "", group->first_sizes[call]);
		return;
	}
	if (group->other_calls == 0)
		snprintf(out, size, "%" PRIu64 " calls: %" PRIu64 " x %zu row%s", calls,
		         group->full_calls, plan->chunk, plan->chunk == 1 ? "" : "s");
	else if (group->other_calls == 1)
		snprintf(out, size,
		         "%" PRIu64 " calls: %" PRIu64 " x %zu row%s + 1 x %" PRIu64 " row%s",
		         calls, group->full_calls, plan->chunk, plan->chunk == 1 ? "" : "s",
		         group->other_rows, group->other_rows == 1 ? "" : "s");
	else
		snprintf(out, size,
		         "%" PRIu64 " calls: %" PRIu64 " x %zu rows + %" PRIu64
		         " smaller calls of %" PRIu64 " rows in all",
		         calls, group->full_calls, plan->chunk, group->other_calls,
		         group->other_rows);
}

/* Characters (not bytes) of a UTF-8 label, for column alignment. */
static size_t label_width(const char *label)
{
	size_t width = 0;
	for (const unsigned char *byte = (const unsigned char *)label; *byte; byte++)
		width += (*byte & 0xC0) != 0x80;
	return width;
}

/* Prints label padded to width characters, then the rows column. */
static void print_group_line(FILE *stream, const char *label, size_t width, uint64_t rows,
                             const char *calls)
{
	size_t used = label_width(label);
	fprintf(stream, "  %s%*s %10" PRIu64 "  %s\n", label, (int)(width - used), "", rows, calls);
}

void plan_print(const struct plan *plan, FILE *stream)
{
	char calls[200];
	char label[64];
	size_t printed =
	    plan->group_count < PLAN_PRINTED_GROUPS ? plan->group_count : PLAN_PRINTED_GROUPS;
	if (printed < plan->group_count)
		snprintf(label, sizeof(label), "(%zu more group%s)", plan->group_count - printed,
		         plan->group_count - printed == 1 ? "" : "s");
	/* the label column is as wide as the longest label printed, so the
	 * rows stay aligned whatever the group keys */
	size_t width = label_width("group");
	for (size_t index = 0; index < printed; index++)
		if (label_width(plan->groups[index].label) > width)
			width = label_width(plan->groups[index].label);
	if (printed < plan->group_count && label_width(label) > width)
		width = label_width(label);
	fprintf(stream, "  %-*s %10s  %s\n", (int)width, "group", "rows", "calls (rows per call)");
	for (size_t index = 0; index < printed; index++) {
		const struct plan_group *group = &plan->groups[index];
		describe_calls(plan, group, calls, sizeof(calls));
		print_group_line(stream, group->label, width, group->rows, calls);
	}
	if (printed < plan->group_count) {
		uint64_t rows = 0;
		uint64_t rest_calls = 0;
		for (size_t index = printed; index < plan->group_count; index++) {
			rows += plan->groups[index].rows;
			rest_calls += plan->groups[index].calls;
		}
		snprintf(calls, sizeof(calls), "%" PRIu64 " call%s", rest_calls,
		         rest_calls == 1 ? "" : "s");
		print_group_line(stream, label, width, rows, calls);
	}
	fprintf(stream, "total: %" PRIu64 " row%s in %" PRIu64 " call%s (%zu group%s)\n",
	        plan->rows, plan->rows == 1 ? "" : "s", plan->calls, plan->calls == 1 ? "" : "s",
	        plan->group_count, plan->group_count == 1 ? "" : "s");
}
