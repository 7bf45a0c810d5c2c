/* report.html: one self-contained page about a job — what ran, the outcomes,
 * the rows that need attention, the job over time and the latency of its
 * calls — with inline CSS and SVG charts: no network, no scripts, readable
 * with JavaScript off. Works on finished, interrupted and running jobs
 * (read-only, no lock). Layout and sources: docs/report.md. */
#ifndef LATTIGO_REPORT_H
#define LATTIGO_REPORT_H

#include "common/error.h"

#define REPORT_FILE "report.html"

/* Writes the report of the job in directory to output (NULL: directory/
 * report.html), atomically. Returns 0, or -1 with error filled (no readable
 * checkpoint in directory, or the file cannot be written). */
int report_write(const char *directory, const char *output, struct error *error);

#endif
