/* Shared by the manifest fuzz targets (fuzz_manifest, fuzz_xlsx): an opened
 * manifest bound to an operation and read to its end, then again from its
 * second row as a resume does. Defined here, static: each target is one
 * program that links only the libraries it fuzzes. */
#ifndef LATTIGO_FUZZ_MANIFEST_READ_H
#define LATTIGO_FUZZ_MANIFEST_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "manifest/binding.h"

/* Reads every row of manifest (at most 100,000, then 100,000 more from the
 * second row), each bound to activate (--map imei='IMEI No.' when map_imei),
 * then closes it. */
static void fuzz_read_bound(struct manifest *manifest, bool map_imei)
{
	struct error error;
	error_clear(&error);
	const struct op *op = op_find("activate");
	struct field_assignment map = {"imei", "IMEI No."};
	struct binding *binding =
	    op ? binding_new(op, manifest, &map, map_imei ? 1 : 0, NULL, 0, &error) : NULL;
	struct manifest_row row;
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 4096);
	struct manifest_position middle = {0, 0, 0};
	uint64_t count = 0;
	while (manifest_next(manifest, &row, &error) == 1) {
		if (++count == 2)
			middle = (struct manifest_position){row.offset, row.number, row.line};
		strbuf_reset(&problem);
		if (binding)
			binding_apply(binding, &row, &record, &problem);
		if (count > 100000)
			break;
	}
	if (middle.row && manifest_seek(manifest, &middle, &error) == 0)
		while (manifest_next(manifest, &row, &error) == 1 && ++count < 200000)
			;
	strbuf_release(&problem);
	if (binding)
		binding_unused_note(binding, manifest);
	binding_free(binding);
	manifest_close(manifest);
}

#endif
