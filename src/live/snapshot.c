/* The snapshot in memory: a string arena, fixed-size device records of
 * arena offsets, and one open-addressing table over the identifiers of the
 * devices (kind + text), so a million devices cost a few arrays, never a
 * malloc each. A kind of identifier is indexed when it is first looked up:
 * a job naming its devices by device_name never pays for an index of the
 * ICCIDs, IMEIs, IMSIs, MSISDNs… of the whole account (seven identifiers a
 * device in lattigo-sim's data set: most of a large account's memory). */
#include "live/snapshot.h"
#include "live/device_text.h"
#include "live/snapshot_internal.h"
#include "live/spool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/duration.h"
#include "common/hash.h"
#include "common/strbuf.h"
#include "common/suggest.h"

#define NO_TEXT   0u         /* offset of an absent value (the arena starts with a NUL) */
#define ABSENT    UINT32_MAX /* slot item: the identifier was read and not found */
#define ARENA_MAX (UINT32_MAX - 1u)

struct stored_device {
	uint32_t field[DEVICE_FIELD_COUNT]; /* arena offsets, NO_TEXT when absent */
};

struct slot {
	uint64_t hash; /* key_hash: the kind in its top bits */
	uint32_t text; /* arena offset of the identifier */
	uint32_t item; /* device index + 1, ABSENT, or 0 for an empty slot */
};

struct stored_plan {
	uint32_t name;
	double fees[3];
};

struct live_snapshot {
	struct live_snapshot_meta meta;
	struct strbuf arena;
	struct stored_device *devices;
	size_t device_count, device_capacity;
	struct slot *slots;
	size_t slot_count, slot_used;
	unsigned indexed;             /* bit k: every device's identifier of kind k is in slots */
	bool index_failed;            /* out of memory while indexing: look-ups scan the devices */
	struct live_rate_plan *plans; /* names point into the arena: rebuilt after growth */
	struct stored_plan *stored_plans;
	size_t plan_count, plan_capacity;
	uint32_t *users;
	size_t user_count, user_capacity;
	const char **names; /* scratch for suggestions */
	size_t names_capacity;
	/* a bounded snapshot (live_snapshot_set_budget) holds at most budget
	 * devices; beyond, every device goes to the spool (live/spool.h) */
	size_t budget;
	size_t expected; /* devices the listing told (live_snapshot_expect), 0: unknown */
	struct live_spool *spool;
	struct device_text_buffers text_buffers; /* kept from one page read to the next */
};

const char *live_scope_name(enum live_scope scope)
{
	switch (scope) {
	case LIVE_SCOPE_NONE:
		return "none";
	case LIVE_SCOPE_ACCOUNT:
		return "account";
	case LIVE_SCOPE_DEVICES:
		return "devices";
	}
	return "none";
}

struct live_snapshot *live_snapshot_new(void)
{
	struct live_snapshot *snapshot = calloc(1, sizeof(*snapshot));
	if (!snapshot)
		return NULL;
	strbuf_init(&snapshot->arena, ARENA_MAX);
	if (strbuf_append_char(&snapshot->arena, '\0') != STRBUF_OK) {
		free(snapshot);
		return NULL;
	}
	snapshot->arena.length = 1; /* offset 0 is the shared "absent" */
	device_text_buffers_init(&snapshot->text_buffers);
	snapshot->meta.taken_at_ms = clock_wall_ms();
	snapshot->meta.account_devices = -1;
	return snapshot;
}

void live_snapshot_free(struct live_snapshot *snapshot)
{
	if (!snapshot)
		return;
	strbuf_release(&snapshot->arena);
	free(snapshot->devices);
	free(snapshot->slots);
	free(snapshot->plans);
	free(snapshot->stored_plans);
	free(snapshot->users);
	free(snapshot->names);
	live_spool_free(snapshot->spool);
	device_text_buffers_release(&snapshot->text_buffers);
	free(snapshot);
}

struct live_snapshot_meta *live_snapshot_meta(struct live_snapshot *snapshot)
{
	return &snapshot->meta;
}

const struct live_snapshot_meta *live_snapshot_info(const struct live_snapshot *snapshot)
{
	return &snapshot->meta;
}

