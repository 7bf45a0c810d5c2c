/* Device objects read straight from an answer's JSON text: the fields a
 * snapshot keeps (ops/live_state.h) taken from each object of a listing
 * page without building JSON values — a page of a thousand devices with
 * details is half a megabyte, and parsing it into jansson values was most
 * of the preflight's time. The text is checked as jansson would check it
 * (syntax, UTF-8, no NUL, integers within 64 bits) before anything is
 * handed over, so an answer is taken whole or not at all.
 * Ownership: the values handed to each() borrow a scratch buffer that is
 * reused for the next object. */
#ifndef LATTIGO_LIVE_DEVICE_TEXT_H
#define LATTIGO_LIVE_DEVICE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "ops/live_state.h"

/* Receives one device object's values: value[f] NULL when the object has no
 * such key or null, else the text as the snapshot keeps it (strings
 * unescaped, numbers as their digits — an integer as %lld, another number
 * as %.17g —, booleans "true"/"false"). Returns 0, or -1 to stop. */
typedef int device_text_each(void *context, const char *const *value, const size_t *length);

/* The buffers a reader fills, kept by their owner from one text to the next:
 * a page of a thousand devices needs a few hundred kilobytes, allocated once
 * instead of once a page (fresh memory is page faults). */
struct device_text_buffers {
	struct strbuf scratch, key;
	void *objects;
	size_t capacity;
};

/* Prepares empty buffers. */
void device_text_buffers_init(struct device_text_buffers *buffers);
/* Frees what the buffers hold. */
void device_text_buffers_release(struct device_text_buffers *buffers);

/* Reads text: with single, one JSON object; else a JSON array whose object
 * items are devices (other items are passed over), into buffers (NULL: its
 * own, freed before it returns). Returns 1 when the text is not that JSON
 * (each() never called), -1 when each() stopped or memory ran out, else 0
 * with *count the number of items (1 for single). */
int device_text_read(struct device_text_buffers *buffers, const char *text, size_t length,
                     bool single, device_text_each *each, void *context, size_t *count);

#endif
