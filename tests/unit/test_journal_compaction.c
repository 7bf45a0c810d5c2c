/* Unit tests for checkpoint compaction: the snapshot keeps exactly the state
 * a full replay would build, resume reads only the current segment, a
 * damaged snapshot falls back to the previous segment (or is refused with
 * its offset when there is none), and what a crash during a compaction can
 * leave behind (checkpoint.new, checkpoint.prev naming the current segment)
 * changes nothing. */
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

#include "journal/journal.h"

#define ROWS          300
#define CHUNK         10
#define UNFINISHED    7   /* the call whose rows stay in doubt: rows 61..70 */
#define INVALID_FIRST 301 /* rows 301..305 are invalid: final without a call */
#define INVALID_LAST  305

struct directory {
	char path[64];
};

static void directory_make(struct directory *directory)
{
	snprintf(directory->path, sizeof(directory->path), "/tmp/test_compaction.XXXXXX");
	assert_non_null(mkdtemp(directory->path));
}

static void path_of(const struct directory *directory, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", directory->path, name);
}

static void directory_remove(struct directory *directory)
{
	const char *names[] = {JOURNAL_FILE_NAME, JOURNAL_PREVIOUS_NAME, JOURNAL_NEXT_NAME};
	for (size_t index = 0; index < sizeof(names) / sizeof(names[0]); index++) {
		char path[128];
		path_of(directory, names[index], path, sizeof(path));
		unlink(path);
	}
	assert_int_equal(rmdir(directory->path), 0);
}

static bool exists(const struct directory *directory, const char *name)
{
	char path[128];
	struct stat info;
	path_of(directory, name, path, sizeof(path));
	return stat(path, &info) == 0;
}

static enum row_status status_of(uint64_t row)
{
	if (row >= INVALID_FIRST)
		return ROW_INVALID;
	return row % 7 == 0 ? ROW_ERROR : ROW_OK;
}

static int snapshots_taken;

static int count_snapshot(void *context, struct error *error)
{
	(void)context;
	(void)error;
	snapshots_taken++;
	return 0;
}

/* Writes the test job with the given segment size; returns its counters. */
static struct journal_counters write_job(const char *directory, uint64_t segment_bytes)
{
	struct error error;
	error_clear(&error);
	struct journal_header header;
	memset(&header, 0, sizeof(header));
	snprintf(header.operation, sizeof(header.operation), "cost-center");
	snprintf(header.manifest_path, sizeof(header.manifest_path), "lot.csv");
	header.options_json = strdup("{}");
	struct journal_options options = {.segment_bytes = segment_bytes,
	                                  .before_snapshot = count_snapshot};
	struct journal *journal = journal_create(directory, &header, &options, &error);
	assert_non_null(journal);
	for (uint64_t call = 1; call <= ROWS / CHUNK; call++) {
		struct record records[CHUNK];
		const struct record *pointers[CHUNK];
		for (uint64_t index = 0; index < CHUNK; index++) {
			memset(&records[index], 0, sizeof(records[index]));
			records[index].row = (call - 1) * CHUNK + index + 1;
			records[index].offset = records[index].row * 20;
			records[index].line = records[index].row + 1;
			pointers[index] = &records[index];
		}
		assert_int_equal(journal_call_started(journal, call, call % 3 == 0 ? 2 : 1,
		                                      pointers, CHUNK, true, &error),
		                 0);
		if (call == UNFINISHED)
			continue;
		for (uint64_t index = 0; index < CHUNK; index++) {
			struct row_outcome outcome;
			memset(&outcome, 0, sizeof(outcome));
			outcome.status = status_of(records[index].row);
			outcome.http_status = outcome.status == ROW_OK ? 200 : 404;
			outcome.attempts = 1;
			snprintf(outcome.message, sizeof(outcome.message), "row %llu",
			         (unsigned long long)records[index].row);
			assert_int_equal(
			    journal_row_finished(journal, &records[index], &outcome, &error), 0);
		}
	}
	for (uint64_t row = INVALID_FIRST; row <= INVALID_LAST; row++) {
		struct manifest_position position = {row * 20, row, row + 1};
		struct row_outcome outcome;
		memset(&outcome, 0, sizeof(outcome));
		outcome.status = ROW_INVALID;
		snprintf(outcome.message, sizeof(outcome.message), "iccid: check digit wrong");
		assert_int_equal(journal_row_outcome(journal, &position, &outcome, &error), 0);
	}
	assert_int_equal(journal_row_total(journal, INVALID_LAST, &error), 0);
	assert_int_equal(journal_commit(journal, &error), 0);
	struct journal_counters counters;
	journal_get_counters(journal, &counters);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	return counters;
}

struct seen {
	unsigned snapshots;
	uint64_t outcomes;
	uint64_t snapshot_final;
};

static int see_outcome(void *context, const struct manifest_position *position,
                       const struct row_outcome *outcome, struct error *error)
{
	(void)error;
	struct seen *seen = context;
	assert_int_equal(outcome->status, status_of(position->row));
	seen->outcomes++;
	return 0;
}

