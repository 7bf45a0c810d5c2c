/* Fixture files and row dumps for the manifest reader tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/strbuf.h"
#include "test_manifest_support.h"

#define MAX_FIXTURES 64

static char fixture_folder[256];
static char *fixtures[MAX_FIXTURES];
static size_t fixture_count;

static char *fixture_path(const char *name)
{
	if (!fixture_folder[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(fixture_folder, sizeof(fixture_folder), "%s/manifest-test-XXXXXX",
		         base && *base ? base : "/tmp");
		assert_non_null(mkdtemp(fixture_folder));
	}
	size_t size = strlen(fixture_folder) + strlen(name) + 2;
	char *path = malloc(size);
	assert_non_null(path);
	snprintf(path, size, "%s/%s", fixture_folder, name);
	assert_true(fixture_count < MAX_FIXTURES);
	fixtures[fixture_count++] = strdup(path);
	return path;
}

char *fixture_write(const char *name, const void *data, size_t length)
{
	char *path = fixture_path(name);
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(data, 1, length, file), length);
	assert_int_equal(fclose(file), 0);
	return path;
}

char *fixture_write_gzip(const char *name, const void *data, size_t length)
{
	z_stream stream;
	memset(&stream, 0, sizeof(stream));
	assert_int_equal(
	    deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t capacity = deflateBound(&stream, (uLong)length);
	unsigned char *compressed = malloc(capacity);
	assert_non_null(compressed);
	stream.next_in = (Bytef *)(uintptr_t)data;
	stream.avail_in = (uInt)length;
	stream.next_out = compressed;
	stream.avail_out = (uInt)capacity;
	assert_int_equal(deflate(&stream, Z_FINISH), Z_STREAM_END);
	size_t compressed_length = capacity - stream.avail_out;
	deflateEnd(&stream);
	char *path = fixture_write(name, compressed, compressed_length);
	free(compressed);
	return path;
}

void fixture_cleanup(void)
{
	for (size_t index = 0; index < fixture_count; index++) {
		unlink(fixtures[index]);
		free(fixtures[index]);
	}
	fixture_count = 0;
	if (fixture_folder[0])
		rmdir(fixture_folder);
	fixture_folder[0] = '\0';
}

struct manifest *open_manifest(const char *path, enum manifest_format format, char delimiter)
{
	struct manifest_options options = {.format = format, .delimiter = delimiter};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	if (!manifest) {
		char text[1100];
		error_format(&error, text, sizeof(text));
		fail_msg("cannot open %s: %s", path, text);
	}
	return manifest;
}

char *open_error(const char *path, enum manifest_format format)
{
	struct manifest_options options = {.format = format};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	if (manifest) {
		manifest_close(manifest);
		fail_msg("expected an error opening %s", path);
	}
	assert_true(error.set);
	char text[1100];
	error_format(&error, text, sizeof(text));
	return strdup(text);
}

static char *dump(struct manifest *manifest, bool errors_allowed)
{
	struct strbuf out;
	strbuf_init(&out, 1u << 26);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	int result = 0;
	while ((result = manifest_next(manifest, &row, &error)) == 1) {
		strbuf_appendf(&out, "%llu:%llu:%llu:", (unsigned long long)row.number,
		               (unsigned long long)row.line, (unsigned long long)row.offset);
		for (size_t index = 0; index < row.value_count; index++) {
			strbuf_appendf(&out, "%s%s", index ? "|" : "",
			               row.values[index] ? row.values[index] : "~");
			/* the lengths a reader gives must be the values' own */
			if (row.lengths)
				assert_int_equal(row.lengths[index],
				                 row.values[index] ? strlen(row.values[index]) : 0);
		}
		if (row.problem)
			strbuf_appendf(&out, " !%s", row.problem);
		strbuf_append_char(&out, '\n');
	}
	if (result < 0) {
		char text[1100];
		error_format(&error, text, sizeof(text));
		if (!errors_allowed)
			fail_msg("file-level error: %s", text);
		strbuf_appendf(&out, "ERROR: %s\n", text);
	}
	return strbuf_detach(&out, NULL);
}

char *dump_rows(struct manifest *manifest)
{
	return dump(manifest, false);
}

char *dump_rows_until_error(struct manifest *manifest)
{
	return dump(manifest, true);
}
