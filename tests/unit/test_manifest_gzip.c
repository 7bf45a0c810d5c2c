/* Unit tests for gzip manifests (detected by magic bytes; truncated,
 * corrupt and concatenated files) and for continuing at a recorded row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/strbuf.h"
#include "manifest/manifest.h"
#include "test_manifest_support.h"

static char *read_file(const char *path, size_t *length)
{
	FILE *file = fopen(path, "rb");
	assert_non_null(file);
	struct strbuf content;
	strbuf_init(&content, 1u << 26);
	char block[65536];
	size_t got = 0;
	while ((got = fread(block, 1, sizeof(block), file)) > 0)
		assert_int_equal(strbuf_append(&content, block, got), STRBUF_OK);
	fclose(file);
	return strbuf_detach(&content, length);
}

/* A CSV of rows that compress poorly, so the gzip file spans several blocks. */
static void build_csv(struct strbuf *content, size_t rows)
{
	strbuf_append_string(content, "iccid,note\n");
	uint64_t seed = 42;
	for (size_t index = 1; index <= rows; index++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		strbuf_appendf(content, "%zu,%016llx%s\n", index, (unsigned long long)seed,
		               index % 7 == 0 ? ",\"x\ny\"" : "");
	}
}

static void gzip_reads_like_plain(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	build_csv(&content, 30000);
	char *plain = fixture_write("lot.csv", content.data, content.length);
	char *gzip = fixture_write_gzip("lot.csv.gz", content.data, content.length);
	char *disguised = fixture_write_gzip("disguised.csv", content.data, content.length);
	struct manifest *manifest = open_manifest(plain, MANIFEST_FORMAT_AUTO, 0);
	char *expected = dump_rows(manifest);
	manifest_close(manifest);
	const char *others[] = {gzip, disguised};
	for (size_t index = 0; index < 2; index++) {
		manifest = open_manifest(others[index], MANIFEST_FORMAT_AUTO, 0);
		char *rows = dump_rows(manifest);
		assert_string_equal(rows, expected);
		free(rows);
		manifest_close(manifest);
	}
	free(expected);
	free(plain);
	free(gzip);
	free(disguised);
	strbuf_release(&content);
}

/* The key table is sized from manifest_estimated_rows before the first row:
 * a gzip file's estimate must be as good as the plain file's (it was 0, and
 * a 10,000,000-row table left to grow lost 8 fingerprint bits). */
static void gzip_rows_are_estimated_like_plain(void **state)
{
	(void)state;
	enum { ROWS = 60000 };
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	build_csv(&content, ROWS);
	char *plain = fixture_write("sized.csv", content.data, content.length);
	char *gzip = fixture_write_gzip("sized.csv.gz", content.data, content.length);
	const char *paths[] = {plain, gzip};
	for (size_t index = 0; index < 2; index++) {
		struct manifest *manifest = open_manifest(paths[index], MANIFEST_FORMAT_AUTO, 0);
		uint64_t estimate = manifest_estimated_rows(manifest);
		/* every seventh row takes two lines, and the estimate counts lines */
		assert_true(estimate >= ROWS);
		assert_true(estimate <= ROWS * 14 / 10);
		manifest_close(manifest);
	}
	free(plain);
	free(gzip);
	strbuf_release(&content);
}

/* A first block that compresses far better than the rest (one row again
 * and again) must not size the table for a thousand times the file. */
static void a_gzip_estimate_is_capped(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	strbuf_append_string(&content, "iccid,note\n");
	for (size_t index = 0; index < 100000; index++)
		strbuf_append_string(&content, "1,aaaaaaaaaaaaaaaa\n"); /* 19 bytes */
	char *gzip = fixture_write_gzip("repeated.csv.gz", content.data, content.length);
	size_t compressed = 0;
	free(read_file(gzip, &compressed));
	struct manifest *manifest = open_manifest(gzip, MANIFEST_FORMAT_AUTO, 0);
	uint64_t estimate = manifest_estimated_rows(manifest);
	assert_true(estimate > 0);
	/* at most 16 times the compressed bytes, in rows of 19 bytes, 5 % over */
	assert_true(estimate <= (uint64_t)compressed * 16 / 19 * 21 / 20 + 17);
	manifest_close(manifest);
	free(gzip);
	strbuf_release(&content);
}

