/* Building the resume state while reading a journal (internal), and the
 * same state kept by the writer for its snapshots. */
#ifndef LATTIGO_JOURNAL_REPLAY_H
#define LATTIGO_JOURNAL_REPLAY_H

#include "journal.h"

/* Reads DIRECTORY's checkpoint segment (and, when its snapshot is damaged,
 * the previous segment first), counting into replay (overwritten) and
 * forwarding every record to inner (may be NULL). With find_resume_position,
 * reads a second time to learn where the manifest may be sought. result
 * describes the current segment. Returns as journal_read_path. */
int replay_directory(const char *directory, const struct journal_visitor *inner,
                     struct journal_read_result *result, struct journal_replay *replay,
                     bool find_resume_position, struct error *error);

/* Marks row as carried by a call. Returns 0 or -1. */
int replay_note_sent(struct journal_replay *replay, uint64_t row, struct error *error);
/* Counts a call_started record into replay (rows marked sent). Returns 0 or -1. */
int replay_note_call(struct journal_replay *replay, const struct journal_call *call,
                     struct error *error);
/* Counts a row's outcome into replay (the first one of a row counts). Returns 0 or -1. */
int replay_note_outcome(struct journal_replay *replay, uint64_t row, enum row_status status,
                        struct error *error);
/* Replaces to with a deep copy of from (to is released first). Returns 0 or -1. */
int replay_copy(struct journal_replay *to, const struct journal_replay *from);
/* The highest row R such that rows 1..R are all final (0 when row 1 is not). */
uint64_t replay_final_prefix(const struct journal_replay *replay);
/* The highest row that is final (final_only) or final or sent; 0 when none. */
uint64_t replay_highest_row(const struct journal_replay *replay, bool final_only);

#endif
