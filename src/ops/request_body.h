/* Shared pieces of request building: paths with an escaped device name and
 * the JSON members every device operation body repeats.
 * Ownership: returned json_t values are new references owned by the caller. */
#ifndef LATTIGO_REQUEST_BODY_H
#define LATTIGO_REQUEST_BODY_H

#include "ops/op.h"

/* Appends segment percent-escaped per RFC 3986 (unreserved characters kept). */
int percent_escape(struct strbuf *out, const char *segment);

/* Writes op->path into path (after resetting it) with "{device_name}" replaced
 * by the record's escaped device name. Returns 0 or -1. */
int request_path(const struct op *op, const struct record *record, struct strbuf *path);

/* Returns a new JSON array of the records' device names, or NULL. */
json_t *request_device_names(const struct record *const *records, size_t count);

/* Sets object[field name] to the record's value when present. Returns 0 or -1. */
int request_set_field(json_t *object, const struct record *record, enum field_id field);

/* Returns the body {"device_names":[...]} plus the first record's values of
 * fields (the batching fields every row of the chunk shares), or NULL. */
json_t *request_device_operation(const struct record *const *records, size_t count,
                                 const enum field_id *fields, size_t field_count);

/* build_request for the device_operations endpoints whose body is
 * device_names plus the op's OP_FIELD_BATCH fields as strings. */
int request_build_device_operation(const struct op *op, const struct record *const *records,
                                   size_t count, struct strbuf *path, json_t **body);

#endif
