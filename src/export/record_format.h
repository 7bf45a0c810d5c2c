/* Turning the records of one answer into output text: CSV rows (formula-safe,
 * SPEC §5) with the endpoint's fields as columns, or JSONL lines. Per-device
 * exports lead each record with the device asked for (`requested_device`).
 * Ownership: the stream is borrowed; nothing is kept between calls. */
#ifndef LATTIGO_RECORD_FORMAT_H
#define LATTIGO_RECORD_FORMAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "export/read_endpoint.h"

/* How records are written. */
struct record_format {
	const struct read_endpoint *endpoint;
	bool jsonl;
	bool names_only; /* a list of plain names (devices --no-details): one column */
};

/* Writes the CSV header line of the records (nothing for JSONL). */
void record_format_header(FILE *stream, const struct record_format *format);

/* Writes one record (an object, or a plain string for name lists) as a CSV
 * row or a JSONL line; device is the manifest's device for per-device kinds
 * (NULL otherwise). Returns 0, or -1 when out of memory. */
int record_format_write(FILE *stream, const struct record_format *format, const json_t *item,
                        const char *device);

#endif
