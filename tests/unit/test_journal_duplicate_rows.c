/* Unit tests for the duplicate rows (OUT/duplicate-rows): a committed record
 * answers every row as it was written, in order and after a step back; a
 * record never committed leaves no file; a flipped byte anywhere, a file cut
 * short, another job's record or none at all is unusable, never misread. */
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

#include "journal/duplicate_rows.h"

#define JOB_ID UINT64_C(0x0123456789abcdef)
#define ROWS   100000u

struct directory {
	char path[64];
	char record[128];
	char creating[160];
};

static int directory_setup(void **state)
{
	struct directory *directory = calloc(1, sizeof(*directory));
	assert_non_null(directory);
	snprintf(directory->path, sizeof(directory->path), "/tmp/ltg-dupes-XXXXXX");
	assert_non_null(mkdtemp(directory->path));
	snprintf(directory->record, sizeof(directory->record), "%s/%s", directory->path,
	         DUPLICATE_ROWS_NAME);
	snprintf(directory->creating, sizeof(directory->creating), "%s.creating",
	         directory->record);
	*state = directory;
	return 0;
}

static int directory_teardown(void **state)
{
	struct directory *directory = *state;
	unlink(directory->record);
	unlink(directory->creating);
	assert_int_equal(rmdir(directory->path), 0);
	free(directory);
	return 0;
}

/* Every 7th row from 14 on duplicates the row 7 before it, by key row % 3:
 * 14,284 entries, so the cursor crosses several of its blocks. */
static bool is_duplicate(uint64_t row)
{
	return row >= 14 && row % 7 == 0;
}

static void write_record(const struct directory *directory, uint64_t job_id, bool commit)
{
	struct error error;
	error_clear(&error);
	struct duplicate_rows_writer *writer =
	    duplicate_rows_writer_open(directory->path, job_id, &error);
	assert_non_null(writer);
	for (uint64_t row = 1; row <= ROWS; row++)
		if (is_duplicate(row))
			assert_int_equal(duplicate_rows_writer_add(writer, row, (uint32_t)(row % 3),
			                                           row - 7, &error),
			                 0);
	if (commit)
		assert_int_equal(duplicate_rows_writer_commit(writer, ROWS, &error), 0);
	duplicate_rows_writer_free(writer);
}

static int open_record(const struct directory *directory, struct duplicate_rows **rows)
{
	struct error error;
	error_clear(&error);
	char reason[256];
	int status =
	    duplicate_rows_open(directory->path, JOB_ID, rows, reason, sizeof(reason), &error);
	assert_false(error.set);
	/* a missing file is not worth a note, anything else is */
	if (status == 0)
		assert_int_equal(reason[0] != '\0', access(directory->record, F_OK) == 0);
	return status;
}

static void check_row(struct duplicate_rows *rows, uint64_t row)
{
	struct error error;
	error_clear(&error);
	uint32_t key = 99;
	uint64_t earlier = 0;
	int found = duplicate_rows_find(rows, row, &key, &earlier, &error);
	if (!is_duplicate(row)) {
		assert_int_equal(found, 0);
		return;
	}
	assert_int_equal(found, 1);
	assert_int_equal(key, row % 3);
	assert_int_equal(earlier, row - 7);
}

static void test_answers_every_row(void **state)
{
	struct directory *directory = *state;
	write_record(directory, JOB_ID, true);
	assert_int_not_equal(access(directory->creating, F_OK), 0);
	struct duplicate_rows *rows = NULL;
	assert_int_equal(open_record(directory, &rows), 1);
	assert_int_equal(duplicate_rows_covered(rows), ROWS);
	/* a resume's reading: from a row in the middle, in order */
	for (uint64_t row = 9001; row <= ROWS; row++)
		check_row(rows, row);
	/* a step back, then rows skipped ahead */
	for (uint64_t row = 1; row <= ROWS; row += 97)
		check_row(rows, row);
	check_row(rows, 14);
	check_row(rows, ROWS + 1);
	duplicate_rows_close(rows);
}

static void test_no_duplicates(void **state)
{
	struct directory *directory = *state;
	struct error error;
	error_clear(&error);
	struct duplicate_rows_writer *writer =
	    duplicate_rows_writer_open(directory->path, JOB_ID, &error);
	assert_non_null(writer);
	assert_int_equal(duplicate_rows_writer_commit(writer, 5, &error), 0);
	duplicate_rows_writer_free(writer);
	struct duplicate_rows *rows = NULL;
	assert_int_equal(open_record(directory, &rows), 1);
	uint32_t key;
	uint64_t earlier;
	for (uint64_t row = 1; row <= 5; row++)
		assert_int_equal(duplicate_rows_find(rows, row, &key, &earlier, &error), 0);
	duplicate_rows_close(rows);
}

static void test_uncommitted_leaves_nothing(void **state)
{
	struct directory *directory = *state;
	write_record(directory, JOB_ID, false);
	assert_int_not_equal(access(directory->record, F_OK), 0);
	assert_int_not_equal(access(directory->creating, F_OK), 0);
	struct duplicate_rows *rows = NULL;
	assert_int_equal(open_record(directory, &rows), 0);
	assert_null(rows);
}

