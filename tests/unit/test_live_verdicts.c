/* Unit tests for the preflight's kept verdicts (live/verdicts.h): bytes and
 * notes read back as written, notes found in any order across blocks, and a
 * torn, damaged or another job's pair refused as a whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "common/little_endian.h"
#include "live/verdicts.h"

#define ROWS 10000u
#define TAG  0x1234abcdULL

static char directory[] = "/tmp/test_live_verdicts.XXXXXX";

/* Rows divisible by 7 are not classified; rows divisible by 3 have a note;
 * rows divisible by 11 have an undo line, by 13 a value undo cannot restore,
 * by 17 an unknown name. */
static uint8_t code_of(uint64_t row)
{
	return (uint8_t)((row % 5) | (row % 2 ? LIVE_VERDICT_FOUND : 0) |
	                 (row % 17 == 0 ? LIVE_VERDICT_UNKNOWN_NAME : 0) |
	                 (row % 11 == 0 ? LIVE_VERDICT_UNDO_LINE : 0) |
	                 (row % 13 == 0 ? LIVE_VERDICT_UNDO_MISSING : 0));
}

static void write_all(void)
{
	struct error error;
	error_clear(&error);
	struct live_verdicts_writer *writer = live_verdicts_writer_open(directory, TAG, &error);
	assert_non_null(writer);
	char name[32], message[64];
	for (uint64_t row = 1; row <= ROWS; row++) {
		if (row % 7 == 0)
			continue; /* a gap: the writer fills it with LIVE_VERDICT_NONE */
		snprintf(name, sizeof(name), "dev-%llu", (unsigned long long)row);
		snprintf(message, sizeof(message), "row %llu message", (unsigned long long)row);
		struct live_verdict_note note = {name, row % 2 ? "CC-old" : "", message};
		assert_int_equal(live_verdicts_writer_add(writer, row, code_of(row),
		                                          row % 3 == 0 ? &note : NULL, &error),
		                 0);
	}
	assert_int_equal(live_verdicts_writer_commit(writer, &error), 0);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(directory));
	write_all();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICTS_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICT_NOTES_FILE);
	unlink(path);
	rmdir(directory);
	return 0;
}

static void check_note(struct live_verdicts *verdicts, uint64_t row)
{
	struct error error;
	error_clear(&error);
	struct live_verdict_note note;
	int found = live_verdicts_note(verdicts, row, &note, &error);
	if (row % 7 == 0 || row % 3 != 0) {
		assert_int_equal(found, 0);
		return;
	}
	assert_int_equal(found, 1);
	char expected[64];
	snprintf(expected, sizeof(expected), "dev-%llu", (unsigned long long)row);
	assert_string_equal(note.device_name, expected);
	assert_string_equal(note.current, row % 2 ? "CC-old" : "");
	snprintf(expected, sizeof(expected), "row %llu message", (unsigned long long)row);
	assert_string_equal(note.message, expected);
}

static struct live_verdicts *open_ok(void)
{
	struct error error;
	error_clear(&error);
	struct live_verdicts *verdicts = NULL;
	assert_int_equal(live_verdicts_open(directory, TAG, &verdicts, &error), 0);
	assert_non_null(verdicts);
	return verdicts;
}

static void test_round_trip(void **state)
{
	(void)state;
	struct live_verdicts *verdicts = open_ok();
	assert_int_equal(live_verdicts_rows(verdicts), ROWS);
	for (uint64_t row = 1; row <= ROWS; row++) {
		uint8_t code = live_verdicts_code(verdicts, row);
		if (row % 7 == 0) {
			assert_int_equal(code, LIVE_VERDICT_NONE);
			continue;
		}
		assert_int_equal(code & ~LIVE_VERDICT_NOTED, code_of(row));
		assert_int_equal((code & LIVE_VERDICT_NOTED) != 0, row % 3 == 0);
		check_note(verdicts, row);
	}
	assert_int_equal(live_verdicts_code(verdicts, 0), LIVE_VERDICT_NONE);
	assert_int_equal(live_verdicts_code(verdicts, ROWS + 1), LIVE_VERDICT_NONE);
	live_verdicts_free(verdicts);
}

/* The counts of a range agree with the rows' bytes one by one; invalid rows
 * (every bit set) count for nothing; a range past the rows is clipped. */
