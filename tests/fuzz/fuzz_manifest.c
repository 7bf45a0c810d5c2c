/* libFuzzer target for the manifest readers and the binding: any bytes, as
 * CSV, JSONL or sniffed, plain or gzip, must give rows or one clean error,
 * never a crash, a leak or unbounded memory. The first input byte picks the
 * format and delimiter; the rest is the file. Built only with clang
 * (-DLATTIGO_FUZZ=ON); run: fuzz_manifest -max_total_time=60 [CORPUS_DIR]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/binding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_path[64];

static int write_input(const uint8_t *data, size_t size)
{
	if (!fuzz_path[0]) {
		snprintf(fuzz_path, sizeof(fuzz_path), "/tmp/fuzz-manifest-%ld", (long)getpid());
	}
	FILE *file = fopen(fuzz_path, "wb");
	if (!file)
		return -1;
	size_t written = fwrite(data, 1, size, file);
	fclose(file);
	return written == size ? 0 : -1;
}

static void read_everything(struct manifest *manifest, struct binding *binding)
{
	struct manifest_row row;
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 4096);
	struct error error;
	error_clear(&error);
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || write_input(data + 1, size - 1) < 0)
		return 0;
	static const char delimiters[] = {0, ',', ';', '\t', '|'};
	struct manifest_options options = {
	    .format = (enum manifest_format)(data[0] % 3),
	    .delimiter = delimiters[(data[0] / 3) % sizeof(delimiters)],
	};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(fuzz_path, &options, &error);
	if (!manifest)
		return 0;
	const struct op *op = op_find("activate");
	struct field_assignment map = {"imei", "IMEI No."};
	struct binding *binding =
	    op ? binding_new(op, manifest, &map, data[0] & 0x80 ? 1 : 0, NULL, 0, &error) : NULL;
	read_everything(manifest, binding);
	if (binding)
		binding_unused_note(binding, manifest);
	binding_free(binding);
	manifest_close(manifest);
	return 0;
}
