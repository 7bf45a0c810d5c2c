/* The outcome store's two files: fixed-size little-endian records indexed by
 * row (a sparse file: holes read as zero = pending) and an append-only text
 * file for the messages the records point into. */
#include "outputs/outcome_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/strbuf.h"

#define RECORD_VERSION 1u
#define SCAN_RECORDS   2048u /* records per read while counting on open */

struct outcome_store {
	int index_fd;
	int message_fd;
	uint64_t message_end; /* where the next message is appended */
	uint64_t highest_row;
	uint64_t counts[ROW_STATUS_COUNT]; /* ROW_PENDING unused: derived from highest_row */
	char *index_path;
	char *message_path;
	/* Read-ahead for the row-order passes that write results.csv and errors.csv:
	 * one pread per SCAN_RECORDS rows instead of one per row. */
	unsigned char *cache;
	uint64_t cache_first_row; /* 0 = empty */
	size_t cache_rows;
};

/* Record layout (all little-endian):
 *   0 u8  status (enum row_status; 0 = never written)
 *   1 u8  format version (1)
 *   2 u16 http_status
 *   4 u32 attempts
 *   8 i64 finished_at_ms
 *  16 u64 message offset in outcomes.msg
 *  24 u32 message length
 *  28 u32 CRC-32 (zlib) of bytes 0..27 */

static void put_le(unsigned char *out, uint64_t value, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		out[i] = (unsigned char)(value >> (8 * i));
}

