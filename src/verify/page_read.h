/* A page of the account's device listing (GET v2/devices?details=true&page=N
 * &per_page=P) as an operation descriptor, so that a steps job's round of
 * verification reads goes through its engine like any other call: in a lane,
 * sharing the concurrency, rate, retries and back-off, while the steps keep
 * sending — instead of pausing the engine for a listing read on the side.
 * A page record names its page in record.row (it is no manifest row:
 * OP_NOT_ROWS); the mapper files the answered page's devices into the
 * round's snapshot and notes whether the page was full (a next page may
 * follow).
 * Ownership: a page_read is plain memory of the caller's; it borrows the
 * snapshot it files into, which the caller sets per round. */
#ifndef LATTIGO_VERIFY_PAGE_READ_H
#define LATTIGO_VERIFY_PAGE_READ_H

#include <stdint.h>

#include "live/snapshot.h"
#include "ops/op.h"

struct page_read {
	struct op op; /* first member: what the engine is given */
	uint64_t per_page;
	struct live_snapshot *snapshot; /* the current round's; NULL: answers are dropped */
	uint64_t last_full;             /* the highest page answered full (0: none) */
};

/* Fills read for pages of per_page devices (at least 1), filing into nothing
 * until the caller sets read->snapshot. A page's outcome: ok (its devices
 * filed; "page N: K devices"), or the engine's own error when it could not
 * be read. */
void page_read_init(struct page_read *read, uint64_t per_page);

/* Pages of per_page devices that hold devices devices (at least 1). */
uint64_t page_read_pages(int64_t devices, uint64_t per_page);

#endif
