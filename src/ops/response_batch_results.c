/* Maps the answers of activation_request and upload_request: 200 or 422 with
 * processed[] (matched to rows by their identifiers) and unprocessed[]
 * (row = device_index, error = a JSON-encoded hash of arrays). */
#include "ops/response_mappers.h"

#include "ops/response.h"
#include "ops/text.h"

#include <stdlib.h>
#include <string.h>

static void flatten_error(const json_t *error, struct strbuf *out, int depth);

/* "a, b" for an array, the text of a string, compact JSON otherwise. */
static void flatten_list(const json_t *value, struct strbuf *out, int depth)
{
	if (json_is_array(value)) {
		size_t index;
		const json_t *item;
		json_array_foreach(value, index, item)
		{
			if (index)
				strbuf_append_string(out, ", ");
			flatten_list(item, out, depth + 1);
		}
		return;
	}
	if (json_is_object(value) && depth < 4) {
		flatten_error(value, out, depth + 1);
		return;
	}
	response_value_text(out, value);
}

/* {"iccid":["has already been taken"],"imei":["is invalid"]} becomes
 * "iccid: has already been taken; imei: is invalid". A string is decoded
 * first when it holds JSON (the API text says the error is JSON-encoded). */
static void flatten_error(const json_t *error, struct strbuf *out, int depth)
{
	if (json_is_string(error)) {
		json_t *decoded = json_loadb(json_string_value(error), json_string_length(error),
		                             JSON_DECODE_ANY, NULL);
		if (decoded && (json_is_object(decoded) || json_is_array(decoded)) && depth < 4)
			flatten_error(decoded, out, depth + 1);
		else
			strbuf_append(out, json_string_value(error), json_string_length(error));
		json_decref(decoded);
		return;
	}
	if (json_is_object(error)) {
		const char *key;
		const json_t *value;
		bool first = true;
		json_object_foreach((json_t *)error, key, value)
		{
			strbuf_appendf(out, "%s%s: ", first ? "" : "; ", key);
			flatten_list(value, out, depth);
			first = false;
		}
		return;
	}
	flatten_list(error, out, depth);
}

/* Returns device_index as a row position, accepting "1" as well as 1; -1 when absent or out of
 * range. */
static long long entry_index(const json_t *entry, size_t count)
{
	const json_t *index = json_object_get(entry, "device_index");
	long long value = -1;
	if (json_is_integer(index)) {
		value = json_integer_value(index);
	} else if (json_is_string(index) && text_all_digits(json_string_value(index)) &&
	           json_string_length(index) < 10) {
		value = strtoll(json_string_value(index), NULL, 10);
	}
	return value >= 0 && (size_t)value < count ? value : -1;
}

/* The fields that identify a row in processed[] or unprocessed[].input:
 * the op's key field, then the IMEI when the op carries one. */
static size_t match_fields(const struct op *op, enum field_id fields[2])
{
	size_t count = 0;
	fields[count++] = op->key_field;
	if (op->key_field != FIELD_IMEI && op_field_find(op, FIELD_IMEI))
		fields[count++] = FIELD_IMEI;
	return count;
}

/* Returns the pending row whose identifier equals one the entry carries, -1
 * when none does, or -2 when the entry carries no identifier at all. */
static long long find_row(const struct op *op, const json_t *entry,
                          const struct record *const *records, size_t count,
                          const struct row_outcome *outcomes)
{
	enum field_id fields[2];
	size_t field_count = match_fields(op, fields);
	bool carried = false;
	for (size_t field = 0; field < field_count; field++) {
		const json_t *value = json_object_get(entry, field_name(fields[field]));
		if (!json_is_string(value) || json_string_length(value) == 0)
			continue;
		carried = true;
		for (size_t index = 0; index < count; index++) {
			const char *mine = records[index]->value[fields[field]];
			if (outcomes[index].status == ROW_PENDING && mine &&
			    strcmp(mine, json_string_value(value)) == 0)
				return (long long)index;
		}
	}
	return carried ? -1 : -2;
}

