/* The last judgement of every row `verify` has read back (device_name,
 * expected, observed: what verify.csv shows), kept on disk so that memory
 * stays flat in the job's rows (issue 14): an unnamed temporary file of
 * frames (live/spool.h's encoding), in row order. A pass over the rows reads
 * each row's judgement back (verify_judgements_last) and, when it rewrites,
 * writes every row's again, new or as it was (verify_judgements_put); at its
 * end the written file becomes the one read. A process killed leaves nothing:
 * the files have no name.
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

struct verify_judgements {
	FILE *kept;    /* the last judgements, read; NULL before the first rewrite */
	FILE *written; /* the pass's new file, or NULL */
	struct live_spool_frame frame;
	struct live_spool_cursor cursor;
	bool ready;   /* frame holds the next judgement not yet asked for */
	uint64_t row; /* its row */
	struct strbuf scratch;
};

/* Prepares an empty set (free with verify_judgements_release). */
void verify_judgements_init(struct verify_judgements *judgements);
void verify_judgements_release(struct verify_judgements *judgements);

/* Starts a pass: the kept judgements are read from the first; with rewrite,
 * a new file is written. Returns 0, or -1 with error. */
int verify_judgements_begin(struct verify_judgements *judgements, bool rewrite,
                            struct error *error);
/* The kept judgement of row (rows asked in increasing order) into *texts.
 * Returns 1, 0 when row has none, -1 when the file is damaged (error). */
int verify_judgements_last(struct verify_judgements *judgements, uint64_t row,
                           struct verify_texts *texts, struct error *error);
/* Writes row's judgement to the pass's new file. Returns 0, or -1 with error. */
int verify_judgements_put(struct verify_judgements *judgements, uint64_t row,
                          const struct verify_texts *texts, struct error *error);
/* Ends a pass: a rewrite's new file becomes the kept one. Returns 0, or -1
 * with error (the kept judgements are then those before the pass). */
int verify_judgements_end(struct verify_judgements *judgements, struct error *error);

#endif
