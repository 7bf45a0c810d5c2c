/* Manifest order per device for the engine's new chunks (engine-internal).
 * The engine passes a view of its calls, so this file never needs the
 * loop's state. Ownership: a returned chunk belongs to the caller
 * (chunk_free); the view only borrows. */
#ifndef LATTIGO_DEVICE_ORDER_H
#define LATTIGO_DEVICE_ORDER_H

#include <stdbool.h>

#include "engine/call.h"
#include "engine/planner.h"
#include "ops/op.h"

#define DEVICE_ORDER_CALL_LISTS 3

/* What the order depends on: the planner's ready chunks and every call that
 * may still carry a device (in flight, and the linked lists of calls waiting
 * for a retry, due to start, or answered but not yet recorded). */
struct device_order_view {
	const struct op *op;
	unsigned lane; /* only calls of this lane count (several lanes name devices differently) */
	struct planner *planner;
	struct call *const *running;
	unsigned running_count;
	const struct call *lists[DEVICE_ORDER_CALL_LISTS];
};

/* Removes and returns the oldest ready chunk that may start now without
 * overtaking an earlier row for one of its devices, or NULL when none may. */
struct chunk *device_order_take(const struct device_order_view *view);
/* True when device_order_take would return a chunk now. */
bool device_order_startable(const struct device_order_view *view);

#endif
