/* libFuzzer target for the answer headers we parse: Retry-After (delta-seconds
 * or HTTP-date) on both sides (engine and export), the pagination headers and
 * the paging decision, and the ISO dates export accepts. Any text: a clean
 * answer or a clean refusal, delays within their caps, never a crash. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "http/retry_after.h"
#include "export/iso_date.h"
#include "export/paging.h"
#include "export/read_answer.h"
#include "fuzz_support.h"

#define NOW_MS INT64_C(1790000000000) /* a fixed clock: reproducible */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	int64_t delay = -1;
	if (retry_after_parse(text, NOW_MS, &delay) == 0 &&
	    (delay < 0 || delay > RETRY_AFTER_MAX_MS))
		abort();
	int64_t instant = 0;
	char reason[128];
	if (iso_date_parse(text, &instant, reason, sizeof(reason)) < 0 &&
	    !memchr(reason, '\0', sizeof(reason)))
		abort();

	/* every line a header; then one paging decision per page size */
	struct page_headers headers;
	page_headers_init(&headers);
	const char *line = (const char *)data;
	const char *end = line + size;
	while (line < end) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		size_t length = (size_t)((newline ? newline : end) - line);
		page_headers_take(&headers, line, length);
		line += length + 1;
	}
	struct paging paging;
	paging_init(&paging, size % 3 == 0 ? 0 : size);
	uint64_t next = 0;
	for (size_t count = 0; count < 3; count++)
		if (paging_after_page(&paging, &headers, size % 50 + count, size, &next) !=
		    PAGING_NEXT)
			break;

	static const long statuses[] = {0, 200, 404, 408, 429, 500, 503};
	struct read_answer answer = {
	    .result = size % 5 == 0 ? CURLE_OPERATION_TIMEDOUT : CURLE_OK,
	    .status = statuses[size % (sizeof(statuses) / sizeof(statuses[0]))],
	    .retry_after = text,
	    .curl_error = "",
	    .body = text,
	    .body_length = size,
	    .attempt = (unsigned)(size % 4) + 1,
	    .per_device = size % 2 == 0,
	    .device = "device-1",
	};
	struct read_decision decision;
	read_decide(&answer, 5, NOW_MS, (uint64_t)size * 2654435761u, &decision);
	if (decision.delay_ms < 0 || !memchr(decision.message, '\0', sizeof(decision.message)))
		abort();
	free(text);
	return 0;
}
