/* verify's temporary files: without a name, under $TMPDIR (else /tmp),
 * where the preflight's spools go too, so that nothing is left behind, even
 * by a process killed with -9. */
#ifndef LATTIGO_VERIFY_UNNAMED_FILE_H
#define LATTIGO_VERIFY_UNNAMED_FILE_H

#include <stdio.h>

/* A new empty file open for writing and reading (the caller closes it), or
 * NULL with errno when it cannot be made. */
FILE *verify_unnamed_file(void);

#endif