/* Opens path and reads every row: the damage must surface as a file-level
 * error naming the file, at open or while reading. */
static void expect_damage(const char *path, const char *expected)
{
	struct manifest_options options = {.format = MANIFEST_FORMAT_AUTO};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	char *text = NULL;
	if (!manifest) {
		char formatted[1100];
		error_format(&error, formatted, sizeof(formatted));
		text = strdup(formatted);
	} else {
		text = dump_rows_until_error(manifest);
		manifest_close(manifest);
		assert_non_null(strstr(text, "ERROR: "));
	}
	if (!strstr(text, expected) || !strstr(text, path))
		fail_msg("expected '%s' naming %s, got '%.300s'", expected, path,
		         strstr(text, "ERROR") ? strstr(text, "ERROR") : text);
	free(text);
}

static void truncated_and_corrupt_gzip(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	build_csv(&content, 60000);
	char *whole = fixture_write_gzip("whole.csv.gz", content.data, content.length);
	size_t length = 0;
	char *bytes = read_file(whole, &length);
	assert_true(length > 600000);

	char *cut_trailer = fixture_write("trailer.csv.gz", bytes, length - 4);
	expect_damage(cut_trailer, "truncated gzip file");
	char *cut_middle = fixture_write("middle.csv.gz", bytes, length / 2);
	expect_damage(cut_middle, "truncated gzip file");
	char *cut_early = fixture_write("early.csv.gz", bytes, 1000);
	expect_damage(cut_early, "truncated gzip file");

	bytes[length - 6] = (char)(bytes[length - 6] ^ 0x55); /* the CRC-32 */
	char *bad_crc = fixture_write("crc.csv.gz", bytes, length);
	expect_damage(bad_crc, "corrupt gzip file: incorrect data check");
	bytes[length - 6] = (char)(bytes[length - 6] ^ 0x55);

	char *with_junk = malloc(length + 4);
	memcpy(with_junk, bytes, length);
	memcpy(with_junk + length, "junk", 4);
	char *trailing = fixture_write("junk.csv.gz", with_junk, length + 4);
	expect_damage(trailing, "unexpected data after the compressed stream");

	for (size_t index = length / 3; index < length / 3 + 64; index++)
		bytes[index] = (char)0xFF;
	char *smashed = fixture_write("smashed.csv.gz", bytes, length);
	expect_damage(smashed, "corrupt gzip file");

	free(whole);
	free(cut_trailer);
	free(cut_middle);
	free(cut_early);
	free(bad_crc);
	free(trailing);
	free(smashed);
	free(with_junk);
	free(bytes);
	strbuf_release(&content);
}

static void concatenated_gzip_members(void **state)
{
	(void)state;
	const char *first = "imei,note\n1,a\n";
	const char *second = "2,b\n3,c\n";
	char *one = fixture_write_gzip("one.gz", first, strlen(first));
	char *two = fixture_write_gzip("two.gz", second, strlen(second));
	size_t one_length = 0;
	size_t two_length = 0;
	char *one_bytes = read_file(one, &one_length);
	char *two_bytes = read_file(two, &two_length);
	char *both = malloc(one_length + two_length);
	memcpy(both, one_bytes, one_length);
	memcpy(both + one_length, two_bytes, two_length);
	char *path = fixture_write("both.csv.gz", both, one_length + two_length);
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	char *rows = dump_rows(manifest);
	assert_string_equal(rows, "1:2:10:1|a\n2:3:14:2|b\n3:4:18:3|c\n");
	free(rows);
	manifest_close(manifest);
	/* zero padding after the last member, as some tape and block tools write */
	char *padded_bytes = calloc(1, one_length + 4096);
	memcpy(padded_bytes, one_bytes, one_length);
	char *padded = fixture_write("padded.csv.gz", padded_bytes, one_length + 4096);
	manifest = open_manifest(padded, MANIFEST_FORMAT_AUTO, 0);
	rows = dump_rows(manifest);
	assert_string_equal(rows, "1:2:10:1|a\n");
	free(rows);
	manifest_close(manifest);
	free(padded_bytes);
	free(padded);
	free(one);
	free(two);
	free(one_bytes);
	free(two_bytes);
	free(both);
	free(path);
}

