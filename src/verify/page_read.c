/* A page of the account's listing as an engine call (page_read.h). */
#include "verify/page_read.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ops/response.h"

static struct page_read *read_of(const struct op *op)
{
	/* the descriptor is the first member of the caller's page_read, which
	 * the mapper fills: the op is const only to the engine */
	return (struct page_read *)(void *)((char *)(uintptr_t)op - offsetof(struct page_read, op));
}

static int build_page(const struct op *op, const struct record *const *records, size_t count,
                      struct strbuf *path, json_t **body)
{
	*body = NULL;
	if (count != 1 || records[0]->row == 0)
		return -1;
	strbuf_reset(path);
	return strbuf_appendf(path, "v2/devices?details=true&page=%llu&per_page=%llu",
	                      (unsigned long long)records[0]->row,
	                      (unsigned long long)read_of(op)->per_page) == STRBUF_OK
	           ? 0
	           : -1;
}

/* Only a 200 with a JSON array is a page; anything else is a failure the
 * engine retries or reports (and a failure's body is never filed). */
static bool map_page(const struct op *op, long http_status, const json_t *body, const char *raw,
                     size_t raw_length, const struct record *const *records, size_t count,
                     struct row_outcome *outcomes)
{
	(void)body; /* OP_RAW_ANSWER: the text is read without building JSON */
	struct page_read *read = read_of(op);
	if (count != 1 || http_status != 200 || !read->snapshot)
		return false;
	size_t devices = 0;
	if (live_snapshot_add_devices_text(read->snapshot, raw, raw_length, false, &devices) != 0)
		return false;
	uint64_t page = records[0]->row;
	if (devices >= read->per_page && page > read->last_full)
		read->last_full = page;
	char text[64];
	snprintf(text, sizeof(text), "page %llu: %zu devices", (unsigned long long)page, devices);
	outcome_set_text(&outcomes[0], ROW_OK, text, strlen(text));
	return true;
}

void page_read_init(struct page_read *read, uint64_t per_page)
{
	memset(read, 0, sizeof(*read));
	read->per_page = per_page ? per_page : 1;
	read->op.name = "listing page";
	read->op.method = "GET";
	read->op.path = "v2/devices";
	read->op.summary = "read a page of the account's devices for a round of verifications";
	read->op.key_field = FIELD_DEVICE_NAME;
	read->op.flags = OP_RAW_ANSWER | OP_NOT_ROWS;
	read->op.build_request = build_page;
	read->op.map_response = map_page;
}

uint64_t page_read_pages(int64_t devices, uint64_t per_page)
{
	if (devices <= 0 || !per_page)
		return 1;
	return ((uint64_t)devices + per_page - 1) / per_page;
}
