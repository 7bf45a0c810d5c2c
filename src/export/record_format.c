/* Records to CSV / JSONL text, through the project's one CSV writer. */
#include "export/record_format.h"

#include <stdlib.h>
#include <string.h>

#include "common/csv_writer.h"

/* 15 significant digits print 36.6079, not the 36.607900000000001 a double
 * round-trip needs: what the API sent, as a person reads it. */
#define RECORD_REAL_PRECISION JSON_REAL_PRECISION(15)

/* The columns: the endpoint's fields, or only the name column. */
static void columns(const struct record_format *format, const char *const **fields, size_t *count)
{
	if (format->names_only && format->endpoint->scalar_field) {
		*fields = &format->endpoint->scalar_field;
		*count = 1;
	} else {
		*fields = format->endpoint->fields;
		*count = format->endpoint->field_count;
	}
}

void record_format_header(FILE *stream, const struct record_format *format)
{
	if (format->jsonl)
		return;
	struct csv_writer csv;
	csv_writer_init(&csv, stream);
	const char *const *fields;
	size_t count;
	columns(format, &fields, &count);
	if (format->endpoint->per_device)
		csv_writer_cell_raw(&csv, "requested_device");
	for (size_t index = 0; index < count; index++)
		csv_writer_cell_raw(&csv, fields[index]);
	csv_writer_end_line(&csv);
}

static void write_cell(struct csv_writer *csv, const json_t *value)
{
	if (!value || json_is_null(value)) {
		csv_writer_cell(csv, NULL);
	} else if (json_is_string(value)) {
		csv_writer_cell(csv, json_string_value(value));
	} else {
		char *text =
		    json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | RECORD_REAL_PRECISION);
		csv_writer_cell(csv, text ? text : "");
		free(text);
	}
}

static int write_jsonl(FILE *stream, const struct read_endpoint *endpoint, const json_t *item,
                       const char *device)
{
	json_t *copy = json_is_object(item) ? json_copy((json_t *)item) : json_object();
	if (!copy)
		return -1;
	if (!json_is_object(item))
		json_object_set(copy, endpoint->scalar_field ? endpoint->scalar_field : "value",
		                (json_t *)item);
	if (device)
		json_object_set_new(copy, "requested_device", json_string(device));
	int result = json_dumpf(copy, stream, JSON_COMPACT | RECORD_REAL_PRECISION);
	json_decref(copy);
	fputc('\n', stream);
	return result;
}

int record_format_write(FILE *stream, const struct record_format *format, const json_t *item,
                        const char *device)
{
	const struct read_endpoint *endpoint = format->endpoint;
	if (format->jsonl)
		return write_jsonl(stream, endpoint, item, device);
	struct csv_writer csv;
	csv_writer_init(&csv, stream);
	if (device)
		csv_writer_cell(&csv, device);
	const char *const *fields;
	size_t count;
	columns(format, &fields, &count);
	for (size_t index = 0; index < count; index++) {
		const char *field = fields[index];
		const json_t *value = NULL;
		if (json_is_object(item))
			value = json_object_get(item, field);
		else if (endpoint->scalar_field && strcmp(field, endpoint->scalar_field) == 0)
			value = item;
		write_cell(&csv, value);
	}
	csv_writer_end_line(&csv);
	return 0;
}
