/* Unit tests for the outcome store: put/get, last-wins overwrite, sparse rows,
 * counts, persistence across reopen, truncation and damage detection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outputs/outcome_store.h"

struct fixture {
	char directory[64];
};

static int make_directory(void **state)
{
	struct fixture *fixture = calloc(1, sizeof(*fixture));
	assert_non_null(fixture);
	snprintf(fixture->directory, sizeof(fixture->directory), "/tmp/test-outcomes-XXXXXX");
	assert_non_null(mkdtemp(fixture->directory));
	*state = fixture;
	return 0;
}

static void remove_file(const char *directory, const char *name)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", directory, name);
	unlink(path);
}

static int remove_directory(void **state)
{
	struct fixture *fixture = *state;
	remove_file(fixture->directory, OUTCOME_INDEX_FILE);
	remove_file(fixture->directory, OUTCOME_MESSAGE_FILE);
	rmdir(fixture->directory);
	free(fixture);
	return 0;
}

static struct row_outcome outcome_of(enum row_status status, int http_status, unsigned attempts,
                                     int64_t finished_at_ms, const char *message)
{
	struct row_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = status;
	outcome.http_status = http_status;
	outcome.attempts = attempts;
	outcome.finished_at_ms = finished_at_ms;
	snprintf(outcome.message, sizeof(outcome.message), "%s", message);
	return outcome;
}

static struct outcome_store *open_store(const struct fixture *fixture, enum outcome_store_mode mode)
{
	struct error error;
	error_clear(&error);
	struct outcome_store *store = outcome_store_open(fixture->directory, mode, &error);
	if (!store)
		fail_msg("%s", error.message);
	return store;
}

static void put_then_get_returns_every_field(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome in = outcome_of(ROW_ERROR, 422, 2, 1764098147123, "Error: no such plan");
	assert_int_equal(outcome_store_put(store, 3, &in, &error), 0);
	struct row_outcome out;
	assert_int_equal(outcome_store_get(store, 3, &out, &error), 0);
	assert_int_equal(out.status, ROW_ERROR);
	assert_int_equal(out.http_status, 422);
	assert_int_equal(out.attempts, 2);
	assert_true(out.finished_at_ms == 1764098147123);
	assert_string_equal(out.message, "Error: no such plan");
	outcome_store_close(store);
}

static void rows_never_written_are_pending(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome in = outcome_of(ROW_OK, 200, 1, 1000, "");
	assert_int_equal(outcome_store_put(store, 1000000, &in, &error), 0);
	struct row_outcome out;
	assert_int_equal(outcome_store_get(store, 999999, &out, &error), 0);
	assert_int_equal(out.status, ROW_PENDING);
	assert_string_equal(out.message, "");
	assert_int_equal(outcome_store_get(store, 2000000, &out, &error), 0);
	assert_int_equal(out.status, ROW_PENDING);
	assert_int_equal(outcome_store_get(store, 1000000, &out, &error), 0);
	assert_int_equal(out.status, ROW_OK);
	assert_int_equal(outcome_store_count(store, ROW_OK), 1);
	assert_int_equal(outcome_store_count(store, ROW_PENDING), 999999);
	assert_int_equal(outcome_store_highest_row(store), 1000000);
	/* The index is sparse: a million rows with one written take a block or two
	 * (once written: puts are gathered in memory until a sync or the close). */
	assert_int_equal(outcome_store_sync(store, &error), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, OUTCOME_INDEX_FILE);
	struct stat status;
	assert_int_equal(stat(path, &status), 0);
	assert_int_equal(status.st_size, 1000000 * OUTCOME_RECORD_SIZE);
	assert_true(status.st_blocks * 512 < 64 * 1024);
	outcome_store_close(store);
}

static void second_put_of_a_row_wins_and_counts_follow(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome first = outcome_of(ROW_UNKNOWN, 0, 1, 10, "connection closed");
	struct row_outcome second = outcome_of(ROW_OK, 200, 2, 20, "");
	assert_int_equal(outcome_store_put(store, 5, &first, &error), 0);
	assert_int_equal(outcome_store_count(store, ROW_UNKNOWN), 1);
	assert_int_equal(outcome_store_put(store, 5, &second, &error), 0);
	assert_int_equal(outcome_store_put(store, 5, &second, &error), 0);
	assert_int_equal(outcome_store_count(store, ROW_UNKNOWN), 0);
	assert_int_equal(outcome_store_count(store, ROW_OK), 1);
	assert_int_equal(outcome_store_count(store, ROW_PENDING), 4);
	struct row_outcome out;
	assert_int_equal(outcome_store_get(store, 5, &out, &error), 0);
	assert_int_equal(out.status, ROW_OK);
	assert_int_equal(out.attempts, 2);
	assert_string_equal(out.message, "");
	outcome_store_close(store);
}

