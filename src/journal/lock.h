/* The job directory lock OUT/lock: a file created with O_EXCL holding the
 * owner's PID, so a second `run` on the same OUT is refused while a live
 * process holds it; a lock left by a dead process is taken over.
 * Ownership: a struct job_lock holds the lock file's path; nothing else. */
#ifndef LATTIGO_JOB_LOCK_H
#define LATTIGO_JOB_LOCK_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

#define JOB_LOCK_FILE_NAME "lock"

struct job_lock {
	char path[4096];
	bool held;
};

/* Takes DIRECTORY/lock for this process. A lock whose PID is not alive
 * (kill(pid, 0) fails with ESRCH) or that holds no PID is taken over with a
 * warning on stderr. Returns 0, or -1 with error such as "job directory
 * 'out/x' is in use by process 1234". */
int job_lock_acquire(struct job_lock *lock, const char *directory, struct error *error);
/* Removes the lock file if this process holds it. Safe to call twice. */
void job_lock_release(struct job_lock *lock);
/* Read-only look at DIRECTORY/lock (for status): the PID of the process that
 * holds it and is alive, or 0 when there is no lock or it is stale. */
pid_t job_lock_holder(const char *directory);

#endif