static const char *text_at(const struct live_snapshot *snapshot, uint32_t offset)
{
	return offset == NO_TEXT ? NULL : snapshot->arena.data + offset;
}

/* Copies text (length bytes followed by a NUL, as every caller's text is)
 * into the arena, its NUL included; *offset receives where. */
static int arena_add(struct live_snapshot *snapshot, const char *text, size_t length,
                     uint32_t *offset)
{
	size_t at = snapshot->arena.length;
	if (strbuf_append(&snapshot->arena, text, length + 1) != STRBUF_OK)
		return -1;
	*offset = (uint32_t)at;
	return 0;
}

static int grow(void **array, size_t *capacity, size_t needed, size_t size)
{
	if (needed <= *capacity)
		return 0;
	size_t wanted = *capacity ? *capacity * 2 : 64;
	while (wanted < needed)
		wanted *= 2;
	void *bigger = realloc(*array, wanted * size);
	if (!bigger)
		return -1;
	*array = bigger;
	*capacity = wanted;
	return 0;
}

#define KIND_SHIFT 60 /* DEVICE_KEY_COUNT kinds fit in the hash's top 4 bits */

static uint64_t key_hash(enum device_field kind, const char *text, size_t length)
{
	return (hash64(text, length, 0x51ab5a0dULL + (uint64_t)kind) >> 4) | (uint64_t)kind
	                                                                         << KIND_SHIFT;
}

/* The slot holding kind/text, or the empty slot where it would go. */
static struct slot *slot_find(const struct live_snapshot *snapshot, const char *text, uint64_t hash)
{
	size_t mask = snapshot->slot_count - 1;
	for (size_t index = (size_t)hash & mask;; index = (index + 1) & mask) {
		struct slot *slot = &snapshot->slots[index];
		if (slot->item == 0)
			return slot;
		if (slot->hash == hash && strcmp(snapshot->arena.data + slot->text, text) == 0)
			return slot;
	}
}

/* Room for extra more identifiers. */
static int slots_grow(struct live_snapshot *snapshot, size_t extra)
{
	if ((snapshot->slot_used + extra) * 4 < snapshot->slot_count * 3)
		return 0;
	size_t count = snapshot->slot_count ? snapshot->slot_count * 2 : 1024;
	struct slot *old = snapshot->slots;
	size_t old_count = snapshot->slot_count;
	snapshot->slots = calloc(count, sizeof(*snapshot->slots));
	if (!snapshot->slots) {
		snapshot->slots = old;
		return -1;
	}
	snapshot->slot_count = count;
	for (size_t index = 0; index < old_count; index++) {
		if (old[index].item == 0)
			continue;
		size_t mask = count - 1;
		size_t at = (size_t)old[index].hash & mask;
		while (snapshot->slots[at].item != 0)
			at = (at + 1) & mask;
		snapshot->slots[at] = old[index];
	}
	free(old);
	return 0;
}

static bool is_deactivated(const struct live_snapshot *snapshot, uint32_t item)
{
	if (item == 0 || item == ABSENT)
		return item == ABSENT;
	const char *state = text_at(snapshot, snapshot->devices[item - 1].field[DEVICE_STATE]);
	return state && strcmp(state, "deactivated") == 0;
}

/* Indexes kind/text (at arena offset, hash its key_hash) as item; the table
 * has room (slots_grow). */
static void index_hashed(struct live_snapshot *snapshot, uint32_t offset, uint64_t hash,
                         uint32_t item)
{
	const char *text = snapshot->arena.data + offset;
	struct slot *slot = slot_find(snapshot, text, hash);
	if (slot->item == 0) {
		*slot = (struct slot){hash, offset, item};
		snapshot->slot_used++;
	} else if (is_deactivated(snapshot, slot->item) && item != ABSENT) {
		slot->item = item;
	}
}

/* Indexes kind/text (at arena offset) as item. */
static int index_key(struct live_snapshot *snapshot, enum device_field kind, uint32_t offset,
                     uint32_t item)
{
	const char *text = snapshot->arena.data + offset;
	if (!*text)
		return 0;
	if (slots_grow(snapshot, 1) < 0)
		return -1;
	index_hashed(snapshot, offset, key_hash(kind, text, strlen(text)), item);
	return 0;
}

