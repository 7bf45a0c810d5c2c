/* The route table of the simulator: one row per endpoint of the API text.
 * Ownership: static tables. */
#ifndef LATTIGO_SIM_ROUTES_H
#define LATTIGO_SIM_ROUTES_H

#include <stddef.h>

#include "sim/call.h"

typedef void route_handler(struct sim_call *call);

/* What a device_names operation does to one device, and how it answers. */
struct batch_effect {
	const char *status_map;     /* "change_status" or "status" */
	const char *success;        /* e.g. "Success: Device data limit is set." */
	const char *missing;        /* e.g. "Error: Device does not exist." */
	const char *required_param; /* request-wide parameter that must be present, or NULL */
	/* Checks request-wide parameters; on error writes "param: rule" and returns -1. */
	int (*check)(const struct sim_call *call, char *message, size_t message_size);
	/* True when the effect can apply to the device (NULL: any device). */
	int (*supports)(const struct device *device);
	/* Applies the effect to one device under the store lock; 0, or -1 when
	 * out of memory (the device is then reported as not changed). */
	int (*apply)(struct sim_call *call, struct device *device);
};

struct route {
	const char *method;
	const char *pattern; /* "v2/devices/{device_name}/note": braces match one segment */
	route_handler *handle;
	const struct batch_effect *effect; /* for the device_names operations, else NULL */
};

extern const struct route sim_routes[];
extern const size_t sim_route_count;

enum route_match_result { ROUTE_FOUND = 0, ROUTE_NO_PATH, ROUTE_WRONG_METHOD };

/* Matches method and url (leading '/' optional) against the table: on
 * ROUTE_FOUND sets *route and copies the {device_name} segment into device_id;
 * on ROUTE_WRONG_METHOD writes the Allow header value into allow. */
enum route_match_result route_match(const char *method, const char *url, const struct route **route,
                                    char *device_id, size_t device_id_size, char *allow,
                                    size_t allow_size);
/* True when an op path template (e.g. "/v2/devices/{device_name}/note")
 * names the same endpoint as pattern. */
int route_pattern_equal(const char *pattern, const char *template_path);

/* Records one applied effect in the ledger (the op name of this call, else
 * its route's pattern). */
void call_ledger(struct sim_call *call, const char *key, const char *device);

/* Handlers, one per endpoint family. */
void handle_list_devices(struct sim_call *call);
void handle_get_device(struct sim_call *call);
void handle_get_sms(struct sim_call *call);
void handle_put_note(struct sim_call *call);
void handle_device_reports(struct sim_call *call);
void handle_daily_usages(struct sim_call *call);
void handle_monthly_usages(struct sim_call *call);
void handle_cellular_locate(struct sim_call *call);
void handle_activation_request(struct sim_call *call);
void handle_upload_request(struct sim_call *call);
void handle_device_batch(struct sim_call *call);
void handle_rate_plans(struct sim_call *call);
void handle_users(struct sim_call *call);

/* The effects of the device_names operations (defined in effects.c). */
extern const struct batch_effect effect_cost_center;
extern const struct batch_effect effect_simstate;
extern const struct batch_effect effect_set_usage_limit;
extern const struct batch_effect effect_remove_usage_limit;
extern const struct batch_effect effect_send_sms;

#endif
