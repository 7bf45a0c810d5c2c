/* The confirmation of operations that cost money or cannot be recalled
 * (activate, locate, sms: OP_NEEDS_YES in the op table, SPEC §2): --yes, or on
 * a terminal a typed "yes" after seeing the number of rows and the estimated
 * cost. Jobs against the bundled simulator (--endpoint sim) need none.
 * Ownership: nothing is kept; strings are borrowed. */
#ifndef LATTIGO_CONFIRM_H
#define LATTIGO_CONFIRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "common/error.h"
#include "ops/op.h"

/* What a job is about to spend. */
struct confirm_cost {
	uint64_t rows;        /* rows that would be sent */
	bool known;           /* every such row's price was known (activate: its rate plan's fee) */
	double amount;        /* the sum of the known prices */
	uint64_t priced_rows; /* rows whose price is in amount */
};

/* True when op needs a confirmation in this job: the op is flagged
 * OP_NEEDS_YES, and there is no --yes, no --dry-run, no --endpoint sim. */
bool confirm_needed(const struct op *op, const struct job_options *options);
/* True when a typed confirmation can stand in for --yes: stdin and stderr are
 * terminals and the manifest is not read from stdin. */
bool confirm_can_ask(const struct job_options *options);
/* Fills error with the refusal of a job that needs --yes and cannot ask. Returns -1. */
int confirm_refuse(const struct op *op, struct error *error);
/* Writes the question into out (size bytes), e.g. "activate 1,200 rows at an
 * estimated cost of 6000.00 (activation fees from the account's rate plans)?
 * Type 'yes' to send them: ". Pure. Returns out. */
const char *confirm_format_question(const struct op *op, const struct confirm_cost *cost, char *out,
                                    size_t size);
/* Asks the question on out and reads one line from in: 0 when it is "yes",
 * else -1 with error saying nothing was sent. */
int confirm_ask(FILE *in, FILE *out, const struct op *op, const struct confirm_cost *cost,
                struct error *error);

#endif
