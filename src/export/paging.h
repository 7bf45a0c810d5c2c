/* Following a paginated listing to its end: the decision after each page,
 * a pure function of the page's headers and size (docs/usage.md "export",
 * docs/api-notes.md "Pagination as export reads it").
 * Ownership: plain values, nothing to free. */
#ifndef LATTIGO_PAGING_H
#define LATTIGO_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGING_ABSENT (-1) /* a header the answer did not carry */

/* The pagination headers of one answer; PAGING_ABSENT when missing,
 * next_page 0 when X-Next-Page is present but empty (the last page). */
struct page_headers {
	int64_t total;       /* X-Total */
	int64_t total_pages; /* X-Total-Pages */
	int64_t per_page;    /* X-Per-Page */
	int64_t next_page;   /* X-Next-Page */
};

/* Sets every header to PAGING_ABSENT. */
void page_headers_init(struct page_headers *headers);
/* Reads one "Name: value" header line into headers when it is one of the four
 * (case-insensitive name; an empty X-Next-Page means none). */
void page_headers_take(struct page_headers *headers, const char *line, size_t length);
/* Sets headers from a block of "Name: value" lines (the headers an HTTP
 * transfer kept); the four not among them are PAGING_ABSENT. */
void page_headers_read(struct page_headers *headers, const char *lines);

/* One listing being followed. */
struct paging {
	uint64_t page;         /* the page just asked for, 1-based */
	uint64_t records;      /* records kept so far */
	uint64_t limit;        /* --limit: at most this many records (0: no limit) */
	uint64_t largest_page; /* the most records any earlier page held */
	uint64_t last_hash;    /* of the previous page's body, to catch a server ignoring `page` */
};

enum paging_verdict {
	PAGING_NEXT, /* ask for *next_page */
	PAGING_DONE, /* the listing is complete */
	PAGING_LOOP, /* the server sent the same page again or pointed backwards: stop, it
	                would never end */
};

/* Starts a listing at page 1 keeping at most limit records (0: all). */
void paging_init(struct paging *paging, uint64_t limit);

/* How many of count records of this page to keep (what is left of --limit). */
size_t paging_keep(const struct paging *paging, size_t count);

/* Decides after the page paging->page came back with count records, these
 * headers and a body hashing to body_hash; counts the kept records. Headers
 * win (X-Next-Page, else X-Total-Pages); without them a listing ends at an
 * empty page, or at a page shorter than X-Per-Page or than an earlier page
 * (never at page 1 alone: a server may clamp per_page silently). */
enum paging_verdict paging_after_page(struct paging *paging, const struct page_headers *headers,
                                      size_t count, uint64_t body_hash, uint64_t *next_page);

#endif
