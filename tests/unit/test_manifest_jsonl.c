/* Unit tests for the JSONL reader: blank lines, lines that are not objects,
 * nested values, exact big numbers, line caps, and row numbers identical to
 * the CSV reader's for the same rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "manifest/manifest.h"
#include "test_manifest_support.h"

static char *read_all(const char *name, const char *content)
{
	char *path = fixture_write(name, content, strlen(content));
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	assert_int_equal(manifest_format(manifest), MANIFEST_FORMAT_JSONL);
	char *rows = dump_rows(manifest);
	manifest_close(manifest);
	free(path);
	return rows;
}

static void objects_blank_lines_and_bad_lines(void **state)
{
	(void)state;
	char *rows =
	    read_all("rows.jsonl",
	             "{\"imei\":\"490154203237518\",\"iccid\":89014103211118510720,\"kb\":1024}\n"
	             "\n"
	             "  \r\n"
	             "{\"iccid\":8.9E+19,\"imei\":null,\"extra\":true,\"neg\":-5,\"f\":false}\r\n"
	             "[1,2]\n"
	             "\"text\"\n"
	             "{\"imei\": {\"a\":1}}\n"
	             "{bad json\n"
	             "{\"a\":\"x\",\"a\":\"y\"}\n"
	             "{\"note\":\"1,2 \\\"3\\\" 45\"}");
	assert_string_equal(rows,
	                    "1:1:0:490154203237518|89014103211118510720|1024\n"
	                    "2:4:71:~|8.9E+19|~|true|-5|false\n"
	                    "3:5:134:~|~|~|~|~|~ !not a JSON object (the line holds an array)\n"
	                    "4:6:140:~|~|~|~|~|~ !not a JSON object (the line holds a string)\n"
	                    "5:7:147:{\"a\":\"1\"}|~|~|~|~|~\n"
	                    "6:8:165:~|~|~|~|~|~ !invalid JSON: string or '}' expected near 'bad'\n"
	                    "7:9:175:~|~|~|~|~|~ !invalid JSON: duplicate object key near '\"a\"'\n"
	                    "8:10:193:~|~|~|~|~|~|1,2 \"3\" 45\n");
	free(rows);
}

static void numbers_keep_every_digit(void **state)
{
	(void)state;
	char *rows = read_all("numbers.ndjson",
	                      "{\"a\": 89014103211118510720, \"b\":-0.000000000000000000001,"
	                      "\"c\":1e400,\"d\":007,\"e\":\"12\",\"f\" : 4.50}\n"
	                      "{\"a\":[1,99999999999999999999999]}\n"
	                      "42\n");
	assert_string_equal(rows,
	                    "1:1:0:89014103211118510720|-0.000000000000000000001|1e400|007|"
	                    "12|4.50\n"
	                    "2:2:96:[\"1\",\"99999999999999999999999\"]|~|~|~|~|~\n"
	                    "3:3:130:~|~|~|~|~|~ !not a JSON object (the line holds a number)\n");
	free(rows);
}

static void deep_nesting_is_a_row_problem(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 20);
	strbuf_append_string(&content, "{\"a\":");
	for (size_t index = 0; index < 100000; index++)
		strbuf_append_char(&content, '[');
	strbuf_append_string(&content, "\n{\"a\":[[[\"x\"]]]}\n");
	for (size_t index = 0; index < 50000; index++)
		strbuf_append_string(&content, "{\"a\":");
	strbuf_append_string(&content, "\n{\"a\":\"ok\"}\n");
	char *rows = read_all("deep.jsonl", content.data);
	char expected[512];
	/* the first row comes before any column exists: its dump has no values */
	snprintf(expected, sizeof(expected),
	         "1:1:0: !invalid JSON: nested deeper than 32 levels\n"
	         "2:2:100006:[[[\"x\"]]]\n"
	         "3:3:100022:~ !invalid JSON: nested deeper than 32 levels\n"
	         "4:4:%zu:ok\n",
	         content.length - 11);
	assert_string_equal(rows, expected);
	free(rows);
	strbuf_release(&content);
}