static int spill(struct live_snapshot *snapshot);

/* Devices added before the arena is sized for the rest (live_snapshot_expect). */
#define EXPECT_SAMPLE 64
/* The most devices sized for at once when no budget bounds the snapshot: the
 * count is the API's word (X-Total), and beyond it the arrays grow as added. */
#define EXPECT_MAX_DEVICES (1u << 20)

/* Room for the devices the listing told, the arena's from the bytes the
 * first ones took: grown by doubling, the arrays were copied on the pages
 * where they doubled (1.3-2.7 ms to add such a page of 834 devices, against
 * 0.3 ms for the others), on the last round of a read among them. Best
 * effort: what fails here is grown as before. */
static void reserve_expected(struct live_snapshot *snapshot)
{
	size_t devices = snapshot->expected;
	size_t most = snapshot->budget ? snapshot->budget : EXPECT_MAX_DEVICES;
	if (devices > most)
		devices = most;
	if (devices <= snapshot->device_count || snapshot->device_count == 0)
		return;
	if (grow((void **)&snapshot->devices, &snapshot->device_capacity, devices,
	         sizeof(*snapshot->devices)) < 0)
		return;
	size_t more = devices - snapshot->device_count;
	size_t per_device = snapshot->arena.length / snapshot->device_count + 1;
	if (more <= (SIZE_MAX / 2) / per_device)
		(void)strbuf_reserve(&snapshot->arena, per_device * more + per_device * more / 8);
}

static int add_values(struct live_snapshot *snapshot, const char *const *values,
                      const size_t *lengths)
{
	if (snapshot->expected && snapshot->device_count == EXPECT_SAMPLE)
		reserve_expected(snapshot);
	if (!snapshot->spool && snapshot->budget && snapshot->device_count >= snapshot->budget &&
	    spill(snapshot) < 0)
		return -1;
	if (snapshot->spool)
		return live_spool_add(snapshot->spool, values, lengths);
	if (grow((void **)&snapshot->devices, &snapshot->device_capacity,
	         snapshot->device_count + 1, sizeof(*snapshot->devices)) < 0 ||
	    slots_grow(snapshot, DEVICE_KEY_COUNT) < 0)
		return -1;
	/* the arena grown once a device, its values copied in line: a call a
	 * value was a tenth of reading a page */
	size_t room = 0;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		room += values[field] ? lengths[field] + 1 : 0;
	if (strbuf_reserve(&snapshot->arena, room) != STRBUF_OK)
		return -1;
	struct stored_device stored;
	char *arena = snapshot->arena.data;
	size_t at = snapshot->arena.length;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
		stored.field[field] = NO_TEXT;
		if (!values[field])
			continue;
		stored.field[field] = (uint32_t)at;
		memcpy(arena + at, values[field], lengths[field]);
		at += lengths[field];
		arena[at++] = '\0';
	}
	snapshot->arena.length = at;
	snapshot->devices[snapshot->device_count] = stored;
	uint32_t item = (uint32_t)++snapshot->device_count;
	/* Each identifier's slot is a cache miss in a table of many megabytes:
	 * asked for all at once, the misses overlap instead of following one
	 * another (measured: the inserts of a 20,000-device account took about
	 * as long as parsing its pages). */
	uint64_t hashes[DEVICE_KEY_COUNT];
	size_t mask = snapshot->slot_count - 1;
	for (int key = 0; key < DEVICE_KEY_COUNT; key++) {
		if (!(snapshot->indexed & (1u << key)) || !values[key] || !lengths[key])
			continue;
		hashes[key] = key_hash((enum device_field)key, values[key], lengths[key]);
		__builtin_prefetch(&snapshot->slots[(size_t)hashes[key] & mask], 1);
	}
	for (int key = 0; key < DEVICE_KEY_COUNT; key++)
		if ((snapshot->indexed & (1u << key)) && values[key] && lengths[key])
			index_hashed(snapshot, stored.field[key], hashes[key], item);
	return 0;
}

/* Indexes every device's identifier of kind, in the order the devices were
 * added (so a later device takes an identifier over from a deactivated one
 * exactly as when indexed on adding). A look-up is logically const: the
 * index is a cache of the devices. Returns 0 or -1 (out of memory). */
