/* One API call of the engine: the rows it carries, its HTTP transfer
 * (http/transfer.h), and what the retry and read-back policy needs to know
 * about it (decide.h). See docs/engine.md.
 * Ownership: a call owns its records (freed with free()) and its transfer. */
#ifndef LATTIGO_CALL_H
#define LATTIGO_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/transfer.h"
#include "ops/op.h"

enum call_kind {
	CALL_OPERATION, /* the operation itself, for a chunk of rows */
	CALL_RECONCILE, /* a read-back of one row after an ambiguous outcome */
};

struct call {
	enum call_kind kind;
	unsigned lane; /* the engine lane of its rows (engine_config.lanes; 0 with one) */
	uint64_t id;
	struct record **records; /* owned */
	size_t count;
	uint64_t *rows;        /* manifest row numbers, for the audit trail */
	unsigned row_attempts; /* operation calls that carried these rows so far */
	unsigned attempt;      /* tries of this call so far, 1 for the first */
	unsigned retries;      /* tries after the first */
	int64_t not_before_ms; /* monotonic: earliest (re)start */
	bool built;            /* path and body made */
	struct http_transfer transfer;
	CURLcode result; /* how the last try's transfer ended */
	int64_t started_mono_ms, started_wall_ms;
	int64_t sent_after_wall_ms; /* UTC epoch ms before which no try of the operation for these
	                               rows went out (0: unknown): read-backs judge by it */
	char ambiguity[160];        /* why an earlier try's outcome is unknown (read-backs, and
	                               operation calls with possibly_applied) */
	bool send_if_absent;        /* reconcile call of a row in doubt after a crash: a 404 means
	                               the interrupted call never took effect, so send the row */
	bool possibly_applied;      /* an operation call sending rows an earlier try may have
	                               applied (in doubt after a crash, or answered 5xx): the API's
	                               refusal of a repeat may only mean that try landed */
	char *refusal;              /* owned; a read-back confirming that refusal: its message */
	long refusal_status;        /* and its HTTP status */
	unsigned polls_left;        /* read-backs still allowed before the refusal stands */
	bool settling;              /* a read-back of a row in doubt, waiting for the settle time */
	struct call *next;          /* scheduling lists */
};

/* Returns a new call owning count records (the array is copied), or NULL when out of memory. */
struct call *call_new(enum call_kind kind, struct record *const *records, size_t count,
                      unsigned row_attempts);
/* Frees the call, its transfer and its records. */
void call_free(struct call *call);
/* Frees the call but not its records (they moved to other calls). */
void call_free_keeping_records(struct call *call);

#endif