static void test_count_undo(void **state)
{
	(void)state;
	struct live_verdicts *verdicts = open_ok();
	static const uint64_t ranges[][2] = {
	    {1, ROWS}, {0, 10}, {100, 4321}, {5000, ROWS + 50}, {77, 77}, {ROWS + 1, ROWS + 9},
	    {9, 3}};
	for (size_t index = 0; index < sizeof(ranges) / sizeof(ranges[0]); index++) {
		uint64_t expected_lines = 0, expected_missing = 0;
		for (uint64_t row = ranges[index][0]; row <= ranges[index][1]; row++) {
			uint8_t code = live_verdicts_code(verdicts, row);
			if (code == LIVE_VERDICT_NONE)
				continue;
			expected_lines += (code & LIVE_VERDICT_UNDO_LINE) != 0;
			expected_missing += (code & LIVE_VERDICT_UNDO_MISSING) != 0;
		}
		uint64_t lines = 5, missing = 7; /* added to, not set */
		live_verdicts_count_undo(verdicts, ranges[index][0], ranges[index][1], &lines,
		                         &missing);
		assert_int_equal(lines, 5 + expected_lines);
		assert_int_equal(missing, 7 + expected_missing);
	}
	/* random ranges: the word-at-a-time count from any alignment and length */
	srand(11);
	for (int step = 0; step < 200; step++) {
		uint64_t first = 1 + (uint64_t)rand() % ROWS,
		         last = first + (uint64_t)rand() % 3000;
		uint64_t expected_lines = 0, expected_missing = 0, lines = 0, missing = 0;
		for (uint64_t row = first; row <= last && row <= ROWS; row++) {
			uint8_t code = live_verdicts_code(verdicts, row);
			expected_lines +=
			    code != LIVE_VERDICT_NONE && (code & LIVE_VERDICT_UNDO_LINE);
			expected_missing +=
			    code != LIVE_VERDICT_NONE && (code & LIVE_VERDICT_UNDO_MISSING);
		}
		live_verdicts_count_undo(verdicts, first, last, &lines, &missing);
		assert_int_equal(lines, expected_lines);
		assert_int_equal(missing, expected_missing);
	}
	/* rows 1..ROWS: multiples of 11 (of 13) that are not multiples of 7 */
	uint64_t lines = 0, missing = 0;
	live_verdicts_count_undo(verdicts, 1, ROWS, &lines, &missing);
	assert_int_equal(lines, ROWS / 11 - ROWS / 77);
	assert_int_equal(missing, ROWS / 13 - ROWS / 91);
	live_verdicts_free(verdicts);
}

/* live_verdicts_final_fn of the tests: rows divisible by 4, and rows
 * 600..1999, are final. */
static uint64_t final_for_test(void *context, uint64_t first)
{
	uint64_t *calls = context;
	(*calls)++;
	uint64_t word = 0;
	for (uint64_t bit = 0; bit < 64; bit++) {
		uint64_t row = first + bit;
		if (row % 4 == 0 || (row >= 600 && row < 2000))
			word |= 1ull << bit;
	}
	return word;
}

/* The tally of the rows not final agrees with the rows one by one; final
 * is asked once per 64 rows; without it every classified row counts. */
static void test_tally(void **state)
{
	(void)state;
	struct live_verdicts *verdicts = open_ok();
	static const uint64_t ranges[][2] = {{1, ROWS}, {101, 5000}, {9990, ROWS + 40}, {50, 49}};
	for (size_t index = 0; index < sizeof(ranges) / sizeof(ranges[0]); index++) {
		for (int with_final = 0; with_final < 2; with_final++) {
			struct live_verdicts_tally expected, tally;
			memset(&expected, 0, sizeof(expected));
			memset(&tally, 0, sizeof(tally));
			uint64_t first = ranges[index][0], last = ranges[index][1];
			for (uint64_t row = first; row <= last && row <= ROWS; row++) {
				uint8_t code = live_verdicts_code(verdicts, row);
				bool final = row % 4 == 0 || (row >= 600 && row < 2000);
				if (code == LIVE_VERDICT_NONE || (with_final && final))
					continue;
				expected.kinds[code & LIVE_VERDICT_KIND_MASK]++;
				if ((code & LIVE_VERDICT_UNKNOWN_NAME) &&
				    expected.unknown_name++ == 0)
					expected.first_unknown = row;
			}
			uint64_t calls = 0;
			live_verdicts_tally(verdicts, first, last,
			                    with_final ? final_for_test : NULL, &calls, &tally);
			assert_memory_equal(&tally, &expected, sizeof(tally));
			uint64_t end = last < ROWS ? last : ROWS;
			assert_int_equal(calls, !with_final || end < first
			                            ? 0
			                            : (end - 1) / 64 - (first - 1) / 64 + 1);
		}
	}
	live_verdicts_free(verdicts);
}

