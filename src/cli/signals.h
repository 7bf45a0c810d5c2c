/* SIGINT / SIGTERM during a job: the first one asks the engine to stop (start
 * no new calls, finish those in flight, write outputs, exit 3); a second
 * SIGINT exits at once with status 3 — safe, because the checkpoint survives
 * any instant — after saying so on stderr.
 * Ownership: one process-wide stop flag; install/restore must pair. */
#ifndef LATTIGO_SIGNALS_H
#define LATTIGO_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct stop_signals {
	struct sigaction previous_interrupt;
	struct sigaction previous_terminate;
	bool installed;
};

/* Installs the handlers (sigaction) and clears the flag. Returns 0 or -1. */
int stop_signals_install(struct stop_signals *signals);
/* Restores the dispositions that were in place before install. */
void stop_signals_restore(struct stop_signals *signals);
/* The flag the engine polls (engine_config.stop_requested); non-zero once a stop was asked. */
volatile sig_atomic_t *stop_signals_flag(void);
/* Names a child (the `--endpoint sim` simulator, in its own process group)
 * that the immediate exit on a second SIGINT must terminate first; 0 clears it. */
void stop_signals_kill_on_exit(pid_t child);
/* Returns the number of the first signal received, or 0. */
int stop_signals_received(void);

#endif
