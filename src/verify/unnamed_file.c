/* verify's temporary files (unnamed_file.h). */
#include "verify/unnamed_file.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

FILE *verify_unnamed_file(void)
{
	const char *root = getenv("TMPDIR");
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/lattigo-verify.XXXXXX",
	             root && *root ? root : "/tmp") >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	int descriptor = mkstemp(path);
	if (descriptor < 0)
		return NULL;
	unlink(path);
	FILE *file = fdopen(descriptor, "w+b");
	if (!file)
		close(descriptor);
	return file;
}
