/* Maps the name-keyed status answers ({"change_status"|"status": {name:
 * "Success..."|"Error: ..."}}, and the note endpoint's {name: "Success"}) to
 * one outcome per row. */
#include "ops/response_mappers.h"

#include "ops/response.h"
#include "ops/text.h"

#include <string.h>
#include <strings.h>

/* Sets outcome from one entry of the map: "Success..." is ok, "Error..." an
 * error with the API's text, anything else an error quoting it. */
static void map_entry(const json_t *entry, struct row_outcome *outcome)
{
	struct strbuf text;
	strbuf_init(&text, 2048);
	if (!json_is_string(entry)) {
		strbuf_append_string(&text, "unexpected status ");
		response_value_text(&text, entry);
		outcome_set_text(outcome, ROW_ERROR, strbuf_text(&text), text.length);
		strbuf_release(&text);
		return;
	}
	const char *value = json_string_value(entry);
	while (*value == ' ')
		value++;
	if (strncasecmp(value, "success", 7) == 0) {
		text_quote(&text, value, strlen(value), 400);
		outcome_set_text(outcome, ROW_OK, strbuf_text(&text), text.length);
	} else if (strncasecmp(value, "error", 5) == 0) {
		text_quote(&text, value, strlen(value), 400);
		outcome_set_text(outcome, ROW_ERROR, strbuf_text(&text), text.length);
	} else {
		strbuf_append_string(&text, "unexpected status '");
		text_quote(&text, value, strlen(value), 300);
		strbuf_append_char(&text, '\'');
		outcome_set_text(outcome, ROW_ERROR, strbuf_text(&text), text.length);
	}
	strbuf_release(&text);
}

/* True when key is the device_name of one of the records. */
static bool names_a_record(const char *key, const struct record *const *records, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		const char *name = records[index]->value[FIELD_DEVICE_NAME];
		if (name && strcmp(name, key) == 0)
			return true;
	}
	return false;
}

/* Rows that named their device by id_type (e.g. an ICCID) may be answered
 * under the device's own name: the API text calls the map's keys device_names.
 * Such an answer cannot say which entry is which row, so it maps only when it
 * is unambiguous: exactly as many unmatched entries as unmatched rows, all
 * with the same status. Anything else leaves those rows unknown. */
static void map_renamed_devices(const json_t *map, const struct record *const *records,
                                size_t count, struct row_outcome *outcomes)
{
	size_t renamed = 0;
	for (size_t index = 0; index < count; index++) {
		const char *id_type = records[index]->value[FIELD_ID_TYPE];
		if (outcomes[index].status == ROW_PENDING && id_type && *id_type)
			renamed++;
	}
	if (renamed == 0)
		return;
	const char *key;
	const json_t *value;
	const json_t *shared = NULL;
	size_t strangers = 0;
	json_object_foreach((json_t *)map, key, value)
	{
		if (names_a_record(key, records, count))
			continue;
		if (shared && !json_equal(shared, value))
			return;
		shared = value;
		strangers++;
	}
	if (strangers != renamed)
		return;
	for (size_t index = 0; index < count; index++) {
		const char *id_type = records[index]->value[FIELD_ID_TYPE];
		if (outcomes[index].status == ROW_PENDING && id_type && *id_type)
			map_entry(shared, &outcomes[index]);
	}
}

bool map_device_status_response(const struct op *op, long http_status, const json_t *body,
                                const char *raw, size_t raw_length,
                                const struct record *const *records, size_t count,
                                struct row_outcome *outcomes)
{
	outcomes_reset(outcomes, count);
	bool success = http_status >= 200 && http_status <= 299;
	/* Per-device entries count whatever the status: a 422 (or even a 5xx)
	 * may carry them, and those marked Success were applied. */
	const json_t *map = response_device_map(body, records, count, !success);
	if (!map) {
		if (!success)
			response_http_failure(op, http_status, raw, raw_length, count, outcomes);
		else
			response_unexpected(op, http_status, raw, raw_length,
			                    body ? "no status per device" : "not JSON", count,
			                    outcomes);
		return false;
	}
	for (size_t index = 0; index < count; index++) {
		const json_t *entry = response_device_entry(map, records[index], count);
		if (entry)
			map_entry(entry, &outcomes[index]);
	}
	map_renamed_devices(map, records, count, outcomes);
	outcomes_mark_unmentioned(outcomes, count);
	return true;
}

bool map_locate_response(const struct op *op, long http_status, const json_t *body, const char *raw,
                         size_t raw_length, const struct record *const *records, size_t count,
                         struct row_outcome *outcomes)
{
	outcomes_reset(outcomes, count);
	bool success = http_status >= 200 && http_status <= 299;
	const json_t *map = response_device_map(body, records, count, !success);
	if (!map) {
		if (!success)
			response_http_failure(op, http_status, raw, raw_length, count, outcomes);
		else
			response_unexpected(op, http_status, raw, raw_length,
			                    body ? "no answer for the device" : "not JSON", count,
			                    outcomes);
		return false;
	}
	for (size_t index = 0; index < count; index++) {
		const json_t *entry = response_device_entry(map, records[index], count);
		if (!entry)
			continue;
		/* The carrier's answer is free-form; only an explicit "Error..."
		 * string is read as a refusal (and any entry of a failure answer
		 * that is not a success). */
		if (json_is_string(entry) &&
		    (strncasecmp(json_string_value(entry), "error", 5) == 0 ||
		     (!success && strncasecmp(json_string_value(entry), "success", 7) != 0))) {
			map_entry(entry, &outcomes[index]);
			continue;
		}
		if (!success && !json_is_object(entry)) {
			map_entry(entry, &outcomes[index]);
			continue;
		}
		struct strbuf text;
		strbuf_init(&text, 4096);
		struct strbuf quoted;
		strbuf_init(&quoted, 1024);
		response_value_text(&text, entry);
		text_quote(&quoted, strbuf_text(&text), text.length, 500);
		outcome_set_text(&outcomes[index], ROW_OK, strbuf_text(&quoted), quoted.length);
		strbuf_release(&text);
		strbuf_release(&quoted);
	}
	outcomes_mark_unmentioned(outcomes, count);
	return true;
}
