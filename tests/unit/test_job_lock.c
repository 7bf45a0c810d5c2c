/* Unit tests for the job directory lock: exclusive while held (also against
 * this very process), free again the instant its holder dies (kill -9, no
 * stale lock), a left-over lock file with any content is no obstacle, and of
 * many processes racing for one directory exactly one wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobdir/lock.h"

struct directory {
	char path[64];
	char lock[96];
};

static void directory_make(struct directory *directory)
{
	snprintf(directory->path, sizeof(directory->path), "/tmp/test_job_lock.XXXXXX");
	assert_non_null(mkdtemp(directory->path));
	snprintf(directory->lock, sizeof(directory->lock), "%s/lock", directory->path);
}

static void directory_remove(struct directory *directory)
{
	unlink(directory->lock);
	assert_int_equal(rmdir(directory->path), 0);
}

static void write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void held_lock_refuses_a_second_taker_even_in_the_same_process(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	pid_t pid = 1;
	assert_false(job_lock_is_held(directory.path, &pid));
	assert_int_equal(pid, 0);

	struct job_lock lock, second;
	struct error error;
	error_clear(&error);
	assert_int_equal(job_lock_acquire(&lock, directory.path, &error), 0);
	assert_true(job_lock_is_held(directory.path, &pid));
	assert_int_equal(pid, getpid());

	error_clear(&error);
	assert_int_equal(job_lock_acquire(&second, directory.path, &error), -1);
	assert_false(second.held);
	char expected[160];
	snprintf(expected, sizeof(expected), "job directory '%s' is in use by process %ld",
	         directory.path, (long)getpid());
	assert_string_equal(error.message, expected);
	/* the failed attempt closed its own descriptor: the lock is still held */
	assert_true(job_lock_is_held(directory.path, &pid));

	job_lock_release(&lock);
	assert_false(job_lock_is_held(directory.path, &pid));
	assert_int_equal(access(directory.lock, F_OK), -1); /* removed */
	job_lock_release(&lock);                            /* twice is harmless */
	directory_remove(&directory);
}

static void lock_files_left_behind_are_no_obstacle(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct job_lock lock;
	struct error error;
	pid_t pid;
	/* an old-style lock naming a live process (this one: PID reuse) is free
	 * because nobody holds it; so is garbage and an empty file */
	const char *contents[] = {"1\n", "garbage", ""};
	for (size_t index = 0; index < sizeof(contents) / sizeof(contents[0]); index++) {
		write_text(directory.lock, contents[index]);
		assert_false(job_lock_is_held(directory.path, &pid));
		error_clear(&error);
		assert_int_equal(job_lock_acquire(&lock, directory.path, &error), 0);
		assert_true(job_lock_is_held(directory.path, &pid));
		assert_int_equal(pid, getpid());
		job_lock_release(&lock);
	}
	directory_remove(&directory);
}

/* A child takes the lock, says so through a pipe and waits to be killed. */
static pid_t child_holding_lock(const char *path)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(ready[0]);
		struct job_lock lock;
		struct error error;
		error_clear(&error);
		char byte = job_lock_acquire(&lock, path, &error) == 0 ? 'y' : 'n';
		if (write(ready[1], &byte, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(ready[1]);
	char byte = 0;
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	assert_int_equal(byte, 'y');
	return child;
}

static void lock_of_a_killed_process_is_free_at_once(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	pid_t child = child_holding_lock(directory.path);
	pid_t pid = 0;
	assert_true(job_lock_is_held(directory.path, &pid));
	assert_int_equal(pid, child);
	struct job_lock lock;
	struct error error;
	error_clear(&error);
	assert_int_equal(job_lock_acquire(&lock, directory.path, &error), -1);
	char expected[160];
	snprintf(expected, sizeof(expected), "job directory '%s' is in use by process %ld",
	         directory.path, (long)child);
	assert_string_equal(error.message, expected);

	assert_int_equal(kill(child, SIGKILL), 0);
	int status;
	/* killed but not reaped yet: a zombie holds no descriptors */
	siginfo_t info;
	assert_int_equal(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT), 0);
	assert_false(job_lock_is_held(directory.path, &pid));
	error_clear(&error);
	assert_int_equal(job_lock_acquire(&lock, directory.path, &error), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	job_lock_release(&lock);
	directory_remove(&directory);
}

enum { RACERS = 24 };

/* RACERS processes wait on one pipe, then all try at once; the winners keep
 * the lock until the parent has counted, so a late racer cannot win after an
 * early winner left. Run with and without a lock file left by kill -9. */
static void racing(const char *path, int *winners, int *losers)
{
	int go[2], answers[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(answers), 0);
	pid_t children[RACERS];
	for (int index = 0; index < RACERS; index++) {
		children[index] = fork();
		assert_true(children[index] >= 0);
		if (children[index] == 0) {
			close(go[1]);
			close(answers[0]);
			char byte;
			if (read(go[0], &byte, 1) != 0)
				_exit(2);
			struct job_lock lock;
			struct error error;
			error_clear(&error);
			byte = job_lock_acquire(&lock, path, &error) == 0 ? 'w' : 'l';
			if (byte == 'l' && !strstr(error.message, "is in use by"))
				byte = '?';
			if (write(answers[1], &byte, 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
	}
	close(go[0]);
	close(answers[1]);
	close(go[1]); /* every racer's read returns 0 at once: go */
	*winners = *losers = 0;
	for (int index = 0; index < RACERS; index++) {
		char byte = 0;
		assert_int_equal(read(answers[0], &byte, 1), 1);
		assert_true(byte == 'w' || byte == 'l');
		*(byte == 'w' ? winners : losers) += 1;
	}
	close(answers[0]);
	for (int index = 0; index < RACERS; index++) {
		kill(children[index], SIGKILL);
		int status;
		assert_int_equal(waitpid(children[index], &status, 0), children[index]);
	}
}

static void of_many_racers_exactly_one_wins(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	for (int round = 0; round < 10; round++) {
		int winners, losers;
		/* odd rounds: no lock file; even rounds: the last round's winner was
		 * killed with SIGKILL and its file, naming it, is still there */
		if (round % 2 == 1)
			unlink(directory.lock);
		else if (round > 0)
			assert_int_equal(access(directory.lock, F_OK), 0);
		racing(directory.path, &winners, &losers);
		assert_int_equal(winners, 1);
		assert_int_equal(losers, RACERS - 1);
	}
	directory_remove(&directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(held_lock_refuses_a_second_taker_even_in_the_same_process),
	    cmocka_unit_test(lock_files_left_behind_are_no_obstacle),
	    cmocka_unit_test(lock_of_a_killed_process_is_free_at_once),
	    cmocka_unit_test(of_many_racers_exactly_one_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
