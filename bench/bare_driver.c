/* A bare libcurl-multi driver: sends a prepared list of API calls with N in
 * flight over reused connections and measures calls/s — no manifest, no
 * validation, no journal, no outputs, no retries. bench/throughput.sh runs
 * the same calls through lattigo-batch and through this, to show the cost of
 * everything lattigo-batch does around the HTTP exchanges.
 *
 * Usage: bare_driver BASE_URL REQUESTS_FILE CONCURRENCY
 *   REQUESTS_FILE: one call per line, "METHOD<TAB>PATH<TAB>JSON_BODY" (the
 *   body may be empty); credentials from LATTIGO_KEY_NAME / LATTIGO_API_KEY.
 * Prints: calls N seconds S calls_per_second R ok A throttled B other C failed D */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONCURRENCY 256
#define MAX_LINE        (1u << 20)

struct call {
	char *method;
	char *url;
	char *body; /* NULL: none */
};

struct tally {
	unsigned long ok, throttled, other, failed;
};

static double seconds_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static size_t discard_body(char *data, size_t size, size_t count, void *context)
{
	(void)data;
	(void)context;
	return size * count;
}

static char *copy_text(const char *text, size_t length)
{
	char *copy = malloc(length + 1);
	if (copy != NULL) {
		memcpy(copy, text, length);
		copy[length] = '\0';
	}
	return copy;
}

/* Frees the first count calls and the array. */
static void free_calls(struct call *calls, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(calls[i].method);
		free(calls[i].url);
		free(calls[i].body);
	}
	free(calls);
}

/* Reads every call of path into a new array (*calls, the caller frees it with
 * free_calls). Returns the number of calls, or -1 with a message printed. */
static long read_calls(const char *path, const char *base_url, struct call **calls)
{
	FILE *file = fopen(path, "r");
	char *line = malloc(MAX_LINE);
	size_t capacity = 0, count = 0;
	long result = -1;

	*calls = NULL;
	if (file == NULL || line == NULL) {
		fprintf(stderr, "bare_driver: cannot read '%s': %s\n", path, strerror(errno));
		goto out;
	}
	while (fgets(line, (int)MAX_LINE, file) != NULL) {
		char *path_start = strchr(line, '\t');
		char *body_start = path_start ? strchr(path_start + 1, '\t') : NULL;
		size_t body_length;
		if (body_start == NULL) {
			fprintf(stderr,
			        "bare_driver: '%s': line %zu is not METHOD TAB PATH TAB BODY\n",
			        path, count + 1);
			goto out;
		}
		if (count == capacity) {
			size_t grown = capacity ? capacity * 2 : 1024;
			struct call *bigger = realloc(*calls, grown * sizeof **calls);
			if (bigger == NULL)
				goto out;
			*calls = bigger;
			capacity = grown;
		}
		body_length = strcspn(body_start + 1, "\r\n");
		struct call *call = &(*calls)[count++]; /* counted now so that an error frees it */
		size_t url_length = strlen(base_url) + 1 + (size_t)(body_start - path_start);
		call->method = copy_text(line, (size_t)(path_start - line));
		call->url = malloc(url_length);
		call->body = body_length ? copy_text(body_start + 1, body_length) : NULL;
		if (call->method == NULL || call->url == NULL ||
		    (body_length && call->body == NULL)) {
			fprintf(stderr, "bare_driver: out of memory\n");
			goto out;
		}
		snprintf(call->url, url_length, "%s/%.*s", base_url,
		         (int)(body_start - path_start - 1), path_start + 1);
	}
	result = (long)count;
out:
	if (result < 0) {
		free_calls(*calls, count);
		*calls = NULL;
	}
	free(line);
	if (file != NULL)
		fclose(file);
	return result;
}

static void start_call(CURLM *multi, CURL *easy, const struct call *call, const char *userpwd,
                       struct curl_slist *headers)
{
	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, call->url);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call->method);
	curl_easy_setopt(easy, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, 60L); /* a benchmark must end by itself */
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body ? call->body : "");
	if (call->body == NULL && strcmp(call->method, "GET") == 0)
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	curl_multi_add_handle(multi, easy);
}

int main(int argc, char **argv)
{
	struct call *calls = NULL;
	struct tally tally = {0, 0, 0, 0};
	CURL *easy[MAX_CONCURRENCY];
	struct curl_slist *headers = NULL;
	char userpwd[512];
	CURLM *multi = NULL;
	long count, next = 0, done = 0, concurrency;
	double started;
	int status = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: bare_driver BASE_URL REQUESTS_FILE CONCURRENCY\n");
		return 2;
	}
	concurrency = strtol(argv[3], NULL, 10);
	if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		fprintf(stderr, "bare_driver: concurrency must be 1..%d\n", MAX_CONCURRENCY);
		return 2;
	}
	const char *key_name = getenv("LATTIGO_KEY_NAME"), *api_key = getenv("LATTIGO_API_KEY");
	if (key_name == NULL || api_key == NULL) {
		fprintf(stderr, "bare_driver: set LATTIGO_KEY_NAME and LATTIGO_API_KEY\n");
		return 2;
	}
	snprintf(userpwd, sizeof userpwd, "%s:%s", key_name, api_key);
	count = read_calls(argv[2], argv[1], &calls);
	if (count < 0)
		return 1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	multi = curl_multi_init();
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	for (long i = 0; i < concurrency; i++)
		easy[i] = curl_easy_init();

	started = seconds_now();
	for (long i = 0; i < concurrency && next < count; i++, next++)
		start_call(multi, easy[i], &calls[next], userpwd, headers);
	while (done < count) {
		int running = 0, queued = 0;
		CURLMsg *message;
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			goto out;
		while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
			long http_status = 0;
			CURL *finished = message->easy_handle;
			if (message->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(finished, CURLINFO_RESPONSE_CODE, &http_status);
			if (message->data.result != CURLE_OK)
				tally.failed++;
			else if (http_status >= 200 && http_status < 300)
				tally.ok++;
			else if (http_status == 429)
				tally.throttled++;
			else
				tally.other++;
			curl_multi_remove_handle(multi, finished);
			done++;
			if (next < count)
				start_call(multi, finished, &calls[next++], userpwd, headers);
		}
		if (done < count && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
			goto out;
	}
	double elapsed = seconds_now() - started;
	printf("calls %ld seconds %.4f calls_per_second %.1f ok %lu throttled %lu other %lu failed "
	       "%lu\n",
	       count, elapsed, elapsed > 0 ? (double)count / elapsed : 0.0, tally.ok,
	       tally.throttled, tally.other, tally.failed);
	status = 0;
out:
	for (long i = 0; i < concurrency; i++)
		curl_easy_cleanup(easy[i]);
	curl_multi_cleanup(multi);
	curl_slist_free_all(headers);
	free_calls(calls, (size_t)count);
	curl_global_cleanup();
	return status;
}
