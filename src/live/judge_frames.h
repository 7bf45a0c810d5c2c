/* The frames a spilled judge writes to the spool's directory and reads back
 * (live/judge.c, judge_lookup.c, judge_join.c, judge_blocks.c): files named
 * KIND-N, a row or a device in a frame, and the heads that merge files of
 * frames by row. Kept apart from the join so that each step reads and
 * writes the one format.
 * Ownership: what a head decodes points into the head's frame until the head
 * is read on; a file or head opened here is closed by the matching call. */
#ifndef LATTIGO_LIVE_JUDGE_FRAMES_H
#define LATTIGO_LIVE_JUDGE_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "live/spool.h"
#include "ops/live_state.h"
#include "ops/op.h"

/* A file of frames that each start with a row number, in increasing row
 * order, read one frame ahead for a merge by row. */
struct judge_head {
	FILE *file;
	bool ready, ended;
	uint64_t row;
	struct live_spool_cursor cursor; /* after the row number */
	struct live_spool_frame frame;
};

/* Reads head's next frame and its row. Returns 0 (head->ended at the end) or -1. */
int judge_head_next(struct judge_head *head);
/* The head among count whose next frame is row's (each read on as needed),
 * or NULL when none has it (borrowed from heads). *damaged is set when one
 * cannot be read. */
struct judge_head *judge_head_of_row(struct judge_head *heads, size_t count, uint64_t row,
                                     bool *damaged);
/* count heads on the spool's files KIND-N, or NULL with error (free with
 * judge_heads_close). */
struct judge_head *judge_heads_open(const struct live_spool *spool, const char *kind, size_t count,
                                    struct error *error);
/* Closes count heads and frees them; NULL is allowed. */
void judge_heads_close(struct judge_head *heads, size_t count);

/* The spool's file KIND-index opened with mode (the caller closes it), or
 * NULL with error. */
FILE *judge_partition_file_open(const struct live_spool *spool, const char *kind, size_t index,
                                const char *mode, struct error *error);
/* count files, named KIND-N, opened with mode (close with
 * judge_partition_files_close): NULL with error when one cannot be. */
FILE **judge_partition_files_open(const struct live_spool *spool, const char *kind, size_t count,
                                  const char *mode, struct error *error);
/* Closes and frees count files (NULL is allowed); returns result, or -1
 * (with error) when result was 0 and one was not written whole. */
int judge_partition_files_close(FILE **files, size_t count, int result, struct error *error);

/* Appends text (NULL as NULL) to frame. Returns 0 or -1. */
int judge_encode_text(struct strbuf *frame, const char *text);
/* Appends a device's fields of mask (bit f: field f) that have a value:
 * the mask of those, then their texts. Returns 0 or -1. */
int judge_encode_fields(struct strbuf *frame, const struct device_view *device, unsigned mask);
/* The fields judge_encode_fields wrote, into device (the others NULL; texts
 * point into the cursor's frame). Returns 0 or -1 when damaged. */
int judge_decode_fields(struct live_spool_cursor *cursor, struct device_view *device);

/* Writes record (a valid row) as a frame to file, frame its scratch.
 * Returns 0 or -1. */
int judge_put_record(FILE *file, struct strbuf *frame, const struct record *record);
/* The row judge_put_record wrote, from head (its row read): values point
 * into head's frame. Returns 0 or -1 when damaged. */
int judge_head_record(struct judge_head *head, struct record *record);
/* Writes row's device (NULL: none) as a frame to file, frame its scratch.
 * Returns 0 or -1. */
int judge_put_device(FILE *file, struct strbuf *frame, uint64_t row,
                     const struct device_view *device);
/* The device judge_put_device wrote, from head (its row read): strings
 * point into head's frame. Returns 0 or -1 when damaged. */
int judge_head_device(struct judge_head *head, bool *found, struct device_view *device);

#endif
