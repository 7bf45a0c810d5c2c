/* Unit tests for the checkpoint journal: round trip, the torn-tail rule at
 * every byte offset, damage in the middle, another job's record, header
 * comparison and group commit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "journal/journal.h"

struct directory {
	char path[64];
};

static void directory_make(struct directory *directory)
{
	snprintf(directory->path, sizeof(directory->path), "/tmp/test_journal.XXXXXX");
	assert_non_null(mkdtemp(directory->path));
}

static void directory_remove(struct directory *directory)
{
	const char *names[] = {"checkpoint", "lock", "copy", "manifest.csv", "manifest.csv.gz"};
	for (size_t index = 0; index < sizeof(names) / sizeof(names[0]); index++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", directory->path, names[index]);
		unlink(path);
	}
	assert_int_equal(rmdir(directory->path), 0);
}

static void header_fill(struct journal_header *header, const char *options)
{
	memset(header, 0, sizeof(*header));
	snprintf(header->operation, sizeof(header->operation), "cost-center");
	snprintf(header->manifest_path, sizeof(header->manifest_path), "lot-42.csv");
	header->fingerprint.size = 1234;
	memset(header->fingerprint.sha256, 0xab, sizeof(header->fingerprint.sha256));
	header->options_json = strdup(options);
}

static struct record record_at(uint64_t row)
{
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = row;
	record.line = row + 1;
	record.offset = row * 100;
	return record;
}

static struct row_outcome outcome_of(enum row_status status, const char *message)
{
	struct row_outcome outcome;
	memset(&outcome, 0, sizeof(outcome));
	outcome.status = status;
	outcome.http_status = status == ROW_OK ? 200 : 422;
	outcome.attempts = 1;
	outcome.finished_at_ms = 1700000000000;
	snprintf(outcome.message, sizeof(outcome.message), "%s", message);
	return outcome;
}

/* Writes a job: rows 1..rows sent in calls of chunk rows, every row but
 * the ones in a call that never finished gets an outcome. Records the end
 * offset of every record in ends (may be NULL). */
static uint64_t write_job(const char *directory, uint64_t rows, uint64_t chunk,
                          uint64_t unfinished_call, struct journal_header *header)
{
	struct error error;
	error_clear(&error);
	header_fill(header, "{\"set\":{\"rate_plan_name\":\"ACME 5MB\"}}");
	struct journal *journal = journal_create(directory, header, NULL, &error);
	assert_non_null(journal);
	uint64_t call = 0;
	for (uint64_t first = 1; first <= rows; first += chunk, call++) {
		struct record records[16];
		const struct record *pointers[16];
		uint64_t count = rows - first + 1 < chunk ? rows - first + 1 : chunk;
		for (uint64_t index = 0; index < count; index++) {
			records[index] = record_at(first + index);
			pointers[index] = &records[index];
		}
		assert_int_equal(journal_call_started(journal, call + 1, 1, pointers, count,
		                                      call % 2 == 0, &error),
		                 0);
		if (call + 1 == unfinished_call)
			continue;
		for (uint64_t index = 0; index < count; index++) {
			enum row_status status = (first + index) % 5 == 0 ? ROW_ERROR : ROW_OK;
			struct row_outcome outcome = outcome_of(
			    status, status == ROW_OK ? "Success" : "Error: no such device");
			assert_int_equal(
			    journal_row_finished(journal, &records[index], &outcome, &error), 0);
		}
	}
	assert_int_equal(journal_row_total(journal, rows, &error), 0);
	struct journal_counters counters;
	journal_get_counters(journal, &counters);
	assert_int_equal(journal_close(journal, &error), 0);
	return counters.records;
}

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *stream = fopen(path, "rb");
	assert_non_null(stream);
	fseek(stream, 0, SEEK_END);
	long length = ftell(stream);
	fseek(stream, 0, SEEK_SET);
	unsigned char *data = malloc((size_t)length + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)length, stream), (size_t)length);
	fclose(stream);
	*size = (size_t)length;
	return data;
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *stream = fopen(path, "wb");
	assert_non_null(stream);
	assert_int_equal(fwrite(data, 1, size, stream), size);
	fclose(stream);
}

