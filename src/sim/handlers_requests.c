/* The two request endpoints that take a list of entries and answer with
 * processed / unprocessed: activation_request and upload_request. */
#include "sim/routes.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hash of arrays of messages, added to one message at a time. */
static void add_error(json_t *errors, const char *field, const char *message)
{
	json_t *list = json_object_get(errors, field);
	if (!list) {
		list = json_array();
		json_object_set_new(errors, field, list);
	}
	json_array_append_new(list, json_string(message));
}

/* Reads the entry list named list_name; answers 400 / 413 and returns NULL
 * when it is missing, empty or longer than --max-chunk. Borrowed. */
static json_t *entry_list(struct sim_call *call, const char *list_name)
{
	json_t *list = json_object_get(call->params, list_name);
	if (!json_is_array(list) || json_array_size(list) == 0) {
		call_error(call, 400, "%s: required (a non-empty array of objects)", list_name);
		return NULL;
	}
	size_t limit = call->context->options->max_chunk;
	if (json_array_size(list) > limit) {
		call_error(call, 413, "%s: %zu entries, more than the limit of %zu per call",
		           list_name, json_array_size(list), limit);
		return NULL;
	}
	return list;
}

/* Runs the shared validators on one entry and collects what fails. */
static void validate_entry(const struct sim_call *call, const json_t *entry, json_t *errors)
{
	char field[64], rule[512];
	if (call_validate(call, entry, call->params, field, sizeof field, rule, sizeof rule) != 0)
		add_error(errors, field, rule);
}

/* Adds {device_index, error (JSON text), input} to unprocessed. */
static void add_unprocessed(json_t *unprocessed, size_t index, json_t *errors, json_t *input)
{
	char *text = json_dumps(errors, JSON_COMPACT);
	json_array_append_new(unprocessed,
	                      json_pack("{s:I, s:s, s:o}", "device_index", (json_int_t)index,
	                                "error", text ? text : "{}", "input", input));
	free(text);
}

static const char *const note_names[] = {"note", "note1", "note2", "note3"};

/* The entry as the text echoes it: iccid, imei and the notes ("" when absent),
 * then the optional fields the entry carried. */
static json_t *activation_echo(const json_t *entry, int processed)
{
	json_t *echo = json_object();
	const char *names[] = {"iccid", "imei"};
	for (size_t i = 0; i < 2; i++) {
		json_t *value = json_object_get(entry, names[i]);
		json_object_set_new(echo, names[i],
		                    value ? json_deep_copy(value) : json_string(""));
	}
	for (size_t i = 0; i < 4; i++) {
		json_t *value = json_object_get(entry, note_names[i]);
		json_object_set_new(echo, note_names[i],
		                    value ? json_deep_copy(value) : json_string(""));
	}
	const char *optional[] = {"device_sku", "region_code"};
	for (size_t i = 0; i < 2; i++) {
		json_t *value = json_object_get(entry, optional[i]);
		if (value)
			json_object_set_new(echo, optional[i], json_deep_copy(value));
	}
	if (processed)
		json_object_set_new(echo, "request_type", json_string("activate"));
	return echo;
}

/* 200 when every entry was processed, else 422 (the text's two outcomes). */
static void answer_entries(struct sim_call *call, json_t *processed, json_t *unprocessed)
{
	unsigned status = json_array_size(unprocessed) == 0 ? 200 : 422;
	call_respond(call, status,
	             json_pack("{s:o, s:o}", "processed", processed, "unprocessed", unprocessed));
}

