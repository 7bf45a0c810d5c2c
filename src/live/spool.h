/* The account's devices on disk while a preflight holds more of them than
 * its memory budget (issue 14): a temporary directory with the devices in
 * partitions by a hash of their device_name (part-N, each device with its
 * position in the order read), which classify a job's rows one partition at
 * a time (live/judge.h); merged by position they give the devices in the
 * order read (the kept snapshot is written so, after the reads: no
 * compression on the reading's path). The directory is named after the process
 * (lattigo-preflight.PID.XXXXXX under $TMPDIR, else /tmp) and removed when
 * the spool is freed; one left by a process killed with -9 is removed by the
 * next spool opened.
 * Ownership: a spool owns its directory, files and buffers. */
#ifndef LATTIGO_LIVE_SPOOL_H
#define LATTIGO_LIVE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "ops/live_state.h"

/* The most partitions a spool makes (files open at once while writing). */
#define LIVE_SPOOL_MAX_PARTITIONS 256u

struct live_spool;

/* Creates the spool's directory with partitions device partitions (2 ..
 * LIVE_SPOOL_MAX_PARTITIONS), first removing those of processes that no
 * longer run. Returns the spool (free with live_spool_free), or NULL with error. */
struct live_spool *live_spool_open(size_t partitions, struct error *error);
/* Removes the spools of processes that no longer run (killed with -9, say:
 * a spool's name says which process made it). */
void live_spool_remove_abandoned(void);
/* Removes the spool's files and directory and frees it; NULL is allowed. */
void live_spool_free(struct live_spool *spool);
/* Adds a device (values and lengths as live_snapshot keeps them) to its
 * partition, with its position in the order read. Returns 0 or -1 (a
 * write failed). */
int live_spool_add(struct live_spool *spool, const char *const *values, const size_t *lengths);
/* Ends the writing (idempotent): the files become readable. Returns 0 or -1. */
int live_spool_finish(struct live_spool *spool);
/* The number of partitions and of devices added. */
size_t live_spool_partitions(const struct live_spool *spool);
uint64_t live_spool_devices(const struct live_spool *spool);
/* The partition of the device named name (length bytes). */
size_t live_spool_partition_of(const struct live_spool *spool, const char *name, size_t length);
/* The bucket among count (>= 1) of text (length bytes), by the hash the
 * partitions use: for files partitioned by another count (look-ups). */
size_t live_spool_bucket(const char *text, size_t length, size_t count);
/* Writes into out the path of the spool's file name. Returns 0, or -1 when too long. */
int live_spool_path(const struct live_spool *spool, const char *name, char *out, size_t size);
/* A frame read back: a buffer that grows to the largest frame read. */
struct live_spool_frame {
	char *data;
	size_t length, capacity;
};
/* Frees the frame's buffer (zeroed: ready for reuse). */
void live_spool_frame_release(struct live_spool_frame *frame);

/* Calls each with every device of a finished spool in the order they were
 * read (a merge of the partitions by position). Returns 0, or -1 when a
 * file cannot be read or each returned -1. */
typedef int live_spool_device_fn(void *context, const struct device_view *device);
int live_spool_each_in_order(const struct live_spool *spool, live_spool_device_fn *each,
                             void *context);
/* Reads the next device of a partition file into frame and device
 * (pointing into frame), and its 0-based position in the listing into
 * *ordinal. Returns 1, 0 at its end, -1 when damaged. */
int live_spool_read_device(FILE *file, struct live_spool_frame *frame, struct device_view *device,
                           uint64_t *ordinal);

/* Writes into line (reset first) a device's line in the kept snapshot's
 * format ({"device":{...}}, read back by live/snapshot_file.c): the fields
 * that have a value. Returns 0 or -1 (out of memory). */
int live_spool_device_line(struct strbuf *line, const char *const *values);

/* The spool's binary records are frames (a length, then the bytes: one
 * write and one read each) of numbers and texts (NULL allowed, each stored
 * with its NUL so that a text read is a view into the frame). */
struct live_spool_cursor {
	const char *data;
	size_t length, at;
};
/* Append to frame; return 0 or -1 (out of memory, a text too long). */
int live_spool_encode_number(struct strbuf *frame, uint64_t number);
int live_spool_encode_text(struct strbuf *frame, const char *text, size_t length);
/* Writes frame to file. Returns 0 or -1. */
int live_spool_write_frame(FILE *file, const struct strbuf *frame);
/* Reads the next frame of file into frame and starts cursor on it.
 * Returns 1, 0 at the end of file, -1 when damaged. */
int live_spool_read_frame(FILE *file, struct live_spool_frame *frame,
                          struct live_spool_cursor *cursor);
/* Take the next number / text (*text NULL for NULL) of cursor. Return 0, or
 * -1 when the frame is too short. */
int live_spool_decode_number(struct live_spool_cursor *cursor, uint64_t *number);
int live_spool_decode_text(struct live_spool_cursor *cursor, const char **text);

/* The number of devices a bounded snapshot holds in memory before it spools:
 * LIVE_SPOOL_BUDGET_DEVICES, or the test-only environment variable
 * LATTIGO_TEST_SNAPSHOT_DEVICES (a whole number >= 1). */
#define LIVE_SPOOL_BUDGET_DEVICES 262144u
size_t live_spool_budget(void);

#endif
