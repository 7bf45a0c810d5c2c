/* The last judgement of every row `verify` has read back (device_name,
 * expected, observed: what verify.csv shows), kept on disk so that memory
 * stays flat in the job's rows (issue 14): layers, each an unnamed
 * temporary file of frames (live/spool.h's encoding) in row order. A round
 * writes the judgements it makes (verify_judgements_put) to a new layer:
 * the first round every row's, later rounds only the pending rows' they
 * judge again, so that no later round rewrites every row. Reading
 * (verify_judgements_last) merges the layers, the newest holding a row
 * winning. To keep the layers few, a new layer is merged into the one
 * before it while it is at least half that one's size (or there are too
 * many): a row is rewritten a logarithmic number of times, and the first
 * round's layer only once later layers hold half as many rows. A process
 * killed leaves nothing: the files have no name.
 * Ownership: the struct owns its files and buffers; texts it hands out
 * borrow it until the next verify_judgements_last. */
#ifndef LATTIGO_VERIFY_JUDGEMENTS_H
#define LATTIGO_VERIFY_JUDGEMENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "live/spool.h"

/* What verify.csv shows of a row's judgement besides its verdict. */
struct verify_texts {
	const char *device_name, *expected, *observed;
};

/* The most layers kept at once (files open while reading). */
#define VERIFY_JUDGEMENT_LAYERS 24

/* One layer and where its reading is. */
struct verify_layer {
	FILE *file;
	uint64_t rows; /* judgements in it */
	struct live_spool_frame frame;
	struct live_spool_cursor cursor; /* after the row number */
	bool ready;                      /* frame holds the next judgement not yet asked for */
	uint64_t row;                    /* its row */
};

struct verify_judgements {
	struct verify_layer layers[VERIFY_JUDGEMENT_LAYERS]; /* oldest first */
	size_t count;
	FILE *written; /* the pass's new layer, or NULL */
	uint64_t written_rows;
	struct strbuf scratch;
};

/* Prepares an empty set (free with verify_judgements_release). */
void verify_judgements_init(struct verify_judgements *judgements);
void verify_judgements_release(struct verify_judgements *judgements);

/* Starts a pass: the kept judgements are read from the first; with write,
 * a new layer is written. Returns 0, or -1 with error. */
int verify_judgements_begin(struct verify_judgements *judgements, bool write, struct error *error);
/* The kept judgement of row (rows asked in increasing order) into *texts.
 * Returns 1, 0 when row has none, -1 when a file is damaged (error). */
int verify_judgements_last(struct verify_judgements *judgements, uint64_t row,
                           struct verify_texts *texts, struct error *error);
/* Writes row's judgement (rows in increasing order) to the pass's new
 * layer. Returns 0, or -1 with error. */
int verify_judgements_put(struct verify_judgements *judgements, uint64_t row,
                          const struct verify_texts *texts, struct error *error);
/* Ends a pass: a new layer joins the kept ones (merged as the header says).
 * Returns 0, or -1 with error (the kept judgements are then those before
 * the pass). */
int verify_judgements_end(struct verify_judgements *judgements, struct error *error);

#endif
