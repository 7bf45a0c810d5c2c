/* Files without a name under $TMPDIR (else /tmp): created and unlinked at
 * once, so nothing is left behind, even by a process killed with -9. */
#ifndef LATTIGO_COMMON_TEMPORARY_FILE_H
#define LATTIGO_COMMON_TEMPORARY_FILE_H

/* The folder temporary files go to: $TMPDIR when set and not empty, else
 * "/tmp" (static or the environment's; not to be freed). */
const char *temporary_file_root(void);

/* Opens a new empty file for reading and writing, its name (PREFIX.XXXXXX
 * under temporary_file_root) removed before it returns. Returns the
 * descriptor, which the caller closes, or -1 with errno. */
int temporary_file_open(const char *prefix);

#endif