/* Reads every row recording its position, then for several rows opens the
 * file afresh, seeks there and checks the rest reads exactly the same. */
static void check_seeking(const char *path)
{
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	size_t capacity = 1024;
	size_t count = 0;
	struct manifest_position *positions = malloc(capacity * sizeof(*positions));
	size_t *dump_offsets = malloc(capacity * sizeof(*dump_offsets));
	char *full = NULL;
	{
		struct strbuf out;
		strbuf_init(&out, 1u << 26);
		struct manifest_row row;
		struct error error;
		error_clear(&error);
		while (manifest_next(manifest, &row, &error) == 1) {
			if (count == capacity) {
				capacity *= 2;
				positions = realloc(positions, capacity * sizeof(*positions));
				dump_offsets =
				    realloc(dump_offsets, capacity * sizeof(*dump_offsets));
			}
			positions[count] =
			    (struct manifest_position){row.offset, row.number, row.line};
			dump_offsets[count] = out.length;
			count++;
			strbuf_appendf(&out, "%llu:%llu:%llu:", (unsigned long long)row.number,
			               (unsigned long long)row.line,
			               (unsigned long long)row.offset);
			for (size_t index = 0; index < row.value_count; index++)
				strbuf_appendf(&out, "%s%s", index ? "|" : "",
				               row.values[index] ? row.values[index] : "~");
			if (row.problem)
				strbuf_appendf(&out, " !%s", row.problem);
			strbuf_append_char(&out, '\n');
		}
		assert_false(error.set);
		full = strbuf_detach(&out, NULL);
	}
	manifest_close(manifest);
	assert_true(count > 100);
	size_t picks[] = {0, 1, 6, 7, count / 3, count / 2 + 3, count - 1};
	for (size_t pick = 0; pick < sizeof(picks) / sizeof(picks[0]); pick++) {
		size_t index = picks[pick];
		manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
		struct error error;
		error_clear(&error);
		if (pick % 2) { /* also seek after reading a little */
			struct manifest_row row;
			assert_int_equal(manifest_next(manifest, &row, &error), 1);
		}
		assert_int_equal(manifest_seek(manifest, &positions[index], &error), 0);
		char *rest = dump_rows(manifest);
		assert_string_equal(rest, full + dump_offsets[index]);
		free(rest);
		manifest_close(manifest);
	}
	manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest_position beyond = {positions[count - 1].offset + 1000000, count + 1, 1};
	struct error error;
	error_clear(&error);
	assert_int_equal(manifest_seek(manifest, &beyond, &error), -1);
	assert_non_null(strstr(error.message, "cannot continue at byte"));
	manifest_close(manifest);
	free(full);
	free(positions);
	free(dump_offsets);
}

static void seek_continues_at_a_recorded_row(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	build_csv(&content, 30000);
	char *plain = fixture_write("seek.csv", content.data, content.length);
	char *gzip = fixture_write_gzip("seek.csv.gz", content.data, content.length);
	check_seeking(plain);
	check_seeking(gzip);
	strbuf_reset(&content);
	for (size_t index = 1; index <= 3000; index++)
		strbuf_appendf(&content, "%s{\"iccid\":89%018zu,\"note\":\"n%zu\"}\n",
		               index % 10 == 0 ? "\n" : "", index, index);
	char *jsonl = fixture_write_gzip("seek.jsonl.gz", content.data, content.length);
	check_seeking(jsonl);
	free(plain);
	free(gzip);
	free(jsonl);
	strbuf_release(&content);
}

static int teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(gzip_reads_like_plain),
	    cmocka_unit_test(truncated_and_corrupt_gzip),
	    cmocka_unit_test(concatenated_gzip_members),
	    cmocka_unit_test(seek_continues_at_a_recorded_row),
	    cmocka_unit_test(gzip_rows_are_estimated_like_plain),
	    cmocka_unit_test(a_gzip_estimate_is_capped),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