static void checkpoint_path(const struct directory *directory, char *out, size_t size)
{
	snprintf(out, size, "%s/checkpoint", directory->path);
}

struct tally {
	uint64_t calls, outcomes, errors, total;
	bool finished;
};

static int tally_call(void *context, const struct journal_call *call, struct error *error)
{
	(void)error;
	struct tally *tally = context;
	assert_true(call->row_count > 0);
	assert_int_equal(call->rows[0].offset, call->rows[0].row * 100);
	tally->calls++;
	return 0;
}

static int tally_outcome(void *context, const struct manifest_position *position,
                         const struct row_outcome *outcome, struct error *error)
{
	(void)error;
	struct tally *tally = context;
	assert_int_equal(position->line, position->row + 1);
	if (outcome->status == ROW_ERROR) {
		assert_string_equal(outcome->message, "Error: no such device");
		assert_int_equal(outcome->http_status, 422);
		tally->errors++;
	}
	tally->outcomes++;
	return 0;
}

static int tally_total(void *context, uint64_t rows, struct error *error)
{
	(void)error;
	((struct tally *)context)->total = rows;
	return 0;
}

static int tally_finished(void *context, int64_t at, struct error *error)
{
	(void)error;
	(void)at;
	((struct tally *)context)->finished = true;
	return 0;
}

static struct journal_visitor tally_visitor(struct tally *tally)
{
	struct journal_visitor visitor = {.context = tally,
	                                  .call_started = tally_call,
	                                  .row_outcome = tally_outcome,
	                                  .row_total = tally_total,
	                                  .job_finished = tally_finished};
	return visitor;
}

static void round_trip_and_resume(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	uint64_t records = write_job(directory.path, 100, 10, 4, &header);
	assert_int_equal(records, 1 + 10 + 90 + 1);

	struct tally tally = {0};
	struct journal_visitor visitor = tally_visitor(&tally);
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, &visitor, &result, &error), 0);
	assert_false(result.tail_torn);
	assert_int_equal(result.records, records);
	assert_int_equal(result.valid_bytes, result.file_bytes);
	assert_int_equal(result.header.job_id, header.job_id);
	assert_string_equal(result.header.operation, "cost-center");
	assert_string_equal(result.header.options_json,
	                    "{\"set\":{\"rate_plan_name\":\"ACME 5MB\"}}");
	assert_memory_equal(result.header.fingerprint.sha256, header.fingerprint.sha256, 32);
	assert_int_equal(tally.calls, 10);
	assert_int_equal(tally.outcomes, 90);
	assert_int_equal(tally.errors, 18);
	assert_int_equal(tally.total, 100);
	journal_header_release(&result.header);

	/* resume: rows 31..40 were sent without an outcome */
	struct journal_replay replay;
	struct journal_header recorded;
	memset(&tally, 0, sizeof(tally));
	struct journal *journal =
	    journal_resume(directory.path, NULL, &visitor, &recorded, &replay, &error);
	assert_non_null(journal);
	assert_int_equal(journal_header_compare(&recorded, &header, &error), 0);
	assert_int_equal(tally.outcomes, 90);
	assert_int_equal(replay.rows_final, 90);
	assert_int_equal(replay.rows_in_doubt, 10);
	assert_int_equal(replay.calls, 10);
	assert_int_equal(replay.rows_by_status[ROW_ERROR], 18);
	assert_int_equal(replay.row_total, 100);
	assert_true(replay.resume_from_known);
	assert_int_equal(replay.resume_from.row, 30);
	assert_int_equal(replay.resume_from.offset, 3000);
	assert_int_equal(replay.resume_from.line, 31);
	assert_int_equal(journal_replay_row_state(&replay, 30), JOURNAL_ROW_FINAL);
	assert_int_equal(journal_replay_row_state(&replay, 31), JOURNAL_ROW_IN_DOUBT);
	assert_int_equal(journal_replay_row_state(&replay, 41), JOURNAL_ROW_FINAL);
	assert_int_equal(journal_replay_row_state(&replay, 101), JOURNAL_ROW_NEW);
	assert_int_equal(journal_replay_row_state(&replay, 1000000), JOURNAL_ROW_NEW);
	journal_replay_release(&replay);

	/* the in-doubt rows get their outcome on resume; then the job is finished */
	for (uint64_t row = 31; row <= 40; row++) {
		struct record record = record_at(row);
		struct row_outcome outcome = outcome_of(ROW_UNKNOWN, "sent, outcome unknown");
		assert_int_equal(journal_row_finished(journal, &record, &outcome, &error), 0);
	}
	assert_int_equal(journal_job_finished(journal, &error), 0);
	assert_int_equal(journal_close(journal, &error), 0);

	struct journal_read_result summary;
	assert_int_equal(journal_summarize(directory.path, &summary, &replay, &error), 0);
	assert_int_equal(replay.rows_final, 100);
	assert_int_equal(replay.rows_in_doubt, 0);
	assert_int_equal(replay.rows_by_status[ROW_UNKNOWN], 10);
	assert_true(replay.job_finished);
	journal_replay_release(&replay);
	journal_header_release(&summary.header);
	journal_header_release(&recorded);
	journal_header_release(&header);
	directory_remove(&directory);
}

