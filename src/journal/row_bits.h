/* The settled rows of a journal_replay (internal): rows 1..floor final
 * without a bit each, then two bitmaps (final, sent) from row floor + 1 up.
 * A resume from a compacted segment starts its floor at the snapshot's final
 * prefix, so what it allocates, copies and scans follows the rows after that
 * prefix, not the job (issue 14, "Resume independent of job size"). The
 * bitmaps are owned by the replay (journal_replay_release frees them). */
#ifndef LATTIGO_JOURNAL_ROW_BITS_H
#define LATTIGO_JOURNAL_ROW_BITS_H

#include <stdbool.h>
#include <stdint.h>

#include "journal.h"

/* Whether row is final (rows up to the floor are). */
bool row_bits_final(const struct journal_replay *replay, uint64_t row);
/* Whether a call carrying row was recorded (false for the rows up to the floor). */
bool row_bits_sent(const struct journal_replay *replay, uint64_t row);
/* Marks row final (no-op up to the floor). Returns 0 or -1 (out of memory). */
int row_bits_set_final(struct journal_replay *replay, uint64_t row);
/* Marks row sent (no-op up to the floor). Returns 0 or -1 (out of memory). */
int row_bits_set_sent(struct journal_replay *replay, uint64_t row);
/* Empties replay's bitmaps and makes rows 1..final_floor final, the rows
 * above it neither final nor sent, with room up to row highest. Returns 0
 * or -1 (out of memory). */
int row_bits_start(struct journal_replay *replay, uint64_t final_floor, uint64_t highest);
/* The bytes of the final (or sent) bitmap from row final_floor + 1, bit i of
 * byte j being row final_floor + 1 + 8 * j + i, for a decoder to fill after
 * row_bits_start (room for the rows up to its highest). */
unsigned char *row_bits_raw(struct journal_replay *replay, bool final);
/* The highest row R such that rows 1..R are all final (0 when row 1 is not),
 * 64 rows a step. */
uint64_t row_bits_final_prefix(const struct journal_replay *replay);
/* The highest row final (final_only) or final or sent; the floor when none above it. */
uint64_t row_bits_highest(const struct journal_replay *replay, bool final_only);
/* The rows sent but not final, 64 rows a step. */
uint64_t row_bits_in_doubt(const struct journal_replay *replay);
/* Rows first..first+63 final as bits (bit i: row first + i). */
uint64_t row_bits_final_word(const struct journal_replay *replay, uint64_t first);
/* Makes to's bitmaps a copy of from's (to's own are freed). Returns 0 or -1. */
int row_bits_copy(struct journal_replay *to, const struct journal_replay *from);
/* Frees replay's bitmaps (rows above the floor are then neither final nor sent). */
void row_bits_release(struct journal_replay *replay);

#endif