static void long_lines_are_rejected_and_skipped(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 23);
	strbuf_append_string(&content, "{\"note\":\"");
	for (size_t index = 0; index < 3u * 1024u * 1024u; index++)
		strbuf_append_char(&content, 'n');
	strbuf_append_string(&content, "\"}\n");
	size_t second = content.length;
	strbuf_append_string(&content, "{\"note\":\"short\"}\n");
	char *path = fixture_write("long.jsonl", content.data, content.length);
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	char *rows = dump_rows(manifest);
	char expected[256];
	snprintf(expected, sizeof(expected),
	         "1:1:0: !line longer than 1048576 bytes\n"
	         "2:2:%zu:short\n",
	         second);
	assert_string_equal(rows, expected);
	free(rows);
	manifest_close(manifest);
	free(path);
	strbuf_release(&content);
}

/* The same rows as CSV (with a quoted line break and blank lines) and as
 * JSONL get the same row numbers and values; each offset is where its row
 * starts in its own file. */
static void csv_and_jsonl_number_rows_alike(void **state)
{
	(void)state;
	const char *csv = "imei,note\r\n"
	                  "\r\n"
	                  "490154203237518,\"two\nlines\"\r\n"
	                  "353879234252633,plain\r\n"
	                  "\r\n"
	                  "\r\n"
	                  "356938035643809,\"a, b\"\r\n";
	const char *jsonl = "\n"
	                    "{\"imei\":\"490154203237518\",\"note\":\"two\\nlines\"}\n"
	                    "{\"imei\":353879234252633,\"note\":\"plain\"}\n"
	                    "{\"imei\":\"356938035643809\",\"note\":\"a, b\"}\n"
	                    "\n";
	char *csv_path = fixture_write("same.csv", csv, strlen(csv));
	char *jsonl_path = fixture_write("same.jsonl", jsonl, strlen(jsonl));
	struct manifest *from_csv = open_manifest(csv_path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest *from_jsonl = open_manifest(jsonl_path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest_row csv_row;
	struct manifest_row jsonl_row;
	struct error error;
	error_clear(&error);
	uint64_t count = 0;
	for (;;) {
		int csv_result = manifest_next(from_csv, &csv_row, &error);
		int jsonl_result = manifest_next(from_jsonl, &jsonl_row, &error);
		assert_int_equal(csv_result, jsonl_result);
		if (csv_result != 1)
			break;
		count++;
		assert_int_equal(csv_row.number, count);
		assert_int_equal(jsonl_row.number, count);
		assert_null(csv_row.problem);
		assert_null(jsonl_row.problem);
		for (size_t column = 0; column < 2; column++)
			assert_string_equal(csv_row.values[column], jsonl_row.values[column]);
		assert_memory_equal(csv + csv_row.offset, csv_row.values[0], 15);
		assert_memory_equal(jsonl + jsonl_row.offset, "{\"imei\":", 8);
	}
	assert_false(error.set);
	assert_int_equal(count, 3);
	manifest_close(from_csv);
	manifest_close(from_jsonl);
	free(csv_path);
	free(jsonl_path);
}

/* Messages quoting a hostile key are shortened, never lost. */
static void long_keys_keep_their_problem(void **state)
{
	(void)state;
	char key[201];
	memset(key, 'k', 200);
	key[200] = '\0';
	char content[1024];
	snprintf(content, sizeof(content), "{\"%s\":{\"a\":1}}\n{\"%s%s\":\"v\"}\n", key, key, key);
	char *path = fixture_write("keys.jsonl", content, strlen(content));
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	/* an object value is the binding's to judge (only in a key the op uses) */
	assert_int_equal(manifest_next(manifest, &row, &error), 1);
	assert_null(row.problem);
	assert_int_equal(manifest_value_kind(manifest, 0), MANIFEST_VALUE_OBJECT);
	assert_string_equal(row.values[0], "{\"a\":\"1\"}");
	assert_int_equal(manifest_next(manifest, &row, &error), 1);
	assert_non_null(row.problem);
	assert_non_null(strstr(row.problem, "longer than 256 bytes"));
	manifest_close(manifest);
	free(path);
}

static void empty_jsonl_is_refused(void **state)
{
	(void)state;
	char *path = fixture_write("empty.jsonl", "\n\n", 2);
	char *message = open_error(path, MANIFEST_FORMAT_AUTO);
	assert_non_null(strstr(message, "only blank lines"));
	free(message);
	free(path);
}

static int teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

/* A small deterministic generator for the differential test. */
static uint64_t next_random(uint64_t *seed)
{
	*seed = *seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *seed >> 33;
}

/* Appends one random line: mostly flat objects the fast path takes, with
 * pieces only jansson may judge (nesting, bad escapes, \u0000, lone
 * surrogates, the number mark, raw UTF-8 and control bytes, repeated keys,
 * syntax errors), then a line end. */
static void random_json_line(struct strbuf *content, uint64_t *seed)
{
	static const char *const keys[] = {"imei", "iccid",    "note",        "IMEI",
	                                   "",     "k\\u0041", "region code", "n\xc3\xa9"};
	static const char *const values[] = {
	    "\"490154203237518\"", "89014103211118510720", "\"a, \\\"b\\\" c\"", "-0.5e+3", "true",
	    "false", "null", "007", "\"\"", "\"\\u00e9t\\u00E9 \\ud83d\\ude00\"",
	    "\"tab\\tnew\\nline\\/\\\\\"", "\"\\u0000\"", "\"\\ud800x\"", "\"\\udc00\"",
	    "\"\\ufdd0 12\"", "\"caf\xc3\xa9\"", "\"tab\tin\"", "\"\\x\"", "[1,2]", "{\"a\":1}",
	    "1.", "tru", "-", "1e", "\"\\u12G4\"", "\"\x7f\"",
	    /* runs of sixteen and more plain bytes, then what ends them */
	    "\"0123456789abcdef\"", "\"0123456789abcdefghij\\n and caf\xc3\xa9 after\""};
	static const char *const spaces[] = {"", "", "", " ", "\t", " \r"};
	uint64_t shape = next_random(seed) % 40;
	if (shape == 0) {
		strbuf_append_string(content, "[\"not\",\"an object\"]\n");
		return;
	}
	if (shape == 1) {
		strbuf_append_string(content, " \t\n"); /* blank */
		return;
	}
	strbuf_append_string(content, spaces[next_random(seed) % 6]);
	strbuf_append_char(content, '{');
	size_t members = next_random(seed) % 6;
	for (size_t member = 0; member < members; member++) {
		if (member)
			strbuf_append_string(content, next_random(seed) % 50 ? "," : ",,");
		strbuf_append_string(content, spaces[next_random(seed) % 6]);
		uint64_t key = next_random(seed) % 40;
		strbuf_appendf(content, "\"%s\"", key < 32 ? keys[key % 4] : keys[key % 8]);
		strbuf_append_string(content, spaces[next_random(seed) % 6]);
		strbuf_append_char(content, ':');
		strbuf_append_string(content, spaces[next_random(seed) % 6]);
		uint64_t value = next_random(seed) % 88;
		strbuf_append_string(content, value < 60 ? values[value % 10] : values[value - 60]);
		strbuf_append_string(content, spaces[next_random(seed) % 6]);
	}
	strbuf_append_string(content, next_random(seed) % 60 ? "}" : "} x");
	strbuf_append_string(content, spaces[next_random(seed) % 6]);
	strbuf_append_string(content, next_random(seed) % 8 ? "\n" : "\r\n");
}

/* Every row of manifest with its values' kinds, then the error, if any. */
static char *dump_with_kinds(struct manifest *manifest)
{
	struct strbuf out;
	strbuf_init(&out, 1u << 24);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	int result;
	while ((result = manifest_next(manifest, &row, &error)) == 1) {
		strbuf_appendf(&out, "%llu:%llu:%llu:", (unsigned long long)row.number,
		               (unsigned long long)row.line, (unsigned long long)row.offset);
		for (size_t index = 0; index < row.value_count; index++) {
			const char *value = row.values[index];
			strbuf_appendf(&out, "%s=%d:%zu:%s|", manifest_column_name(manifest, index),
			               (int)manifest_value_kind(manifest, index),
			               value ? strlen(value) : 0, value ? value : "~");
			if (row.lengths)
				assert_int_equal(row.lengths[index], value ? strlen(value) : 0);
		}
		strbuf_appendf(&out, "!%s\n", row.problem ? row.problem : "");
	}
	if (result < 0)
		strbuf_appendf(&out, "ERROR: %s\n", error.message);
	return strbuf_detach(&out, NULL);
}

/* The fast path for flat objects against jansson alone, on random files:
 * the same rows, columns, kinds, problems and errors, from the start and
 * after a seek to the third row. */
static void flat_object_fast_path_matches_jansson(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 22);
	uint64_t seed = 14;
	char *path = fixture_write("differential.jsonl", "", 0);
	for (int round = 0; round < 1500; round++) {
		strbuf_reset(&content);
		/* a long first line: the few DEL bytes must not make it look binary */
		strbuf_append_string(&content, "{\"note\":\"");
		for (int fill = 0; fill < 600; fill++)
			strbuf_append_char(&content, 'x');
		strbuf_append_string(&content, "\"}\n");
		size_t lines = 1 + next_random(&seed) % 30;
		for (size_t line = 0; line < lines; line++)
			random_json_line(&content, &seed);
		if (round % 3 == 0) /* no line end after the last line */
			content.length--;
		FILE *file = fopen(path, "wb");
		assert_non_null(file);
		assert_int_equal(fwrite(content.data, 1, content.length, file), content.length);
		assert_int_equal(fclose(file), 0);
		char *dumps[2][2];
		for (int slow = 0; slow < 2; slow++) {
			struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_JSONL, 0);
			if (slow)
				manifest_no_fast_paths(manifest);
			dumps[slow][0] = dump_with_kinds(manifest);
			manifest_close(manifest);
			manifest = open_manifest(path, MANIFEST_FORMAT_JSONL, 0);
			if (slow)
				manifest_no_fast_paths(manifest);
			struct manifest_row row;
			struct error error;
			error_clear(&error);
			struct manifest_position third = {0, 0, 0};
			for (int count = 0; count < 3 && manifest_next(manifest, &row, &error) == 1;
			     count++)
				third =
				    (struct manifest_position){row.offset, row.number, row.line};
			if (third.row)
				assert_int_equal(manifest_seek(manifest, &third, &error), 0);
			dumps[slow][1] = dump_with_kinds(manifest);
			manifest_close(manifest);
		}
		for (int part = 0; part < 2; part++)
			if (strcmp(dumps[0][part], dumps[1][part]) != 0)
				fail_msg(
				    "round %d: fast path and jansson differ (%s)\n--- file\n%s\n"
				    "--- fast\n%s\n--- jansson\n%s",
				    round, part ? "after the seek" : "from the start",
				    strbuf_text(&content), dumps[0][part], dumps[1][part]);
		for (int slow = 0; slow < 2; slow++) {
			free(dumps[slow][0]);
			free(dumps[slow][1]);
		}
	}
	free(path);
	strbuf_release(&content);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(objects_blank_lines_and_bad_lines),
	    cmocka_unit_test(numbers_keep_every_digit),
	    cmocka_unit_test(deep_nesting_is_a_row_problem),
	    cmocka_unit_test(long_lines_are_rejected_and_skipped),
	    cmocka_unit_test(csv_and_jsonl_number_rows_alike),
	    cmocka_unit_test(long_keys_keep_their_problem),
	    cmocka_unit_test(empty_jsonl_is_refused),
	    cmocka_unit_test(flat_object_fast_path_matches_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