static int index_kind(const struct live_snapshot *snapshot, enum device_field kind)
{
	struct live_snapshot *cache = (struct live_snapshot *)snapshot;
	if (cache->indexed & (1u << kind))
		return 0;
	cache->indexed |= 1u << kind;
	for (size_t index = 0; index < cache->device_count; index++) {
		uint32_t offset = cache->devices[index].field[kind];
		if (offset != NO_TEXT && index_key(cache, kind, offset, (uint32_t)index + 1) < 0) {
			cache->index_failed = true;
			return -1;
		}
	}
	return 0;
}

/* Without an index (out of memory): the device the index would hold for
 * kind = value — the first to hold it, or a later one when that is
 * deactivated — found by reading every device. */
static uint32_t scan(const struct live_snapshot *snapshot, enum device_field kind,
                     const char *value)
{
	uint32_t found = 0;
	for (size_t index = 0; index < snapshot->device_count; index++) {
		const char *text = text_at(snapshot, snapshot->devices[index].field[kind]);
		if (text && strcmp(text, value) == 0 &&
		    (found == 0 || is_deactivated(snapshot, found)))
			found = (uint32_t)index + 1;
	}
	return found;
}

int live_snapshot_add_view(struct live_snapshot *snapshot, const struct device_view *device)
{
	size_t lengths[DEVICE_FIELD_COUNT];
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		lengths[field] = device->value[field] ? strlen(device->value[field]) : 0;
	return add_values(snapshot, device->value, lengths);
}

/* A JSON value as text: strings as they are, numbers as their digits. */
static const char *json_text(const json_t *value, char *buffer, size_t size, size_t *length)
{
	if (json_is_string(value)) {
		*length = json_string_length(value);
		return json_string_value(value);
	}
	int written = -1;
	if (json_is_integer(value))
		written = snprintf(buffer, size, "%lld", (long long)json_integer_value(value));
	else if (json_is_real(value))
		written = snprintf(buffer, size, "%.17g", json_real_value(value));
	else if (json_is_boolean(value))
		written = snprintf(buffer, size, "%s", json_is_true(value) ? "true" : "false");
	if (written < 0 || (size_t)written >= size)
		return NULL;
	*length = (size_t)written;
	return buffer;
}

int live_snapshot_add_device(struct live_snapshot *snapshot, const json_t *object)
{
	if (!json_is_object(object))
		return -1;
	char buffers[DEVICE_FIELD_COUNT][40];
	const char *values[DEVICE_FIELD_COUNT];
	size_t lengths[DEVICE_FIELD_COUNT];
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
		json_t *value =
		    json_object_get(object, device_field_name((enum device_field)field));
		lengths[field] = 0;
		values[field] =
		    json_text(value, buffers[field], sizeof(buffers[field]), &lengths[field]);
	}
	return add_values(snapshot, values, lengths);
}

static int add_text_values(void *context, const char *const *values, const size_t *lengths)
{
	return add_values(context, values, lengths);
}

int live_snapshot_add_devices_text(struct live_snapshot *snapshot, const char *text, size_t length,
                                   bool single, size_t *count)
{
	return device_text_read(&snapshot->text_buffers, text, length, single, add_text_values,
	                        snapshot, count);
}

int live_snapshot_add_absent(struct live_snapshot *snapshot, enum device_field key,
                             const char *value)
{
	uint32_t offset;
	if ((unsigned)key >= DEVICE_KEY_COUNT || !value || !*value)
		return -1;
	if (arena_add(snapshot, value, strlen(value), &offset) < 0)
		return -1;
	return index_key(snapshot, key, offset, ABSENT);
}

static uint32_t lookup(const struct live_snapshot *snapshot, enum device_field key,
                       const char *value)
{
	if (!value || !*value || (unsigned)key >= DEVICE_KEY_COUNT)
		return 0;
	if (index_kind(snapshot, key) < 0 || snapshot->index_failed) {
		uint32_t found = scan(snapshot, key, value);
		if (found)
			return found;
	}
	if (snapshot->slot_count == 0)
		return 0;
	const struct slot *slot = slot_find(snapshot, value, key_hash(key, value, strlen(value)));
	return slot->item;
}

