/* Unit tests for the keys file (OUT/duplicate-keys): a snapshot vouches for
 * the keys claimed up to it, a resume loads exactly those, and anything
 * else — a flipped byte, a file cut short, another job's or another
 * scheme's file, no file — is refused as unusable (the resume then reads the
 * manifest from its first row), while bytes appended after the mark are
 * ignored and cut off before appending again. */
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

#include "journal/journal.h"

#define ROWS   400
#define SEED   UINT64_C(0x1234567890abcdef)
#define SCHEME 7u

struct directory {
	char path[64];
};

static void path_of(const struct directory *directory, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", directory->path, name);
}

static void directory_remove(struct directory *directory)
{
	const char *names[] = {JOURNAL_FILE_NAME, JOURNAL_PREVIOUS_NAME, JOURNAL_NEXT_NAME,
	                       JOURNAL_KEYS_NAME};
	for (size_t index = 0; index < sizeof(names) / sizeof(names[0]); index++) {
		char path[128];
		path_of(directory, names[index], path, sizeof(path));
		unlink(path);
	}
	assert_int_equal(rmdir(directory->path), 0);
}

static uint64_t fingerprint_of(uint64_t row, size_t key)
{
	return (row * UINT64_C(0x9e3779b97f4a7c15)) ^ (uint64_t)key;
}

/* Rows 1..ROWS claim two keys each, except every 10th row (invalid: none);
 * every row ends ok. The segment is small, so commits compact often. */
static uint64_t write_job(const char *directory, uint64_t *job_id)
{
	struct error error;
	error_clear(&error);
	struct journal_header header;
	memset(&header, 0, sizeof(header));
	snprintf(header.operation, sizeof(header.operation), "activate");
	snprintf(header.manifest_path, sizeof(header.manifest_path), "lot.csv");
	header.options_json = strdup("{}");
	struct journal_options options = {.segment_bytes = 1024};
	struct journal *journal = journal_create(directory, &header, &options, &error);
	assert_non_null(journal);
	*job_id = header.job_id;
	assert_int_equal(journal_keys_start(journal, SEED, SCHEME, NULL, &error), 0);
	uint64_t claimed = 0;
	for (uint64_t row = 1; row <= ROWS; row++) {
		if (row % 10 != 0) {
			uint64_t keys[2] = {fingerprint_of(row, 0), fingerprint_of(row, 1)};
			assert_int_equal(
			    journal_keys_claim(journal, row, row + 1000, keys, 2, &error), 0);
			claimed += 2;
		}
		struct manifest_position position = {row * 30, row, row + 1};
		struct row_outcome outcome;
		memset(&outcome, 0, sizeof(outcome));
		outcome.status = row % 10 == 0 ? ROW_INVALID : ROW_OK;
		assert_int_equal(journal_row_outcome(journal, &position, &outcome, &error), 0);
		if (row % 25 == 0)
			assert_int_equal(journal_commit(journal, &error), 0);
	}
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	return claimed;
}

struct loaded {
	uint64_t seed, keys, wrong;
};

static int load_begin(void *context, uint64_t seed, struct error *error)
{
	(void)error;
	struct loaded *loaded = context;
	loaded->seed = seed;
	return 0;
}

static int load_key(void *context, uint64_t fingerprint, uint64_t row, struct error *error)
{
	(void)error;
	struct loaded *loaded = context;
	uint64_t manifest_row = row - 1000;
	if (fingerprint != fingerprint_of(manifest_row, loaded->keys % 2))
		loaded->wrong++;
	loaded->keys++;
	return 0;
}

/* The mark of the job's current segment (read-only). */
static struct journal_keys_mark mark_of(const char *directory)
{
	struct journal_read_result result;
	struct journal_replay replay;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_summarize(directory, &result, &replay, &error), 0);
	struct journal_keys_mark mark = replay.keys;
	journal_header_release(&result.header);
	journal_replay_release(&replay);
	return mark;
}

static int load(const char *directory, uint64_t job_id, uint32_t scheme,
                const struct journal_keys_mark *mark, struct loaded *loaded, char *reason,
                size_t size)
{
	struct error error;
	error_clear(&error);
	memset(loaded, 0, sizeof(*loaded));
	struct journal_keys_visitor visitor = {loaded, load_begin, load_key};
	return journal_keys_load(directory, job_id, scheme, mark, &visitor, reason, size, &error);
}

