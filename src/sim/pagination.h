/* Pagination of list endpoints (page / per_page / offset and the X-* headers).
 * Ownership: plain values, nothing to free. */
#ifndef LATTIGO_SIM_PAGINATION_H
#define LATTIGO_SIM_PAGINATION_H

#include <stddef.h>
#include <stdint.h>

#define PAGINATION_DEFAULT_PER_PAGE 100
#define PAGINATION_MAX_PER_PAGE     1000

struct pagination {
	uint64_t page;     /* 1-based */
	uint64_t per_page; /* after clamping to PAGINATION_MAX_PER_PAGE */
	uint64_t offset;   /* records skipped before page 1 */
	uint64_t total;    /* records in the whole list */
	uint64_t first;    /* index of the first record of this page */
	uint64_t count;    /* records on this page */
	uint64_t total_pages;
};

/* Parses the three optional parameters (NULL when absent) and computes the
 * window over total records. Returns 0, or -1 with the offending parameter
 * and rule written to message (e.g. "per_page: must be a positive integer"). */
int pagination_compute(const char *page, const char *per_page, const char *offset, uint64_t total,
                       struct pagination *out, char *message, size_t message_size);

/* Writes the value of X-Next-Page (empty on the last page) into out. */
void pagination_next_page(const struct pagination *pagination, char *out, size_t size);
/* Writes the value of X-Prev-Page (empty on the first page) into out. */
void pagination_prev_page(const struct pagination *pagination, char *out, size_t size);

#endif
