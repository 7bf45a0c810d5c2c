/* Unnamed temporary files (temporary_file.h). */
#include "common/temporary_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *temporary_file_root(void)
{
	const char *root = getenv("TMPDIR");
	return root && *root ? root : "/tmp";
}

int temporary_file_open(const char *prefix)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s.XXXXXX", temporary_file_root(), prefix) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int descriptor = mkstemp(path);
	if (descriptor >= 0)
		unlink(path);
	return descriptor;
}
