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

#endif