static int see_snapshot(void *context, const struct journal_snapshot *snapshot, struct error *error)
{
	(void)error;
	struct seen *seen = context;
	seen->snapshots++;
	seen->snapshot_final = snapshot->state->rows_final;
	assert_true(snapshot->generation >= 1);
	assert_true(snapshot->final_prefix <= snapshot->highest_final);
	/* the rows it holds final are final, the rest of its prefix too */
	for (uint64_t row = 1; row <= snapshot->final_prefix; row++)
		assert_int_equal(journal_replay_row_state(snapshot->state, row), JOURNAL_ROW_FINAL);
	return 0;
}

/* The state of the test job, whichever way it was read. */
static void assert_job_state(const struct journal_replay *replay)
{
	assert_int_equal(replay->rows_final, INVALID_LAST - CHUNK);
	assert_int_equal(replay->rows_in_doubt, CHUNK);
	assert_int_equal(replay->calls, ROWS / CHUNK);
	assert_int_equal(replay->retries, ROWS / CHUNK / 3);
	assert_int_equal(replay->highest_call_id, ROWS / CHUNK);
	assert_int_equal(replay->row_total, INVALID_LAST);
	assert_int_equal(replay->rows_by_status[ROW_INVALID], INVALID_LAST - INVALID_FIRST + 1);
	uint64_t errors = 0;
	for (uint64_t row = 1; row <= ROWS; row++)
		if (row % 7 == 0 && (row <= 60 || row > 70))
			errors++;
	assert_int_equal(replay->rows_by_status[ROW_ERROR], errors);
	for (uint64_t row = 1; row <= INVALID_LAST + 3; row++) {
		enum journal_row_state expected = row > INVALID_LAST      ? JOURNAL_ROW_NEW
		                                  : row > 60 && row <= 70 ? JOURNAL_ROW_IN_DOUBT
		                                                          : JOURNAL_ROW_FINAL;
		if (journal_replay_row_state(replay, row) != expected)
			fail_msg("row %llu: state %d, expected %d", (unsigned long long)row,
			         (int)journal_replay_row_state(replay, row), (int)expected);
	}
}

/* Resumes the job in directory and checks its state; returns what was visited. */
static struct seen resume_and_check(const struct directory *directory)
{
	struct seen seen = {0};
	struct journal_visitor visitor = {
	    .context = &seen, .row_outcome = see_outcome, .snapshot = see_snapshot};
	struct journal_replay replay;
	struct journal_header header;
	struct error error;
	error_clear(&error);
	struct journal *journal =
	    journal_resume(directory->path, NULL, &visitor, &header, &replay, &error);
	if (!journal)
		fail_msg("resume refused: %s", error.message);
	assert_job_state(&replay);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_replay_release(&replay);
	journal_header_release(&header);
	return seen;
}

static void compaction_keeps_the_state_of_a_full_replay(void **state)
{
	(void)state;
	struct directory whole, compacted;
	directory_make(&whole);
	directory_make(&compacted);
	snapshots_taken = 0;
	struct journal_counters never = write_job(whole.path, UINT64_MAX);
	assert_int_equal(never.compactions, 0);
	assert_int_equal(snapshots_taken, 0);
	struct journal_counters often = write_job(compacted.path, 600);
	assert_true(often.compactions >= 5);
	assert_int_equal(snapshots_taken, (int)often.compactions);
	assert_true(exists(&compacted, JOURNAL_PREVIOUS_NAME));
	assert_false(exists(&compacted, JOURNAL_NEXT_NAME));
	assert_false(exists(&whole, JOURNAL_PREVIOUS_NAME));

	struct seen full = resume_and_check(&whole);
	assert_int_equal(full.snapshots, 0);
	assert_int_equal(full.outcomes, INVALID_LAST - CHUNK);
	struct seen tail = resume_and_check(&compacted);
	assert_int_equal(tail.snapshots, 1);
	/* only the rows after the snapshot are replayed */
	assert_true(tail.outcomes < INVALID_LAST - CHUNK);
	assert_int_equal(tail.snapshot_final + tail.outcomes, INVALID_LAST - CHUNK);

	/* status reads the same state */
	struct journal_read_result result;
	struct journal_replay replay;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_summarize(compacted.path, &result, &replay, &error), 0);
	assert_job_state(&replay);
	assert_true(result.generation >= 5);
	assert_false(result.used_fallback);
	journal_replay_release(&replay);
	journal_header_release(&result.header);
	directory_remove(&whole);
	directory_remove(&compacted);
}

/* Offset of the snapshot record: right after the magic and the header frame. */
static size_t snapshot_offset(const unsigned char *data)
{
	uint32_t header_length = (uint32_t)data[8] | (uint32_t)data[9] << 8 |
	                         (uint32_t)data[10] << 16 | (uint32_t)data[11] << 24;
	return 8 + 13 + header_length;
}

