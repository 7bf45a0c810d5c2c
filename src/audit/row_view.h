/* Picking one manifest row's part out of an audit record: its element of the
 * request body and its entries of the response body, without knowing the
 * operation (the rows of a call are in the same order as its request list).
 * Ownership: borrowed json_t values belong to the body they came from; new
 * references are the caller's to json_decref. */
#ifndef LATTIGO_AUDIT_ROW_VIEW_H
#define LATTIGO_AUDIT_ROW_VIEW_H

#include <jansson.h>
#include <stddef.h>

/* Returns the element at position of the request's first top-level array
 * that holds count elements (one per row of the call), or the whole body when
 * count is 1 and there is no such array (a per-row call); NULL when neither
 * fits. Borrowed. */
json_t *audit_row_request_element(json_t *request, size_t position, size_t count);

/* Returns a new object holding what the request says for every row of the
 * call alike (its members other than the per-row list, e.g. the cost_center
 * or rate_plan_name the rows were sent with), or NULL when there is no
 * per-row list (a per-row call's body is the row's own) or nothing else. */
json_t *audit_row_request_shared(const json_t *request, size_t count);

/* Returns the row's identifier in a request element: the element itself when
 * it is a string, else its iccid, imei or device_name (first present), else
 * its first string member; NULL when none. Borrowed. */
const char *audit_row_identifier(const json_t *element);

/* Returns a new object holding the response's entries about the row: for a
 * top-level object member (a map such as change_status), the identifier's
 * key; for a top-level array member (unprocessed[], processed[]), the entries
 * whose device_index is position, or, for entries without one, that hold the
 * identifier as a string anywhere inside. Empty when nothing matches. */
json_t *audit_row_response_entries(const json_t *response, size_t position, const char *identifier);

#endif
