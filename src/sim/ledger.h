/* The effect ledger: one JSON line per applied effect, flushed before the
 * response leaves, so tests can prove that nothing was applied twice.
 * Ownership: the ledger owns its stream. */
#ifndef LATTIGO_SIM_LEDGER_H
#define LATTIGO_SIM_LEDGER_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

struct ledger {
	FILE *stream; /* NULL when no --ledger was given */
	pthread_mutex_t lock;
};

/* Opens path for appending (path NULL: a ledger that records nothing).
 * Returns 0, or -1 with errno set. */
int ledger_open(struct ledger *ledger, const char *path);
/* Closes the stream. */
void ledger_close(struct ledger *ledger);
/* Appends {"op":op,"key":key,"device":device,"request":number} and flushes.
 * device may be NULL (no device yet). Returns 0 or -1. */
int ledger_record(struct ledger *ledger, const char *op, const char *key, const char *device,
                  uint64_t request_number);

#endif
