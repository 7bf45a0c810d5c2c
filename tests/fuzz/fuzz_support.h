/* Shared by the libFuzzer targets: the input written to a per-process
 * scratch file, for the parsers that read files (journal, audit trail, job
 * and credentials files). */
#ifndef LATTIGO_FUZZ_SUPPORT_H
#define LATTIGO_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A scratch directory of this process (made once, reused by every input). */
const char *fuzz_directory(void);
/* Writes size bytes to DIRECTORY/name with the given mode; fills path (size
 * 4096). Returns 0 or -1. */
int fuzz_write_file(const char *name, const uint8_t *data, size_t size, unsigned mode, char *path);

#endif
