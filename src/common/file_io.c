/* Complete writes and directory syncs (see file_io.h). */
#include "common/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_write_all(int fd, const void *data, size_t length)
{
	const char *cursor = data;
	while (length > 0) {
		ssize_t count = write(fd, cursor, length);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0)
			return -1;
		cursor += count;
		length -= (size_t)count;
	}
	return 0;
}

int file_sync_directory_of(const char *path)
{
	/* dirname may modify its argument: work on a copy. */
	char *copy = strdup(path);
	if (!copy)
		return -1;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -1;
	int status = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return status;
}

static char storage_path[4096];
static int storage_cause;

int file_error_is_storage(int cause)
{
	return cause == ENOSPC || cause == EDQUOT || cause == EFBIG || cause == EIO;
}

void file_storage_note(const char *path, int cause)
{
	if (storage_cause || !file_error_is_storage(cause))
		return;
	storage_cause = cause;
	snprintf(storage_path, sizeof(storage_path), "%s", path ? path : "");
}

int file_storage_failure(const char **path)
{
	if (path)
		*path = storage_path;
	return storage_cause;
}

int file_make_directories(const char *directory, struct error *error)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s", directory) >= (int)sizeof(path))
		return error_set(error, "directory name too long: '%s'", directory);
	for (char *cursor = path + 1; *cursor; cursor++) {
		if (*cursor != '/')
			continue;
		*cursor = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return error_set(error, "cannot create directory '%s': %s", path,
			                 strerror(errno));
		*cursor = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return error_set(error, "cannot create directory '%s': %s", path, strerror(errno));
	return 0;
}