void live_snapshot_device_at(const struct live_snapshot *snapshot, size_t index,
                             struct device_view *device)
{
	const struct stored_device *stored = &snapshot->devices[index];
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		device->value[field] = text_at(snapshot, stored->field[field]);
}

bool live_snapshot_find(const struct live_snapshot *snapshot, enum device_field key,
                        const char *value, struct device_view *device)
{
	uint32_t item = lookup(snapshot, key, value);
	if (item == 0 || item == ABSENT)
		return false;
	live_snapshot_device_at(snapshot, item - 1, device);
	return true;
}

bool live_snapshot_find_index(const struct live_snapshot *snapshot, enum device_field key,
                              const char *value, size_t *index)
{
	uint32_t item = lookup(snapshot, key, value);
	if (item == 0 || item == ABSENT)
		return false;
	*index = item - 1;
	return true;
}

bool live_snapshot_covers(const struct live_snapshot *snapshot, enum device_field key,
                          const char *value)
{
	if (snapshot->meta.scope == LIVE_SCOPE_ACCOUNT)
		return true;
	return lookup(snapshot, key, value) != 0;
}

size_t live_snapshot_device_count(const struct live_snapshot *snapshot)
{
	return snapshot->device_count +
	       (snapshot->spool ? (size_t)live_spool_devices(snapshot->spool) : 0);
}

void live_snapshot_set_budget(struct live_snapshot *snapshot, size_t max_devices)
{
	snapshot->budget = max_devices;
}

void live_snapshot_expect(struct live_snapshot *snapshot, size_t devices)
{
	snapshot->expected = devices;
}

struct live_spool *live_snapshot_spool(const struct live_snapshot *snapshot)
{
	return snapshot->spool;
}

bool live_snapshot_spilled(const struct live_snapshot *snapshot)
{
	return snapshot->spool != NULL;
}

static int add_plan(struct live_snapshot *snapshot, const char *name, size_t length,
                    const double *fees);
static int add_user(struct live_snapshot *snapshot, const char *name, size_t length);

/* Copies every rate plan and user of from into snapshot. Returns 0 or -1. */
static int copy_names(struct live_snapshot *snapshot, const struct live_snapshot *from)
{
	for (size_t index = 0; index < from->plan_count; index++) {
		const struct stored_plan *plan = &from->stored_plans[index];
		const char *name = text_at(from, plan->name);
		if (add_plan(snapshot, name, strlen(name), plan->fees) < 0)
			return -1;
	}
	for (size_t index = 0; index < from->user_count; index++) {
		const char *name = text_at(from, from->users[index]);
		if (add_user(snapshot, name, strlen(name)) < 0)
			return -1;
	}
	return 0;
}

struct live_snapshot *live_snapshot_new_like(const struct live_snapshot *from)
{
	struct live_snapshot *snapshot = live_snapshot_new();
	if (!snapshot)
		return NULL;
	snapshot->meta = from->meta;
	if (copy_names(snapshot, from) < 0) {
		live_snapshot_free(snapshot);
		return NULL;
	}
	return snapshot;
}

/* The budget is reached: the devices held so far go to a new spool, and so
 * will every device added after them; what stays in memory is the rate
 * plans and users. The partitions are sized from the account's size when
 * the listing told it, so that one partition's devices fit the budget. */
