/* The rows still pending after a round of `verify --wait`, on disk: an
 * unnamed temporary file of frames (live/spool.h's encoding), in row order,
 * each a row's record and the device name its last judgement showed. Later
 * rounds walk this file instead of the job's manifest, so that a round costs
 * what is still pending, not the job's size; each round writes the rows
 * still pending after it to a new file, which then replaces the old one.
 * Ownership: the struct owns its files and buffers; a record or name it
 * hands to a walker borrows it for that call. */
#ifndef LATTIGO_VERIFY_PENDING_H
#define LATTIGO_VERIFY_PENDING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "live/spool.h"
#include "ops/op.h"

struct verify_pending {
	FILE *kept;    /* the rows pending after the last round; NULL before the first */
	FILE *written; /* the round's new file, or NULL */
	uint64_t kept_rows, written_rows;
	struct live_spool_frame frame;
	struct strbuf scratch;
};

/* Calls a walker with a pending row's record and the device name its last
 * judgement showed (NULL: none); -1 stops the walk (error filled, or left
 * empty for a stop). */
typedef int verify_pending_fn(void *context, const struct record *record,
                              const char *last_device_name, struct error *error);

/* Prepares an empty set (free with verify_pending_release). */
void verify_pending_init(struct verify_pending *pending);
void verify_pending_release(struct verify_pending *pending);
/* True once a round has written the pending rows: later rounds walk them. */
bool verify_pending_known(const struct verify_pending *pending);
/* Starts the round's new file. Returns 0, or -1 with error. */
int verify_pending_begin(struct verify_pending *pending, struct error *error);
/* Adds a row still pending (rows in increasing order) with the device name
 * its judgement shows (NULL: none). Returns 0, or -1 with error. */
int verify_pending_put(struct verify_pending *pending, const struct record *record,
                       const char *device_name, struct error *error);
/* Ends the round: its new file becomes the one walked. Returns 0, or -1
 * with error. */
int verify_pending_end(struct verify_pending *pending, struct error *error);
/* Walks the kept rows in row order. Returns 0, or -1 with error. */
int verify_pending_each(struct verify_pending *pending, verify_pending_fn *each, void *context,
                        struct error *error);

#endif