static unsigned char *read_whole(const char *path, size_t *size)
{
	FILE *stream = fopen(path, "rb");
	assert_non_null(stream);
	fseek(stream, 0, SEEK_END);
	*size = (size_t)ftell(stream);
	fseek(stream, 0, SEEK_SET);
	unsigned char *data = malloc(*size);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, *size, stream), *size);
	fclose(stream);
	return data;
}

static void write_whole(const char *path, const void *data, size_t size)
{
	FILE *stream = fopen(path, "wb");
	assert_non_null(stream);
	assert_int_equal(fwrite(data, 1, size, stream), size);
	fclose(stream);
}

static void a_damaged_snapshot_falls_back_to_the_previous_segment(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	write_job(directory.path, 600);
	char path[128], previous[128];
	path_of(&directory, JOURNAL_FILE_NAME, path, sizeof(path));
	path_of(&directory, JOURNAL_PREVIOUS_NAME, previous, sizeof(previous));
	size_t size;
	unsigned char *data = read_whole(path, &size);
	size_t at = snapshot_offset(data);
	assert_int_equal(data[at + 4], 6); /* the snapshot record's type */

	/* a flipped bit in its length, type, payload or CRC; and a cut inside it */
	size_t spots[] = {at, at + 4, at + 20, at + 60};
	for (size_t index = 0; index <= sizeof(spots) / sizeof(spots[0]); index++) {
		unsigned char *copy = malloc(size);
		assert_non_null(copy);
		memcpy(copy, data, size);
		size_t length = size;
		if (index < sizeof(spots) / sizeof(spots[0]))
			copy[spots[index]] ^= 0x04;
		else
			length = at + 30; /* the file ends inside the snapshot */
		write_whole(path, copy, length);
		free(copy);
		struct journal_read_result result;
		struct journal_replay replay;
		struct error error;
		error_clear(&error);
		if (journal_summarize(directory.path, &result, &replay, &error))
			fail_msg("damage %zu: %s", index, error.message);
		assert_true(result.used_fallback);
		if (index < sizeof(spots) / sizeof(spots[0]))
			assert_job_state(&replay);
		journal_replay_release(&replay);
		journal_header_release(&result.header);
	}

	/* resume rebuilds from the previous segment and writes a whole snapshot at once */
	data[at + 60] ^= 0x04;
	write_whole(path, data, size);
	struct seen seen = resume_and_check(&directory);
	assert_int_equal(seen.snapshots, 1);
	struct journal_read_result result;
	struct journal_replay replay;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_summarize(directory.path, &result, &replay, &error), 0);
	assert_false(result.used_fallback);
	assert_job_state(&replay);
	journal_replay_release(&replay);
	journal_header_release(&result.header);

	/* without a previous segment the damage is refused with its offset */
	free(data);
	data = read_whole(path, &size);
	at = snapshot_offset(data);
	data[at + 60] ^= 0x04;
	write_whole(path, data, size);
	assert_int_equal(unlink(previous), 0);
	error_clear(&error);
	assert_int_equal(journal_summarize(directory.path, &result, &replay, &error), -1);
	char expected[64];
	snprintf(expected, sizeof(expected), "damaged at byte offset %zu", at);
	if (!strstr(error.message, expected))
		fail_msg("%s", error.message);
	journal_replay_release(&replay);
	journal_header_release(&result.header);
	struct journal_header header;
	error_clear(&error);
	assert_null(journal_resume(directory.path, NULL, NULL, &header, &replay, &error));
	assert_non_null(strstr(error.message, expected));
	free(data);
	directory_remove(&directory);
}

static void what_an_interrupted_compaction_leaves_changes_nothing(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	write_job(directory.path, 600);
	char path[128], next[128], previous[128];
	path_of(&directory, JOURNAL_FILE_NAME, path, sizeof(path));
	path_of(&directory, JOURNAL_NEXT_NAME, next, sizeof(next));
	path_of(&directory, JOURNAL_PREVIOUS_NAME, previous, sizeof(previous));

	/* cut before the rename: a half-written checkpoint.new is never read */
	size_t size;
	unsigned char *data = read_whole(path, &size);
	write_whole(next, data, snapshot_offset(data) + 17);
	resume_and_check(&directory);
	assert_false(exists(&directory, JOURNAL_NEXT_NAME));

	/* cut between the link and the rename: checkpoint.prev is checkpoint */
	assert_int_equal(unlink(previous), 0);
	assert_int_equal(link(path, previous), 0);
	resume_and_check(&directory);

	/* cut between removing the old checkpoint.prev and the link */
	assert_int_equal(unlink(previous), 0);
	resume_and_check(&directory);
	free(data);
	directory_remove(&directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(compaction_keeps_the_state_of_a_full_replay),
	    cmocka_unit_test(a_damaged_snapshot_falls_back_to_the_previous_segment),
	    cmocka_unit_test(what_an_interrupted_compaction_leaves_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
