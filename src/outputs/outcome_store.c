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

#include "common/file_io.h"
#include "common/strbuf.h"

#define RECORD_VERSION 1u
#define SCAN_RECORDS   2048u /* records per read while counting on open, and per window */
#define WINDOW_COUNT   4u    /* index windows kept: rows finish out of order near a boundary */
#define MESSAGE_BUFFER 65536u

/* SCAN_RECORDS consecutive index records, aligned on a multiple of them, kept
 * in memory for reads and writes. Records past the end of the file read as
 * holes (zero); only the dirty range is written back. */
struct index_window {
	unsigned char *records;
	uint64_t first_row; /* 0 = unused */
	size_t dirty_first, dirty_end;
	uint64_t last_use;
};

struct outcome_store {
	int index_fd;
	int message_fd;
	uint64_t message_end; /* where the next message is appended */
	uint64_t highest_row;
	uint64_t counts[ROW_STATUS_COUNT]; /* ROW_PENDING unused: derived from highest_row */
	char *index_path;
	char *message_path;
	/* The store is derived state (the journal rebuilds it), so writes are
	 * gathered in memory and written in blocks: one pwrite per window of
	 * rows and per 64 KB of messages instead of a pread and two writes per
	 * row. Reads go through the same windows, so they see every put. */
	struct index_window windows[WINDOW_COUNT];
	uint64_t window_clock;
	unsigned char *pending;      /* messages not yet written, MESSAGE_BUFFER bytes */
	size_t pending_length;       /* they start at message_end - pending_length */
	unsigned char *message_read; /* read-ahead of outcomes.msg, MESSAGE_BUFFER bytes */
	uint64_t message_read_start;
	size_t message_read_length;
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
	return row_status_is_final(record[0]) && record[1] == RECORD_VERSION &&
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

/* A failed write or sync of path (errno says why): noted when the disk is
 * full or failing, so the job stops cleanly (common/file_io.h). Returns -1. */
static int write_error(struct error *error, const char *path)
{
	int cause = errno;
	file_storage_note(path, cause);
	return error_set(error, "cannot write '%s': %s", path, strerror(cause));
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
		file_storage_note(strbuf_text(&path), errno);
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

static struct index_window *window_of(struct outcome_store *store, uint64_t row,
                                      struct error *error);
static int flush_all(struct outcome_store *store, struct error *error);

/* Forgets the outcomes of rows first..last that keep() refuses. Returns 0 or -1. */
static int forget_unsettled(struct outcome_store *store, uint64_t first, uint64_t last,
                            outcome_store_keep_fn *keep, void *context, struct error *error)
{
	for (uint64_t row = first; row <= last; row++) {
		if (keep(context, row))
			continue;
		struct index_window *window = window_of(store, row, error);
		if (!window)
			return -1;
		size_t slot = (size_t)(row - window->first_row);
		unsigned char *stored = window->records + slot * OUTCOME_RECORD_SIZE;
		if (record_is_hole(stored))
			continue;
		memset(stored, 0, OUTCOME_RECORD_SIZE);
		if (window->dirty_end <= window->dirty_first) {
			window->dirty_first = slot;
			window->dirty_end = slot + 1;
		} else {
			if (slot < window->dirty_first)
				window->dirty_first = slot;
			if (slot + 1 > window->dirty_end)
				window->dirty_end = slot + 1;
		}
	}
	return flush_all(store, error);
}

struct outcome_store *outcome_store_open_settled(const char *directory, const uint64_t *counts,
                                                 uint64_t highest_row, uint64_t first_unsure,
                                                 outcome_store_keep_fn *keep, void *context,
                                                 struct error *error)
{
	if (highest_row > OUTCOME_MAX_ROW) {
		error_set(error, "row %llu is out of range for the outcome store",
		          (unsigned long long)highest_row);
		return NULL;
	}
	struct outcome_store *store = calloc(1, sizeof(*store));
	if (!store) {
		error_set(error, "out of memory");
		return NULL;
	}
	store->index_fd = store->message_fd = -1;
	store->index_fd =
	    open_file(directory, OUTCOME_INDEX_FILE, OUTCOME_STORE_OPEN, &store->index_path, error);
	if (store->index_fd < 0)
		goto fail;
	store->message_fd = open_file(directory, OUTCOME_MESSAGE_FILE, OUTCOME_STORE_OPEN,
	                              &store->message_path, error);
	if (store->message_fd < 0)
		goto fail;
	struct stat status;
	if (fstat(store->index_fd, &status) < 0) {
		error_set(error, "cannot inspect '%s': %s", store->index_path, strerror(errno));
		goto fail;
	}
	uint64_t index_bytes = (uint64_t)status.st_size;
	if (fstat(store->message_fd, &status) < 0) {
		error_set(error, "cannot inspect '%s': %s", store->message_path, strerror(errno));
		goto fail;
	}
	store->message_end = (uint64_t)status.st_size;
	if (index_bytes > highest_row * OUTCOME_RECORD_SIZE &&
	    ftruncate(store->index_fd, (off_t)(highest_row * OUTCOME_RECORD_SIZE)) != 0) {
		write_error(error, store->index_path);
		goto fail;
	}
	if (first_unsure < highest_row &&
	    forget_unsettled(store, first_unsure + 1, highest_row, keep, context, error) < 0)
		goto fail;
	for (size_t index = 0; index < ROW_STATUS_COUNT; index++)
		store->counts[index] = index == ROW_PENDING ? 0 : counts[index];
	store->highest_row = highest_row;
	return store;
fail:
	outcome_store_close(store);
	return NULL;
}

/* Writes a window's changed records back. Returns 0 or -1 (errno set). */
static int flush_window(struct outcome_store *store, struct index_window *window)
{
	if (window->dirty_end <= window->dirty_first)
		return 0;
	uint64_t offset = (window->first_row - 1 + window->dirty_first) * OUTCOME_RECORD_SIZE;
	if (write_fully(
	        store->index_fd, window->records + window->dirty_first * OUTCOME_RECORD_SIZE,
	        (window->dirty_end - window->dirty_first) * OUTCOME_RECORD_SIZE, offset) < 0)
		return -1;
	window->dirty_first = window->dirty_end = 0;
	return 0;
}

/* Writes the gathered messages. Returns 0 or -1 (errno set). */
static int flush_messages(struct outcome_store *store)
{
	if (store->pending_length == 0)
		return 0;
	if (write_fully(store->message_fd, store->pending, store->pending_length,
	                store->message_end - store->pending_length) < 0)
		return -1;
	store->pending_length = 0;
	return 0;
}

static int flush_all(struct outcome_store *store, struct error *error)
{
	if (flush_messages(store) < 0)
		return write_error(error, store->message_path);
	for (size_t index = 0; index < WINDOW_COUNT; index++)
		if (store->windows[index].records &&
		    flush_window(store, &store->windows[index]) < 0)
			return write_error(error, store->index_path);
	return 0;
}

/* Returns the window holding row, loading it in place of the least recently
 * used one; NULL with error filled. */
static struct index_window *window_of(struct outcome_store *store, uint64_t row,
                                      struct error *error)
{
	uint64_t first_row = (row - 1) / SCAN_RECORDS * SCAN_RECORDS + 1;
	struct index_window *victim = &store->windows[0];
	for (size_t index = 0; index < WINDOW_COUNT; index++) {
		struct index_window *window = &store->windows[index];
		if (window->first_row == first_row) {
			window->last_use = ++store->window_clock;
			return window;
		}
		if (window->last_use < victim->last_use)
			victim = window;
	}
	if (!victim->records) {
		victim->records = malloc((size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE);
		if (!victim->records) {
			error_set(error, "out of memory");
			return NULL;
		}
	}
	/* messages reach the file before records that point to them (docs/outputs.md) */
	if (victim->dirty_end > victim->dirty_first && flush_messages(store) < 0) {
		write_error(error, store->message_path);
		return NULL;
	}
	if (flush_window(store, victim) < 0) {
		write_error(error, store->index_path);
		return NULL;
	}
	victim->first_row = 0;
	size_t got = 0;
	if (read_fully(store->index_fd, victim->records, (size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE,
	               (first_row - 1) * OUTCOME_RECORD_SIZE, &got) < 0) {
		error_set(error, "cannot read '%s': %s", store->index_path, strerror(errno));
		return NULL;
	}
	/* past the end of the file: holes, which read as never written */
	memset(victim->records + got, 0, (size_t)SCAN_RECORDS * OUTCOME_RECORD_SIZE - got);
	victim->first_row = first_row;
	victim->last_use = ++store->window_clock;
	return victim;
}

/* Appends a message to the gathered ones. Returns 0 or -1 with error filled. */
static int append_message(struct outcome_store *store, const char *message, size_t length,
                          struct error *error)
{
	if (!store->pending) {
		store->pending = malloc(MESSAGE_BUFFER);
		if (!store->pending)
			return error_set(error, "out of memory");
	}
	if (store->pending_length + length > MESSAGE_BUFFER && flush_messages(store) < 0)
		return write_error(error, store->message_path);
	if (length > MESSAGE_BUFFER) { /* never: messages are far shorter */
		if (write_fully(store->message_fd, message, length, store->message_end) < 0)
			return write_error(error, store->message_path);
	} else {
		memcpy(store->pending + store->pending_length, message, length);
		store->pending_length += length;
	}
	store->message_end += length;
	return 0;
}

int outcome_store_put(struct outcome_store *store, uint64_t row, const struct row_outcome *outcome,
                      struct error *error)
{
	if (row == 0 || row > OUTCOME_MAX_ROW)
		return error_set(error, "row %llu is out of range for the outcome store",
		                 (unsigned long long)row);
	if (!row_status_is_final(outcome->status))
		return error_set(error, "row %llu: only a final outcome can be stored",
		                 (unsigned long long)row);
	struct index_window *window = window_of(store, row, error);
	if (!window)
		return -1;
	size_t slot = (size_t)(row - window->first_row);
	unsigned char *stored = window->records + slot * OUTCOME_RECORD_SIZE;
	bool had_outcome = record_is_valid(stored);
	unsigned char previous_status = stored[0];

	size_t message_length = strnlen(outcome->message, sizeof(outcome->message));
	uint64_t message_offset = 0;
	if (message_length > 0) {
		message_offset = store->message_end;
		if (append_message(store, outcome->message, message_length, error) < 0)
			return -1;
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
	memcpy(stored, record, sizeof(record));
	if (window->dirty_end <= window->dirty_first) {
		window->dirty_first = slot;
		window->dirty_end = slot + 1;
	} else {
		if (slot < window->dirty_first)
			window->dirty_first = slot;
		if (slot + 1 > window->dirty_end)
			window->dirty_end = slot + 1;
	}

	if (had_outcome)
		store->counts[previous_status]--;
	store->counts[outcome->status]++;
	if (row > store->highest_row)
		store->highest_row = row;
	return 0;
}

/* Reads length bytes of outcomes.msg at offset into out through the
 * read-ahead; *got is less than length when the file ends first. */
static int read_message(struct outcome_store *store, uint64_t offset, char *out, size_t length,
                        size_t *got)
{
	if (offset + length > store->message_end - store->pending_length &&
	    flush_messages(store) < 0)
		return -1;
	if (length > MESSAGE_BUFFER)
		return read_fully(store->message_fd, out, length, offset, got);
	if (!store->message_read) {
		store->message_read = malloc(MESSAGE_BUFFER);
		if (!store->message_read)
			return -1;
	}
	if (offset < store->message_read_start ||
	    offset + length > store->message_read_start + store->message_read_length) {
		size_t read = 0;
		store->message_read_length = 0;
		if (read_fully(store->message_fd, store->message_read, MESSAGE_BUFFER, offset,
		               &read) < 0)
			return -1;
		store->message_read_start = offset;
		store->message_read_length = read;
	}
	size_t available =
	    (size_t)(store->message_read_start + store->message_read_length - offset);
	*got = available < length ? available : length;
	memcpy(out, store->message_read + (offset - store->message_read_start), *got);
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
	struct index_window *window = window_of(store, row, error);
	if (!window)
		return -1;
	const unsigned char *record =
	    window->records + (row - window->first_row) * OUTCOME_RECORD_SIZE;
	if (record_is_hole(record))
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
		size_t got = 0;
		if (read_message(store, message_offset, outcome->message, message_length, &got) < 0)
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
	if (flush_all(store, error) < 0)
		return -1;
	if (fdatasync(store->message_fd) < 0 || fdatasync(store->index_fd) < 0)
		return write_error(error, store->index_path);
	return 0;
}

void outcome_store_close(struct outcome_store *store)
{
	if (!store)
		return;
	/* Best effort: the journal, not this derived copy, is the durable truth
	 * (a resume rebuilds the store), and every read of this process saw the puts. */
	struct error ignored = {0};
	if (store->index_fd >= 0 && store->message_fd >= 0)
		(void)flush_all(store, &ignored);
	for (size_t index = 0; index < WINDOW_COUNT; index++)
		free(store->windows[index].records);
	free(store->pending);
	free(store->message_read);
	if (store->index_fd >= 0)
		close(store->index_fd);
	if (store->message_fd >= 0)
		close(store->message_fd);
	free(store->index_path);
	free(store->message_path);
	free(store);
}
