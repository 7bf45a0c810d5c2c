/* The stop flag behind SIGINT / SIGTERM: a polite stop first, an immediate
 * exit on the second SIGINT. */
#include "cli/signals.h"

#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t first_signal;
/* pid_t fits: Linux pids are below 2^22. */
static volatile sig_atomic_t child_to_stop;

/* Only async-signal-safe calls here: write and _exit. */
static void on_stop_signal(int number)
{
	if (stop_flag && number == SIGINT) {
		static const char message[] =
		    "\nlattigo-batch: second interrupt, exiting now; run the same command "
		    "again to resume\n";
		ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
		(void)ignored;
		if (child_to_stop > 0)
			kill((pid_t)child_to_stop, SIGTERM);
		_exit(3); /* EXIT_INTERRUPTED: the checkpoint survives any instant */
	}
	if (!first_signal)
		first_signal = number;
	stop_flag = 1;
}

int stop_signals_install(struct stop_signals *signals)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_stop_signal;
	sigemptyset(&action.sa_mask);
	action.sa_flags = SA_RESTART;
	stop_flag = 0;
	first_signal = 0;
	signals->installed = false;
	if (sigaction(SIGINT, &action, &signals->previous_interrupt) < 0)
		return -1;
	if (sigaction(SIGTERM, &action, &signals->previous_terminate) < 0) {
		sigaction(SIGINT, &signals->previous_interrupt, NULL);
		return -1;
	}
	signals->installed = true;
	return 0;
}

void stop_signals_restore(struct stop_signals *signals)
{
	if (!signals->installed)
		return;
	sigaction(SIGINT, &signals->previous_interrupt, NULL);
	sigaction(SIGTERM, &signals->previous_terminate, NULL);
	signals->installed = false;
}

volatile sig_atomic_t *stop_signals_flag(void)
{
	return &stop_flag;
}

void stop_signals_kill_on_exit(pid_t child)
{
	child_to_stop = (sig_atomic_t)child;
}

int stop_signals_received(void)
{
	return (int)first_signal;
}
