/* Manifest rows to devices, through the same binding and validators as `run`. */
#include "export/device_source.h"

#include <stdlib.h>
#include <string.h>

#include "ops/validate.h"
#include "ops/validators.h"

static const struct op_field device_fields[] = {
    {FIELD_DEVICE_NAME, OP_FIELD_REQUIRED, validate_device_name},
    {FIELD_ID_TYPE, 0, validate_id_type},
};

const struct op export_device_op = {
    .name = "export",
    .method = "GET",
    .path = "v2/devices/{device_name}",
    .summary = "read each device of the manifest",
    .fields = device_fields,
    .field_count = sizeof(device_fields) / sizeof(device_fields[0]),
    .key_field = FIELD_DEVICE_NAME,
    .unique_keys = NULL,
    .unique_key_count = 0,
    .flags = OP_PER_ROW,
    .check_record = NULL,
    .build_request = NULL,
    .map_response = NULL,
};

int device_source_open(struct device_source *source, const char *path,
                       const struct field_assignment *maps, size_t map_count,
                       const struct field_assignment *sets, size_t set_count, struct error *error)
{
	memset(source, 0, sizeof(*source));
	struct manifest_options options = {.format = MANIFEST_FORMAT_AUTO};
	source->manifest = manifest_open(path, &options, error);
	if (!source->manifest)
		return -1;
	source->binding = binding_new(&export_device_op, source->manifest, maps, map_count, sets,
	                              set_count, error);
	return source->binding ? 0 : -1;
}

static char *copy_or_null(const char *text)
{
	return text ? strdup(text) : NULL;
}

int device_source_next(struct device_source *source, struct device_row *row, struct error *error)
{
	memset(row, 0, sizeof(*row));
	struct manifest_row manifest_row;
	int next = manifest_next(source->manifest, &manifest_row, error);
	if (next != 1)
		return next;
	row->row = manifest_row.number;
	row->line = manifest_row.line;
	row->value_count = manifest_row.value_count;
	row->values = row->value_count ? calloc(row->value_count, sizeof(char *)) : NULL;
	if (row->value_count && !row->values)
		return error_set(error, "out of memory");
	for (size_t index = 0; index < row->value_count; index++)
		row->values[index] = copy_or_null(manifest_row.values[index]);
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = manifest_row.number;
	record.line = manifest_row.line;
	struct strbuf problem, rule;
	strbuf_init(&problem, 1024);
	strbuf_init(&rule, 1024);
	if (binding_apply(source->binding, &manifest_row, &record, &problem) == 0 &&
	    op_validate_record(&export_device_op, &record, NULL, &(struct validation_options){0},
	                       &problem, &rule) == 0) {
		row->device = copy_or_null(record.value[FIELD_DEVICE_NAME]);
		row->id_type = copy_or_null(record.value[FIELD_ID_TYPE]);
	} else {
		row->problem =
		    strdup(problem.length ? strbuf_text(&problem) : "row cannot be read");
	}
	strbuf_release(&problem);
	strbuf_release(&rule);
	if (!row->device && !row->problem)
		return error_set(error, "out of memory");
	return 1;
}

void device_row_release(struct device_row *row)
{
	free(row->device);
	free(row->id_type);
	for (size_t index = 0; index < row->value_count; index++)
		free(row->values[index]);
	free(row->values);
	free(row->problem);
	memset(row, 0, sizeof(*row));
}

void device_source_close(struct device_source *source)
{
	binding_free(source->binding);
	manifest_close(source->manifest);
	source->binding = NULL;
	source->manifest = NULL;
}