/* A resume starts anywhere; outputs then go back to row 1; a row asked twice. */
static void test_notes_any_order(void **state)
{
	(void)state;
	struct live_verdicts *verdicts = open_ok();
	static const uint64_t rows[] = {9003, 9003, 9006, 3, 6, 4098, 12, 9999, 8193, 8196, 1};
	for (size_t index = 0; index < sizeof(rows) / sizeof(rows[0]); index++)
		check_note(verdicts, rows[index]);
	srand(7);
	for (int step = 0; step < 2000; step++)
		check_note(verdicts, 1 + (uint64_t)rand() % ROWS);
	live_verdicts_free(verdicts);
}

/* Damages name at offset (from the end when negative): one bit flipped, or
 * the file cut there when truncate_it. */
static void damage(const char *name, long offset, bool truncate_it)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, name);
	if (truncate_it) {
		assert_int_equal(truncate(path, offset), 0);
		return;
	}
	FILE *file = fopen(path, "r+b");
	assert_non_null(file);
	assert_int_equal(fseek(file, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
	int byte = fgetc(file);
	assert_int_equal(fseek(file, -1, SEEK_CUR), 0);
	fputc(byte ^ 0x40, file);
	fclose(file);
}

/* Opens after damaging name at offset: refused, then restored by writing
 * the pair again. */
static void refused_after(const char *name, long offset, bool truncate_it)
{
	damage(name, offset, truncate_it);
	struct error error;
	error_clear(&error);
	struct live_verdicts *verdicts = NULL;
	assert_int_equal(live_verdicts_open(directory, TAG, &verdicts, &error), 1);
	assert_null(verdicts);
	assert_true(error.set);
	write_all();
}

/* The block index (after the ROWS bytes), the trailer, a torn file: refused
 * when opened, before any row's byte is used. */
static void test_damage_refused(void **state)
{
	(void)state;
	refused_after(LIVE_VERDICTS_FILE, 5000, true);      /* torn */
	refused_after(LIVE_VERDICTS_FILE, 0, true);         /* empty */
	refused_after(LIVE_VERDICTS_FILE, ROWS + 3, false); /* the block index */
	refused_after(LIVE_VERDICTS_FILE, -20, false);      /* the trailer */
	refused_after(LIVE_VERDICTS_FILE, -44, false);      /* the trailer's version */
	refused_after(LIVE_VERDICT_NOTES_FILE, 100, true);  /* notes torn */
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICT_NOTES_FILE);
	unlink(path);
	struct error error;
	error_clear(&error);
	struct live_verdicts *verdicts = NULL;
	assert_int_equal(live_verdicts_open(directory, TAG, &verdicts, &error), 1);
	write_all();
	/* another job's verdicts */
	assert_int_equal(live_verdicts_open(directory, TAG + 1, &verdicts, &error), 1);
	assert_null(verdicts);
	live_verdicts_free(open_ok());
}

/* Where block's notes start, from the verdicts file's block index. */
static uint64_t notes_offset_of_block(size_t block)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICTS_FILE);
	FILE *file = fopen(path, "rb");
	assert_non_null(file);
	unsigned char entry[8];
	assert_int_equal(fseek(file, (long)(ROWS + 16 * block), SEEK_SET), 0);
	assert_int_equal(fread(entry, 1, sizeof(entry), file), sizeof(entry));
	fclose(file);
	return little_endian_get(entry, 8);
}

/* A damaged row byte (block 1: rows 4097..8192) or a damaged note (block 0)
 * is found before it is used: live_verdicts_check names the block's rows,
 * the block's bytes read as not classified, its notes are not returned;
 * the other blocks still serve. */
