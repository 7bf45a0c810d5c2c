/* Row + snapshot -> change / unchanged / missing / conflict / invalid. The
 * generic part: find the device the row names, check the names it uses
 * (rate plan, users) and the identifiers that must not belong to another
 * device; what "in place" means is the operation's comparator. */
#include "live/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/hash.h"
#include "common/strbuf.h"

const char *live_kind_name(enum live_kind kind)
{
	static const char *const names[LIVE_KIND_COUNT] = {"change", "unchanged", "missing",
	                                                   "conflict", "invalid"};
	return (unsigned)kind < LIVE_KIND_COUNT ? names[kind] : "invalid";
}

static void read_at(const struct live_snapshot *snapshot, char *out, size_t size)
{
	clock_format_iso8601(live_snapshot_info(snapshot)->taken_at_ms, out, size);
}

/* A rate plan the account does not have: invalid, with the closest name. */
static bool unknown_rate_plan(const struct op *op, const struct record *record,
                              const struct live_snapshot *snapshot, struct live_verdict *verdict)
{
	const char *name = record->value[FIELD_RATE_PLAN_NAME];
	if (!(op->live.flags & OP_LIVE_RATE_PLANS) ||
	    !live_snapshot_info(snapshot)->rate_plans_read || !name || !*name ||
	    live_snapshot_rate_plan(snapshot, name))
		return false;
	verdict->kind = LIVE_INVALID;
	snprintf(verdict->unknown_name, sizeof(verdict->unknown_name), "%s", name);
	verdict->suggestion = live_snapshot_suggest_rate_plan(snapshot, name);
	if (verdict->suggestion)
		snprintf(verdict->message, sizeof(verdict->message),
		         "rate_plan_name: the account has no rate plan '%s' (did you mean '%s'?)",
		         name, verdict->suggestion);
	else
		snprintf(verdict->message, sizeof(verdict->message),
		         "rate_plan_name: the account has no rate plan '%s'", name);
	return true;
}

/* The first of the row's ';'-separated usernames the account does not have. */
static bool unknown_user(const struct op *op, const struct record *record,
                         const struct live_snapshot *snapshot, struct live_verdict *verdict)
{
	const char *list = record->value[FIELD_USERNAMES];
	if (!(op->live.flags & OP_LIVE_USERS) || !live_snapshot_info(snapshot)->users_read || !list)
		return false;
	char *name = verdict->unknown_name;
	size_t size = sizeof(verdict->unknown_name);
	for (const char *start = list; *start;) {
		const char *end = strchr(start, ';');
		const char *last = end ? end : start + strlen(start);
		const char *first = start;
		while (first < last && *first == ' ')
			first++;
		while (last > first && last[-1] == ' ')
			last--;
		size_t length = (size_t)(last - first);
		if (length > 0 && length < size) {
			memcpy(name, first, length);
			name[length] = '\0';
			if (!live_snapshot_has_user(snapshot, name)) {
				verdict->kind = LIVE_INVALID;
				verdict->suggestion = live_snapshot_suggest_user(snapshot, name);
				if (verdict->suggestion)
					snprintf(verdict->message, sizeof(verdict->message),
					         "usernames: the account has no user '%s' (did you "
					         "mean '%s'?)",
					         name, verdict->suggestion);
				else
					snprintf(verdict->message, sizeof(verdict->message),
					         "usernames: the account has no user '%s'", name);
				return true;
			}
		}
		if (!end)
			break;
		start = end + 1;
	}
	name[0] = '\0';
	return false;
}

/* op->live.also_unique: a device holding the row's value that is not the
 * row's own device (found, or NULL for one to be created) is a conflict. */
static bool taken_elsewhere(const struct op *op, const struct record *record,
                            const struct live_snapshot *snapshot, const struct device_view *own,
                            struct live_verdict *verdict)
{
	int field = op->live.also_unique;
	if ((unsigned)field >= FIELD_COUNT)
		return false;
	const char *value = record->value[field];
	int key = device_key_from_id_type(field_name((enum field_id)field));
	struct device_view other;
	if (!value || !*value || key < 0 ||
	    !live_snapshot_find(snapshot, (enum device_field)key, value, &other))
		return false;
	const char *other_name = other.value[DEVICE_NAME] ? other.value[DEVICE_NAME] : "";
	const char *own_name = own && own->value[DEVICE_NAME] ? own->value[DEVICE_NAME] : NULL;
	if (own_name && strcmp(own_name, other_name) == 0)
		return false;
	char when[40];
	read_at(snapshot, when, sizeof(when));
	verdict->kind = LIVE_CONFLICT;
	verdict->current = other.value[DEVICE_STATE] ? other.value[DEVICE_STATE] : "";
	snprintf(verdict->message, sizeof(verdict->message),
	         "%s %s already belongs to device %s (iccid %s, %s; account read at %s)",
	         field_name((enum field_id)field), value, other_name,
	         other.value[DEVICE_ICCID] ? other.value[DEVICE_ICCID] : "", verdict->current,
	         when);
	return true;
}

