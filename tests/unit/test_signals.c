/* Unit tests for the stop signals: the flag, the first signal's number,
 * restoring dispositions, and the immediate exit on a second SIGINT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/signals.h"

static void first_signal_sets_the_flag_and_restore_undoes_it(void **state)
{
	(void)state;
	struct stop_signals signals;
	assert_int_equal(stop_signals_install(&signals), 0);
	assert_int_equal(*stop_signals_flag(), 0);
	assert_int_equal(stop_signals_received(), 0);
	raise(SIGTERM);
	assert_int_equal(*stop_signals_flag(), 1);
	raise(SIGTERM); /* a second SIGTERM is no emergency: still a polite stop */
	assert_int_equal(stop_signals_received(), SIGTERM);
	stop_signals_restore(&signals);
	struct sigaction now;
	assert_int_equal(sigaction(SIGTERM, NULL, &now), 0);
	assert_true(now.sa_handler == SIG_DFL);
	assert_int_equal(sigaction(SIGINT, NULL, &now), 0);
	assert_true(now.sa_handler == SIG_DFL);
	stop_signals_restore(&signals);
}

static void second_interrupt_exits_with_status_3(void **state)
{
	(void)state;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct stop_signals signals;
		if (stop_signals_install(&signals) < 0)
			_exit(10);
		int null_fd = open("/dev/null", O_WRONLY);
		if (null_fd >= 0)
			dup2(null_fd, STDERR_FILENO);
		raise(SIGINT);
		if (!*stop_signals_flag())
			_exit(11);
		raise(SIGINT);
		_exit(12); /* not reached */
	}
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(first_signal_sets_the_flag_and_restore_undoes_it),
	    cmocka_unit_test(second_interrupt_exits_with_status_3),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
