/* Files that appear complete or not at all: written under a temporary name in
 * the same directory, flushed, synced and renamed over the final name.
 * Ownership: an atomic_file owns its FILE and both names until commit/abort. */
#ifndef LATTIGO_ATOMIC_FILE_H
#define LATTIGO_ATOMIC_FILE_H

#include <jansson.h>
#include <stdio.h>

#include "common/error.h"

struct atomic_file {
	FILE *stream;         /* write here */
	char *final_path;     /* owned */
	char *temporary_path; /* owned: final_path + ".tmp.<pid>" */
};

/* Creates the temporary file for path (mode 0644). Returns 0, or -1 with error filled. */
int atomic_file_open(struct atomic_file *file, const char *path, struct error *error);
/* Flushes, fsyncs and renames the temporary file over the final name, then
 * removes temporaries of the same name left by processes that died before
 * their rename, and releases the struct. Returns 0, or -1 (temporary
 * removed) with error filled. */
int atomic_file_commit(struct atomic_file *file, struct error *error);
/* Removes the temporary file and releases the struct; safe after a failed open or commit. */
void atomic_file_abort(struct atomic_file *file);
/* Writes root to path as one atomic file: json_dumpf with flags and a final
 * newline (the job's JSON files: summary.json, job.json, export.json).
 * Returns 0, or -1 with error naming the path and the cause. root stays the caller's. */
int atomic_file_write_json(const char *path, const json_t *root, size_t flags, struct error *error);

#endif
