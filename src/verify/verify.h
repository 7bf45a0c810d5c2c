/* `verify`: reads back the devices of every row a job reported ok or
 * unknown, judges each (verified / pending / mismatch / missing), re-reads
 * only the pending ones on a backoff schedule until none is pending or the
 * wait is over, and writes OUT/verify.csv and summary.json's `verification`
 * section. Reads only (GET through export_run); never writes to the API.
 * Ownership: the config's pointers are borrowed for the call. */
#ifndef LATTIGO_VERIFY_H
#define LATTIGO_VERIFY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "common/error.h"
#include "export/export.h"
#include "outputs/outcome_store.h"
#include "pipeline/pipeline.h"
#include "verify/outputs.h"

/* How long after its acceptance an activation whose device cannot be read
 * yet is still pending rather than missing, whatever the wait: the API text
 * says only that it "will be worked on". */
#define VERIFY_ACTIVATION_GRACE_MS (24 * 3600 * 1000LL)

struct verify_config {
	const char *directory;              /* the job directory */
	const struct pipeline_config *rows; /* the job's manifest, operation and options */
	struct outcome_store *store;        /* the job's outcomes when it is open (run --verify);
	                                       NULL: read from the directory */
	struct read_transport transport;    /* where and how to read */
	unsigned concurrency;
	double rate;                 /* calls per second, 0: unlimited */
	unsigned max_tries;          /* tries of one read */
	bool verbose;                /* one line per read on stderr */
	int64_t wait_ms;             /* --wait: how long pending rows may take; 0: read once */
	volatile sig_atomic_t *stop; /* SIGINT / SIGTERM flag, or NULL */
	struct audit_writer *audit;  /* the reads are recorded here; NULL: nowhere */
	FILE *progress;              /* progress lines, or NULL */
	bool progress_in_place;      /* a terminal: one line rewritten in place */
};

/* Verifies the job. figures is filled (also when stopping early). Returns
 * an exit status: 0 every row verified, 1 some row is not, 2 the operation
 * has no readable state, the job cannot be read or the credentials were
 * refused (error filled), 3 interrupted or the API kept failing (what was
 * known is written; error filled when not a signal). */
int verify_run(const struct verify_config *config, struct verify_figures *figures,
               struct error *error);

#endif
