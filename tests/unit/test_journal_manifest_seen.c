/* Unit tests for OUT/manifest-seen: a manifest whose file is provably the one
 * fingerprinted before (same device, inode, size, times; settled when read)
 * is not read again; any write to it, also one that keeps the size and puts
 * the modification time back, makes the resume read and hash it again; a
 * file changed just before it was read, a damaged or missing record, is never
 * taken on trust. */
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
#include <time.h>
#include <unistd.h>

#include "journal/manifest_seen.h"

struct directory {
	char path[64];
	char manifest[128];
	char record[128];
};

static int directory_setup(void **state)
{
	struct directory *directory = calloc(1, sizeof(*directory));
	assert_non_null(directory);
	snprintf(directory->path, sizeof(directory->path), "/tmp/ltg-seen-XXXXXX");
	assert_non_null(mkdtemp(directory->path));
	snprintf(directory->manifest, sizeof(directory->manifest), "%s/lot.csv", directory->path);
	snprintf(directory->record, sizeof(directory->record), "%s/%s", directory->path,
	         JOURNAL_MANIFEST_SEEN_NAME);
	FILE *file = fopen(directory->manifest, "w");
	assert_non_null(file);
	fputs("device_name,cost_center\n36500,Fleet-East\n36501,Fleet-West\n", file);
	fclose(file);
	/* the rule in small: a file counts as settled 50 ms after its last change
	 * (2 s in real use), so any later write lands in a later tick of its times */
	struct timespec pause = {0, 60 * 1000 * 1000};
	nanosleep(&pause, NULL);
	setenv("LATTIGO_MANIFEST_SETTLED_MS", "50", 1);
	*state = directory;
	return 0;
}

static int directory_teardown(void **state)
{
	struct directory *directory = *state;
	unlink(directory->manifest);
	unlink(directory->record);
	assert_int_equal(rmdir(directory->path), 0);
	unsetenv("LATTIGO_MANIFEST_SETTLED_MS");
	free(directory);
	return 0;
}

/* Fingerprints the manifest as a resume does; returns whether the record served. */
static bool fingerprint(const struct directory *directory, struct journal_fingerprint *out,
                        bool store)
{
	struct error error;
	error_clear(&error);
	struct journal_manifest_seen seen;
	assert_int_equal(
	    journal_fingerprint_manifest(directory->path, directory->manifest, out, &seen, &error),
	    0);
	struct journal_fingerprint read;
	assert_int_equal(journal_fingerprint_file(directory->manifest, &read, &error), 0);
	/* the fingerprint is the content's, however it was found */
	assert_memory_equal(&read, out, sizeof(read));
	if (store)
		journal_manifest_seen_store(directory->path, &seen);
	return seen.from_record;
}

static void test_same_file_not_read_again(void **state)
{
	struct directory *directory = *state;
	struct journal_fingerprint first, again;
	assert_false(fingerprint(directory, &first, true));
	assert_true(fingerprint(directory, &again, false));
	assert_memory_equal(&first, &again, sizeof(first));
}

static void test_edit_keeping_size_and_time_is_read(void **state)
{
	struct directory *directory = *state;
	struct journal_fingerprint first, after;
	assert_false(fingerprint(directory, &first, true));
	struct stat before;
	assert_int_equal(stat(directory->manifest, &before), 0);
	/* one digit changed in place, the modification time put back */
	FILE *file = fopen(directory->manifest, "r+");
	assert_non_null(file);
	assert_int_equal(fseek(file, 30, SEEK_SET), 0);
	fputc('9', file);
	fclose(file);
	struct timespec times[2] = {before.st_atim, before.st_mtim};
	assert_int_equal(utimensat(AT_FDCWD, directory->manifest, times, 0), 0);
	/* settled again: only the change time tells the edit */
	struct timespec pause = {0, 60 * 1000 * 1000};
	nanosleep(&pause, NULL);
	assert_false(fingerprint(directory, &after, false));
	assert_memory_not_equal(first.sha256, after.sha256, sizeof(first.sha256));
	assert_int_equal(first.size, after.size);
}

static void test_recent_change_not_vouched_for(void **state)
{
	struct directory *directory = *state;
	struct journal_fingerprint first, again;
	setenv("LATTIGO_MANIFEST_SETTLED_MS", "60000", 1);
	assert_false(fingerprint(directory, &first, true));
	/* not storable: no record was written, the next one reads again */
	assert_int_not_equal(access(directory->record, F_OK), 0);
	setenv("LATTIGO_MANIFEST_SETTLED_MS", "50", 1);
	assert_false(fingerprint(directory, &again, false));
}

static void test_settled_rule(void **state)
{
	(void)state;
	struct journal_file_identity identity = {1, 2, 3, 10000000000, 10000000000};
	assert_true(journal_identity_settled(&identity, 12000000001, 2000));
	assert_false(journal_identity_settled(&identity, 12000000000, 2000));
	identity.changed_ns = 11000000000; /* a change after the modification time */
	assert_false(journal_identity_settled(&identity, 12000000001, 2000));
}

static void test_damaged_or_missing_record(void **state)
{
	struct directory *directory = *state;
	struct journal_fingerprint first, again;
	assert_false(fingerprint(directory, &first, true));
	struct stat info;
	assert_int_equal(stat(directory->record, &info), 0);
	for (off_t offset = 0; offset < info.st_size; offset += 7) {
		FILE *file = fopen(directory->record, "r+b");
		assert_non_null(file);
		assert_int_equal(fseek(file, offset, SEEK_SET), 0);
		int byte = fgetc(file);
		assert_int_equal(fseek(file, offset, SEEK_SET), 0);
		fputc(byte ^ 0x01, file);
		fclose(file);
		assert_false(fingerprint(directory, &again, true)); /* and stored whole again */
		assert_true(fingerprint(directory, &again, false));
	}
	assert_int_equal(truncate(directory->record, info.st_size - 1), 0);
	assert_false(fingerprint(directory, &again, false));
	unlink(directory->record);
	assert_false(fingerprint(directory, &again, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_same_file_not_read_again, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test_setup_teardown(test_edit_keeping_size_and_time_is_read,
	                                    directory_setup, directory_teardown),
	    cmocka_unit_test_setup_teardown(test_recent_change_not_vouched_for, directory_setup,
	                                    directory_teardown),
	    cmocka_unit_test(test_settled_rule),
	    cmocka_unit_test_setup_teardown(test_damaged_or_missing_record, directory_setup,
	                                    directory_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