/* The end offsets of every record, found by reading prefixes. */
/* The resume point is row 40 (rows 41..50 never finished) while 8,950 later
 * outcomes follow it: more than replay keeps at hand, so it reads again. */
static void a_resume_point_far_behind_the_last_outcomes_is_found(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	write_job(directory.path, 9000, 10, 5, &header);
	struct journal_replay replay;
	struct journal_header recorded;
	struct error error;
	error_clear(&error);
	struct journal *journal =
	    journal_resume(directory.path, NULL, NULL, &recorded, &replay, &error);
	assert_non_null(journal);
	assert_int_equal(replay.rows_final, 8990);
	assert_true(replay.resume_from_known);
	assert_int_equal(replay.resume_from.row, 40);
	assert_int_equal(replay.resume_from.offset, 4000);
	assert_int_equal(replay.resume_from.line, 41);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&recorded);
	journal_header_release(&header);
	journal_replay_release(&replay);
	directory_remove(&directory);
}

static size_t record_ends(const unsigned char *data, size_t size, size_t *ends, size_t capacity)
{
	size_t count = 0;
	size_t offset = 8;
	while (offset + 13 <= size && count < capacity) {
		uint32_t length = (uint32_t)data[offset] | (uint32_t)data[offset + 1] << 8 |
		                  (uint32_t)data[offset + 2] << 16 |
		                  (uint32_t)data[offset + 3] << 24;
		offset += 13 + length;
		ends[count++] = offset;
	}
	assert_int_equal(offset, size);
	return count;
}

static void truncation_at_every_offset_is_a_torn_tail(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	uint64_t records = write_job(directory.path, 30, 10, 0, &header);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	size_t size;
	unsigned char *data = read_file(path, &size);
	size_t ends[64];
	size_t count = record_ends(data, size, ends, 64);
	assert_int_equal(count, records);

	/* cut inside and at the end of each of the last four records */
	size_t from = ends[count - 5];
	for (size_t length = from; length < size; length++) {
		write_file(path, data, length);
		size_t whole = 0;
		while (whole < count && ends[whole] <= length)
			whole++;
		struct journal_read_result result;
		struct error error;
		error_clear(&error);
		assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
		assert_int_equal(result.records, whole);
		assert_int_equal(result.valid_bytes, ends[whole - 1]);
		assert_int_equal(result.tail_torn, ends[whole - 1] != length);
		journal_header_release(&result.header);
	}

	/* resume cuts the torn tail and appends after the last valid record */
	write_file(path, data, ends[count - 2] + 7);
	struct journal_replay replay;
	struct journal_header recorded;
	struct error error;
	error_clear(&error);
	struct journal *journal =
	    journal_resume(directory.path, NULL, NULL, &recorded, &replay, &error);
	assert_non_null(journal);
	assert_int_equal(replay.rows_final, 30);
	struct record record = record_at(31);
	struct row_outcome outcome = outcome_of(ROW_OK, "Success");
	assert_int_equal(journal_row_finished(journal, &record, &outcome, &error), 0);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_replay_release(&replay);
	struct journal_read_result result;
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_false(result.tail_torn);
	assert_int_equal(result.records, count);
	journal_header_release(&result.header);
	journal_header_release(&recorded);
	journal_header_release(&header);
	free(data);
	directory_remove(&directory);
}