static int spill(struct live_snapshot *snapshot)
{
	uint64_t expected = snapshot->meta.account_devices > 0
	                        ? (uint64_t)snapshot->meta.account_devices
	                        : (uint64_t)snapshot->device_count * 4;
	if (expected < snapshot->device_count)
		expected = snapshot->device_count;
	/* hashing spreads the devices unevenly: room for half as many again */
	uint64_t partitions = (expected + expected / 2 + snapshot->budget - 1) / snapshot->budget;
	struct error ignored;
	error_clear(&ignored);
	struct live_spool *spool = live_spool_open((size_t)partitions, &ignored);
	if (!spool)
		return -1;
	for (size_t index = 0; index < snapshot->device_count; index++) {
		struct device_view device;
		size_t lengths[DEVICE_FIELD_COUNT];
		live_snapshot_device_at(snapshot, index, &device);
		for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
			lengths[field] = device.value[field] ? strlen(device.value[field]) : 0;
		if (live_spool_add(spool, device.value, lengths) < 0) {
			live_spool_free(spool);
			return -1;
		}
	}
	struct live_snapshot *names = live_snapshot_new();
	if (!names || copy_names(names, snapshot) < 0) {
		live_snapshot_free(names);
		live_spool_free(spool);
		return -1;
	}
	/* the devices' memory goes: only the names are kept, in a fresh arena */
	struct strbuf arena = snapshot->arena;
	snapshot->arena = names->arena;
	names->arena = arena;
	struct stored_plan *stored_plans = snapshot->stored_plans;
	snapshot->stored_plans = names->stored_plans;
	names->stored_plans = stored_plans;
	struct live_rate_plan *plans = snapshot->plans;
	snapshot->plans = names->plans;
	names->plans = plans;
	size_t plan_capacity = snapshot->plan_capacity;
	snapshot->plan_capacity = names->plan_capacity;
	names->plan_capacity = plan_capacity;
	uint32_t *users = snapshot->users;
	snapshot->users = names->users;
	names->users = users;
	size_t user_capacity = snapshot->user_capacity;
	snapshot->user_capacity = names->user_capacity;
	names->user_capacity = user_capacity;
	live_snapshot_free(names);
	free(snapshot->devices);
	snapshot->devices = NULL;
	snapshot->device_count = snapshot->device_capacity = 0;
	free(snapshot->slots);
	snapshot->slots = NULL;
	snapshot->slot_count = snapshot->slot_used = 0;
	snapshot->indexed = 0;
	snapshot->spool = spool;
	return 0;
}

/* --- rate plans and users --- */

static double fee(const json_t *object, const char *key)
{
	const json_t *value = json_object_get(object, key);
	if (json_is_number(value))
		return json_number_value(value);
	if (json_is_string(value)) {
		const char *text = json_string_value(value);
		while (*text == '$' || *text == ' ')
			text++;
		char *end = NULL;
		double number = strtod(text, &end);
		if (end != text)
			return number;
	}
	return NAN;
}

/* Plan names point into the arena, which moves as it grows: re-pointed on read. */
static void refresh_plans(const struct live_snapshot *snapshot)
{
	for (size_t index = 0; index < snapshot->plan_count; index++)
		snapshot->plans[index].name = text_at(snapshot, snapshot->stored_plans[index].name);
}

/* Adds a rate plan: its name (length bytes) and fees (activation, monthly
 * data, monthly SMS). Returns 0 or -1. */
static int add_plan(struct live_snapshot *snapshot, const char *name, size_t length,
                    const double *fees)
{
	size_t capacity = snapshot->plan_capacity;
	if (grow((void **)&snapshot->stored_plans, &snapshot->plan_capacity,
	         snapshot->plan_count + 1, sizeof(*snapshot->stored_plans)) < 0)
		return -1;
	if (grow((void **)&snapshot->plans, &capacity, snapshot->plan_count + 1,
	         sizeof(*snapshot->plans)) < 0)
		return -1;
	struct stored_plan *plan = &snapshot->stored_plans[snapshot->plan_count];
	if (arena_add(snapshot, name, length, &plan->name) < 0)
		return -1;
	memcpy(plan->fees, fees, sizeof(plan->fees));
	snapshot->plans[snapshot->plan_count] =
	    (struct live_rate_plan){NULL, plan->fees[0], plan->fees[1], plan->fees[2]};
	snapshot->plan_count++;
	return 0;
}

int live_snapshot_add_rate_plan(struct live_snapshot *snapshot, const json_t *object)
{
	const json_t *name = json_object_get(object, "name");
	if (!json_is_string(name) || json_string_length(name) == 0)
		return -1;
	double fees[3] = {fee(object, "activation_fee"), fee(object, "monthly_data_plan_cost"),
	                  fee(object, "monthly_sms_plan_cost")};
	return add_plan(snapshot, json_string_value(name), json_string_length(name), fees);
}

static int add_user(struct live_snapshot *snapshot, const char *name, size_t length)
{
	if (grow((void **)&snapshot->users, &snapshot->user_capacity, snapshot->user_count + 1,
	         sizeof(*snapshot->users)) < 0)
		return -1;
	uint32_t offset;
	if (arena_add(snapshot, name, length, &offset) < 0)
		return -1;
	snapshot->users[snapshot->user_count++] = offset;
	return 0;
}

