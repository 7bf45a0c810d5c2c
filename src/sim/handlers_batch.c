/* The device_names operations: one request-wide value applied to a list of
 * devices, answered with a map of device name to the text's status string. */
#include "sim/routes.h"

#include <stdio.h>
#include <string.h>

/* The names in device_names (a single string is taken as a list of one).
 * Answers 400 / 413 and returns NULL when the list is unusable. New reference. */
static json_t *device_names(struct sim_call *call)
{
	json_t *given = json_object_get(call->params, "device_names");
	json_t *single = NULL;
	if (json_is_string(given) || json_is_integer(given))
		given = single = json_pack("[O]", given);
	if (!json_is_array(given) || json_array_size(given) == 0) {
		call_error(call, 400, "device_names: required (a non-empty array of device names)");
		json_decref(single);
		return NULL;
	}
	size_t limit = call->context->options->max_chunk;
	if (json_array_size(given) > limit) {
		call_error(call, 413,
		           "device_names: %zu entries, more than the limit of %zu per call",
		           json_array_size(given), limit);
		json_decref(single);
		return NULL;
	}
	json_t *names = json_array();
	size_t i;
	json_t *item;
	char scratch[32];
	json_array_foreach(given, i, item)
	{
		const char *text = json_scalar_text(item, scratch, sizeof scratch);
		if (!text || !*text || json_is_boolean(item)) {
			call_error(call, 400, "device_names[%zu]: must be a non-empty string", i);
			json_decref(names);
			json_decref(single);
			return NULL;
		}
		json_array_append_new(names, json_string(text));
	}
	json_decref(single);
	return names;
}

void handle_device_batch(struct sim_call *call)
{
	const struct batch_effect *effect = call->route->effect;
	char message[512], field[64], rule[512], scratch[32];
	enum id_type type;
	json_t *names = device_names(call);
	json_t *invalid = NULL;
	if (!names)
		return;
	if (effect->required_param &&
	    !call_param_text(call, effect->required_param, scratch, sizeof scratch)) {
		call_error(call, 400, "%s: required", effect->required_param);
		goto out;
	}
	if (call_id_type(call, &type) != 0)
		goto out;
	if (effect->check && effect->check(call, message, sizeof message) != 0) {
		call_error(call, 400, "%s", message);
		goto out;
	}
	/* Validate everything before applying anything: a bad request-wide value
	 * refuses the whole call, a bad name is just a device that does not exist. */
	invalid = json_object();
	const char *key_field = call->op ? field_name(call->op->key_field) : "device_name";
	size_t i;
	json_t *name;
	json_array_foreach(names, i, name)
	{
		json_t *entry = json_pack("{s:O}", key_field, name);
		int failed = call_validate(call, entry, call->params, field, sizeof field, rule,
		                           sizeof rule);
		json_decref(entry);
		if (failed && strcmp(field, key_field) != 0) {
			call_error(call, 400, "%s: %s", field, rule);
			goto out;
		}
		if (failed)
			json_object_set_new(invalid, json_string_value(name), json_true());
	}
	json_t *statuses = json_object();
	struct store *store = &call->context->store;
	store_lock(store);
	json_array_foreach(names, i, name)
	{
		const char *text = json_string_value(name);
		if (json_object_get(statuses, text))
			continue; /* a name given twice is applied once */
		struct device *device =
		    json_object_get(invalid, text) ? NULL : store_find(store, type, text);
		if (device && (!effect->supports || effect->supports(device)) &&
		    effect->apply(call, device) == 0) {
			char scratch_name[32];
			call_ledger(
			    call, text,
			    store_device_name(store, device, scratch_name, sizeof scratch_name));
			json_object_set_new(statuses, text, json_string(effect->success));
		} else {
			json_object_set_new(statuses, text, json_string(effect->missing));
		}
	}
	store_unlock(store);
	call_respond(call, 200, json_pack("{s:o}", effect->status_map, statuses));
out:
	json_decref(invalid);
	json_decref(names);
}
