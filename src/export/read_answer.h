/* What to do with one finished read: a pure function of the answer, the
 * attempt and the clock (unit-tested without sockets), applied by the loop.
 * Ownership: plain values; strings are borrowed. */
#ifndef LATTIGO_READ_ANSWER_H
#define LATTIGO_READ_ANSWER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct read_answer {
	CURLcode result;         /* how the transfer ended */
	long status;             /* HTTP status, 0 when none */
	const char *retry_after; /* the header's value, "" or NULL when none */
	bool too_big;            /* the body went over HTTP_READ_RESPONSE_LIMIT */
	const char *curl_error;  /* curl's words, "" when none */
	const char *body;        /* for quoting in messages */
	size_t body_length;
	unsigned attempt; /* 1 for the first try */
	bool per_device;  /* the path names one manifest device */
	const char *device;
};

enum read_verdict {
	READ_ACCEPT,       /* 200: read the records */
	READ_RETRY,        /* try again after delay_ms */
	READ_DEVICE_ERROR, /* this device cannot be read (404, a 4xx): errors.csv, go on */
	READ_STOP_REFUSED, /* 401/403: the credentials are refused; stop (exit 2) */
	READ_STOP_FAILING, /* out of tries: stop resumably (exit 3) */
	READ_STOP_LISTING, /* an account-wide listing was refused (4xx): stop (exit 1) */
};

struct read_decision {
	enum read_verdict verdict;
	int64_t delay_ms;   /* READ_RETRY: wait before the next try; also the pause for all */
	bool throttled;     /* a 429: halve concurrency, pause every call for delay_ms */
	bool spends_budget; /* a retry of a failure (5xx, 408, transport), not a 429 */
	char message[400];  /* why, for errors.csv and stderr */
};

/* Backoff of failed reads: 250 ms × 2^retry, at most 30 s, full jitter. */
#define READ_BACKOFF_BASE_MS 250
#define READ_BACKOFF_CAP_MS  30000

/* Decides about answer; max_tries bounds the tries of one read (429s
 * included); random feeds the jitter. */
void read_decide(const struct read_answer *answer, unsigned max_tries, int64_t now_wall_ms,
                 uint64_t random, struct read_decision *decision);

#endif
