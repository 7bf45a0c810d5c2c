/* Single-device endpoints: v2/devices, v2/devices/:device_name and the
 * per-device reads and writes under it. */
#include "common/json_text.h"
#include "sim/history.h"
#include "sim/routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WINDOW_DAYS 3660
#define MAX_LIMIT       100000
#define NOTE_LIMIT      100
/* What a listing page reserves a device: a generated device with details
 * is about 560 bytes, a name alone about 8 (more only grows the buffer). */
#define PAGE_DEVICE_BYTES 640
#define PAGE_NAME_BYTES   12

/* Finds the device named by the path under the store lock; answers 404 (or
 * 400 for a bad id_type) and returns NULL when there is none. */
static struct device *path_device(struct sim_call *call)
{
	enum id_type type;
	if (call_id_type(call, &type) != 0)
		return NULL;
	struct device *device = store_find(&call->context->store, type, call->device_id);
	if (!device)
		call_error(call, 404, "device '%s' not found (id_type %s)", call->device_id,
		           id_type_name(type));
	return device;
}

void handle_list_devices(struct sim_call *call)
{
	char scratch[32], state_scratch[64], name[32];
	const char *details = call_param_text(call, "details", scratch, sizeof scratch);
	int with_details = details && (strcmp(details, "true") == 0 || strcmp(details, "1") == 0);
	const char *state = call_param_text(call, "state", state_scratch, sizeof state_scratch);
	if (state && !*state)
		state = NULL;
	struct store *store = &call->context->store;
	/* shared: concurrent pages are written in parallel, not one after another */
	store_read_lock(store);
	/* States are interned: a state no device ever had matches none. */
	uint32_t wanted =
	    state ? strpool_lookup(&store->strings, state, strlen(state)) : STRPOOL_NONE;
	uint64_t total = state ? 0 : store->count;
	for (size_t i = 0; state && i < store->count; i++)
		if (store_device_state(store, &store->devices[i]) == wanted)
			total++;
	uint64_t first, count;
	if (call_paginate(call, total, &first, &count) == 0) {
		/* The page is written as text, not built as JSON objects first: a
		 * thousand devices with details took ~30 ms of allocation. */
		struct strbuf page;
		strbuf_init(&page, SIZE_MAX);
		/* room for the whole page at once: grown step by step, half a
		 * megabyte was copied over and over */
		int result = strbuf_reserve(
		    &page, (size_t)count * (with_details ? PAGE_DEVICE_BYTES : PAGE_NAME_BYTES));
		result |= strbuf_append_char(&page, '[');
		/* Unfiltered, a page starts at its position: reading a million
		 * devices page by page stays linear. */
		uint64_t seen = state ? 0 : first, written = 0;
		for (size_t i = state ? 0 : (size_t)first;
		     result == 0 && i < store->count && seen < first + count; i++) {
			struct device *device = &store->devices[i];
			if (state && store_device_state(store, device) != wanted)
				continue;
			if (seen++ < first)
				continue;
			if (written++)
				result = strbuf_append_char(&page, ',');
			if (with_details)
				result |= store_device_write(store, device, &page);
			else
				result |= json_text_string(
				    &page, store_device_name(store, device, name, sizeof name));
		}
		result |= strbuf_append_char(&page, ']');
		size_t length = 0;
		char *text = result == 0 ? strbuf_detach(&page, &length) : NULL;
		if (text)
			call_respond_text(call, 200, text, length);
		else
			call_error(call, 500, "out of memory writing the page");
		strbuf_release(&page);
	}
	store_unlock(store);
}

void handle_get_device(struct sim_call *call)
{
	store_read_lock(&call->context->store);
	struct device *device = path_device(call);
	struct strbuf text;
	strbuf_init(&text, SIZE_MAX);
	size_t length = 0;
	char *written = device && store_device_write(&call->context->store, device, &text) == 0
	                    ? strbuf_detach(&text, &length)
	                    : NULL;
	if (written)
		call_respond_text(call, 200, written, length);
	else if (device)
		call_error(call, 500, "out of memory writing the device");
	strbuf_release(&text);
	store_unlock(&call->context->store);
}

/* Reads start_date / end_date (defaults: 30 days ago / today) and limit
 * (default 1). Answers 400 and returns -1 when one is malformed. */