static uint64_t get_le(const unsigned char *in, size_t bytes)
{
	uint64_t value = 0;
	for (size_t i = 0; i < bytes; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

static uint32_t record_crc(const unsigned char *record)
{
	return (uint32_t)crc32(0L, record, 28);
}

static bool record_is_hole(const unsigned char *record)
{
	for (size_t i = 0; i < OUTCOME_RECORD_SIZE; i++)
		if (record[i] != 0)
			return false;
	return true;
}

static bool record_is_valid(const unsigned char *record)
{
	return record[0] > ROW_PENDING && record[0] <= ROW_SKIPPED && record[1] == RECORD_VERSION &&
	       get_le(record + 28, 4) == record_crc(record);
}

static int read_fully(int fd, void *buffer, size_t size, uint64_t offset, size_t *got)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n = pread(fd, (char *)buffer + done, size - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

static int write_fully(int fd, const void *buffer, size_t size, uint64_t offset)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n =
		    pwrite(fd, (const char *)buffer + done, size - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int open_file(const char *directory, const char *name, enum outcome_store_mode mode,
                     char **path_out, struct error *error)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	int fd = -1;
	if (strbuf_appendf(&path, "%s/%s", directory, name) != STRBUF_OK) {
		error_set(error, "job directory path too long: '%s'", directory);
		goto out;
	}
	int flags = O_RDWR | O_CREAT | O_CLOEXEC | (mode == OUTCOME_STORE_TRUNCATE ? O_TRUNC : 0);
	fd = open(strbuf_text(&path), flags, 0644);
	if (fd < 0) {
		error_set(error, "cannot open outcome file '%s': %s", strbuf_text(&path),
		          strerror(errno));
		goto out;
	}
	if (path_out)
		*path_out = strbuf_detach(&path, NULL);
out:
	strbuf_release(&path);
	return fd;
}

/* Learns the counts per status and the highest row with one sequential scan. */
static int scan_index(struct outcome_store *store, struct error *error)
{
	unsigned char *block = malloc((size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE);
	int result = -1;
	if (!block) {
		error_set(error, "out of memory");
		goto out;
	}
	uint64_t offset = 0;
	for (;;) {
		size_t got = 0;
		if (read_fully(store->index_fd, block, (size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE,
		               offset, &got) < 0) {
			error_set(error, "cannot read '%s': %s", store->index_path,
			          strerror(errno));
			goto out;
		}
		size_t records = got / OUTCOME_RECORD_SIZE;
		for (size_t i = 0; i < records; i++) {
			const unsigned char *record = block + i * OUTCOME_RECORD_SIZE;
			uint64_t row = offset / OUTCOME_RECORD_SIZE + i + 1;
			if (record_is_hole(record))
				continue;
			if (!record_is_valid(record)) {
				error_set(error, "outcome store '%s' is damaged at row %llu",
				          store->index_path, (unsigned long long)row);
				goto out;
			}
			store->counts[record[0]]++;
			store->highest_row = row;
		}
		if (got < (size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE)
			break;
		offset += got;
	}
	result = 0;
out:
	free(block);
	return result;
}

struct outcome_store *outcome_store_open(const char *directory, enum outcome_store_mode mode,
                                         struct error *error)
{
	struct outcome_store *store = calloc(1, sizeof(*store));
	if (!store) {
		error_set(error, "out of memory");
		return NULL;
	}
	store->index_fd = -1;
	store->message_fd = -1;
	store->index_fd = open_file(directory, OUTCOME_INDEX_FILE, mode, &store->index_path, error);
	if (store->index_fd < 0)
		goto fail;
	store->message_fd =
	    open_file(directory, OUTCOME_MESSAGE_FILE, mode, &store->message_path, error);
	if (store->message_fd < 0)
		goto fail;
	struct stat status;
	if (fstat(store->message_fd, &status) < 0) {
		error_set(error, "cannot inspect '%s': %s", store->message_path, strerror(errno));
		goto fail;
	}
	store->message_end = (uint64_t)status.st_size;
	if (scan_index(store, error) < 0)
		goto fail;
	return store;
fail:
	outcome_store_close(store);
	return NULL;
}

int outcome_store_put(struct outcome_store *store, uint64_t row, const struct row_outcome *outcome,
                      struct error *error)
{
	if (row == 0 || row > OUTCOME_MAX_ROW)
		return error_set(error, "row %llu is out of range for the outcome store",
		                 (unsigned long long)row);
	if (outcome->status <= ROW_PENDING || outcome->status > ROW_SKIPPED)
		return error_set(error, "row %llu: only a final outcome can be stored",
		                 (unsigned long long)row);
	uint64_t offset = (row - 1) * OUTCOME_RECORD_SIZE;
	unsigned char previous[OUTCOME_RECORD_SIZE];
	size_t got = 0;
	/* Past the highest row there is nothing to replace: spare the read. */
	if (row <= store->highest_row &&
	    read_fully(store->index_fd, previous, sizeof(previous), offset, &got) < 0)
		return error_set(error, "cannot read '%s': %s", store->index_path, strerror(errno));
	bool had_outcome = got == sizeof(previous) && record_is_valid(previous);

	size_t message_length = strnlen(outcome->message, sizeof(outcome->message));
	uint64_t message_offset = store->message_end;
	if (message_length > 0) {
		if (write_fully(store->message_fd, outcome->message, message_length,
		                message_offset) < 0)
			return error_set(error, "cannot write '%s': %s", store->message_path,
			                 strerror(errno));
		store->message_end += message_length;
	} else {
		message_offset = 0;
	}

	unsigned char record[OUTCOME_RECORD_SIZE] = {0};
	record[0] = (unsigned char)outcome->status;
	record[1] = RECORD_VERSION;
	int http_status = outcome->http_status;
	put_le(record + 2, (uint64_t)(http_status < 0 || http_status > 65535 ? 0 : http_status), 2);
	put_le(record + 4, outcome->attempts, 4);
	put_le(record + 8, (uint64_t)outcome->finished_at_ms, 8);
	put_le(record + 16, message_offset, 8);
	put_le(record + 24, message_length, 4);
	put_le(record + 28, record_crc(record), 4);
	if (write_fully(store->index_fd, record, sizeof(record), offset) < 0)
		return error_set(error, "cannot write '%s': %s", store->index_path,
		                 strerror(errno));

	if (store->cache_first_row && row >= store->cache_first_row &&
	    row < store->cache_first_row + SCAN_RECORDS) {
		if (row < store->cache_first_row + store->cache_rows)
			memcpy(store->cache + (row - store->cache_first_row) * OUTCOME_RECORD_SIZE,
			       record, sizeof(record));
		else
			store->cache_first_row = 0; /* the index grew inside the window */
	}
	if (had_outcome)
		store->counts[previous[0]]--;
	store->counts[outcome->status]++;
	if (row > store->highest_row)
		store->highest_row = row;
	return 0;
}

/* Makes sure the cache holds row when the index has it (it may end before). */
static int fill_cache(struct outcome_store *store, uint64_t row, struct error *error)
{
	if (store->cache_first_row && row >= store->cache_first_row &&
	    row < store->cache_first_row + SCAN_RECORDS)
		return 0;
	if (!store->cache) {
		store->cache = malloc((size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE);
		if (!store->cache)
			return error_set(error, "out of memory");
	}
	size_t got = 0;
	store->cache_first_row = 0;
	if (read_fully(store->index_fd, store->cache, (size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE,
	               (row - 1) * OUTCOME_RECORD_SIZE, &got) < 0)
		return error_set(error, "cannot read '%s': %s", store->index_path, strerror(errno));
	store->cache_first_row = row;
	store->cache_rows = got / OUTCOME_RECORD_SIZE;
	return 0;
}

int outcome_store_get(struct outcome_store *store, uint64_t row, struct row_outcome *outcome,
                      struct error *error)
{
	memset(outcome, 0, sizeof(*outcome));
	outcome->status = ROW_PENDING;
	if (row == 0 || row > OUTCOME_MAX_ROW)
		return error_set(error, "row %llu is out of range for the outcome store",
		                 (unsigned long long)row);
	unsigned char record[OUTCOME_RECORD_SIZE];
	size_t got = 0;
	if (fill_cache(store, row, error) < 0)
		return -1;
	if (row < store->cache_first_row + store->cache_rows) {
		memcpy(record, store->cache + (row - store->cache_first_row) * OUTCOME_RECORD_SIZE,
		       sizeof(record));
		got = sizeof(record);
	}
	if (got < sizeof(record) || record_is_hole(record))
		return 0;
	if (!record_is_valid(record))
		return error_set(error, "outcome store '%s' is damaged at row %llu",
		                 store->index_path, (unsigned long long)row);
	outcome->status = (enum row_status)record[0];
	outcome->http_status = (int)get_le(record + 2, 2);
	outcome->attempts = (unsigned)get_le(record + 4, 4);
	outcome->finished_at_ms = (int64_t)get_le(record + 8, 8);
	uint64_t message_offset = get_le(record + 16, 8);
	size_t message_length = (size_t)get_le(record + 24, 4);
	if (message_length >= sizeof(outcome->message))
		message_length = sizeof(outcome->message) - 1;
	if (message_length > 0) {
		if (read_fully(store->message_fd, outcome->message, message_length, message_offset,
		               &got) < 0)
			return error_set(error, "cannot read '%s': %s", store->message_path,
			                 strerror(errno));
		/* A message lost in a crash reads as short: keep what is there. */
		outcome->message[got] = '\0';
	}
	return 0;
}

uint64_t outcome_store_count(const struct outcome_store *store, enum row_status status)
{
	if ((size_t)status >= ROW_STATUS_COUNT)
		return 0;
	if (status != ROW_PENDING)
		return store->counts[status];
	uint64_t final = 0;
	for (size_t i = 1; i < ROW_STATUS_COUNT; i++)
		final += store->counts[i];
	return store->highest_row - final;
}

uint64_t outcome_store_highest_row(const struct outcome_store *store)
{
	return store->highest_row;
}

int outcome_store_sync(struct outcome_store *store, struct error *error)
{
	if (fdatasync(store->message_fd) < 0 || fdatasync(store->index_fd) < 0)
		return error_set(error, "cannot sync outcome store '%s': %s", store->index_path,
		                 strerror(errno));
	return 0;
}

void outcome_store_close(struct outcome_store *store)
{
	if (!store)
		return;
	if (store->index_fd >= 0)
		close(store->index_fd);
	if (store->message_fd >= 0)
		close(store->message_fd);
	free(store->index_path);
	free(store->message_path);
	free(store->cache);
	free(store);
}
