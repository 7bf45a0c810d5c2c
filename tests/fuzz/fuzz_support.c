/* Scratch files for the fuzz targets (see fuzz_support.h). */
#include "fuzz_support.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fuzz_directory(void)
{
	static char directory[64];
	if (!directory[0]) {
		snprintf(directory, sizeof(directory), "/tmp/lattigo-fuzz-%ld", (long)getpid());
		mkdir(directory, 0700);
	}
	return directory;
}

int fuzz_write_file(const char *name, const uint8_t *data, size_t size, unsigned mode, char *path)
{
	snprintf(path, 4096, "%s/%s", fuzz_directory(), name);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)mode);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < size) {
		ssize_t count = write(fd, data + done, size - done);
		if (count <= 0)
			break;
		done += (size_t)count;
	}
	fchmod(fd, (mode_t)mode);
	close(fd);
	return done == size ? 0 : -1;
}