void handle_activation_request(struct sim_call *call)
{
	char plan_scratch[32], iccid_scratch[32], imei_scratch[32];
	const char *plan =
	    call_param_text(call, "rate_plan_name", plan_scratch, sizeof plan_scratch);
	if (!plan || !*plan) {
		call_error(call, 400, "rate_plan_name: required");
		return;
	}
	json_t *list = entry_list(call, "activation_requests");
	if (!list)
		return;
	json_t *processed = json_array(), *unprocessed = json_array(), *seen = json_object();
	struct store *store = &call->context->store;
	store_lock(store);
	int plan_known = store_has_rate_plan(store, plan);
	size_t index;
	json_t *entry;
	json_array_foreach(list, index, entry)
	{
		json_t *errors = json_object();
		if (!json_is_object(entry)) {
			add_error(errors, "base", "must be an object");
			add_unprocessed(unprocessed, index, errors, json_deep_copy(entry));
			json_decref(errors);
			continue;
		}
		validate_entry(call, entry, errors);
		const char *iccid = json_scalar_text(json_object_get(entry, "iccid"), iccid_scratch,
		                                     sizeof iccid_scratch);
		const char *imei = json_scalar_text(json_object_get(entry, "imei"), imei_scratch,
		                                    sizeof imei_scratch);
		if ((!iccid || !*iccid) && !json_object_get(errors, "iccid"))
			add_error(errors, "iccid", "can't be blank");
		if (!plan_known)
			add_error(errors, "rate_plan_name", "is not available on this account");
		if (iccid && *iccid &&
		    (store_find(store, ID_TYPE_ICCID, iccid) || json_object_get(seen, iccid)))
			add_error(errors, "iccid", "has already been taken");
		if (imei && *imei &&
		    (store_find(store, ID_TYPE_IMEI, imei) || json_object_get(seen, imei)))
			add_error(errors, "imei", "has already been taken");
		if (json_object_size(errors) == 0) {
			if (store_activate(store, iccid, imei, entry, plan, clock_wall_ms()) == 0) {
				call_ledger(call, iccid, iccid);
				json_object_set_new(seen, iccid, json_true());
				if (imei && *imei)
					json_object_set_new(seen, imei, json_true());
				json_array_append_new(processed, activation_echo(entry, 1));
			} else {
				add_error(errors, "base", "could not be stored");
			}
		}
		if (json_object_size(errors) != 0)
			add_unprocessed(unprocessed, index, errors, activation_echo(entry, 0));
		json_decref(errors);
	}
	store_unlock(store);
	json_decref(seen);
	answer_entries(call, processed, unprocessed);
}

void handle_upload_request(struct sim_call *call)
{
	char email_scratch[32], sku_scratch[32], imei_scratch[32];
	const char *email =
	    call_param_text(call, "upload_email", email_scratch, sizeof email_scratch);
	const char *sku = call_param_text(call, "upload_sku", sku_scratch, sizeof sku_scratch);
	if (!email || !*email || !sku || !*sku) {
		call_error(call, 400, "%s: required",
		           !email || !*email ? "upload_email" : "upload_sku");
		return;
	}
	json_t *list = entry_list(call, "upload_ids");
	if (!list)
		return;
	json_t *processed = json_array(), *unprocessed = json_array();
	struct store *store = &call->context->store;
	store_lock(store);
	size_t index;
	json_t *entry;
	json_array_foreach(list, index, entry)
	{
		json_t *errors = json_object();
		const char *imei = NULL;
		if (!json_is_object(entry)) {
			add_error(errors, "base", "must be an object");
		} else {
			validate_entry(call, entry, errors);
			imei = json_scalar_text(json_object_get(entry, "imei"), imei_scratch,
			                        sizeof imei_scratch);
			if ((!imei || !*imei) && !json_object_get(errors, "imei"))
				add_error(errors, "imei", "can't be blank");
			else if (imei && *imei && json_object_get(store->uploads, imei))
				add_error(errors, "imei", "has already been taken");
		}
		if (json_object_size(errors) == 0) {
			json_object_set_new(store->uploads, imei,
			                    json_pack("{s:s, s:s}", "sku", sku, "email", email));
			call_ledger(call, imei, NULL);
			json_array_append_new(processed, json_pack("{s:s, s:s, s:s}", "imei", imei,
			                                           "sku", sku, "email", email));
		} else {
			add_unprocessed(unprocessed, index, errors, json_deep_copy(entry));
		}
		json_decref(errors);
	}
	store_unlock(store);
	answer_entries(call, processed, unprocessed);
}