static int read_window(struct sim_call *call, int64_t *start, int64_t *end, uint64_t *limit)
{
	char scratch[64];
	const char *text = call_param_text(call, "end_date", scratch, sizeof scratch);
	*end = history_today();
	if (text && history_parse_day(text, end) != 0) {
		call_error(call, 400, "end_date: not an ISO 8601 date (YYYY-MM-DD)");
		return -1;
	}
	*start = *end - 30;
	text = call_param_text(call, "start_date", scratch, sizeof scratch);
	if (text && history_parse_day(text, start) != 0) {
		call_error(call, 400, "start_date: not an ISO 8601 date (YYYY-MM-DD)");
		return -1;
	}
	if (*end - *start > MAX_WINDOW_DAYS)
		*start = *end - MAX_WINDOW_DAYS;
	*limit = 1;
	text = call_param_text(call, "limit", scratch, sizeof scratch);
	if (text) {
		char *stop = NULL;
		unsigned long long value = strtoull(text, &stop, 10);
		if (!*text || *stop || *text == '-' || value == 0) {
			call_error(call, 400, "limit: must be a positive integer");
			return -1;
		}
		*limit = value > MAX_LIMIT ? MAX_LIMIT : value;
	}
	return 0;
}

typedef json_t *day_record(uint64_t seed, const char *device, int64_t day);

/* Answers with the records of days end, end-1, … start (newest first), at
 * most limit of them, paginated. */
static void answer_history(struct sim_call *call, day_record *make, int monthly)
{
	int64_t start, end;
	uint64_t limit, first, count;
	char name[512];
	if (read_window(call, &start, &end, &limit) != 0)
		return;
	store_read_lock(&call->context->store);
	struct device *device = path_device(call);
	char scratch[32];
	if (device)
		snprintf(name, sizeof name, "%s",
		         store_device_name(&call->context->store, device, scratch, sizeof scratch));
	store_unlock(&call->context->store);
	if (!device)
		return;
	if (monthly) {
		start = history_month_start(start);
		end = history_month_start(end);
	}
	uint64_t available = 0;
	for (int64_t day = end; day >= start && available < limit;
	     day = monthly ? history_previous_month(day) : day - 1)
		available++;
	if (call_paginate(call, available, &first, &count) != 0)
		return;
	json_t *list = json_array();
	uint64_t position = 0;
	uint64_t seed = call->context->store.seed;
	for (int64_t day = end; list && day >= start && position < first + count;
	     day = monthly ? history_previous_month(day) : day - 1, position++)
		if (position >= first)
			json_array_append_new(list, make(seed, name, day));
	call_respond(call, 200, list);
}

void handle_device_reports(struct sim_call *call)
{
	answer_history(call, history_device_report, 0);
}

void handle_daily_usages(struct sim_call *call)
{
	answer_history(call, history_daily_usage, 0);
}

void handle_monthly_usages(struct sim_call *call)
{
	answer_history(call, history_monthly_usage, 1);
}

static int newer_event_first(const void *left, const void *right)
{
	const char *a =
	    json_string_value(json_object_get(*(json_t *const *)left, "event_timestamp"));
	const char *b =
	    json_string_value(json_object_get(*(json_t *const *)right, "event_timestamp"));
	return strcmp(b ? b : "", a ? a : "");
}

/* Orders SMS events newest first (ISO 8601 UTC texts sort as times). */
static void sort_events(json_t *list)
{
	size_t count = json_array_size(list);
	json_t **events = count ? malloc(count * sizeof *events) : NULL;
	if (!events)
		return;
	for (size_t i = 0; i < count; i++)
		events[i] = json_incref(json_array_get(list, i));
	qsort(events, count, sizeof *events, newer_event_first);
	json_array_clear(list);
	for (size_t i = 0; i < count; i++)
		json_array_append_new(list, events[i]);
	free(events);
}

