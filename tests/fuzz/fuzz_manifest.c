/* libFuzzer target for the manifest readers and the binding: any bytes, as
 * CSV, JSONL or sniffed, plain or gzip, must give rows or one clean error,
 * never a crash, a leak or unbounded memory. The first input byte picks the
 * format and delimiter; the rest is the file. The file is also read with the
 * readers' fast paths off (CSV: plain lines; JSONL: flat objects): the rows,
 * kinds, problems and errors must be the same, byte for byte (else abort). Built only with clang
 * (-DLATTIGO_FUZZ=ON); run: fuzz_manifest -max_total_time=60 [CORPUS_DIR]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_manifest_read.h"
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

/* Appends every row of manifest (values, line, offset, problem) to out, then
 * the error that ended the reading, if any. */
static void dump_rows(struct manifest *manifest, struct strbuf *out)
{
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	int result;
	uint64_t count = 0;
	while ((result = manifest_next(manifest, &row, &error)) == 1 && ++count < 100000) {
		strbuf_appendf(out, "%llu:%llu:%llu:", (unsigned long long)row.number,
		               (unsigned long long)row.line, (unsigned long long)row.offset);
		for (size_t index = 0; index < row.value_count; index++) {
			const char *value = row.values[index];
			/* lengths keep "a|b" + "c" apart from "a" + "b|c" */
			strbuf_appendf(out, "%d:", (int)manifest_value_kind(manifest, index));
			if (value)
				strbuf_appendf(out, "%zu:%s|", strlen(value), value);
			else
				strbuf_append_string(out, "~|");
			/* the lengths a reader gives must be the values' own */
			if (row.lengths && row.lengths[index] != (value ? strlen(value) : 0))
				abort();
		}
		strbuf_appendf(out, "!%s\n", row.problem ? row.problem : "");
	}
	if (result < 0)
		strbuf_appendf(out, "ERROR: %s line %llu\n", error.message,
		               (unsigned long long)error.line);
}

/* The reader's fast path against libcsv or jansson alone on the same file. */
static void compare_paths(const struct manifest_options *options)
{
	struct strbuf dumps[2];
	for (int slow = 0; slow < 2; slow++) {
		strbuf_init(&dumps[slow], 1u << 28);
		struct error error;
		error_clear(&error);
		struct manifest *manifest = manifest_open(fuzz_path, options, &error);
		if (!manifest) {
			strbuf_appendf(&dumps[slow], "OPEN: %s\n", error.message);
			continue;
		}
		if (slow)
			manifest_no_fast_paths(manifest);
		dump_rows(manifest, &dumps[slow]);
		manifest_close(manifest);
	}
	/* an empty dump has no buffer at all: memcmp must not see its NULL */
	if (dumps[0].length != dumps[1].length ||
	    (dumps[0].length && memcmp(dumps[0].data, dumps[1].data, dumps[0].length) != 0)) {
		fprintf(stderr,
		        "fast path and slow path differ:\n--- fast\n%.2000s\n--- slow\n%.2000s\n",
		        strbuf_text(&dumps[0]), strbuf_text(&dumps[1]));
		abort();
	}
	strbuf_release(&dumps[0]);
	strbuf_release(&dumps[1]);
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
	if (manifest_format(manifest) != MANIFEST_FORMAT_XLSX)
		compare_paths(&options);
	fuzz_read_bound(manifest, data[0] & 0x80);
	return 0;
}
