/* The page-by-page decision; the transfer loop only applies it. */
#include "export/paging.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void page_headers_init(struct page_headers *headers)
{
	headers->total = PAGING_ABSENT;
	headers->total_pages = PAGING_ABSENT;
	headers->per_page = PAGING_ABSENT;
	headers->next_page = PAGING_ABSENT;
}

/* A header's value as a count: empty (after spaces) is 0, garbage is absent. */
static int64_t header_count(const char *value, size_t length)
{
	while (length && (*value == ' ' || *value == '\t')) {
		value++;
		length--;
	}
	while (length && (value[length - 1] == ' ' || value[length - 1] == '\t' ||
	                  value[length - 1] == '\r' || value[length - 1] == '\n'))
		length--;
	if (length == 0)
		return 0;
	int64_t result = 0;
	for (size_t index = 0; index < length; index++) {
		if (value[index] < '0' || value[index] > '9' || result > INT64_MAX / 20)
			return PAGING_ABSENT;
		result = result * 10 + (value[index] - '0');
	}
	return result;
}

void page_headers_take(struct page_headers *headers, const char *line, size_t length)
{
	static const struct {
		const char *name;
		size_t offset;
	} known[] = {
	    {"x-total", offsetof(struct page_headers, total)},
	    {"x-total-pages", offsetof(struct page_headers, total_pages)},
	    {"x-per-page", offsetof(struct page_headers, per_page)},
	    {"x-next-page", offsetof(struct page_headers, next_page)},
	};
	const char *colon = memchr(line, ':', length);
	if (!colon)
		return;
	size_t name_length = (size_t)(colon - line);
	for (size_t index = 0; index < sizeof(known) / sizeof(known[0]); index++) {
		if (strlen(known[index].name) != name_length ||
		    strncasecmp(known[index].name, line, name_length) != 0)
			continue;
		int64_t *slot = (int64_t *)(void *)((char *)headers + known[index].offset);
		*slot = header_count(colon + 1, length - name_length - 1);
		return;
	}
}

void page_headers_read(struct page_headers *headers, const char *lines)
{
	page_headers_init(headers);
	while (*lines) {
		const char *end = strchr(lines, '\n');
		size_t length = end ? (size_t)(end - lines) : strlen(lines);
		page_headers_take(headers, lines, length);
		lines += length + (end ? 1 : 0);
	}
}

void paging_init(struct paging *paging, uint64_t limit)
{
	memset(paging, 0, sizeof(*paging));
	paging->page = 1;
	paging->limit = limit;
}

size_t paging_keep(const struct paging *paging, size_t count)
{
	if (!paging->limit)
		return count;
	uint64_t left = paging->limit > paging->records ? paging->limit - paging->records : 0;
	return left < count ? (size_t)left : count;
}

enum paging_verdict paging_after_page(struct paging *paging, const struct page_headers *headers,
                                      size_t count, uint64_t body_hash, uint64_t *next_page)
{
	size_t kept = paging_keep(paging, count);
	paging->records += kept;
	uint64_t page = paging->page;
	uint64_t largest_before = paging->largest_page;
	bool repeated = page > 1 && count > 0 && body_hash == paging->last_hash;
	paging->last_hash = body_hash;
	if (count > paging->largest_page)
		paging->largest_page = count;
	if (count == 0 || (paging->limit && paging->records >= paging->limit))
		return PAGING_DONE;
	if (repeated)
		return PAGING_LOOP;
	uint64_t next = 0;
	if (headers->next_page != PAGING_ABSENT) {
		if (headers->next_page == 0)
			return PAGING_DONE;
		if ((uint64_t)headers->next_page <= page)
			return PAGING_LOOP;
		next = (uint64_t)headers->next_page;
	} else if (headers->total_pages != PAGING_ABSENT) {
		if (page >= (uint64_t)headers->total_pages)
			return PAGING_DONE;
		next = page + 1;
	} else if (headers->per_page > 0) {
		if (count < (uint64_t)headers->per_page)
			return PAGING_DONE;
		next = page + 1;
	} else {
		if (page > 1 && count < largest_before)
			return PAGING_DONE;
		next = page + 1;
	}
	paging->page = next;
	*next_page = next;
	return PAGING_NEXT;
}
