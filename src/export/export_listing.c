/* An account listing's size and paging: the pages known to exist, the
 * listing's size from the first page that tells it, and the pages of a
 * first wave refused past its end. After the last page known to exist, the
 * paging rule says whether more follow; the first page's X-Total-Pages plans
 * all of them. */
#include "export/export_loop_internal.h"

#include "common/hash.h"
#include "common/strbuf.h"
#include "export/paging.h"
#include "export/read_endpoint.h"

/* The hash of a page's body: a server sending the same page again shows in it. */
uint64_t export_body_hash(const struct unit *unit)
{
	return hash64_bulk(strbuf_text(&unit->transfer.response), unit->transfer.response.length,
	                   0);
}

/* The most pages of the listing to read: --max-pages, or fewer when the
 * sink ended the listing (0: no limit). */
static uint64_t listing_max_pages(const struct export_loop *loop)
{
	uint64_t max_pages = loop->request->max_pages;
	if (loop->page_cap && (!max_pages || loop->page_cap < max_pages))
		max_pages = loop->page_cap;
	return max_pages;
}

/* The pages refused while the listing's size was unknown, now that it is:
 * past its last page they are empty; any other is read again (and a refusal
 * then is the read error it is). */
static void settle_parked(struct export_loop *loop)
{
	for (uint64_t index = loop->first; index < loop->next; index++) {
		struct unit *unit = loop->window[index % loop->window_size];
		if (!unit->parked)
			continue;
		unit->parked = false;
		if (loop->last_page >= 0 && unit->page > (uint64_t)loop->last_page)
			unit->done = true;
	}
}

/* The listing's size, from the first answered page whose headers tell it
 * (X-Total-Pages, or X-Total and X-Per-Page) — read before its records
 * are, so the next pages can be asked at once — or else from page 1 and
 * its number of records (counted). The sink's listing() learns it once. */
static void size_listing(struct export_loop *loop, const struct unit *unit,
                         const struct page_headers *headers, size_t count, bool counted)
{
	if (loop->listing_sized)
		return;
	bool told = headers->total_pages >= 0 || (headers->total >= 0 && headers->per_page > 0);
	if (!told && !(counted && unit->page == loop->output->skip_units + 1))
		return;
	loop->listing_sized = true;
	loop->totals->listing_total = headers->total;
	if (headers->total_pages >= 0)
		loop->last_page = headers->total_pages;
	else if (headers->total >= 0 && headers->per_page > 0)
		loop->last_page = (headers->total + headers->per_page - 1) / headers->per_page;
	settle_parked(loop);
	const struct export_sink *sink = loop->output->sink;
	if (sink && sink->listing && !sink->listing(sink->context, headers, count))
		loop->page_cap = loop->planned_last;
	if (headers->total_pages > 0 && (uint64_t)headers->total_pages > loop->planned_last)
		loop->planned_last = (uint64_t)headers->total_pages;
	uint64_t max_pages = listing_max_pages(loop);
	if (max_pages && loop->planned_last > max_pages)
		loop->planned_last = max_pages;
}

/* A page's answer arrived (not yet read): when it tells the listing's size,
 * the pages after the first ones can be asked now. */
void export_size_listing_early(struct export_loop *loop, const struct unit *unit)
{
	const struct read_endpoint *endpoint = loop->request->endpoint;
	if (loop->listing_sized || unit->side || endpoint->per_device ||
	    endpoint->paging != READ_PAGED)
		return;
	struct page_headers headers;
	page_headers_read(&headers, strbuf_text(&unit->transfer.headers));
	size_listing(loop, unit, &headers, 0, false);
}

int export_plan_pages(struct export_loop *loop, struct unit *unit, size_t count)
{
	struct page_headers read;
	page_headers_read(&read, strbuf_text(&unit->transfer.headers));
	const struct page_headers *headers = &read;
	size_listing(loop, unit, headers, count, true);
	uint64_t max_pages = listing_max_pages(loop);
	if (max_pages && loop->planned_last > max_pages)
		loop->planned_last = max_pages;
	if (max_pages && unit->page >= max_pages) {
		loop->listing_done = true;
		return 0;
	}
	if (unit->page != loop->planned_last)
		return 0;
	uint64_t next = 0;
	loop->listing.page = unit->page;
	enum paging_verdict verdict =
	    paging_after_page(&loop->listing, headers, count, export_body_hash(unit), &next);
	if (verdict == PAGING_LOOP)
		return export_loop_stop(
		    loop, 3,
		    "the API sent the same page again (or pointed back); stopped "
		    "rather than read forever");
	if (verdict == PAGING_DONE)
		loop->listing_done = true;
	else if (next > loop->planned_last)
		loop->planned_last = max_pages && next > max_pages ? max_pages : next;
	return 0;
}

/* The first wave of a listing asks pages before its size is known
 * (export_request.first_pages), so some may lie past its end. The API text
 * does not say what such a page answers: lattigo-sim and kaminari-style APIs
 * send 200 [], others refuse it (400, 404, 416, 422). A refusal of a page
 * past the last one the headers tell is read as an empty page; before any
 * page told the size, the page waits for it (settle_parked). Returns true
 * when the answer was taken so. */
bool export_refused_past_end(struct export_loop *loop, struct unit *unit, long status)
{
	const struct read_endpoint *endpoint = unit_endpoint(loop, unit);
	if (unit->side || endpoint->per_device || endpoint->paging != READ_PAGED ||
	    unit->page <= 1 || unit->page > loop->request->first_pages)
		return false;
	if (status != 400 && status != 404 && status != 416 && status != 422)
		return false;
	if (!loop->listing_sized) {
		unit->parked = true;
		return true;
	}
	if (loop->last_page < 0 || unit->page <= (uint64_t)loop->last_page)
		return false;
	unit->done = true;
	return true;
}
