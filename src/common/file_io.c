/* Complete writes and directory syncs (see file_io.h). */
#include "common/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
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
