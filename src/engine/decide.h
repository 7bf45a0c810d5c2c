/* The engine's policy as a pure function: what to do with a call that
 * finished — (call, answer, job state, clock) → decision. No I/O, no clock
 * read, no allocation beyond the decision's own outcomes: the loop in
 * engine.c applies the decision. docs/engine.md holds the table this
 * implements (operation × answer → decision); tests/unit/test_engine_decide.c
 * checks every cell of it.
 * Ownership: every input is borrowed; decision_release frees the outcomes. */
#ifndef LATTIGO_DECIDE_H
#define LATTIGO_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/status.h"
#include "ops/op.h"

#define DECIDE_BACKOFF_BASE_MS    250
#define DECIDE_BACKOFF_CAP_MS     30000
#define DECIDE_DEAD_SERVICE_CALLS 20 /* failed calls in a row that mean "nothing gets through" */
#define DECIDE_REFUSAL_POLLS      10 /* read-backs confirming a refusal while the device is absent */
#define DECIDE_REFUSAL_POLL_MS    2000

/* The call that finished. */
struct decide_call {
	bool read_back; /* GET v2/devices/<iccid> of one row, not the operation */
	const struct record *const *records;
	size_t count;
	unsigned attempt;      /* tries of this call so far, this one included */
	unsigned retries;      /* tries after the first so far */
	bool possibly_applied; /* an earlier try of these rows may have been applied */
	const char *doubt;     /* why (possibly_applied, read-backs), for messages; "" when none */
	int64_t sent_after_wall_ms; /* read-backs: the earliest time the operation could apply */
	bool send_if_absent;        /* read-back of a row in doubt after a crash */
	const char *refusal;        /* read-back confirming this refusal of a re-send; NULL: none */
	long refusal_status;
	unsigned polls_left; /* confirmations still allowed while the device is absent */
};

/* What came back. Strings are borrowed; body need not be terminated. */
struct decide_answer {
	enum http_transport transport;
	long http_status;    /* 0 unless answered */
	const char *problem; /* the transport's reason, "" when answered */
	const char *body;
	size_t body_length;
	const char *retry_after; /* the header's value, NULL when absent */
	const char *location;    /* the Location header, NULL when absent */
};

/* The job's state the policy reads. */
struct decide_job {
	const struct op *op;
	unsigned max_retries;
	bool resend_on_5xx;      /* the user allows re-sending sms / locate after a 5xx */
	bool stopping;           /* a stop was requested: nothing new, nothing decided in doubt */
	bool budget_available;   /* a retry of a failed call may still be spent */
	uint64_t budget_retries; /* for messages */
	uint64_t budget_calls;
	uint64_t answered; /* useful answers so far in this run */
	uint64_t
	    failures_in_a_row; /* failed calls since the last useful answer (before this one) */
	size_t chunk_size;     /* rows per call the engine forms now */
	int64_t now_ms;        /* monotonic */
	int64_t now_wall_ms;   /* UTC epoch ms (Retry-After dates) */
	uint64_t random;       /* a fresh random number (jitter) */
};

enum decide_kind {
	DECIDE_FINISH,     /* each row's action and outcome are in rows[] */
	DECIDE_RETRY,      /* send the same call again at retry_at_ms */
	DECIDE_SPLIT,      /* send the rows again in calls of split_size */
	DECIDE_READ_BACK,  /* read every row back (the operation's outcome is unknown) */
	DECIDE_SEND_AGAIN, /* read-back: the row is absent, send the operation for it again */
	DECIDE_LEAVE,      /* report nothing: the rows stay unsent or in doubt for a resume */
	DECIDE_STOP_JOB,   /* fatal: message says why; nothing reported for this call */
};

enum decide_row_action {
	ROW_ACTION_REPORT,   /* report outcome */
	ROW_ACTION_CONFIRM,  /* a refusal of a repeat: read the device back before it stands */
	ROW_ACTION_IN_DOUBT, /* report nothing (the job is stopping) */
};

struct decide_row {
	enum decide_row_action action;
	struct row_outcome outcome; /* status and message */
};

struct decision {
	enum decide_kind kind;
	long http_status;           /* reported with the rows */
	struct decide_row *rows;    /* DECIDE_FINISH: one per row of the call (owned) */
	int64_t retry_at_ms;        /* DECIDE_RETRY (monotonic) */
	bool consume_poll;          /* DECIDE_RETRY of a confirming read-back: one poll fewer */
	bool count_retry;           /* DECIDE_RETRY: counts as a retry of the call */
	bool spend_budget;          /* DECIDE_RETRY: spends the job's retry budget */
	bool mark_possibly_applied; /* DECIDE_RETRY: this try may have been applied */
	size_t split_size;        /* DECIDE_SPLIT: rows per piece, also the job's new chunk size */
	int64_t hold_until_ms;    /* 0, or no call may start before this (a 429's wait) */
	bool throttled;           /* a 429: count it, halve concurrency */
	bool answered;            /* a useful answer: resets the failure streak */
	bool failed;              /* 408, 5xx or a transport failure: the streak grows */
	bool service_failing;     /* DECIDE_STOP_JOB: the API keeps failing (resumable) */
	bool credentials_refused; /* DECIDE_STOP_JOB: a 401/403 refused the credentials */
	char message[512];        /* STOP_JOB: the error; READ_BACK/RETRY: why the outcome is
	                             unknown (becomes the calls' doubt) */
};

/* Decides about a finished call. Returns 0, or -1 when out of memory (the
 * decision is then a DECIDE_STOP_JOB saying so). Release with decision_release. */
int decide(const struct decide_call *call, const struct decide_answer *answer,
           const struct decide_job *job, struct decision *decision);

/* Frees the decision's rows. */
void decision_release(struct decision *decision);

#endif
