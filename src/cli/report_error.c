/* The one place a command's error reaches stderr. */
#include <stdbool.h>
#include <stdio.h>

#include "cli/commands.h"
#include "common/file_io.h"

int report_error(const struct error *error, int exit_code)
{
	/* After a full disk or an I/O error, the first message names the file;
	 * what follows (records refused after it, the engine stopping, the
	 * final commit) only echoes it. */
	static bool storage_reported;
	if (file_storage_failure(NULL)) {
		if (storage_reported)
			return exit_code;
		storage_reported = true;
	}
	char text[1200];
	error_format(error, text, sizeof(text));
	fprintf(stderr, "lattigo-batch: %s\n", text);
	return exit_code;
}
