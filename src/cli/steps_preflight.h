/* The preflight of a job with steps: every row judged, for every step it
 * would enter, against the account as read before the job (its baseline),
 * by the same classification as a one-operation job's (cli/preflight.h),
 * one preflight per step: what each step would change, the rate plans and
 * usernames the account lacks, what the costly steps would cost (the typed
 * confirmation), and OUT/undo-<k>-<op>.csv for each step whose previous
 * value can be read back. A device the job activates in an earlier step is
 * a change for the later steps (it is not in the baseline yet).
 * Ownership: the per-step preflights borrow the baseline (never freed here)
 * and the step configs. */
#ifndef LATTIGO_STEPS_PREFLIGHT_H
#define LATTIGO_STEPS_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/preflight.h"
#include "cli/step_config.h"
#include "common/error.h"
#include "live/snapshot.h"
#include "live/take.h"
#include "pipeline/step_rows.h"

struct steps_preflight {
	const struct step_config *configs;
	size_t step_count;
	bool partial; /* the job's "partial": a row runs the steps before the one it is invalid for
	               */
	struct preflight steps[STEP_ROWS_MAX];
};

/* True when step of row has its final outcome already (a resumed job). */
typedef bool steps_settled_fn(void *context, size_t step, uint64_t row);
/* Sees every row of the manifest once with each step's verdict: verdicts[k]
 * is NULL for a step k the row does not enter; row->first_invalid says
 * which step a row is invalid for. Returns 0 or -1 with error. */
typedef int steps_visit_fn(void *context, const struct step_row *row,
                           const struct live_verdict *const *verdicts, struct error *error);

/* Prepares one preflight per step against baseline (borrowed). */
void steps_preflight_init(struct steps_preflight *preflight, const struct step_config *configs,
                          size_t step_count, bool partial, struct live_snapshot *baseline);
/* Frees what the per-step preflights hold, never the baseline. */
void steps_preflight_release(struct steps_preflight *preflight);

/* The steps a valid row enters: all, or with "partial" those before the one
 * it is invalid for (none without). */
size_t steps_preflight_last(const struct steps_preflight *preflight, const struct step_row *row);
/* The first step of row (entering steps before last) that names a rate plan
 * or username the account lacks, with its verdict in verdict; last when none. */
size_t steps_preflight_unknown_name(const struct steps_preflight *preflight,
                                    const struct step_row *row, size_t last,
                                    struct live_verdict *verdict);

/* Classifies every row of the manifest the pipelines read for the steps it
 * would enter (a row naming an unknown rate plan or user in step k enters
 * none: only step k counts it). Rows settled() names final in a step are not
 * counted there (settled may be NULL). With undo_directory, writes
 * undo_directory/undo-<k>-<op>.csv for each step whose previous value is
 * readable, a line for every row of the job that changes its device there.
 * visit (may be NULL) sees each row. Returns 0 or -1 with error. */
int steps_preflight_classify(struct steps_preflight *preflight,
                             const struct pipeline_config *pipelines, steps_settled_fn *settled,
                             void *context, const char *undo_directory, steps_visit_fn *visit,
                             void *visit_context, struct error *error);
/* True when, for some step, every row to send names a rate plan or username
 * the account lacks: the job is refused before anything is sent (error says
 * which step and name, with "did you mean"). */
bool steps_preflight_refuses(const struct steps_preflight *preflight, struct error *error);
/* Reads the account a job with steps needs before it sends anything (*out,
 * the caller's): the devices its rows name for every step they would enter
 * and whose effect can be read back (by ICCID where an earlier activation
 * names the device), and the rate plans and users when a step names them
 * (set in request). *identifiers is how many distinct identifiers the rows
 * name. Returns an exit_code (live_snapshot_take's; 2 also for an
 * unreadable manifest), error filled when not 0. */
int steps_preflight_read_account(const struct steps_preflight *preflight,
                                 const struct pipeline_config *pipelines,
                                 struct live_take_request *request, struct live_snapshot **out,
                                 size_t *identifiers, struct error *error);
/* The name of step's undo file in OUT ("undo-2-cost-center.csv"). */
void steps_undo_file_name(size_t step, const struct op *op, char *out, size_t size);

#endif