static void keys_path(const struct directory *directory, char *out, size_t size)
{
	path_of(directory, JOURNAL_KEYS_NAME, out, size);
}

static void make_directory(struct directory *directory)
{
	snprintf(directory->path, sizeof(directory->path), "/tmp/test_keys.XXXXXX");
	assert_non_null(mkdtemp(directory->path));
}

static void snapshot_vouches_for_the_keys_claimed_before_it(void **state)
{
	(void)state;
	struct directory directory;
	make_directory(&directory);
	uint64_t job_id = 0;
	uint64_t claimed = write_job(directory.path, &job_id);
	struct journal_keys_mark mark = mark_of(directory.path);
	assert_true(mark.known);
	assert_true(mark.count > 0 && mark.count <= claimed);
	assert_true(mark.claimed_through > 0 && mark.claimed_through <= ROWS);
	/* every row up to claimed_through claimed its keys: two per valid row */
	uint64_t expected = 0;
	for (uint64_t row = 1; row <= mark.claimed_through; row++)
		expected += row % 10 != 0 ? 2 : 0;
	assert_int_equal(mark.count, expected);
	/* the seek point is a row whose every predecessor is final */
	assert_true(mark.seek_known);
	assert_true(mark.seek.row >= 1 && mark.seek.row <= ROWS);
	assert_int_equal(mark.seek.offset, mark.seek.row * 30);
	struct loaded loaded;
	char reason[256];
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 1);
	assert_int_equal(loaded.seed, SEED);
	assert_int_equal(loaded.keys, mark.count);
	assert_int_equal(loaded.wrong, 0);
	directory_remove(&directory);
}

static void damaged_or_foreign_keys_are_unusable(void **state)
{
	(void)state;
	struct directory directory;
	make_directory(&directory);
	uint64_t job_id = 0;
	write_job(directory.path, &job_id);
	struct journal_keys_mark mark = mark_of(directory.path);
	struct loaded loaded;
	char reason[256];
	char path[128];
	keys_path(&directory, path, sizeof(path));
	/* another scheme, another job */
	assert_int_equal(
	    load(directory.path, job_id, SCHEME + 1, &mark, &loaded, reason, sizeof(reason)), 0);
	assert_non_null(strstr(reason, "another version"));
	assert_int_equal(
	    load(directory.path, job_id ^ 1, SCHEME, &mark, &loaded, reason, sizeof(reason)), 0);
	assert_non_null(strstr(reason, "not this job's"));
	/* a flipped byte in the middle of the keys */
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	unsigned char byte = 0;
	off_t middle = (off_t)(mark.length / 2);
	assert_int_equal(pread(fd, &byte, 1, middle), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, middle), 1);
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 0);
	assert_non_null(strstr(reason, "damaged"));
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, middle), 1);
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 1);
	/* cut short (a torn file), then missing */
	assert_int_equal(ftruncate(fd, (off_t)mark.length - 5), 0);
	close(fd);
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 0);
	unlink(path);
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 0);
	assert_non_null(strstr(reason, "cannot open"));
	/* no mark at all (a job that was never compacted, or an older one) */
	struct journal_keys_mark none = {0};
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &none, &loaded, reason, sizeof(reason)), 0);
	directory_remove(&directory);
}

static void bytes_after_the_mark_are_ignored_then_cut(void **state)
{
	(void)state;
	struct directory directory;
	make_directory(&directory);
	uint64_t job_id = 0;
	write_job(directory.path, &job_id);
	struct journal_keys_mark mark = mark_of(directory.path);
	char path[128];
	keys_path(&directory, path, sizeof(path));
	/* what a crash between the file's sync and the next snapshot leaves */
	FILE *file = fopen(path, "ab");
	assert_non_null(file);
	fputs("claims no snapshot vouches for", file);
	fclose(file);
	struct loaded loaded;
	char reason[256];
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 1);
	assert_int_equal(loaded.keys, mark.count);
	/* a resume continuing at the mark cuts them off before appending */
	struct error error;
	error_clear(&error);
	struct journal_header header;
	struct journal_replay replay;
	struct journal *journal =
	    journal_resume(directory.path, NULL, NULL, &header, &replay, &error);
	assert_non_null(journal);
	assert_true(replay.keys.known);
	assert_int_equal(journal_keys_start(journal, SEED, SCHEME, &replay.keys, &error), 0);
	struct stat info;
	assert_int_equal(stat(path, &info), 0);
	assert_int_equal((uint64_t)info.st_size, mark.length);
	/* a new claim, a compaction: the next mark covers it too */
	uint64_t key = fingerprint_of(ROWS + 1, 0);
	assert_int_equal(journal_keys_claim(journal, ROWS + 1, ROWS + 1001, &key, 1, &error), 0);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	journal_replay_release(&replay);
	directory_remove(&directory);
}

