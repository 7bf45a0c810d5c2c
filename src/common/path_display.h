/* Paths as the program prints them: normalised lexically, so the user reads
 * "out/cost-center/results.csv", not "jobs/../out/cost-center//results.csv".
 * Symbolic links are not resolved (the text only, no file system access).
 * Ownership: the caller's buffers. */
#ifndef LATTIGO_PATH_DISPLAY_H
#define LATTIGO_PATH_DISPLAY_H

#include <stddef.h>

/* Writes path normalised into out: repeated and trailing slashes collapsed,
 * "." components dropped, "NAME/.." removed (leading ".." of a relative path
 * kept, ".." at the root dropped); "" and "./" become ".". Returns out. */
const char *path_display(const char *path, char *out, size_t size);
/* As path_display of "directory/name" (name may be NULL or ""). Returns out. */
const char *path_display_join(const char *directory, const char *name, char *out, size_t size);

#endif
