/* Job files: a JSON object with the keys of the option table (op, manifest,
 * map, set, chunk, ...), read before the command line so that it wins.
 * This file only reads the JSON; cli/options.c applies it. */
#ifndef LATTIGO_JOBFILE_H
#define LATTIGO_JOBFILE_H

#include <jansson.h>

#include "common/error.h"

#define JOBFILE_MAX_SIZE (1024 * 1024) /* a job file is a few lines; refuse anything huge */

/* Reads the job file at path: a regular file of at most JOBFILE_MAX_SIZE
 * bytes holding strict JSON (duplicate keys refused). New reference in *out.
 * Returns 0, or -1 with error naming the file and, for JSON syntax errors,
 * the line. */
int jobfile_load(const char *path, json_t **out, struct error *error);

#endif