static void damage_in_the_middle_is_refused_with_its_offset(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	write_job(directory.path, 20, 10, 0, &header);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	size_t size;
	unsigned char *data = read_file(path, &size);
	size_t ends[64];
	size_t count = record_ends(data, size, ends, 64);

	/* every byte of the third record, one bit each */
	for (size_t offset = ends[1]; offset < ends[2]; offset++) {
		data[offset] ^= (unsigned char)(1u << (offset % 8));
		write_file(path, data, size);
		data[offset] ^= (unsigned char)(1u << (offset % 8));
		struct journal_read_result result;
		struct error error;
		error_clear(&error);
		assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
		char expected[64];
		snprintf(expected, sizeof(expected), "damaged at byte offset %zu ", ends[1]);
		if (!strstr(error.message, expected))
			fail_msg("offset %zu: %s", offset, error.message);
		journal_header_release(&result.header);
		struct journal_replay replay;
		struct journal_header recorded;
		error_clear(&error);
		assert_null(journal_resume(directory.path, NULL, NULL, &recorded, &replay, &error));
		assert_non_null(strstr(error.message, expected));
	}

	/* a flipped bit in the last record is a corrupt tail: dropped */
	data[size - 3] ^= 0x10;
	write_file(path, data, size);
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_true(result.tail_torn);
	assert_int_equal(result.records, count - 1);
	journal_header_release(&result.header);

	/* a damaged header is refused */
	data[size - 3] ^= 0x10;
	data[20] ^= 0x01;
	write_file(path, data, size);
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
	assert_non_null(strstr(error.message, "byte offset 8"));
	journal_header_release(&result.header);
	free(data);
	journal_header_release(&header);
	directory_remove(&directory);
}

static void a_record_of_another_job_is_refused(void **state)
{
	(void)state;
	struct directory first, second;
	directory_make(&first);
	directory_make(&second);
	struct journal_header header_first, header_second;
	write_job(first.path, 10, 5, 0, &header_first);
	write_job(second.path, 10, 5, 0, &header_second);
	assert_true(header_first.job_id != header_second.job_id);
	char path_first[128], path_second[128];
	checkpoint_path(&first, path_first, sizeof(path_first));
	checkpoint_path(&second, path_second, sizeof(path_second));
	size_t size_first, size_second;
	unsigned char *data_first = read_file(path_first, &size_first);
	unsigned char *data_second = read_file(path_second, &size_second);
	size_t ends[64];
	record_ends(data_second, size_second, ends, 64);
	/* the second job's third record appended to the first job's journal */
	unsigned char *mixed = malloc(size_first + (ends[2] - ends[1]));
	assert_non_null(mixed);
	memcpy(mixed, data_first, size_first);
	memcpy(mixed + size_first, data_second + ends[1], ends[2] - ends[1]);
	write_file(path_first, mixed, size_first + (ends[2] - ends[1]));
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(first.path, NULL, &result, &error), -1);
	char expected[96];
	snprintf(expected, sizeof(expected), "record at byte offset %zu belongs to another job",
	         size_first);
	assert_non_null(strstr(error.message, expected));
	journal_header_release(&result.header);
	free(mixed);
	free(data_first);
	free(data_second);
	journal_header_release(&header_first);
	journal_header_release(&header_second);
	directory_remove(&first);
	directory_remove(&second);
}

