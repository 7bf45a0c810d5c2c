/* The job directory lock: an open file description lock (F_OFD_SETLK) on
 * DIRECTORY/lock. Unlike a classic fcntl lock it belongs to the open file
 * description, not to the process, so closing some other descriptor of the
 * same file (status, a test) never drops it; unlike flock it can be tested
 * without being taken (F_OFD_GETLK), so `status` never makes a `run` fail.
 * A process killed by any signal drops it at once. */
#define _GNU_SOURCE /* F_OFD_SETLK, F_OFD_GETLK (Linux >= 3.15) */
#include "jobdir/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int lock_path(const char *directory, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", directory, JOB_LOCK_FILE_NAME);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* The PID written in the open lock file, 0 when it holds none. */
static long read_pid(int fd)
{
	char text[32];
	ssize_t count = pread(fd, text, sizeof(text) - 1, 0);
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

/* True when FD still names the file at PATH: the lock was not released and
 * removed (then maybe recreated by another process) between our open and
 * our lock. */
static bool still_linked(int fd, const char *path)
{
	struct stat opened, named;
	return fstat(fd, &opened) == 0 && stat(path, &named) == 0 &&
	       opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

static int in_use(struct error *error, const char *directory, int fd)
{
	/* The holder may not have replaced a dead owner's PID yet: name only a
	 * process that exists (EPERM: it exists, someone else's). */
	long pid = read_pid(fd);
	if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return error_set(error, "job directory '%s' is in use by process %ld", directory,
		                 pid);
	return error_set(error, "job directory '%s' is in use by another process", directory);
}

int job_lock_acquire(struct job_lock *lock, const char *directory, struct error *error)
{
	lock->held = false;
	lock->fd = -1;
	if (lock_path(directory, lock->path, sizeof(lock->path)))
		return error_set(error, "job directory name '%s' is too long", directory);
	/* An owner that releases unlinks the file; a racer that opened the old
	 * file may then win its lock on an unlinked inode, so the winner checks
	 * that the path still names what it locked and starts over otherwise. */
	for (int round = 0; round < 100; round++) {
		int fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return error_set(error, "cannot open lock '%s': %s", lock->path,
			                 strerror(errno));
		struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fcntl(fd, F_OFD_SETLK, &whole) < 0) {
			int saved = errno;
			if (saved == EAGAIN || saved == EACCES)
				in_use(error, directory, fd);
			else
				error_set(error, "cannot lock '%s': %s", lock->path,
				          strerror(saved));
			close(fd);
			return -1;
		}
		if (!still_linked(fd, lock->path)) {
			close(fd);
			continue;
		}
		long previous = read_pid(fd);
		if (previous > 0 && previous != (long)getpid())
			fprintf(stderr,
			        "lattigo-batch: note: job directory '%s' was last locked by "
			        "process %ld, which has ended; continuing\n",
			        directory, previous);
		char text[32];
		int length = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
		if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)length, 0) != length) {
			int saved = errno;
			close(fd);
			return error_set(error, "cannot write lock '%s': %s", lock->path,
			                 strerror(saved));
		}
		lock->fd = fd;
		lock->held = true;
		return 0;
	}
	return error_set(error,
	                 "cannot take the lock of job directory '%s': it keeps being "
	                 "removed and recreated",
	                 directory);
}

void job_lock_release(struct job_lock *lock)
{
	if (!lock->held)
		return;
	/* unlink while still holding it, so no one can lock this inode and keep it */
	if (still_linked(lock->fd, lock->path))
		unlink(lock->path);
	close(lock->fd);
	lock->fd = -1;
	lock->held = false;
}

bool job_lock_is_held(const char *directory, pid_t *pid)
{
	*pid = 0;
	char path[4096];
	if (lock_path(directory, path, sizeof(path)))
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct flock whole = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	bool held = fcntl(fd, F_OFD_GETLK, &whole) == 0 && whole.l_type != F_UNLCK;
	if (held)
		*pid = (pid_t)read_pid(fd);
	close(fd);
	return held;
}
