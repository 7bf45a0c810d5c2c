/* The HTTP side of the simulator (libmicrohttpd, a thread per connection so
 * an injected latency delays one connection, never the others).
 * Ownership: the server borrows the context; it must outlive the server. */
#ifndef LATTIGO_SIM_SERVER_H
#define LATTIGO_SIM_SERVER_H

#include <stddef.h>

#include "sim/call.h"

struct sim_server {
	struct MHD_Daemon *daemon;
	struct sim_context *context;
	unsigned port; /* the bound port (useful with --port 0) */
	char *tls_cert;
	char *tls_key;
};

/* Starts listening as the context's options say. Returns 0, or -1 with a message. */
int sim_server_start(struct sim_server *server, struct sim_context *context, char *message,
                     size_t message_size);
/* Stops listening, waits for connection threads and frees the server's memory. */
void sim_server_stop(struct sim_server *server);

#endif
