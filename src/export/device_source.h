/* The devices of a per-device export, one per manifest row: the device
 * column found the way `run` finds columns (header names, --map, --set,
 * id_type), each row checked before it is read.
 * Ownership: a device_source owns the manifest and binding; a device_row
 * owns its strings (device_row_release). */
#ifndef LATTIGO_DEVICE_SOURCE_H
#define LATTIGO_DEVICE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"

struct device_source {
	struct manifest *manifest;
	struct binding *binding;
};

struct device_row {
	uint64_t row;  /* manifest row number */
	uint64_t line; /* physical line where the row starts */
	char *device;  /* the device_name value (or the id named by id_type) */
	char *id_type; /* NULL: device_name */
	char **values; /* the row's own cells, for errors.csv */
	size_t value_count;
	char *problem; /* why the row cannot be read (never sent), or NULL */
};

/* The pseudo-operation whose fields a per-device export binds: device_name
 * (required) and id_type. */
extern const struct op export_device_op;

/* Opens the manifest and binds its columns. Returns 0, or -1 with error
 * (e.g. "header has no column for required field device_name (columns: …;
 * use --map device_name=COLUMN)"). */
int device_source_open(struct device_source *source, const char *path,
                       const struct field_assignment *maps, size_t map_count,
                       const struct field_assignment *sets, size_t set_count, struct error *error);
/* Reads the next row into row: 1 read, 0 end, -1 a file-level error. */
int device_source_next(struct device_source *source, struct device_row *row, struct error *error);
/* Frees what a device_row holds. */
void device_row_release(struct device_row *row);
/* Closes the manifest. Safe on a source that failed to open. */
void device_source_close(struct device_source *source);

#endif