int live_snapshot_add_user(struct live_snapshot *snapshot, const json_t *item)
{
	const json_t *name = item;
	if (json_is_object(item)) {
		name = json_object_get(item, "username");
		if (!name)
			name = json_object_get(item, "name");
	}
	if (!json_is_string(name) || json_string_length(name) == 0)
		return -1;
	return add_user(snapshot, json_string_value(name), json_string_length(name));
}

const struct live_rate_plan *live_snapshot_rate_plans(const struct live_snapshot *snapshot,
                                                      size_t *count)
{
	refresh_plans(snapshot);
	*count = snapshot->plan_count;
	return snapshot->plans;
}

const struct live_rate_plan *live_snapshot_rate_plan(const struct live_snapshot *snapshot,
                                                     const char *name)
{
	refresh_plans(snapshot);
	for (size_t index = 0; name && index < snapshot->plan_count; index++)
		if (strcmp(snapshot->plans[index].name, name) == 0)
			return &snapshot->plans[index];
	return NULL;
}

bool live_snapshot_has_user(const struct live_snapshot *snapshot, const char *username)
{
	for (size_t index = 0; username && index < snapshot->user_count; index++)
		if (strcmp(text_at(snapshot, snapshot->users[index]), username) == 0)
			return true;
	return false;
}

/* Suggestions compare against a scratch array of names (grown once). */
static const char *suggest(const struct live_snapshot *snapshot, const char *given, bool plans)
{
	struct live_snapshot *scratch = (struct live_snapshot *)snapshot;
	size_t count = plans ? snapshot->plan_count : snapshot->user_count;
	if (!given || count == 0 ||
	    grow((void **)&scratch->names, &scratch->names_capacity, count, sizeof(char *)) < 0)
		return NULL;
	for (size_t index = 0; index < count; index++)
		scratch->names[index] = text_at(snapshot, plans ? snapshot->stored_plans[index].name
		                                                : snapshot->users[index]);
	return closest_name(given, scratch->names, count);
}

const char *live_snapshot_suggest_rate_plan(const struct live_snapshot *snapshot, const char *name)
{
	return suggest(snapshot, name, true);
}

const char *live_snapshot_suggest_user(const struct live_snapshot *snapshot, const char *name)
{
	return suggest(snapshot, name, false);
}

size_t live_snapshot_user_count(const struct live_snapshot *snapshot)
{
	return snapshot->user_count;
}

const char *live_snapshot_user_at(const struct live_snapshot *snapshot, size_t index)
{
	return text_at(snapshot, snapshot->users[index]);
}

size_t live_snapshot_slot_count(const struct live_snapshot *snapshot)
{
	return snapshot->slot_count;
}

bool live_snapshot_slot_absent(const struct live_snapshot *snapshot, size_t index,
                               enum device_field *key, const char **value)
{
	const struct slot *slot = &snapshot->slots[index];
	if (slot->item != ABSENT)
		return false;
	*key = (enum device_field)(slot->hash >> KIND_SHIFT);
	*value = snapshot->arena.data + slot->text;
	return true;
}

int live_snapshot_check_age(const struct live_snapshot *snapshot, int64_t max_age_ms,
                            int64_t now_ms, struct error *error)
{
	int64_t age = now_ms - snapshot->meta.taken_at_ms;
	if (max_age_ms <= 0 || age <= max_age_ms)
		return 0;
	char when[40], ago[48], limit[48];
	clock_format_iso8601(snapshot->meta.taken_at_ms, when, sizeof(when));
	/* whole seconds once there are any: the milliseconds of an age say nothing */
	duration_format(age >= 1000 ? age / 1000 * 1000 : age, ago, sizeof(ago));
	duration_format(max_age_ms, limit, sizeof(limit));
	error_set(error,
	          "the stored snapshot of the account was read at %s, %s ago, more than "
	          "--max-snapshot-age %s allows; start a new job with another --out to read the "
	          "account again, or raise --max-snapshot-age",
	          when, ago, limit);
	return -1;
}
