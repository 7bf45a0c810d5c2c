/* Pagination arithmetic: records start at offset + (page - 1) * per_page, the
 * way Rails' kaminari "padding" works, which is what the API's headers come from. */
#include "sim/pagination.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_count(const char *text, uint64_t minimum, uint64_t *out)
{
	if (!text || !*text)
		return -1;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	unsigned long long value = strtoull(text, NULL, 10);
	if (errno || value < minimum || value > UINT32_MAX)
		return -1;
	*out = value;
	return 0;
}

int pagination_compute(const char *page, const char *per_page, const char *offset, uint64_t total,
                       struct pagination *out, char *message, size_t message_size)
{
	out->page = 1;
	out->per_page = PAGINATION_DEFAULT_PER_PAGE;
	out->offset = 0;
	out->total = total;
	if (page && parse_count(page, 1, &out->page) != 0) {
		snprintf(message, message_size, "page: must be a positive integer");
		return -1;
	}
	if (per_page && parse_count(per_page, 1, &out->per_page) != 0) {
		snprintf(message, message_size, "per_page: must be a positive integer");
		return -1;
	}
	if (offset && parse_count(offset, 0, &out->offset) != 0) {
		snprintf(message, message_size, "offset: must be a non-negative integer");
		return -1;
	}
	if (out->per_page > PAGINATION_MAX_PER_PAGE)
		out->per_page = PAGINATION_MAX_PER_PAGE;
	uint64_t remaining = total > out->offset ? total - out->offset : 0;
	out->total_pages = (remaining + out->per_page - 1) / out->per_page;
	out->first = out->offset + (out->page - 1) * out->per_page;
	if (out->first >= total) {
		out->first = total;
		out->count = 0;
	} else {
		out->count =
		    total - out->first < out->per_page ? total - out->first : out->per_page;
	}
	return 0;
}

void pagination_next_page(const struct pagination *pagination, char *out, size_t size)
{
	if (pagination->page < pagination->total_pages)
		snprintf(out, size, "%llu", (unsigned long long)(pagination->page + 1));
	else if (size)
		out[0] = '\0';
}

void pagination_prev_page(const struct pagination *pagination, char *out, size_t size)
{
	if (pagination->page > 1)
		snprintf(out, size, "%llu", (unsigned long long)(pagination->page - 1));
	else if (size)
		out[0] = '\0';
}