static void a_changed_manifest_or_option_is_named(void **state)
{
	(void)state;
	struct journal_header recorded, current;
	header_fill(&recorded, "{\"chunk_independent\":true,\"set\":{\"state\":\"suspend\"}}");
	header_fill(&current, "{\"chunk_independent\":true,\"set\":{\"state\":\"suspend\"}}");
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_header_compare(&recorded, &current, &error), 0);

	current.fingerprint.size = 1235;
	assert_int_equal(journal_header_compare(&recorded, &current, &error), -1);
	assert_string_equal(error.message, "manifest 'lot-42.csv' changed since the job started: "
	                                   "it had 1234 bytes, now 1235");
	current.fingerprint.size = 1234;
	current.fingerprint.sha256[31] = 0;
	error_clear(&error);
	assert_int_equal(journal_header_compare(&recorded, &current, &error), -1);
	assert_non_null(strstr(error.message, "same size, different content"));
	current.fingerprint.sha256[31] = 0xab;

	free(current.options_json);
	current.options_json = strdup("{\"chunk_independent\":true,\"set\":{\"state\":\"restore\"},"
	                              "\"no_luhn\":[\"iccid\"]}");
	error_clear(&error);
	assert_int_equal(journal_header_compare(&recorded, &current, &error), -1);
	assert_string_equal(error.message,
	                    "result-affecting options changed: set was {\"state\":\"suspend\"}, "
	                    "now {\"state\":\"restore\"}; no_luhn was not set, now [\"iccid\"]");

	snprintf(current.operation, sizeof(current.operation), "simstate");
	error_clear(&error);
	assert_int_equal(journal_header_compare(&recorded, &current, &error), -1);
	assert_string_equal(
	    error.message,
	    "operation changed: the job was started as 'cost-center', now 'simstate'");
	journal_header_release(&recorded);
	journal_header_release(&current);
}

static void not_a_journal_is_refused(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
	assert_non_null(strstr(error.message, "cannot open checkpoint"));
	write_file(path, "row,status\n1,ok\n", 16);
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
	assert_non_null(strstr(error.message, "is not a lattigo-batch checkpoint"));
	struct journal_header header;
	header_fill(&header, "{}");
	error_clear(&error);
	assert_null(journal_create(directory.path, &header, NULL, &error));
	assert_non_null(strstr(error.message, "cannot create checkpoint"));
	journal_header_release(&header);
	directory_remove(&directory);
}

static int count_commits(void *context, struct error *error)
{
	(void)error;
	(*(unsigned *)context)++;
	return 0;
}

/* A power cut during creation can keep the header but not the format mark
 * before it: the file is named as this tool's, damaged at offset 0. */
static void a_torn_format_mark_is_refused_with_its_offset(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	write_job(directory.path, 10, 5, 0, &header);
	journal_header_release(&header);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	size_t size;
	unsigned char *data = read_file(path, &size);
	memset(data, 0, 8);
	write_file(path, data, size);
	free(data);
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
	assert_non_null(strstr(error.message, "damaged at byte offset 0 (its format mark)"));
	directory_remove(&directory);
}

/* A kill during creation leaves only checkpoint.creating, never a checkpoint
 * without its header: the next creation starts over it. */
static void a_creation_cut_short_leaves_no_checkpoint(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	char creating[160];
	snprintf(creating, sizeof(creating), "%s/%s", directory.path, JOURNAL_CREATING_NAME);
	write_file(creating, "LTGC", 4);
	struct journal_read_result result;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), -1);
	assert_non_null(strstr(error.message, "cannot open checkpoint"));
	struct journal_header header;
	write_job(directory.path, 10, 5, 0, &header);
	journal_header_release(&header);
	assert_int_not_equal(access(creating, F_OK), 0);
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	journal_header_release(&result.header);
	directory_remove(&directory);
}

