/* The map_response functions the operation table shares (see op.h for the
 * contract). Each fills status and message of every outcome and returns
 * true when the answer carried per-device entries. */
#ifndef LATTIGO_RESPONSE_MAPPERS_H
#define LATTIGO_RESPONSE_MAPPERS_H

#include "ops/op.h"

/* device_operations and the note endpoint: change_status/status maps keyed by device name. */
bool map_device_status_response(const struct op *op, long http_status, const json_t *body,
                                const char *raw, size_t raw_length,
                                const struct record *const *records, size_t count,
                                struct row_outcome *outcomes);

/* cellular_locate: {"<device_name>": <carrier response>}. */
bool map_locate_response(const struct op *op, long http_status, const json_t *body, const char *raw,
                         size_t raw_length, const struct record *const *records, size_t count,
                         struct row_outcome *outcomes);

/* activation_request / upload_request: processed[] and unprocessed[].device_index. */
bool map_batch_results_response(const struct op *op, long http_status, const json_t *body,
                                const char *raw, size_t raw_length,
                                const struct record *const *records, size_t count,
                                struct row_outcome *outcomes);

#endif