static void map_unprocessed(const struct op *op, const json_t *list,
                            const struct record *const *records, size_t count,
                            struct row_outcome *outcomes)
{
	size_t position;
	const json_t *entry;
	json_array_foreach(list, position, entry)
	{
		if (!json_is_object(entry))
			continue;
		long long row = entry_index(entry, count);
		if (row < 0) {
			const json_t *input = json_object_get(entry, "input");
			row = json_is_object(input) ? find_row(op, input, records, count, outcomes)
			                            : -1;
		}
		if (row < 0)
			continue;
		struct strbuf text;
		strbuf_init(&text, 4096);
		struct strbuf quoted;
		strbuf_init(&quoted, 1024);
		const json_t *error = json_object_get(entry, "error");
		if (error && !json_is_null(error))
			flatten_error(error, &text, 0);
		if (text.length == 0)
			strbuf_append_string(&text, "refused by the API (no error text)");
		text_quote(&quoted, strbuf_text(&text), text.length, 500);
		outcome_set_text(&outcomes[row], ROW_ERROR, strbuf_text(&quoted), quoted.length);
		strbuf_release(&text);
		strbuf_release(&quoted);
	}
}

static void map_processed(const struct op *op, const json_t *list,
                          const struct record *const *records, size_t count,
                          struct row_outcome *outcomes)
{
	size_t position;
	const json_t *entry;
	size_t next_in_order = 0;
	json_array_foreach(list, position, entry)
	{
		long long row =
		    json_is_object(entry) ? find_row(op, entry, records, count, outcomes) : -2;
		if (row == -2) {
			/* An entry without identifiers stands for the next row in order. */
			while (next_in_order < count &&
			       outcomes[next_in_order].status != ROW_PENDING)
				next_in_order++;
			row = next_in_order < count ? (long long)next_in_order : -1;
		}
		if (row >= 0)
			outcome_set(&outcomes[row], ROW_OK, "processed");
	}
}

/* A 2xx answer without processed/unprocessed lists. */
static void map_plain_success(const struct op *op, long http_status, const json_t *body,
                              const char *raw, size_t raw_length, size_t count,
                              struct row_outcome *outcomes)
{
	bool blank = true;
	for (size_t index = 0; index < raw_length && blank; index++)
		blank = raw[index] == ' ' || raw[index] == '\t' || raw[index] == '\r' ||
		        raw[index] == '\n';
	/* The API text: 200 means "the request was accepted and will be worked
	 * on". An empty body, or an object that reports no error, says just that.
	 * Anything else (HTML from a proxy, an error object) proves nothing. */
	bool accepted = blank || (json_is_object(body) && !json_object_get(body, "error") &&
	                          !json_object_get(body, "errors"));
	if (!accepted) {
		response_unexpected(op, http_status, raw, raw_length,
		                    body ? "no processed/unprocessed lists" : "not JSON", count,
		                    outcomes);
		return;
	}
	for (size_t index = 0; index < count; index++)
		outcome_set(&outcomes[index], ROW_OK, "accepted (HTTP %ld without per-row results)",
		            http_status);
}

bool map_batch_results_response(const struct op *op, long http_status, const json_t *body,
                                const char *raw, size_t raw_length,
                                const struct record *const *records, size_t count,
                                struct row_outcome *outcomes)
{
	outcomes_reset(outcomes, count);
	bool success = http_status >= 200 && http_status <= 299;
	/* processed/unprocessed count whatever the status: the API text answers
	 * a partial success with 422, and any other status may carry them too. */
	const json_t *processed = json_object_get(body, "processed");
	const json_t *unprocessed = json_object_get(body, "unprocessed");
	if (json_is_array(processed) || json_is_array(unprocessed)) {
		if (json_is_array(unprocessed))
			map_unprocessed(op, unprocessed, records, count, outcomes);
		if (json_is_array(processed))
			map_processed(op, processed, records, count, outcomes);
		outcomes_mark_unmentioned(outcomes, count);
		return true;
	}
	if (!success) {
		response_http_failure(op, http_status, raw, raw_length, count, outcomes);
		return false;
	}
	map_plain_success(op, http_status, body, raw, raw_length, count, outcomes);
	return false;
}