void handle_get_sms(struct sim_call *call)
{
	int64_t start, end;
	uint64_t limit;
	char scratch[32];
	if (read_window(call, &start, &end, &limit) != 0)
		return;
	const char *direction = call_param_text(call, "direction", scratch, sizeof scratch);
	if (direction && strcmp(direction, "all") != 0 && strcmp(direction, "received") != 0 &&
	    strcmp(direction, "sent") != 0) {
		call_error(call, 400, "direction: must be one of all, received, sent");
		return;
	}
	if (direction && strcmp(direction, "all") == 0)
		direction = NULL;
	struct store *store = &call->context->store;
	store_lock(store);
	struct device *device = path_device(call);
	json_t *list = device ? json_array() : NULL;
	/* Only VDF devices keep an SMS log; the others have none to show. */
	if (list && device->sms_capable) {
		char name_scratch[32];
		json_t *fields = store_device_json(store, device);
		const char *name =
		    store_device_name(store, device, name_scratch, sizeof name_scratch);
		const char *imsi = json_string_value(json_object_get(fields, "imsi"));
		const char *msisdn = json_string_value(json_object_get(fields, "msisdn"));
		for (int64_t day = end; day >= start; day--) {
			json_t *event = history_sms_event(store->seed, name, imsi ? imsi : "",
			                                  msisdn ? msisdn : "", day);
			const char *type = json_string_value(json_object_get(event, "event_type"));
			if (event && (!direction || (type && strcmp(type, direction) == 0)))
				json_array_append(list, event);
			json_decref(event);
		}
		if (!direction || strcmp(direction, "sent") == 0)
			store_sms_log(store, device, fields, start, end, list);
		json_decref(fields);
	}
	if (list) {
		sort_events(list);
		call_respond(call, 200, list);
	}
	store_unlock(store);
}

/* Cuts text to at most limit characters without splitting a UTF-8 sequence. */
static json_t *truncated_note(const char *text, size_t limit)
{
	size_t bytes = 0, characters = 0;
	while (text[bytes] && characters < limit) {
		bytes++;
		while ((text[bytes] & 0xC0) == 0x80)
			bytes++;
		characters++;
	}
	return json_stringn(text, bytes);
}

void handle_put_note(struct sim_call *call)
{
	char scratch[32], field[32], rule[512];
	const char *field_name_text = call_param_text(call, "field_name", scratch, sizeof scratch);
	const json_t *note = json_object_get(call->params, "note");
	if (!field_name_text ||
	    (strcmp(field_name_text, "note") != 0 && strcmp(field_name_text, "note1") != 0 &&
	     strcmp(field_name_text, "note2") != 0 && strcmp(field_name_text, "note3") != 0)) {
		call_error(call, 400, "field_name: must be one of note, note1, note2, note3");
		return;
	}
	if (!json_is_string(note)) {
		call_error(call, 400, "note: required (a string)");
		return;
	}
	/* The platform truncates long notes rather than refusing them: validate
	 * what will be stored. */
	json_t *stored = truncated_note(json_string_value(note), NOTE_LIMIT);
	json_t *entry = json_pack("{s:s, s:O}", "device_name", call->device_id, "note", stored);
	int invalid =
	    call_validate(call, entry, call->params, field, sizeof field, rule, sizeof rule);
	json_decref(entry);
	if (invalid && strcmp(field, "device_name") != 0) {
		call_error(call, 400, "%s: %s", field, rule);
		json_decref(stored);
		return;
	}
	store_lock(&call->context->store);
	struct device *device = path_device(call);
	if (device) {
		char name[32];
		unsigned which = field_name_text[4] ? (unsigned)(field_name_text[4] - '0') : 0;
		if (store_set_note(&call->context->store, device, which,
		                   json_string_value(stored)) != 0) {
			call_error(call, 500, "out of memory");
		} else {
			call_ledger(
			    call, call->device_id,
			    store_device_name(&call->context->store, device, name, sizeof name));
			call_respond(call, 200, json_pack("{s:s}", call->device_id, "Success"));
		}
	}
	store_unlock(&call->context->store);
	json_decref(stored);
}

void handle_cellular_locate(struct sim_call *call)
{
	store_lock(&call->context->store);
	struct device *device = path_device(call);
	if (device) {
		char answer[128], name[32];
		json_t *fields = store_device_json(&call->context->store, device);
		double latitude = json_number_value(json_object_get(fields, "latitude"));
		double longitude = json_number_value(json_object_get(fields, "longitude"));
		json_decref(fields);
		snprintf(answer, sizeof answer,
		         "Location request accepted: latitude %.4f, longitude %.4f, accuracy 500 m",
		         latitude, longitude);
		call_ledger(call, call->device_id,
		            store_device_name(&call->context->store, device, name, sizeof name));
		call_respond(call, 200, json_pack("{s:s}", call->device_id, answer));
	}
	store_unlock(&call->context->store);
}
