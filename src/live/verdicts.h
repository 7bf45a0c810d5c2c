/* The preflight's verdict on every row of a job, kept next to the snapshot
 * it was judged against (OUT/snapshot/verdicts + verdict-notes), so that a
 * resume settles the rows left from them instead of loading the snapshot
 * and classifying the whole job again (issue 14, "Resume independent of job
 * size"). One byte a row (kind and flags, below) plus, for the rows whose
 * outcome or resolved device name the row alone cannot give, a note (the
 * device's name, its value then, the verdict's message), in row order, with
 * an index of where each block of rows starts among them and each block's
 * CRC32. Both files are written under a temporary name, fsynced and renamed,
 * the notes first; the verdicts file ends with a trailer holding the CRC32
 * of the index and the job's tag, so a torn, stale or damaged pair is
 * refused as a whole when opened, and a damaged block before its bytes or
 * notes are used; the caller then classifies again (docs/checkpoint.md,
 * "The preflight's verdicts"). The format is in verdicts_internal.h.
 * Ownership: writer and reader own their files and buffers; a note's strings
 * borrow the reader until its next call. */
#ifndef LATTIGO_LIVE_VERDICTS_H
#define LATTIGO_LIVE_VERDICTS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define LIVE_VERDICTS_FILE      "verdicts"
#define LIVE_VERDICT_NOTES_FILE "verdict-notes"

/* A row's byte: the enum live_kind in the low bits, then flags. */
enum {
	LIVE_VERDICT_KIND_MASK = 0x07,
	LIVE_VERDICT_FOUND = 0x08,        /* the row's device is in the snapshot */
	LIVE_VERDICT_UNKNOWN_NAME = 0x10, /* it names a rate plan or user the account lacks */
	LIVE_VERDICT_NOTED = 0x20,        /* it has a note (set by the writer) */
	LIVE_VERDICT_UNDO_LINE = 0x40,    /* undo.csv has a line for it */
	LIVE_VERDICT_UNDO_MISSING = 0x80, /* it changes a value undo.csv cannot put back */
	LIVE_VERDICT_NONE = 0xFF,         /* not classified (an invalid row) */
};

/* What a row's verdict needs beyond its byte. */
struct live_verdict_note {
	const char *device_name; /* the device's name when the row names it otherwise, or "" */
	const char *current;     /* the device's value then, or "" */
	const char *message;     /* the verdict's message, or "" */
};

struct live_verdicts_writer;

/* Starts writing the verdicts of the job tagged job_tag into directory
 * (which must exist). Returns the writer, or NULL with error. */
struct live_verdicts_writer *live_verdicts_writer_open(const char *directory, uint64_t job_tag,
                                                       struct error *error);
/* Records row's byte (rows in increasing order; rows skipped get
 * LIVE_VERDICT_NONE) and its note (NULL: none). Returns 0 or -1 with error. */
int live_verdicts_writer_add(struct live_verdicts_writer *writer, uint64_t row, uint8_t code,
                             const struct live_verdict_note *note, struct error *error);
/* Makes both files durable under their final names and frees the writer.
 * Returns 0 or -1 with error (nothing published then). */
int live_verdicts_writer_commit(struct live_verdicts_writer *writer, struct error *error);
/* Removes the temporary files and frees the writer; NULL is allowed. */
void live_verdicts_writer_abort(struct live_verdicts_writer *writer);

struct live_verdicts;

/* Opens the verdicts stored in directory for the job tagged job_tag: the
 * file mapped, its trailer and block index checked (a file of format
 * version 1, which has no CRC per block, checked whole with its notes), the
 * notes kept open. Returns 0 with *out (free with live_verdicts_free), or 1
 * with error saying why there are none to use (absent, torn, damaged,
 * another job's, an unknown version). */
int live_verdicts_open(const char *directory, uint64_t job_tag, struct live_verdicts **out,
                       struct error *error);
/* Checks the bytes and notes of every block that holds one of the rows
 * first..last (1-based, clipped), each block once: a resume checks the rows
 * it will settle before its first call. Returns 0, or 1 with error naming
 * the rows of the first damaged block (the caller classifies again). */
int live_verdicts_check(struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                        struct error *error);
/* Frees the reader; NULL is allowed. */
void live_verdicts_free(struct live_verdicts *verdicts);
/* The number of rows recorded. */
uint64_t live_verdicts_rows(const struct live_verdicts *verdicts);
/* Row's byte (1-based), LIVE_VERDICT_NONE beyond the rows recorded or
 * when its block fails its CRC (checked the first time one of its rows is
 * asked). */
uint8_t live_verdicts_code(const struct live_verdicts *verdicts, uint64_t row);
/* Adds to *lines the rows first..last (1-based, clipped to the rows recorded)
 * whose verdict writes a line of undo.csv, and to *missing those whose value
 * before no line can restore (a damaged block's rows count for nothing). For
 * the whole job, the counts the writer recorded; otherwise (or for a file of
 * version 1) one pass over the bytes, eight rows a step. */
void live_verdicts_count_undo(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                              uint64_t *lines, uint64_t *missing);
/* What a resume counts of the rows it will settle from the verdicts. */
struct live_verdicts_tally {
	uint64_t kinds[LIVE_VERDICT_KIND_MASK + 1]; /* classified rows not final, by kind */
	uint64_t unknown_name;                      /* of them: LIVE_VERDICT_UNKNOWN_NAME */
	uint64_t first_unknown;                     /* the first of those, 0 when none */
};
/* Rows first..first+63 final, as bits (bit i: row first + i). */
typedef uint64_t live_verdicts_final_fn(void *context, uint64_t first);
/* Adds to tally the classified rows first..last (1-based, clipped to the rows
 * recorded) that final (NULL: none) does not name, asking it once for each
 * group of 64 rows (rows 1..64, 65..128, ...) it covers (a damaged block's
 * rows count for nothing: check first). */
void live_verdicts_tally(const struct live_verdicts *verdicts, uint64_t first, uint64_t last,
                         live_verdicts_final_fn *final, void *context,
                         struct live_verdicts_tally *tally);
/* Fills note with row's note (strings valid until the next call). Rows are
 * best asked in increasing order: the notes are read sequentially, and a
 * step back seeks to the start of its block. Returns 1 when found, 0 when
 * the row has none, -1 with error when the notes cannot be read. */
int live_verdicts_note(struct live_verdicts *verdicts, uint64_t row, struct live_verdict_note *note,
                       struct error *error);

#endif
