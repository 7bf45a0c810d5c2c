/* verify's temporary files as streams: common/temporary_file.h's files
 * without a name (lattigo-verify.XXXXXX under $TMPDIR, else /tmp). */
#ifndef LATTIGO_VERIFY_UNNAMED_FILE_H
#define LATTIGO_VERIFY_UNNAMED_FILE_H

#include <stdio.h>

/* A new empty file open for writing and reading (the caller closes it), or
 * NULL with errno when it cannot be made. */
FILE *verify_unnamed_file(void);

#endif
