/* `--endpoint sim`: runs the bundled lattigo-sim on an ephemeral loopback port
 * with fresh demo credentials for the length of one job, then stops it.
 * Ownership: a sim_process owns the child, its pipe and its credentials until
 * sim_stop; the caller's options are borrowed during sim_start only. */
#ifndef LATTIGO_SIM_LAUNCHER_H
#define LATTIGO_SIM_LAUNCHER_H

#include <stddef.h>
#include <sys/types.h>

#include "cli/credentials.h"
#include "common/error.h"

struct sim_options {
	const char *program; /* NULL: next to this executable, else $LATTIGO_SIM, else PATH */
	const char *const *extra_args; /* passed through, e.g. {"--latency-ms", "20"} */
	size_t extra_count;
	const char *log_path;  /* the sim's stderr goes here (appended); NULL: /dev/null */
	long ready_timeout_ms; /* wait for "listening on"; 0: 10 s */
};

struct sim_process {
	pid_t pid;                      /* 0 when not running */
	int stdout_fd;                  /* read end of the child's stdout, -1 when closed */
	char endpoint[64];              /* e.g. "http://127.0.0.1:40123" */
	struct credentials credentials; /* the demo key name and random key: never print them */
};

/* Prepares an idle sim_process (safe to sim_stop). */
void sim_process_init(struct sim_process *sim);
/* Starts the simulator with `--port 0 --key-name demo --api-key <random>`
 * plus extra_args, and waits (poll, bounded) for its first stdout line
 * `listening on 127.0.0.1:PORT`. On failure the child is killed and reaped and
 * -1 returned with error filled. */
int sim_start(struct sim_process *sim, const struct sim_options *options, struct error *error);
/* Stops the simulator (SIGTERM, then SIGKILL after a bounded wait), reaps it,
 * closes the pipe and wipes the credentials. Safe to call twice. Returns the
 * child's exit status (0 for a clean stop), or -1 when it had to be killed. */
int sim_stop(struct sim_process *sim);
/* Finds the lattigo-sim program as sim_start would; writes its path into out. Returns 0 or -1. */
int sim_locate_program(char *out, size_t size, struct error *error);

#endif
