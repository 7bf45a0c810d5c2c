/* The credentials check before a job directory is created: one GET, so a
 * wrong key is found before anything is written or sent (exit 2 stays
 * "nothing sent"). */
#include "cli/credentials_check.h"

#include <curl/curl.h>
#include <time.h>

#include "cli/commands.h"
#include "http/backoff.h"
#include "http/status.h"

/* The cheapest read the API text offers: one element of an account-wide list. */
#define CHECK_PATH "v2/rate_plans?per_page=1"
/* A read is safe to repeat: a dropped connection is tried again this often,
 * with this wait doubled each time, before the API counts as unreachable. */
#define CHECK_TRIES           4
#define CHECK_FIRST_WAIT_MS   250
#define CHECK_LONGEST_WAIT_MS 2000

static void wait_ms(int64_t ms)
{
	struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&delay, &delay) != 0)
		;
}

int credentials_check(const struct http_settings *settings, struct error *error)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return error_set(error, "cannot initialise libcurl"), EXIT_INTERRUPTED;
	struct http_transfer transfer;
	http_transfer_init(&transfer);
	transfer.method = "GET";
	int result = 0;
	if (strbuf_append_string(&transfer.path, CHECK_PATH) < 0 ||
	    http_transfer_prepare(&transfer, settings, NULL) < 0) {
		error_set(error, "out of memory while checking the credentials");
		result = EXIT_INTERRUPTED;
		goto out;
	}
	CURLcode code = CURLE_OK;
	long status = 0;
	const char *problem = "";
	enum http_transport transport = TRANSPORT_NOT_SENT;
	for (int attempt = 0; attempt < CHECK_TRIES; attempt++) {
		if (attempt > 0) {
			/* one caller waiting: the ceiling itself, no jitter needed */
			wait_ms(backoff_ceiling_ms((unsigned)(attempt - 1), CHECK_FIRST_WAIT_MS,
			                           CHECK_LONGEST_WAIT_MS));
			if (http_transfer_prepare(&transfer, settings, NULL) < 0) {
				error_set(error, "out of memory while checking the credentials");
				result = EXIT_INTERRUPTED;
				goto out;
			}
		}
		code = curl_easy_perform(transfer.easy);
		transport = http_transfer_outcome(&transfer, code, &status, &problem);
		if (transport == TRANSPORT_ANSWERED || transport == TRANSPORT_UNSAFE)
			break;
	}
	if (transport == TRANSPORT_ANSWERED) {
		if (http_status_classify(status) == HTTP_CREDENTIALS) {
			error_set(
			    error,
			    "the API refused the credentials (key name '%s'): HTTP %ld to GET "
			    "%s; nothing was sent and no job directory was created",
			    settings->key_name ? settings->key_name : "", status, CHECK_PATH);
			result = EXIT_USAGE;
		}
	} else if (transport == TRANSPORT_UNSAFE) {
		/* a refused certificate is configuration, as --cacert is */
		error_set(error, "cannot check the credentials at %s: %s; nothing was sent",
		          settings->endpoint, problem);
		result = EXIT_USAGE;
	} else {
		error_set(error,
		          "cannot reach the API at %s to check the credentials (%s, %d tries); "
		          "nothing was sent, run the same command again when it is reachable",
		          settings->endpoint, problem, CHECK_TRIES);
		result = EXIT_INTERRUPTED;
	}
out:
	http_transfer_release(&transfer);
	curl_global_cleanup();
	return result;
}