static void test_damaged_block_found_before_use(void **state)
{
	(void)state;
	damage(LIVE_VERDICTS_FILE, 5000, false); /* row 5001's byte */
	struct live_verdicts *verdicts = open_ok();
	struct error error;
	error_clear(&error);
	assert_int_equal(live_verdicts_check(verdicts, 1, 4096, &error), 0);
	assert_int_equal(live_verdicts_check(verdicts, 8193, ROWS, &error), 0);
	assert_int_equal(live_verdicts_check(verdicts, 4000, 4200, &error), 1);
	assert_non_null(strstr(error.message, "rows 4097 to 8192"));
	assert_int_equal(live_verdicts_code(verdicts, 5001), LIVE_VERDICT_NONE);
	assert_int_equal(live_verdicts_code(verdicts, 4097), LIVE_VERDICT_NONE);
	assert_int_equal(live_verdicts_code(verdicts, 4096) & ~LIVE_VERDICT_NOTED, code_of(4096));
	struct live_verdicts_tally tally;
	memset(&tally, 0, sizeof(tally));
	live_verdicts_tally(verdicts, 4090, 8200, NULL, NULL, &tally);
	uint64_t counted = 0;
	for (size_t kind = 0; kind <= LIVE_VERDICT_KIND_MASK; kind++)
		counted += tally.kinds[kind];
	/* rows 4090..4096 and 8193..8200 but the multiples of 7 */
	assert_int_equal(counted, 7 - 1 + 8 - 1);
	check_note(verdicts, 9003);
	live_verdicts_free(verdicts);
	write_all();

	/* a note of block 0 damaged: its notes are refused, block 1's are read */
	damage(LIVE_VERDICT_NOTES_FILE, 777, false);
	verdicts = open_ok();
	error_clear(&error);
	assert_int_equal(live_verdicts_check(verdicts, 4097, ROWS, &error), 0);
	check_note(verdicts, 4098);
	assert_int_equal(live_verdicts_check(verdicts, 1, ROWS, &error), 1);
	assert_non_null(strstr(error.message, "verdict notes of rows 1 to 4096"));
	struct live_verdict_note note;
	error_clear(&error);
	assert_int_equal(live_verdicts_note(verdicts, 3, &note, &error), -1);
	assert_non_null(strstr(error.message, "damaged"));
	check_note(verdicts, 9003);
	live_verdicts_free(verdicts);
	write_all();

	/* a note of block 1 damaged, the notes read in order from the end of
	 * block 0 into it: block 1's notes are checked before its note is used */
	damage(LIVE_VERDICT_NOTES_FILE, (long)notes_offset_of_block(1) + 100, false);
	verdicts = open_ok();
	check_note(verdicts, 4092);
	error_clear(&error);
	assert_int_equal(live_verdicts_note(verdicts, 4098, &note, &error), -1);
	assert_non_null(strstr(error.message, "rows 4097 to 8192 are damaged"));
	live_verdicts_free(verdicts);
	write_all();
}

/* Writes the pair in format version 1 (one CRC over each file, no counts),
 * as runs before version 2 left it: the same bytes and notes, the block
 * index without CRCs. */
static void write_version_1(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICTS_FILE);
	FILE *file = fopen(path, "rb");
	assert_non_null(file);
	unsigned char *bytes = malloc(ROWS + 16 * 3 + 16 + 52);
	assert_non_null(bytes);
	size_t length = fread(bytes, 1, ROWS + 16 * 3 + 16 + 52, file);
	fclose(file);
	assert_int_equal(length, ROWS + 16 * 3 + 16 + 52);
	const unsigned char *trailer = bytes + length - 52;
	uint64_t notes_length = little_endian_get(trailer + 24, 8);
	/* the blocks' notes offsets moved up against the bytes, 8 bytes each */
	for (size_t block = 0; block < 3; block++)
		memmove(bytes + ROWS + 8 * block, bytes + ROWS + 16 * block, 8);
	unsigned char tail[52];
	memcpy(tail, trailer, 52);
	size_t body = ROWS + 8 * 3;
	little_endian_put(tail + 8, 1, 4);
	little_endian_put(tail + 40, crc32(0L, bytes, (uInt)body), 4);
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICT_NOTES_FILE);
	file = fopen(path, "rb");
	assert_non_null(file);
	unsigned char *notes = malloc(notes_length + 1);
	assert_non_null(notes);
	assert_int_equal(fread(notes, 1, notes_length + 1, file), notes_length);
	fclose(file);
	little_endian_put(tail + 44, crc32(0L, notes, (uInt)notes_length), 4);
	little_endian_put(tail + 48, crc32(0L, tail, 48), 4);
	free(notes);
	memcpy(bytes + body, tail, 52);
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICTS_FILE);
	file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(bytes, 1, body + 52, file), body + 52);
	fclose(file);
	free(bytes);
}