static void outcomes_are_committed_in_groups(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	header_fill(&header, "{}");
	unsigned hooks = 0;
	struct journal_options options = {.group_records = 64,
	                                  .group_interval_ms = 1000000,
	                                  .before_commit = count_commits,
	                                  .commit_context = &hooks};
	struct error error;
	error_clear(&error);
	struct journal *journal = journal_create(directory.path, &header, &options, &error);
	assert_non_null(journal);
	struct journal_counters before, after;
	journal_get_counters(journal, &before);
	for (uint64_t row = 1; row <= 640; row++) {
		struct record record = record_at(row);
		struct row_outcome outcome = outcome_of(ROW_OK, "Success");
		assert_int_equal(journal_row_finished(journal, &record, &outcome, &error), 0);
	}
	journal_get_counters(journal, &after);
	assert_int_equal(after.fsyncs - before.fsyncs, 10);
	assert_int_equal(hooks, 10);
	/* a durable call commits at once, hook first */
	struct record record = record_at(641);
	const struct record *pointer = &record;
	assert_int_equal(journal_call_started(journal, 99, 1, &pointer, 1, true, &error), 0);
	journal_get_counters(journal, &after);
	assert_int_equal(after.fsyncs - before.fsyncs, 11);
	assert_int_equal(hooks, 11);

	/* gathered outcomes reach the file at the next call start or periodic tick */
	struct journal_read_result result;
	struct record more = record_at(642);
	struct row_outcome outcome = outcome_of(ROW_OK, "Success");
	assert_int_equal(journal_row_finished(journal, &more, &outcome, &error), 0);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_int_equal(result.records, 1 + 640 + 1);
	journal_header_release(&result.header);
	assert_int_equal(journal_commit_if_due(journal, &error), 0);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_int_equal(result.records, 1 + 640 + 1 + 1);
	journal_header_release(&result.header);
	more = record_at(643);
	assert_int_equal(journal_row_finished(journal, &more, &outcome, &error), 0);
	assert_int_equal(journal_call_started(journal, 100, 1, &pointer, 1, false, &error), 0);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_int_equal(result.records, 1 + 640 + 1 + 1 + 2);
	journal_header_release(&result.header);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	directory_remove(&directory);
}

static void fingerprint_reads_through_gzip(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	char plain[128], packed[128];
	snprintf(plain, sizeof(plain), "%s/manifest.csv", directory.path);
	snprintf(packed, sizeof(packed), "%s/manifest.csv.gz", directory.path);
	const char text[] = "device_name,cost_center\ndev-1,CC-1\ndev-2,CC-2\n";
	write_file(plain, text, sizeof(text) - 1);
	gzFile file = gzopen(packed, "wb");
	assert_non_null(file);
	assert_int_equal(gzwrite(file, text, sizeof(text) - 1), (int)(sizeof(text) - 1));
	gzclose(file);
	struct journal_fingerprint first, second;
	struct error error;
	error_clear(&error);
	assert_int_equal(journal_fingerprint_file(plain, &first, &error), 0);
	assert_int_equal(journal_fingerprint_file(packed, &second, &error), 0);
	assert_int_equal(first.size, sizeof(text) - 1);
	assert_int_equal(second.size, first.size);
	assert_memory_equal(first.sha256, second.sha256, 32);
	/* SHA-256 of the text, computed independently with sha256sum */
	static const unsigned char expected[4] = {0xf6, 0xcd, 0x2b, 0x22};
	assert_memory_equal(first.sha256, expected, sizeof(expected));
	error_clear(&error);
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none.csv", directory.path);
	assert_int_equal(journal_fingerprint_file(missing, &first, &error), -1);
	assert_non_null(strstr(error.message, "cannot open manifest"));
	directory_remove(&directory);
}

/* Random damage anywhere (overwritten bytes, cuts, inserted garbage) is
 * either read as a valid prefix or refused: never a crash, never a record
 * that was not written. */
static void random_damage_never_crashes(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	uint64_t records = write_job(directory.path, 60, 7, 3, &header);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	size_t size;
	unsigned char *data = read_file(path, &size);
	unsigned char *mutated = malloc(size + 64);
	assert_non_null(mutated);
	uint64_t seed = 7;
	for (unsigned round = 0; round < 400; round++) {
		memcpy(mutated, data, size);
		size_t length = size;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t where = 8 + (size_t)(seed >> 33) % (size - 8);
		switch (round % 3) {
		case 0: /* a burst of overwritten bytes */
			for (size_t index = where; index < size && index < where + 1 + round % 9;
			     index++)
				mutated[index] = (unsigned char)(seed >> (index % 56));
			break;
		case 1: /* cut */
			length = where;
			break;
		default: /* garbage inserted */
			memmove(mutated + where + 16, mutated + where, size - where);
			memset(mutated + where, (int)(round & 0xff), 16);
			length = size + 16;
			break;
		}
		write_file(path, mutated, length);
		struct journal_read_result result;
		struct error error;
		error_clear(&error);
		int status = journal_read(directory.path, NULL, &result, &error);
		if (status == 0)
			assert_true(result.records <= records);
		else
			assert_true(error.set && strstr(error.message, "checkpoint"));
		journal_header_release(&result.header);
	}
	free(mutated);
	free(data);
	journal_header_release(&header);
	directory_remove(&directory);
}

