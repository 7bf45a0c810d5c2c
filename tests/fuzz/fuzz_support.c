/* Scratch files for the fuzz targets (see fuzz_support.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "fuzz_support.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char directory[64];

static int remove_entry(const char *path, const struct stat *status, int type, struct FTW *walk)
{
	(void)status;
	(void)type;
	(void)walk;
	remove(path);
	return 0;
}

/* The scratch files are only needed while this process runs: a fuzzing run
 * in CI must not leave a directory per target behind in /tmp. */
static void remove_directory(void)
{
	nftw(directory, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_directory(void)
{
	if (!directory[0]) {
		snprintf(directory, sizeof(directory), "/tmp/lattigo-fuzz-%ld", (long)getpid());
		mkdir(directory, 0700);
		atexit(remove_directory);
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
