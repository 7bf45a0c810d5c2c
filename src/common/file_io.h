/* Small POSIX file helpers shared by everything that must be crash-safe:
 * complete writes despite short writes and EINTR, and durable directory entries. */
#ifndef LATTIGO_FILE_IO_H
#define LATTIGO_FILE_IO_H

#include <stddef.h>

#include "common/error.h"

/* Writes all length bytes to fd at its current position, retrying short
 * writes and EINTR. Returns 0, or -1 with errno set. */
int file_write_all(int fd, const void *data, size_t length);
/* fsyncs the directory holding path, so that a file just created, renamed or
 * truncated there survives a crash. Returns 0, or -1 with errno set. */
int file_sync_directory_of(const char *path);

/* Creates directory and its missing parents (mode 0755), like mkdir -p.
 * Returns 0, or -1 with error naming the directory that could not be made. */
int file_make_directories(const char *directory, struct error *error);

/* Storage failures: a full disk (ENOSPC), a quota (EDQUOT), a file size limit
 * (EFBIG, SIGXFSZ being ignored) or an I/O error (EIO). Wherever one happens
 * (checkpoint, audit trail, outcome store, outputs) the job must stop cleanly
 * and be resumable once space is freed; the first one is kept process-wide,
 * because it is a fact about the job directory's disk, not about the one
 * write that met it, and several layers must act on it. */
/* True when cause (an errno value) is a storage failure. */
int file_error_is_storage(int cause);
/* Notes a failed write, sync or create of path: kept when cause is a storage
 * failure and none was kept before. Leaves errno unchanged. */
void file_storage_note(const char *path, int cause);
/* The first storage failure noted: returns its errno value and sets *path
 * (static storage), or returns 0 when there was none. */
int file_storage_failure(const char **path);

#endif