static void outcomes_and_counts_survive_reopen(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	for (uint64_t row = 1; row <= 5000; row++) {
		char message[64];
		snprintf(message, sizeof(message), "row %llu said hello", (unsigned long long)row);
		struct row_outcome in = outcome_of(row % 7 == 0 ? ROW_INVALID : ROW_OK, 200,
		                                   (unsigned)(row % 3), (int64_t)row, message);
		assert_int_equal(outcome_store_put(store, row, &in, &error), 0);
	}
	assert_int_equal(outcome_store_sync(store, &error), 0);
	outcome_store_close(store);

	store = open_store(fixture, OUTCOME_STORE_OPEN);
	assert_int_equal(outcome_store_count(store, ROW_INVALID), 5000 / 7);
	assert_int_equal(outcome_store_count(store, ROW_OK), 5000 - 5000 / 7);
	assert_int_equal(outcome_store_count(store, ROW_PENDING), 0);
	struct row_outcome out;
	assert_int_equal(outcome_store_get(store, 4243, &out, &error), 0);
	assert_int_equal(out.status, ROW_OK);
	assert_int_equal(out.attempts, 4243 % 3);
	assert_string_equal(out.message, "row 4243 said hello");
	/* A put after reopen appends its message after the earlier ones. */
	struct row_outcome changed = outcome_of(ROW_ERROR, 404, 1, 1, "Error: device not found");
	assert_int_equal(outcome_store_put(store, 7, &changed, &error), 0);
	outcome_store_close(store);

	store = open_store(fixture, OUTCOME_STORE_OPEN);
	assert_int_equal(outcome_store_get(store, 7, &out, &error), 0);
	assert_string_equal(out.message, "Error: device not found");
	assert_int_equal(outcome_store_get(store, 8, &out, &error), 0);
	assert_string_equal(out.message, "row 8 said hello");
	assert_int_equal(outcome_store_count(store, ROW_ERROR), 1);
	outcome_store_close(store);

	store = open_store(fixture, OUTCOME_STORE_TRUNCATE);
	assert_int_equal(outcome_store_highest_row(store), 0);
	assert_int_equal(outcome_store_get(store, 8, &out, &error), 0);
	assert_int_equal(out.status, ROW_PENDING);
	outcome_store_close(store);
}

static void reads_see_puts_made_after_them(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome ok = outcome_of(ROW_OK, 200, 1, 1, "");
	struct row_outcome failed = outcome_of(ROW_ERROR, 404, 1, 1, "Error: gone");
	for (uint64_t row = 1; row <= 3; row++)
		assert_int_equal(outcome_store_put(store, row, &ok, &error), 0);
	struct row_outcome out;
	assert_int_equal(outcome_store_get(store, 1, &out, &error), 0);
	assert_int_equal(outcome_store_get(store, 10, &out, &error), 0);
	assert_int_equal(out.status, ROW_PENDING);
	/* Inside the rows already read, and past the end of the index then. */
	assert_int_equal(outcome_store_put(store, 2, &failed, &error), 0);
	assert_int_equal(outcome_store_put(store, 10, &failed, &error), 0);
	assert_int_equal(outcome_store_get(store, 2, &out, &error), 0);
	assert_int_equal(out.status, ROW_ERROR);
	assert_string_equal(out.message, "Error: gone");
	assert_int_equal(outcome_store_get(store, 10, &out, &error), 0);
	assert_int_equal(out.status, ROW_ERROR);
	assert_int_equal(outcome_store_get(store, 9, &out, &error), 0);
	assert_int_equal(out.status, ROW_PENDING);
	assert_int_equal(outcome_store_get(store, 3, &out, &error), 0);
	assert_int_equal(out.status, ROW_OK);
	outcome_store_close(store);
}

