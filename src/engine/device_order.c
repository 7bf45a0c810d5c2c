/* Manifest order per device. A per-row operation may name one device in
 * several rows (note: one row per note field), and those rows must reach the
 * API in manifest order: a chunk starts only when no call in flight or
 * waiting (a retry, a read-back) carries one of its devices, and no older
 * ready chunk that is held back names it. Batch operations never repeat a
 * device within a job (their duplicate keys forbid it), so they are not
 * held. Derived from the live calls on every decision, so nothing can stay
 * "busy" by mistake. */
#include "engine/device_order.h"

#include <stddef.h>
#include <string.h>

/* Devices of the chunks passed over in one scan; past this many, every later
 * chunk waits too (order is kept, only some concurrency is lost). */
#define PASSED_DEVICES 64

struct order_scan {
	const struct device_order_view *view;
	const char *passed[PASSED_DEVICES];
	size_t passed_count;
	bool passed_overflow;
};

static const char *device_of(const struct device_order_view *view, const struct record *record)
{
	const char *device = record->value[view->op->key_field];
	return device && *device ? device : NULL;
}

static bool call_names(const struct device_order_view *view, const struct call *call,
                       const char *device)
{
	if (call->lane != view->lane)
		return false;
	for (size_t index = 0; index < call->count; index++) {
		const char *other = device_of(view, call->records[index]);
		if (other && strcmp(other, device) == 0)
			return true;
	}
	return false;
}

static bool device_busy(const struct order_scan *scan, const char *device)
{
	const struct device_order_view *view = scan->view;
	for (unsigned index = 0; index < view->running_count; index++)
		if (call_names(view, view->running[index], device))
			return true;
	for (size_t list = 0; list < DEVICE_ORDER_CALL_LISTS; list++)
		for (const struct call *call = view->lists[list]; call; call = call->next)
			if (call_names(view, call, device))
				return true;
	for (size_t index = 0; index < scan->passed_count; index++)
		if (strcmp(scan->passed[index], device) == 0)
			return true;
	return false;
}

static bool chunk_startable(void *context, const struct chunk *chunk)
{
	struct order_scan *scan = context;
	bool startable = !scan->passed_overflow;
	for (size_t index = 0; startable && index < chunk->count; index++) {
		const char *device = device_of(scan->view, chunk->records[index]);
		if (device && device_busy(scan, device))
			startable = false;
	}
	if (startable)
		return true;
	for (size_t index = 0; index < chunk->count; index++) {
		const char *device = device_of(scan->view, chunk->records[index]);
		if (!device)
			continue;
		if (scan->passed_count == PASSED_DEVICES) {
			scan->passed_overflow = true;
			break;
		}
		scan->passed[scan->passed_count++] = device;
	}
	return false;
}

struct chunk *device_order_take(const struct device_order_view *view)
{
	if (!(view->op->flags & OP_PER_ROW))
		return planner_take(view->planner);
	struct order_scan scan = {.view = view};
	return planner_take_startable(view->planner, chunk_startable, &scan, true);
}

bool device_order_startable(const struct device_order_view *view)
{
	if (!(view->op->flags & OP_PER_ROW))
		return planner_ready_count(view->planner) > 0;
	struct order_scan scan = {.view = view};
	return planner_take_startable(view->planner, chunk_startable, &scan, false) != NULL;
}