static void a_pending_outcome_is_refused(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	header_fill(&header, "{}");
	struct error error;
	error_clear(&error);
	struct journal *journal = journal_create(directory.path, &header, NULL, &error);
	assert_non_null(journal);
	struct record record = record_at(1);
	struct row_outcome outcome = outcome_of(ROW_PENDING, "");
	assert_int_equal(journal_row_finished(journal, &record, &outcome, &error), -1);
	assert_string_equal(error.message, "row 1 has no final status to record");
	record = record_at(0);
	outcome = outcome_of(ROW_OK, "Success");
	error_clear(&error);
	assert_int_equal(journal_row_finished(journal, &record, &outcome, &error), -1);
	assert_int_equal(journal_close(journal, &error), 0);
	journal_header_release(&header);
	directory_remove(&directory);
}

/* A full disk (here: a file size limit) leaves whole records only. */
static void a_failed_write_leaves_whole_records(void **state)
{
	(void)state;
	struct directory directory;
	directory_make(&directory);
	struct journal_header header;
	header_fill(&header, "{}");
	struct error error;
	error_clear(&error);
	struct journal *journal = journal_create(directory.path, &header, NULL, &error);
	assert_non_null(journal);
	char path[128];
	checkpoint_path(&directory, path, sizeof(path));
	struct stat info;
	assert_int_equal(stat(path, &info), 0);
	struct rlimit saved, limited;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
	limited = saved;
	limited.rlim_cur = (rlim_t)info.st_size + 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limited), 0);
	int status = 0;
	uint64_t row = 1;
	for (; row <= 200 && status == 0; row++) {
		struct record record = record_at(row);
		const struct record *pointer = &record;
		struct row_outcome outcome = outcome_of(ROW_OK, "Success");
		status = journal_call_started(journal, row, 1, &pointer, 1, false, &error);
		if (status == 0)
			status = journal_row_finished(journal, &record, &outcome, &error);
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, previous);
	assert_int_equal(status, -1);
	assert_non_null(strstr(error.message, "cannot write checkpoint"));
	error_clear(&error);
	assert_int_equal(journal_close(journal, &error), -1);
	assert_non_null(strstr(error.message, "takes no more records"));

	struct journal_read_result result;
	error_clear(&error);
	assert_int_equal(journal_read(directory.path, NULL, &result, &error), 0);
	assert_false(result.tail_torn);
	assert_true(result.records > 1 && result.records < 1 + 2 * row);
	assert_true(result.file_bytes <= (uint64_t)info.st_size + 1000);
	journal_header_release(&result.header);
	journal_header_release(&header);
	directory_remove(&directory);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_resume_point_far_behind_the_last_outcomes_is_found),
	    cmocka_unit_test(round_trip_and_resume),
	    cmocka_unit_test(truncation_at_every_offset_is_a_torn_tail),
	    cmocka_unit_test(damage_in_the_middle_is_refused_with_its_offset),
	    cmocka_unit_test(a_record_of_another_job_is_refused),
	    cmocka_unit_test(a_changed_manifest_or_option_is_named),
	    cmocka_unit_test(not_a_journal_is_refused),
	    cmocka_unit_test(a_torn_format_mark_is_refused_with_its_offset),
	    cmocka_unit_test(a_creation_cut_short_leaves_no_checkpoint),
	    cmocka_unit_test(outcomes_are_committed_in_groups),
	    cmocka_unit_test(fingerprint_reads_through_gzip),
	    cmocka_unit_test(random_damage_never_crashes),
	    cmocka_unit_test(a_pending_outcome_is_refused),
	    cmocka_unit_test(a_failed_write_leaves_whole_records),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