/* A pair of format version 1 is read as before: checked whole when opened
 * (a damaged row byte refuses it), the same bytes, notes and counts. */
static void test_version_1_read(void **state)
{
	(void)state;
	struct live_verdicts *blocks = open_ok();
	uint64_t lines_2 = 0, missing_2 = 0;
	live_verdicts_count_undo(blocks, 1, ROWS, &lines_2, &missing_2);
	live_verdicts_free(blocks);
	write_version_1();
	struct live_verdicts *verdicts = open_ok();
	uint64_t lines = 0, missing = 0;
	live_verdicts_count_undo(verdicts, 1, ROWS, &lines, &missing);
	assert_int_equal(lines, lines_2);
	assert_int_equal(missing, missing_2);
	assert_int_equal(lines, ROWS / 11 - ROWS / 77);
	struct error error;
	error_clear(&error);
	assert_int_equal(live_verdicts_check(verdicts, 1, ROWS, &error), 0);
	for (uint64_t row = 1; row <= ROWS; row += 97) {
		uint8_t code = live_verdicts_code(verdicts, row);
		if (row % 7 == 0)
			assert_int_equal(code, LIVE_VERDICT_NONE);
		else
			assert_int_equal(code & ~LIVE_VERDICT_NOTED, code_of(row));
		check_note(verdicts, row);
	}
	live_verdicts_free(verdicts);
	/* a version this build does not know (a newer one): refused, said so */
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", directory, LIVE_VERDICTS_FILE);
	FILE *file = fopen(path, "r+b");
	assert_non_null(file);
	unsigned char tail[52];
	assert_int_equal(fseek(file, -52, SEEK_END), 0);
	assert_int_equal(fread(tail, 1, sizeof(tail), file), sizeof(tail));
	little_endian_put(tail + 8, 3, 4);
	little_endian_put(tail + 48, crc32(0L, tail, 48), 4);
	assert_int_equal(fseek(file, -52, SEEK_END), 0);
	assert_int_equal(fwrite(tail, 1, sizeof(tail), file), sizeof(tail));
	fclose(file);
	error_clear(&error);
	assert_int_equal(live_verdicts_open(directory, TAG, &verdicts, &error), 1);
	assert_non_null(strstr(error.message, "unknown format version"));
	write_all();
	write_version_1();
	refused_after(LIVE_VERDICTS_FILE, 1234, false); /* a row's byte */
	write_version_1();
	refused_after(LIVE_VERDICT_NOTES_FILE, 777, false); /* a note */
}

/* An aborted writer publishes nothing and leaves no temporary file. */
static void test_abort(void **state)
{
	(void)state;
	char other[] = "/tmp/test_live_verdicts_abort.XXXXXX";
	assert_non_null(mkdtemp(other));
	struct error error;
	error_clear(&error);
	struct live_verdicts_writer *writer = live_verdicts_writer_open(other, TAG, &error);
	assert_non_null(writer);
	assert_int_equal(live_verdicts_writer_add(writer, 1, 0, NULL, &error), 0);
	assert_int_equal(live_verdicts_writer_add(writer, 1, 0, NULL, &error), -1);
	live_verdicts_writer_abort(writer);
	assert_int_equal(rmdir(other), 0); /* empty */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_notes_any_order),
	    cmocka_unit_test(test_count_undo),
	    cmocka_unit_test(test_tally),
	    cmocka_unit_test(test_damage_refused),
	    cmocka_unit_test(test_damaged_block_found_before_use),
	    cmocka_unit_test(test_version_1_read),
	    cmocka_unit_test(test_abort),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
