/* One API call as the handlers see it: the shared simulator context, the
 * matched route, the merged parameters and the response being built.
 * Ownership: the call owns params and body; the context outlives every call. */
#ifndef LATTIGO_SIM_CALL_H
#define LATTIGO_SIM_CALL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/op.h"
#include "sim/basic_auth.h"
#include "sim/ledger.h"
#include "sim/options.h"
#include "common/random.h"
#include "sim/rate_limit.h"
#include "sim/store.h"

struct route;

/* State shared by every connection thread. */
struct sim_context {
	const struct sim_options *options;
	struct store store;
	struct ledger ledger;
	struct rate_limit rate_limit;
	struct basic_auth auth;
	uint64_t random; /* fault injection and jitter; under random_lock */
	pthread_mutex_t random_lock;
	atomic_uint_fast64_t request_counter;
	const struct op **route_ops; /* the operation of each route (NULL for reads) */
};

#define CALL_MAX_HEADERS 12

struct call_header {
	char name[24];
	char value[48];
};

struct sim_call {
	struct sim_context *context;
	const struct route *route;
	const struct op *op; /* validates this route's entries; NULL for reads */
	char device_id[512]; /* the :device_name path segment, "" when none */
	json_t *params;      /* query string merged with the body */
	uint64_t request_number;
	unsigned status;
	json_t *body;
	char *text; /* the body already written as JSON text (owned), instead of body */
	size_t text_length;
	struct call_header headers[CALL_MAX_HEADERS];
	size_t header_count;
};

/* Sets the answer, taking ownership of body (replaces an earlier one). */
void call_respond(struct sim_call *call, unsigned status, json_t *body);
/* Sets the answer as JSON text already written, taking ownership of text
 * (malloc'd, NUL-terminated, length bytes; replaces an earlier answer). */
void call_respond_text(struct sim_call *call, unsigned status, char *text, size_t length);
/* Sets an answer {"error": "<formatted message>"}. */
void call_error(struct sim_call *call, unsigned status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a response header (silently dropped beyond CALL_MAX_HEADERS). */
void call_header(struct sim_call *call, const char *name, const char *value);

/* Returns the text of parameter name when it is a string, number or boolean
 * (numbers are formatted into scratch), else NULL. Borrowed. */
const char *call_param_text(const struct sim_call *call, const char *name, char *scratch,
                            size_t scratch_size);
/* Text of a scalar JSON value as call_param_text does, or NULL. */
const char *json_scalar_text(const json_t *value, char *scratch, size_t scratch_size);

/* Reads the id_type parameter; on an unknown one answers 400 and returns -1. */
int call_id_type(struct sim_call *call, enum id_type *type);
/* Reads page/per_page/offset for total records, adds every X-* header and
 * sets first and count; on bad parameters answers 400 and returns -1. */
int call_paginate(struct sim_call *call, uint64_t total, uint64_t *first, uint64_t *count);

/* Validates entry (falling back to shared for fields entry lacks) against
 * the call's operation. Returns 0, or -1 with the field ("base" when the
 * message names none) and the rule. Always 0 when the route has no op. */
int call_validate(const struct sim_call *call, const json_t *entry, const json_t *shared,
                  char *field, size_t field_size, char *rule, size_t rule_size);

#endif
