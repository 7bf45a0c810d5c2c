/* Command-line options of lattigo-sim (SPEC §7).
 * Ownership: struct sim_options owns its strings; sim_options_release frees them. */
#ifndef LATTIGO_SIM_OPTIONS_H
#define LATTIGO_SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "common/parse_options.h"
#include "ops/op.h"

struct sim_options {
	char *bind;
	unsigned port;
	char *key_name;
	char *api_key;
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
	char *state_path;
	char *ledger_path;
	char *tls_cert;
	char *tls_key;
	bool verbose;
	struct validation_options validation;
};

enum sim_options_result { SIM_OPTIONS_OK = 0, SIM_OPTIONS_HELP = 1, SIM_OPTIONS_ERROR = -1 };

/* The options of lattigo-sim, one row each (see common/parse_options.h). */
extern const struct parse_options_table sim_option_table;

/* Fills options from argv (defaults first). On SIM_OPTIONS_ERROR, message
 * says which option and why. Release options in every case. */
enum sim_options_result sim_options_parse(struct sim_options *options, int argc, char **argv,
                                          char *message, size_t message_size);
/* Frees the strings options hold. */
void sim_options_release(struct sim_options *options);
/* Prints the usage text to stream. */
void sim_options_usage(FILE *stream);

#endif
