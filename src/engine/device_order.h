/* Manifest order per device for the engine's new chunks (engine-internal).
 * Ownership: a returned chunk belongs to the caller (chunk_free). */
#ifndef LATTIGO_DEVICE_ORDER_H
#define LATTIGO_DEVICE_ORDER_H

#include <stdbool.h>

#include "engine/engine_state.h"

/* Removes and returns the oldest ready chunk that may start now without
 * overtaking an earlier row for one of its devices, or NULL when none may. */
struct chunk *engine_take_chunk(struct engine *engine);
/* True when engine_take_chunk would return a chunk now. */
bool engine_chunk_startable(struct engine *engine);

#endif