void live_classify(const struct op *op, const struct record *record,
                   const struct live_snapshot *snapshot, struct live_verdict *verdict)
{
	memset(verdict, 0, sizeof(*verdict));
	verdict->device_name = "";
	verdict->current = "";
	int target = op->live.target;
	verdict->target =
	    (unsigned)target < FIELD_COUNT && record->value[target] ? record->value[target] : "";
	verdict->kind = LIVE_CHANGE;
	verdict->match = LIVE_UNREADABLE;
	if (unknown_rate_plan(op, record, snapshot, verdict) ||
	    unknown_user(op, record, snapshot, verdict))
		return;
	enum device_field key;
	const char *value;
	if (op_live_device_key(op, record, &key, &value) < 0) {
		if (!(op->live.flags & OP_LIVE_NO_DEVICE)) {
			verdict->kind = LIVE_INVALID;
			snprintf(verdict->message, sizeof(verdict->message),
			         "id_type: '%s' does not name a device identifier",
			         record->value[FIELD_ID_TYPE] ? record->value[FIELD_ID_TYPE] : "");
		}
		return;
	}
	char when[40];
	read_at(snapshot, when, sizeof(when));
	struct device_view device;
	if (!live_snapshot_find(snapshot, key, value, &device)) {
		if (op->live.flags & OP_LIVE_CREATES) {
			/* a new device: a change unless its other identifier is taken */
			taken_elsewhere(op, record, snapshot, NULL, verdict);
			return;
		}
		verdict->kind = LIVE_MISSING;
		snprintf(verdict->message, sizeof(verdict->message),
		         live_snapshot_covers(snapshot, key, value)
		             ? "no device with %s %s in the account (read at %s)"
		             : "device with %s %s was not read with the account (read at %s)",
		         device_field_name(key), value, when);
		return;
	}
	verdict->device_name = device.value[DEVICE_NAME] ? device.value[DEVICE_NAME] : "";
	if (taken_elsewhere(op, record, snapshot, &device, verdict))
		return;
	struct strbuf message;
	strbuf_init(&message, sizeof(verdict->message) - 1);
	struct live_comparison comparison;
	op_live_compare(op, record, &device, &comparison, &message);
	verdict->current = comparison.current;
	verdict->target = comparison.target;
	verdict->match = comparison.match;
	switch (comparison.match) {
	case LIVE_IN_PLACE:
		verdict->kind = LIVE_UNCHANGED;
		break;
	case LIVE_PENDING:
		verdict->kind = LIVE_UNCHANGED;
		snprintf(verdict->message, sizeof(verdict->message),
		         "device %s is %s: already requested (account read at %s)",
		         verdict->device_name, comparison.current, when);
		break;
	case LIVE_INCOMPATIBLE:
		verdict->kind = LIVE_CONFLICT;
		snprintf(verdict->message, sizeof(verdict->message), "%s (account read at %s)",
		         strbuf_text(&message), when);
		break;
	case LIVE_DIFFERS:
	case LIVE_UNREADABLE:
		verdict->kind = LIVE_CHANGE;
		break;
	}
	strbuf_release(&message);
}

/* A claim: a device (its index in the snapshot) and the values of the
 * operation's other unique-key fields (a note's field_name), first named by
 * row. Kept in one open-addressing table with the texts in an arena. */
struct claim {
	uint64_t hash;
	uint64_t row; /* 0: an empty slot */
	uint32_t device;
	uint32_t text; /* offset of the other fields' values in the arena */
};

struct live_claims {
	const struct live_snapshot *snapshot;
	struct claim *slots;
	size_t slot_count, used;
	struct strbuf arena;
};

struct live_claims *live_claims_new(const struct live_snapshot *snapshot)
{
	struct live_claims *claims = calloc(1, sizeof(*claims));
	if (!claims)
		return NULL;
	claims->snapshot = snapshot;
	strbuf_init(&claims->arena, UINT32_MAX - 1u);
	return claims;
}

void live_claims_free(struct live_claims *claims)
{
	if (!claims)
		return;
	free(claims->slots);
	strbuf_release(&claims->arena);
	free(claims);
}