static void out_of_range_rows_and_pending_puts_are_refused(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome in = outcome_of(ROW_OK, 200, 1, 1, "");
	assert_int_equal(outcome_store_put(store, 0, &in, &error), -1);
	assert_string_equal(error.message, "row 0 is out of range for the outcome store");
	error_clear(&error);
	assert_int_equal(outcome_store_put(store, OUTCOME_MAX_ROW + 1, &in, &error), -1);
	error_clear(&error);
	struct row_outcome pending = outcome_of(ROW_PENDING, 0, 0, 0, "");
	assert_int_equal(outcome_store_put(store, 1, &pending, &error), -1);
	assert_string_equal(error.message, "row 1: only a final outcome can be stored");
	assert_int_equal(outcome_store_highest_row(store), 0);
	outcome_store_close(store);
}

static void a_damaged_record_is_reported_with_its_row(void **state)
{
	struct fixture *fixture = *state;
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_OPEN);
	struct error error;
	error_clear(&error);
	struct row_outcome in = outcome_of(ROW_OK, 200, 1, 1, "fine");
	for (uint64_t row = 1; row <= 3; row++)
		assert_int_equal(outcome_store_put(store, row, &in, &error), 0);
	outcome_store_close(store);

	char path[128];
	snprintf(path, sizeof(path), "%s/%s", fixture->directory, OUTCOME_INDEX_FILE);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char flipped = 0x5a;
	assert_int_equal(pwrite(fd, &flipped, 1, OUTCOME_RECORD_SIZE + 9), 1);
	close(fd);

	store = outcome_store_open(fixture->directory, OUTCOME_STORE_OPEN, &error);
	assert_null(store);
	assert_non_null(strstr(error.message, "is damaged at row 2"));
}

/* Rows put far out of order (more windows than the store keeps in memory,
 * more messages than one write gathers), read back while and after writing. */
static void scattered_puts_read_back_before_and_after_reopen(void **state)
{
	struct fixture *fixture = *state;
	enum { ROWS = 20000, STEP = 7919 }; /* STEP is prime: every row once */
	struct error error;
	error_clear(&error);
	struct outcome_store *store = open_store(fixture, OUTCOME_STORE_TRUNCATE);
	char message[64];
	struct row_outcome out;
	for (uint64_t index = 0; index < ROWS; index++) {
		uint64_t row = index * STEP % ROWS + 1;
		snprintf(message, sizeof(message), "row %llu was refused", (unsigned long long)row);
		struct row_outcome in =
		    outcome_of(row % 3 ? ROW_OK : ROW_ERROR, 200, 1, (int64_t)row, message);
		assert_int_equal(outcome_store_put(store, row, &in, &error), 0);
		if (index % 1000 == 999) {
			assert_int_equal(outcome_store_get(store, row, &out, &error), 0);
			assert_string_equal(out.message, message);
		}
	}
	/* a second put of a row replaces it and keeps the counts right */
	struct row_outcome again = outcome_of(ROW_OK, 200, 2, 5, "again");
	assert_int_equal(outcome_store_put(store, 3, &again, &error), 0);
	assert_int_equal(outcome_store_count(store, ROW_ERROR), ROWS / 3 - 1);
	outcome_store_close(store);

	store = open_store(fixture, OUTCOME_STORE_OPEN);
	assert_int_equal(outcome_store_count(store, ROW_OK), ROWS - ROWS / 3 + 1);
	assert_int_equal(outcome_store_count(store, ROW_ERROR), ROWS / 3 - 1);
	assert_int_equal(outcome_store_highest_row(store), ROWS);
	for (uint64_t row = 1; row <= ROWS; row++) {
		assert_int_equal(outcome_store_get(store, row, &out, &error), 0);
		if (row == 3) {
			assert_string_equal(out.message, "again");
			continue;
		}
		snprintf(message, sizeof(message), "row %llu was refused", (unsigned long long)row);
		assert_string_equal(out.message, message);
		assert_int_equal(out.finished_at_ms, (int64_t)row);
		assert_int_equal(out.status, row % 3 ? ROW_OK : ROW_ERROR);
	}
	outcome_store_close(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(put_then_get_returns_every_field, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(rows_never_written_are_pending, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(second_put_of_a_row_wins_and_counts_follow,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(outcomes_and_counts_survive_reopen, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(reads_see_puts_made_after_them, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(out_of_range_rows_and_pending_puts_are_refused,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(a_damaged_record_is_reported_with_its_row,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(scattered_puts_read_back_before_and_after_reopen,
	                                    make_directory, remove_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
