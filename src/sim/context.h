/* Setting up and tearing down the state shared by every request.
 * Ownership: the context owns the store, ledger and credentials copy. */
#ifndef LATTIGO_SIM_CONTEXT_H
#define LATTIGO_SIM_CONTEXT_H

#include "sim/call.h"

/* Builds the data set (or loads --state), opens the ledger and resolves
 * each route's operation. Returns 0, or -1 with a message. */
int sim_context_init(struct sim_context *context, const struct sim_options *options, char *message,
                     size_t message_size);
/* Saves --state (when given and save is set) and frees everything. Returns 0, or -1 with a
 * message when the state could not be saved. */
int sim_context_release(struct sim_context *context, int save, char *message, size_t message_size);

#endif
