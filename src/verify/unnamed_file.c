/* verify's temporary files (unnamed_file.h). */
#include "verify/unnamed_file.h"

#include <unistd.h>

#include "common/temporary_file.h"

FILE *verify_unnamed_file(void)
{
	int descriptor = temporary_file_open("lattigo-verify");
	if (descriptor < 0)
		return NULL;
	FILE *file = fdopen(descriptor, "w+b");
	if (!file)
		close(descriptor);
	return file;
}