static void starting_anew_forgets_the_old_mark(void **state)
{
	(void)state;
	struct directory directory;
	make_directory(&directory);
	uint64_t job_id = 0;
	write_job(directory.path, &job_id);
	struct error error;
	error_clear(&error);
	struct journal_header header;
	struct journal_replay replay;
	struct journal_options options = {.segment_bytes = 1024};
	struct journal *journal =
	    journal_resume(directory.path, &options, NULL, &header, &replay, &error);
	assert_non_null(journal);
	/* keys found unusable: the file starts again with another seed */
	assert_int_equal(journal_keys_start(journal, SEED + 1, SCHEME, NULL, &error), 0);
	uint64_t key = fingerprint_of(1, 0);
	assert_int_equal(journal_keys_claim(journal, 1, 1001, &key, 1, &error), 0);
	/* until a compaction, the checkpoint's mark (the old file's) fits nothing */
	struct journal_keys_mark mark = mark_of(directory.path);
	struct loaded loaded;
	char reason[256];
	assert_true(mark.known);
	assert_int_equal(
	    load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason)), 0);
	for (uint64_t row = ROWS + 1; row <= ROWS + 40; row++) {
		struct manifest_position position = {row * 30, row, row + 1};
		struct row_outcome outcome;
		memset(&outcome, 0, sizeof(outcome));
		outcome.status = ROW_OK;
		assert_int_equal(journal_row_outcome(journal, &position, &outcome, &error), 0);
		assert_int_equal(journal_commit(journal, &error), 0);
	}
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	journal_replay_release(&replay);
	/* the next compaction vouches for the new file */
	mark = mark_of(directory.path);
	assert_true(mark.known);
	int status = load(directory.path, job_id, SCHEME, &mark, &loaded, reason, sizeof(reason));
	if (status != 1)
		fail_msg("%s (mark: %llu bytes, %llu keys)", reason,
		         (unsigned long long)mark.length, (unsigned long long)mark.count);
	assert_int_equal(loaded.seed, SEED + 1);
	assert_int_equal(loaded.keys, 1);
	directory_remove(&directory);
}

static void a_compaction_without_keys_recorded_vouches_for_none(void **state)
{
	(void)state;
	struct directory directory;
	make_directory(&directory);
	uint64_t job_id = 0;
	write_job(directory.path, &job_id);
	assert_true(mark_of(directory.path).known);
	struct error error;
	error_clear(&error);
	struct journal_header header;
	struct journal_replay replay;
	struct journal_options options = {.segment_bytes = 1024};
	struct journal *journal =
	    journal_resume(directory.path, &options, NULL, &header, &replay, &error);
	assert_non_null(journal);
	/* no journal_keys_start: the old mark with a new seek point would skip
	 * rows whose keys the file does not hold */
	for (uint64_t row = ROWS + 1; row <= ROWS + 40; row++) {
		struct manifest_position position = {row * 30, row, row + 1};
		struct row_outcome outcome;
		memset(&outcome, 0, sizeof(outcome));
		outcome.status = ROW_OK;
		assert_int_equal(journal_row_outcome(journal, &position, &outcome, &error), 0);
		assert_int_equal(journal_commit(journal, &error), 0);
	}
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	journal_replay_release(&replay);
	assert_false(mark_of(directory.path).known);
	directory_remove(&directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(snapshot_vouches_for_the_keys_claimed_before_it),
	    cmocka_unit_test(damaged_or_foreign_keys_are_unusable),
	    cmocka_unit_test(bytes_after_the_mark_are_ignored_then_cut),
	    cmocka_unit_test(starting_anew_forgets_the_old_mark),
	    cmocka_unit_test(a_compaction_without_keys_recorded_vouches_for_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
