/* Command-line options of lattigo-sim (SPEC §7).
 * Ownership: string options point into argv. */
#ifndef LATTIGO_SIM_OPTIONS_H
#define LATTIGO_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "ops/op.h"

struct sim_options {
	const char *bind;
	unsigned port;
	const char *key_name;
	const char *api_key;
	unsigned latency_ms;
	unsigned jitter_ms;
	double rate;      /* calls per second, 0 = unlimited */
	double fail_rate; /* probability of an injected 500 */
	double drop_rate; /* probability of applying, then dropping the connection */
	size_t max_chunk; /* most entries one call may carry */
	size_t max_body;  /* bytes */
	unsigned max_connections;
	size_t device_count;
	unsigned activation_delay_ms; /* an activated device is "pending" this long */
	uint64_t seed;
	const char *state_path;
	const char *ledger_path;
	const char *tls_cert;
	const char *tls_key;
	bool verbose;
	struct validation_options validation;
};

enum sim_options_result { SIM_OPTIONS_OK = 0, SIM_OPTIONS_HELP = 1, SIM_OPTIONS_ERROR = -1 };

/* Fills options from argv (defaults first). On SIM_OPTIONS_ERROR, message
 * says which option and why. */
enum sim_options_result sim_options_parse(struct sim_options *options, int argc, char **argv,
                                          char *message, size_t message_size);
/* Prints the usage text to stream. */
void sim_options_usage(FILE *stream);

#endif
