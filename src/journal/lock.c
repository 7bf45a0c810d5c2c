/* The job directory lock: O_CREAT|O_EXCL makes taking it atomic; the PID
 * inside lets a later run tell a live owner from one that died (kill -9). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int lock_path(const char *directory, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, JOB_LOCK_FILE_NAME);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* Returns the PID written in the lock file, 0 when it holds none, -1 when it
 * does not exist (or cannot be read). */
static long read_lock_pid(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char text[32];
	ssize_t count = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (count <= 0)
		return 0;
	text[count] = '\0';
	char *end = NULL;
	errno = 0;
	long pid = strtol(text, &end, 10);
	if (errno || end == text || pid <= 0 || (*end != '\n' && *end != '\0'))
		return 0;
	return pid;
}

/* True when /proc shows pid as a zombie: killed but not yet reaped by its
 * parent, which kill(pid, 0) cannot tell from a live process. */
static bool pid_is_zombie(long pid)
{
	char path[64], text[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *stream = fopen(path, "r");
	if (!stream)
		return false;
	size_t count = fread(text, 1, sizeof(text) - 1, stream);
	fclose(stream);
	text[count] = '\0';
	/* "pid (comm) S ...": the name may hold spaces and parentheses */
	const char *close = strrchr(text, ')');
	return close && close[1] == ' ' && (close[2] == 'Z' || close[2] == 'X');
}

static bool pid_alive(long pid)
{
	/* EPERM means it exists but belongs to someone else: still alive */
	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
		return false;
	return !pid_is_zombie(pid);
}

int job_lock_acquire(struct job_lock *lock, const char *directory, struct error *error)
{
	lock->held = false;
	if (lock_path(directory, lock->path, sizeof(lock->path)))
		return error_set(error, "job directory name '%s' is too long", directory);
	/* two rounds: the second follows the removal of a stale lock */
	for (int round = 0; round < 2; round++) {
		int fd = open(lock->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			char text[32];
			int length = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
			bool written = write(fd, text, (size_t)length) == length;
			if (close(fd) != 0 || !written) {
				unlink(lock->path);
				return error_set(error, "cannot write lock '%s': %s", lock->path,
				                 strerror(errno));
			}
			lock->held = true;
			return 0;
		}
		if (errno != EEXIST)
			return error_set(error, "cannot create lock '%s': %s", lock->path,
			                 strerror(errno));
		long pid = read_lock_pid(lock->path);
		if (pid < 0)
			continue; /* removed meanwhile: try again */
		if (pid_alive(pid))
			return error_set(error, "job directory '%s' is in use by process %ld",
			                 directory, pid);
		if (pid == 0) {
			/* a writer may be between creating the file and writing its PID */
			usleep(100 * 1000);
			pid = read_lock_pid(lock->path);
			if (pid > 0 && pid_alive(pid))
				return error_set(error,
				                 "job directory '%s' is in use by process %ld",
				                 directory, pid);
		}
		if (pid > 0)
			fprintf(stderr,
			        "lattigo-batch: warning: taking over the stale lock of job "
			        "directory '%s' (process %ld is gone)\n",
			        directory, pid);
		else
			fprintf(stderr,
			        "lattigo-batch: warning: taking over the lock of job directory "
			        "'%s', which names no process\n",
			        directory);
		if (unlink(lock->path) != 0 && errno != ENOENT)
			return error_set(error, "cannot remove stale lock '%s': %s", lock->path,
			                 strerror(errno));
	}
	return error_set(error,
	                 "cannot take the lock of job directory '%s': another process "
	                 "keeps taking it",
	                 directory);
}

void job_lock_release(struct job_lock *lock)
{
	if (!lock->held)
		return;
	/* only remove the lock if it is still ours */
	if (read_lock_pid(lock->path) == (long)getpid())
		unlink(lock->path);
	lock->held = false;
}

pid_t job_lock_holder(const char *directory)
{
	char path[4096];
	if (lock_path(directory, path, sizeof(path)))
		return 0;
	long pid = read_lock_pid(path);
	return pid > 0 && pid_alive(pid) ? (pid_t)pid : 0;
}
