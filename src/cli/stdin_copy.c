/* Standard input copied to an unnamed file (stdin_copy.h). */
#include "cli/stdin_copy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/temporary_file.h"

int stdin_copy_to_file(struct error *error)
{
	struct stat status;
	/* a directory is refused by the manifest's reader, naming it */
	if (fstat(STDIN_FILENO, &status) == 0 &&
	    (S_ISREG(status.st_mode) || S_ISDIR(status.st_mode)))
		return 0;
	int copy = temporary_file_open("lattigo-stdin");
	if (copy < 0)
		return error_set(error, "cannot make a copy of the manifest on stdin under %s: %s",
		                 temporary_file_root(), strerror(errno));
	char buffer[1 << 16];
	for (;;) {
		ssize_t got = read(STDIN_FILENO, buffer, sizeof(buffer));
		if (got == 0)
			break;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int cause = errno;
			close(copy);
			return error_set(error, "cannot read the manifest from stdin: %s",
			                 strerror(cause));
		}
		if (file_write_all(copy, buffer, (size_t)got) < 0) {
			int cause = errno;
			close(copy);
			return error_set(error, "cannot copy the manifest on stdin under %s: %s",
			                 temporary_file_root(), strerror(cause));
		}
	}
	int result = 0;
	if (lseek(copy, 0, SEEK_SET) != 0 || dup2(copy, STDIN_FILENO) < 0)
		result = error_set(error, "cannot read back the copy of the manifest on stdin: %s",
		                   strerror(errno));
	close(copy);
	return result;
}
