/* The read side's decision table. Reads are idempotent: every failure that
 * is not the service saying "no" is retried; nothing is ambiguous. */
#include "export/read_answer.h"

#include <stdio.h>

#include "http/backoff.h"
#include "http/retry_after.h"

/* Quotes at most 200 bytes of the body, printable only. */
static void quote_body(const struct read_answer *answer, char *out, size_t size)
{
	size_t used = 0;
	for (size_t index = 0; index < answer->body_length && index < 200 && used + 1 < size;
	     index++) {
		char character = answer->body[index];
		out[used++] = character >= ' ' && character < 127 ? character : ' ';
	}
	out[used] = '\0';
}

static void retry(const struct read_answer *answer, unsigned max_tries, int64_t now_wall_ms,
                  uint64_t random, struct read_decision *decision, const char *why)
{
	decision->spends_budget = answer->status != 429;
	decision->throttled = answer->status == 429;
	int64_t server_wait = -1;
	if (answer->retry_after && *answer->retry_after &&
	    retry_after_parse(answer->retry_after, now_wall_ms, &server_wait) != 0)
		server_wait = -1;
	int64_t backoff = backoff_delay_ms(answer->attempt - 1, READ_BACKOFF_BASE_MS,
	                                   READ_BACKOFF_CAP_MS, random);
	/* A Retry-After asking for no wait would make a 429 storm of its own. */
	decision->delay_ms = server_wait > 0 ? server_wait + (int64_t)(random % 100) : backoff;
	if (answer->status != 429 && server_wait > 0 && backoff > server_wait)
		decision->delay_ms = backoff;
	snprintf(decision->message, sizeof(decision->message), "%s", why);
	decision->verdict = answer->attempt >= max_tries ? READ_STOP_FAILING : READ_RETRY;
	if (decision->verdict == READ_STOP_FAILING)
		snprintf(decision->message, sizeof(decision->message),
		         "the API keeps failing (%u tries, last: %s); stopped so the export can be "
		         "resumed later",
		         answer->attempt, why);
}

void read_decide(const struct read_answer *answer, unsigned max_tries, int64_t now_wall_ms,
                 uint64_t random, struct read_decision *decision)
{
	char why[300];
	char quoted[220];
	decision->verdict = READ_ACCEPT;
	decision->delay_ms = 0;
	decision->throttled = false;
	decision->spends_budget = false;
	decision->message[0] = '\0';
	if (answer->result != CURLE_OK || answer->status == 0) {
		snprintf(why, sizeof(why), "%s",
		         answer->too_big ? "the answer is larger than 32 MiB"
		         : answer->curl_error && *answer->curl_error
		             ? answer->curl_error
		             : curl_easy_strerror(answer->result));
		retry(answer, max_tries, now_wall_ms, random, decision, why);
		return;
	}
	long status = answer->status;
	if (status == 200)
		return;
	quote_body(answer, quoted, sizeof(quoted));
	if (status == 429 || status == 408 || status >= 500) {
		snprintf(why, sizeof(why), "HTTP %ld", status);
		retry(answer, max_tries, now_wall_ms, random, decision, why);
		return;
	}
	if (status == 401 || status == 403) {
		decision->verdict = READ_STOP_REFUSED;
		snprintf(decision->message, sizeof(decision->message),
		         "the API refused the credentials (HTTP %ld)", status);
		return;
	}
	decision->verdict = answer->per_device ? READ_DEVICE_ERROR : READ_STOP_LISTING;
	if (status == 404 && answer->per_device)
		snprintf(decision->message, sizeof(decision->message),
		         "device '%s' not found (HTTP 404): %s",
		         answer->device ? answer->device : "", quoted);
	else
		snprintf(decision->message, sizeof(decision->message), "HTTP %ld: %s", status,
		         quoted);
}
