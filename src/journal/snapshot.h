/* The snapshot record of a compacted segment (internal): the settled state
 * as counts, the final prefix, and bitmaps of final and sent rows after it. */
#ifndef LATTIGO_JOURNAL_SNAPSHOT_H
#define LATTIGO_JOURNAL_SNAPSHOT_H

#include "common/strbuf.h"
#include "journal.h"

/* Appends state (and generation) as a snapshot payload to payload; prefix
 * is state's final prefix (rows 1..prefix final), highest the highest row
 * it holds final or sent. Returns 0, or -1 when it does not fit one frame
 * (the caller then keeps the segment as it is). */
int snapshot_encode(const struct journal_replay *state, uint64_t generation, uint64_t prefix,
                    uint64_t highest, struct strbuf *payload);
/* Decodes a snapshot payload into state (overwritten; release it after the
 * call, also after a failure) and fills snapshot (its state = state).
 * Returns 0, or -1 when the payload is malformed. */
int snapshot_decode(const void *payload, size_t length, struct journal_replay *state,
                    struct journal_snapshot *snapshot);

#endif