void live_claims_reset(struct live_claims *claims)
{
	if (claims->slots)
		memset(claims->slots, 0, claims->slot_count * sizeof(*claims->slots));
	claims->used = 0;
	strbuf_reset(&claims->arena);
}

/* The unique key of op that names the device (device_name + id_type, and
 * for a note its field_name), or NULL (activate, upload: their keys are
 * the identifiers themselves). */
static const struct op_unique_key *device_unique_key(const struct op *op)
{
	for (size_t index = 0; index < op->unique_key_count; index++)
		for (size_t field = 0; field < op->unique_keys[index].count; field++)
			if (op->unique_keys[index].fields[field] == FIELD_DEVICE_NAME)
				return &op->unique_keys[index];
	return NULL;
}

bool live_claims_possible(const struct op *op)
{
	return device_unique_key(op) != NULL;
}

/* The values of key's fields other than the device identifier, joined. */
static void other_fields(const struct op_unique_key *key, const struct record *record,
                         struct strbuf *out)
{
	for (size_t index = 0; index < key->count; index++) {
		enum field_id field = key->fields[index];
		if (field == FIELD_DEVICE_NAME || field == FIELD_ID_TYPE)
			continue;
		strbuf_append_string(out, record->value[field] ? record->value[field] : "");
		strbuf_append_char(out, '\x1f');
	}
}

static struct claim *claim_find(const struct live_claims *claims, uint64_t hash, size_t device,
                                const char *text)
{
	size_t mask = claims->slot_count - 1;
	for (size_t at = (size_t)hash & mask;; at = (at + 1) & mask) {
		struct claim *slot = &claims->slots[at];
		if (slot->row == 0 || (slot->hash == hash && slot->device == device &&
		                       strcmp(claims->arena.data + slot->text, text) == 0))
			return slot;
	}
}

static int claims_grow(struct live_claims *claims)
{
	if ((claims->used + 1) * 4 < claims->slot_count * 3)
		return 0;
	size_t count = claims->slot_count ? claims->slot_count * 2 : 256;
	struct claim *slots = calloc(count, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t index = 0; index < claims->slot_count; index++) {
		const struct claim *old = &claims->slots[index];
		if (old->row == 0)
			continue;
		size_t at = (size_t)old->hash & (count - 1);
		while (slots[at].row != 0)
			at = (at + 1) & (count - 1);
		slots[at] = *old;
	}
	free(claims->slots);
	claims->slots = slots;
	claims->slot_count = count;
	return 0;
}

int live_claims_check(struct live_claims *claims, uint64_t row, bool claim,
                      const struct record *record, const struct op *op,
                      struct live_verdict *verdict)
{
	const struct op_unique_key *key = device_unique_key(op);
	size_t device;
	/* the record the device's name resolves to: a device read twice (by
	 * name and by ICCID) is one device */
	if (!key || !verdict->device_name[0] ||
	    !live_snapshot_find_index(claims->snapshot, DEVICE_NAME, verdict->device_name,
	                              &device) ||
	    device > UINT32_MAX)
		return 0;
	struct strbuf others;
	strbuf_init(&others, 4096);
	other_fields(key, record, &others);
	const char *text = strbuf_text(&others);
	uint64_t hash = hash64(text, others.length, 0x6c61696d ^ (uint64_t)device);
	int result = 0;
	uint64_t first = 0;
	if (claims->slot_count) {
		const struct claim *found = claim_find(claims, hash, device, text);
		first = found->row;
	}
	if (first == 0 || first == row) {
		if (claim && first == 0) {
			size_t at = claims->arena.length;
			if (claims_grow(claims) < 0 ||
			    strbuf_append(&claims->arena, text, others.length + 1) != STRBUF_OK) {
				result = -1;
			} else {
				struct claim *slot = claim_find(claims, hash, device, text);
				*slot = (struct claim){hash, row, (uint32_t)device, (uint32_t)at};
				claims->used++;
			}
		}
		strbuf_release(&others);
		return result;
	}
	strbuf_release(&others);
	enum device_field field = DEVICE_NAME;
	const char *value = verdict->device_name;
	op_live_device_key(op, record, &field, &value);
	verdict->kind = LIVE_INVALID;
	verdict->suggestion = NULL;
	verdict->unknown_name[0] = '\0';
	if (field == DEVICE_NAME)
		snprintf(verdict->message, sizeof(verdict->message),
		         "duplicate of row %llu: same device %s", (unsigned long long)first,
		         verdict->device_name);
	else
		snprintf(verdict->message, sizeof(verdict->message),
		         "duplicate of row %llu: same device %s (this row names it by %s %s)",
		         (unsigned long long)first, verdict->device_name, device_field_name(field),
		         value);
	return 1;
}
