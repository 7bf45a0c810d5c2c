/* Job files: a JSON object with the keys of the option table (op, manifest,
 * map, set, chunk, ...), read before the command line so that it wins. */
#ifndef LATTIGO_JOBFILE_H
#define LATTIGO_JOBFILE_H

#include "cli/options.h"
#include "common/error.h"

#define JOBFILE_MAX_SIZE (1024 * 1024) /* a job file is a few lines; refuse anything huge */

/* Reads the job file at path into options (which should not hold a manifest
 * or out yet: relative paths in the file are taken relative to its
 * directory) and records path in options->job_file. Returns 0, or -1 with
 * error naming the file and, for JSON syntax errors, the line. */
int jobfile_read(const char *path, struct job_options *options, struct error *error);

#endif
