/* The job directory lock OUT/lock: an exclusive open file description lock
 * (fcntl F_OFD_SETLK) on a descriptor held for the job's whole life. The
 * kernel releases it when the process ends however it ends (kill -9 included),
 * so there is no stale lock to take over and no PID to trust; the PID written
 * inside is information for messages only.
 * Ownership: a struct job_lock owns its descriptor; job_lock_release closes it. */
#ifndef LATTIGO_JOBDIR_LOCK_H
#define LATTIGO_JOBDIR_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

#define JOB_LOCK_FILE_NAME "lock"

struct job_lock {
	char path[4096];
	int fd; /* -1 when not held */
	bool held;
};

/* Takes DIRECTORY/lock for this process without waiting. Returns 0; or -1
 * with error "job directory 'out/x' is in use by process 1234" (or "by
 * another process" when its PID is not written yet) when another open
 * descriptor holds it, or another message when the file cannot be opened. */
int job_lock_acquire(struct job_lock *lock, const char *directory, struct error *error);
/* Removes the lock file and drops the lock if held. Safe to call twice. */
void job_lock_release(struct job_lock *lock);
/* Read-only look at DIRECTORY/lock (for status): true when some process
 * holds it; *pid is then the PID it wrote (0 when not written yet). */
bool job_lock_is_held(const char *directory, pid_t *pid);

#endif
