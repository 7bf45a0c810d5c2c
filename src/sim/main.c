/* lattigo-sim: parses options, starts the simulator and waits for SIGINT or
 * SIGTERM, then stops cleanly and saves --state. */
#include "sim/context.h"
#include "sim/options.h"
#include "sim/server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

enum sim_exit { SIM_EXIT_OK = 0, SIM_EXIT_FAILURE = 1, SIM_EXIT_USAGE = 2 };

int main(int argc, char **argv)
{
	struct sim_options options;
	struct sim_context context;
	struct sim_server server;
	char message[1024];
	sigset_t stop_signals;
	int received = 0;
	switch (sim_options_parse(&options, argc, argv, message, sizeof message)) {
	case SIM_OPTIONS_HELP:
		sim_options_usage(stdout);
		sim_options_release(&options);
		return SIM_EXIT_OK;
	case SIM_OPTIONS_ERROR:
		fprintf(stderr, "lattigo-sim: %s\n", message);
		sim_options_release(&options);
		return SIM_EXIT_USAGE;
	case SIM_OPTIONS_OK:
		break;
	}
	/* Blocked before any thread starts, so only sigwait below sees them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	int exit_code = SIM_EXIT_FAILURE;
	if (sim_context_init(&context, &options, message, sizeof message) != 0) {
		fprintf(stderr, "lattigo-sim: %s\n", message);
		sim_context_release(&context, 0, message, sizeof message);
		goto out;
	}
	if (sim_server_start(&server, &context, message, sizeof message) != 0) {
		fprintf(stderr, "lattigo-sim: %s\n", message);
		sim_context_release(&context, 0, message, sizeof message);
		goto out;
	}
	printf("listening on %s:%u\n", options.bind, server.port);
	fflush(stdout);
	if (options.verbose)
		fprintf(stderr, "lattigo-sim: %zu devices, %s\n", context.store.count,
		        options.tls_cert ? "https" : "http");
	sigwait(&stop_signals, &received);
	sim_server_stop(&server);
	if (sim_context_release(&context, 1, message, sizeof message) != 0) {
		fprintf(stderr, "lattigo-sim: %s\n", message);
		goto out;
	}
	exit_code = SIM_EXIT_OK;
out:
	sim_options_release(&options);
	return exit_code;
}
