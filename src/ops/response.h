/* Shared pieces of response mapping: writing outcome messages safely, the
 * verdicts for HTTP failures and unexpected bodies, and finding a device's
 * entry in a name-keyed answer. Every mapper uses these so the tolerant
 * readings of docs/operations.md hold the same way for every operation.
 * Ownership: JSON values returned are borrowed from the body. */
#ifndef LATTIGO_RESPONSE_H
#define LATTIGO_RESPONSE_H

#include "ops/op.h"

/* Sets status and a printf-formatted message, cut at a UTF-8 boundary to fit. */
void outcome_set(struct row_outcome *outcome, enum row_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets status and message from text of length bytes, cut to fit. */
void outcome_set_text(struct row_outcome *outcome, enum row_status status, const char *text,
                      size_t length);

/* Sets every outcome to ROW_PENDING with an empty message. */
void outcomes_reset(struct row_outcome *outcomes, size_t count);

/* Marks every outcome still pending ROW_UNKNOWN "not mentioned in the answer". */
void outcomes_mark_unmentioned(struct row_outcome *outcomes, size_t count);

/* Appends up to 200 bytes of a body, quoted, control characters escaped. */
void response_quote(struct strbuf *out, const char *raw, size_t raw_length);

/* A non-2xx answer without a per-row shape: every row ROW_ERROR "HTTP 404:
 * <body>" (a 5xx for a non-idempotent op is ROW_UNKNOWN: it may have been applied). */
void response_http_failure(const struct op *op, long http_status, const char *raw,
                           size_t raw_length, size_t count, struct row_outcome *outcomes);

/* A 2xx answer whose body is not what the API text shows: every row still
 * pending gets ROW_ERROR quoting the body, or ROW_UNKNOWN for a
 * non-idempotent op (it may have been applied; resending could double it). */
void response_unexpected(const struct op *op, long http_status, const char *raw, size_t raw_length,
                         const char *why, size_t count, struct row_outcome *outcomes);

/* Appends a JSON value as text: a string as itself, anything else compact. */
void response_value_text(struct strbuf *out, const json_t *value);

/* Returns the name-keyed object of a device answer: body.change_status,
 * body.status, or the body itself when it is an object naming one of the
 * records' devices (or, unless strict, holding a single entry). NULL when
 * there is none. strict is for failure answers, whose single-key bodies are
 * usually an error object. */
const json_t *response_device_map(const json_t *body, const struct record *const *records,
                                  size_t count, bool strict);

/* Returns the entry of map for record's device_name; when map holds exactly
 * one entry and count is 1, that entry (the API may answer with the device's
 * canonical name when id_type named it differently). NULL when absent. */
const json_t *response_device_entry(const json_t *map, const struct record *record, size_t count);

#endif