static void test_rows_out_of_order_refused(void **state)
{
	struct directory *directory = *state;
	struct error error;
	error_clear(&error);
	struct duplicate_rows_writer *writer =
	    duplicate_rows_writer_open(directory->path, JOB_ID, &error);
	assert_non_null(writer);
	assert_int_equal(duplicate_rows_writer_add(writer, 10, 0, 3, &error), 0);
	error_clear(&error);
	assert_int_equal(duplicate_rows_writer_add(writer, 10, 0, 4, &error), -1);
	error_clear(&error);
	assert_int_equal(duplicate_rows_writer_add(writer, 12, 0, 0, &error), -1);
	/* a re-fed errors.csv names rows by their source row, maybe past this one */
	error_clear(&error);
	assert_int_equal(duplicate_rows_writer_add(writer, 13, 0, 600, &error), 0);
	duplicate_rows_writer_free(writer);
}

/* Another pass over the manifest starts the list over: one published stays
 * until the next commit replaces it, whole. */
static void test_restart_for_another_pass(void **state)
{
	struct directory *directory = *state;
	struct error error;
	error_clear(&error);
	struct duplicate_rows_writer *writer =
	    duplicate_rows_writer_open(directory->path, JOB_ID, &error);
	assert_non_null(writer);
	assert_int_equal(duplicate_rows_writer_add(writer, 20, 1, 3, &error), 0);
	assert_int_equal(duplicate_rows_writer_commit(writer, 50, &error), 0);
	/* a second pass, cut short: the first list stands */
	assert_int_equal(duplicate_rows_writer_restart(writer, &error), 0);
	assert_int_equal(duplicate_rows_writer_add(writer, 7, 0, 2, &error), 0);
	duplicate_rows_writer_free(writer);
	assert_int_not_equal(access(directory->creating, F_OK), 0);
	struct duplicate_rows *rows = NULL;
	uint32_t key;
	uint64_t earlier;
	assert_int_equal(open_record(directory, &rows), 1);
	assert_int_equal(duplicate_rows_find(rows, 7, &key, &earlier, &error), 0);
	assert_int_equal(duplicate_rows_find(rows, 20, &key, &earlier, &error), 1);
	assert_int_equal(earlier, 3);
	duplicate_rows_close(rows);
	/* two whole passes: the second replaces the first */
	writer = duplicate_rows_writer_open(directory->path, JOB_ID, &error);
	assert_non_null(writer);
	assert_int_equal(duplicate_rows_writer_add(writer, 20, 1, 3, &error), 0);
	assert_int_equal(duplicate_rows_writer_commit(writer, 50, &error), 0);
	assert_int_equal(duplicate_rows_writer_restart(writer, &error), 0);
	assert_int_equal(duplicate_rows_writer_add(writer, 7, 0, 2, &error), 0);
	assert_int_equal(duplicate_rows_writer_commit(writer, 50, &error), 0);
	duplicate_rows_writer_free(writer);
	assert_int_equal(open_record(directory, &rows), 1);
	assert_int_equal(duplicate_rows_find(rows, 7, &key, &earlier, &error), 1);
	assert_int_equal(duplicate_rows_find(rows, 20, &key, &earlier, &error), 0);
	duplicate_rows_close(rows);
}

static void flip_byte(const char *path, long offset)
{
	FILE *file = fopen(path, "r+b");
	assert_non_null(file);
	assert_int_equal(fseek(file, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
	int byte = fgetc(file);
	assert_int_not_equal(byte, EOF);
	assert_int_equal(fseek(file, -1, SEEK_CUR), 0);
	fputc(byte ^ 0x10, file);
	fclose(file);
}

/* A byte flipped in the entries (first block, a later block, the middle,
 * the last entry) or anywhere in the trailer, or the file cut short: never
 * usable. */
static void test_damage_is_unusable(void **state)
{
	struct directory *directory = *state;
	write_record(directory, JOB_ID, true);
	struct stat info;
	assert_int_equal(stat(directory->record, &info), 0);
	/* the entries' first and last blocks and the whole trailer */
	long offsets[] = {0, 8, 15, 16 * 4096, info.st_size / 2, info.st_size - 41};
	for (size_t index = 0; index < sizeof(offsets) / sizeof(offsets[0]); index++) {
		write_record(directory, JOB_ID, true);
		flip_byte(directory->record, offsets[index]);
		struct duplicate_rows *rows = NULL;
		assert_int_equal(open_record(directory, &rows), 0);
	}
	for (long offset = -40; offset < 0; offset++) {
		write_record(directory, JOB_ID, true);
		flip_byte(directory->record, offset);
		struct duplicate_rows *rows = NULL;
		assert_int_equal(open_record(directory, &rows), 0);
	}
	off_t cuts[] = {0, 39, 40, 16, info.st_size - 1, info.st_size - 16, info.st_size - 40};
	for (size_t index = 0; index < sizeof(cuts) / sizeof(cuts[0]); index++) {
		write_record(directory, JOB_ID, true);
		assert_int_equal(truncate(directory->record, cuts[index]), 0);
		struct duplicate_rows *rows = NULL;
		assert_int_equal(open_record(directory, &rows), 0);
	}
}

static void test_other_job_or_none(void **state)
{
	struct directory *directory = *state;
	struct duplicate_rows *rows = NULL;
	assert_int_equal(open_record(directory, &rows), 0);
	write_record(directory, JOB_ID + 1, true);
	assert_int_equal(open_record(directory, &rows), 0);
	assert_null(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_answers_every_row, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_no_duplicates, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_uncommitted_leaves_nothing, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_rows_out_of_order_refused, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_restart_for_another_pass, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_damage_is_unusable, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_other_job_or_none, directory_setup,
	                                    directory_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
