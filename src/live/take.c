/* Taking a snapshot: which reads, in what order, and turning their records
 * into the snapshot; the reading itself is export_run's. */
#include "live/take.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "export/device_source.h"
#include "export/export.h"
#include "export/paging.h"
#include "export/read_endpoint.h"
#include "live/spool.h"

/* The identifiers in the order rows named them, each with the first row
 * naming it; a snapshot holding only "absent" entries is the set that keeps
 * them distinct (the same compact table, no second hash set). */
struct wanted_item {
	uint64_t row;
	uint32_t text; /* offset in texts */
	uint8_t key;   /* enum device_field */
};

struct live_wanted {
	struct live_snapshot *set;
	struct strbuf texts;
	struct wanted_item *items;
	size_t count, capacity;
	/* more than LIVE_WANTED_MAX identifiers: the rest are counted in extra,
	 * not kept (the count is then an upper bound), and the whole account is read */
	bool overflowed;
	size_t extra;
};

struct live_wanted *live_wanted_new(void)
{
	struct live_wanted *wanted = calloc(1, sizeof(*wanted));
	if (!wanted)
		return NULL;
	wanted->set = live_snapshot_new();
	if (!wanted->set) {
		free(wanted);
		return NULL;
	}
	strbuf_init(&wanted->texts, UINT32_MAX - 1u);
	live_snapshot_meta(wanted->set)->scope = LIVE_SCOPE_DEVICES;
	return wanted;
}

void live_wanted_free(struct live_wanted *wanted)
{
	if (!wanted)
		return;
	live_snapshot_free(wanted->set);
	strbuf_release(&wanted->texts);
	free(wanted->items);
	free(wanted);
}

int live_wanted_add(struct live_wanted *wanted, enum device_field key, const char *value,
                    uint64_t row)
{
	if (!value || !*value)
		return 0;
	if (wanted->overflowed || wanted->count >= LIVE_WANTED_MAX) {
		/* so many that the listing is cheaper anyway: memory stays bounded */
		wanted->overflowed = true;
		wanted->extra++;
		return 0;
	}
	if (live_snapshot_covers(wanted->set, key, value))
		return 0;
	if (wanted->count == wanted->capacity) {
		size_t capacity = wanted->capacity ? wanted->capacity * 2 : 256;
		struct wanted_item *items = realloc(wanted->items, capacity * sizeof(*items));
		if (!items)
			return -1;
		wanted->items = items;
		wanted->capacity = capacity;
	}
	size_t at = wanted->texts.length;
	if (live_snapshot_add_absent(wanted->set, key, value) < 0 ||
	    strbuf_append(&wanted->texts, value, strlen(value) + 1) != STRBUF_OK)
		return -1;
	wanted->items[wanted->count++] = (struct wanted_item){row, (uint32_t)at, (uint8_t)key};
	return 0;
}

int live_wanted_add_record(struct live_wanted *wanted, const struct op *op,
                           const struct record *record)
{
	enum device_field key;
	const char *value;
	uint64_t row = record_shown_row(record);
	if (op_live_device_key(op, record, &key, &value) == 0 &&
	    live_wanted_add(wanted, key, value, row) < 0)
		return -1;
	int also = op->live.also_unique;
	if ((unsigned)also < FIELD_COUNT) {
		int also_key = device_key_from_id_type(field_name((enum field_id)also));
		if (also_key >= 0 && live_wanted_add(wanted, (enum device_field)also_key,
		                                     record->value[also], row) < 0)
			return -1;
	}
	return 0;
}

size_t live_wanted_count(const struct live_wanted *wanted)
{
	return wanted->count + wanted->extra;
}

struct live_wanted *live_wanted_from_rows(const struct pipeline_config *config, FILE *notes,
                                          struct error *error)
{
	struct live_wanted *wanted = live_wanted_new();
	struct pipeline *pipeline = wanted ? pipeline_open(config, notes, error) : NULL;
	if (!wanted)
		error_set(error, "out of memory");
	if (!pipeline) {
		live_wanted_free(wanted);
		return NULL;
	}
	const struct op *op = pipeline_op(pipeline);
	struct pipeline_row row;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1)
		if (row.valid && row.record && live_wanted_add_record(wanted, op, row.record) < 0) {
			error_set(error, "out of memory collecting the rows' devices");
			next = -1;
			break;
		}
	pipeline_close(pipeline);
	if (next < 0) {
		live_wanted_free(wanted);
		return NULL;
	}
	return wanted;
}

/* --- how the listing is read --- */

void live_listing_plan(size_t identifiers, unsigned concurrency, uint64_t *per_page,
                       uint64_t *first_pages)
{
	uint64_t pages = (identifiers + READ_MAX_PER_PAGE - 1) / READ_MAX_PER_PAGE;
	uint64_t lanes = concurrency ? concurrency : 1;
	if (pages <= 1) {
		*per_page = READ_MAX_PER_PAGE;
		*first_pages = 1;
		return;
	}
	/* 20 pages at 8 in flight take 3 rounds, and so do 24 smaller ones:
	 * each round is then shorter (fewer records to render, send and parse) */
	uint64_t even = (pages + lanes - 1) / lanes * lanes;
	if (even * 4 <= pages * 5)
		pages = even;
	*per_page = (identifiers + pages - 1) / pages;
	*first_pages = pages < lanes ? pages : lanes;
}

bool live_listing_whole(int64_t total, int64_t total_pages, int64_t per_page, size_t first_count,
                        uint64_t asked_per_page, size_t identifiers)
{
	int64_t pages = -1;
	if (total_pages >= 0)
		pages = total_pages;
	else if (total >= 0 && per_page > 0)
		pages = (total + per_page - 1) / per_page;
	else if (first_count < asked_per_page)
		pages = 1;
	return pages >= 0 && (uint64_t)pages <= identifiers;
}

/* --- reading --- */

enum take_reading { READ_DEVICES, READ_PLANS, READ_USERS, READ_KINDS };

struct take;

/* What one read's records are (a sink's context): the reads of one loop
 * go to their own sinks. */
struct take_part {
	struct take *take;
	enum take_reading reading;
	struct export_sink sink;
};

struct take {
	const struct live_take_request *request;
	const struct live_wanted *wanted;
	struct live_snapshot *snapshot;
	struct error *error;
	uint64_t calls;
	bool failed;
	struct take_part parts[READ_KINDS];
	/* rate plans and users not read yet: they go alongside the next read */
	struct export_side_read sides[2];
	size_t side_count;
	uint64_t per_page; /* of the device listing */
	bool whole;        /* the listing goes on to the end of the account */
};

static int take_record(void *context, const struct device_row *row, const json_t *item)
{
	struct take_part *part = context;
	struct take *take = part->take;
	(void)row;
	int result = 0;
	switch (part->reading) {
	case READ_DEVICES:
		result = json_is_object(item) ? live_snapshot_add_device(take->snapshot, item) : 0;
		break;
	case READ_PLANS:
		/* a plan without a name cannot be asked for: skipped */
		if (json_is_object(item) && json_is_string(json_object_get(item, "name")))
			result = live_snapshot_add_rate_plan(take->snapshot, item);
		break;
	case READ_USERS:
		if (json_is_string(item) || json_is_object(item))
			live_snapshot_add_user(take->snapshot, item);
		break;
	case READ_KINDS:
		break;
	}
	if (result < 0)
		error_set(take->error, "out of memory keeping the account's state");
	return result;
}

/* Device answers are read from their text (a page of a thousand devices
 * parsed into JSON values cost more than its read). */
static int take_answer(void *context, const struct device_row *row, const char *body, size_t length,
                       size_t *count)
{
	struct take *take = ((struct take_part *)context)->take;
	int result =
	    live_snapshot_add_devices_text(take->snapshot, body, length, row != NULL, count);
	if (result < 0)
		error_set(take->error, "out of memory keeping the account's state");
	return result;
}

/* A 404 is the answer "no such device"; any other refusal leaves the
 * device's state unknown, and a snapshot must not guess. */
static int take_row_error(void *context, const struct device_row *row, long http_status,
                          const char *message)
{
	struct take *take = ((struct take_part *)context)->take;
	int key = device_key_from_id_type(row->id_type);
	if (http_status == 404 && key >= 0)
		return live_snapshot_add_absent(take->snapshot, (enum device_field)key,
		                                row->device);
	take->failed = true;
	error_set(take->error, "cannot read the device %s%s%s from the account: %s", row->device,
	          row->id_type ? " by " : "", row->id_type ? row->id_type : "", message);
	return -1;
}

/* The device listing's first page told the account's size: read on to its
 * end, or stop after the pages asked and read the rest one by one. */
static bool take_listing(void *context, const struct page_headers *headers, size_t count)
{
	struct take *take = ((struct take_part *)context)->take;
	struct live_snapshot_meta *meta = live_snapshot_meta(take->snapshot);
	meta->account_devices = headers->total;
	take->whole = take->wanted->overflowed ||
	              live_listing_whole(headers->total, headers->total_pages, headers->per_page,
	                                 count, take->per_page, live_wanted_count(take->wanted));
	if (take->whole && headers->total > 0)
		live_snapshot_expect(take->snapshot, (size_t)headers->total);
	return take->whole;
}

/* The sinks of the kinds of records a take reads. */
static void take_parts_init(struct take *take)
{
	for (int reading = 0; reading < READ_KINDS; reading++) {
		struct take_part *part = &take->parts[reading];
		part->take = take;
		part->reading = (enum take_reading)reading;
		part->sink = (struct export_sink){take_record, take_row_error, NULL, NULL, part};
	}
	take->parts[READ_DEVICES].sink.answer = take_answer;
}

/* One export_run of endpoint kind (a per-device kind reads devices) for
 * the records of reading, with the rate plans and users not read yet
 * alongside; returns its exit code mapped for a take. */
static int read_kind(struct take *take, enum take_reading reading, const char *kind,
                     const struct export_device_list *devices, uint64_t per_page,
                     uint64_t first_pages)
{
	const struct live_take_request *request = take->request;
	struct export_request reads;
	memset(&reads, 0, sizeof(reads));
	reads.endpoint = read_endpoint_find(kind);
	reads.devices = devices;
	reads.per_page = per_page;
	reads.first_pages = first_pages;
	reads.side_reads = take->sides;
	reads.side_read_count = take->side_count;
	reads.transport = request->transport;
	reads.concurrency = request->concurrency ? request->concurrency : 4;
	reads.rate = request->rate;
	reads.max_tries = request->max_tries ? request->max_tries : 9;
	reads.stop = request->stop;
	reads.verbose = request->verbose;
	struct take_part *part = &take->parts[reading];
	part->sink.listing = reading == READ_DEVICES && !devices ? take_listing : NULL;
	struct export_output output;
	memset(&output, 0, sizeof(output));
	output.sink = &part->sink;
	output.audit = request->audit;
	struct export_totals totals;
	memset(&totals, 0, sizeof(totals));
	struct error read_error = {0};
	int code = export_run(&reads, &output, &totals, &read_error);
	take->calls += totals.calls;
	size_t sides = take->side_count;
	take->side_count = 0; /* read, or the take fails */
	if (take->failed)
		return 3;
	/* 1 with every unit read: devices that are not in the account */
	if (code == 0 || (code == 1 && devices && totals.complete))
		return 0;
	error_set(take->error, "cannot read %s%s from the account: %s", reads.endpoint->path,
	          sides ? " (and the rate plans or users)" : "",
	          read_error.message[0] ? read_error.message : "stopped");
	return code == 2 ? 2 : 3;
}

/* export_device_list.at over the identifiers not found yet. */
struct unread {
	const struct live_wanted *wanted;
	const struct live_snapshot *snapshot;
	size_t *items; /* indexes into wanted->items */
};

static int unread_at(void *context, size_t index, struct device_row *row)
{
	const struct unread *unread = context;
	const struct wanted_item *item = &unread->wanted->items[unread->items[index]];
	row->row = item->row;
	row->device = strdup(unread->wanted->texts.data + item->text);
	row->id_type = item->key == DEVICE_NAME
	                   ? NULL
	                   : strdup(device_field_name((enum device_field)item->key));
	return row->device && (item->key == DEVICE_NAME || row->id_type) ? 0 : -1;
}

/* One GET v2/devices/:id for each identifier the snapshot does not hold yet. */
static int read_each(struct take *take)
{
	const struct live_wanted *wanted = take->wanted;
	if (wanted->overflowed)
		return error_set(take->error, "cannot read the account's listing to its end, and "
		                              "its devices are too many to read one by one"),
		       3;
	struct unread unread = {wanted, take->snapshot, calloc(wanted->count + 1, sizeof(size_t))};
	if (!unread.items)
		return error_set(take->error, "out of memory"), 3;
	size_t count = 0;
	for (size_t index = 0; index < wanted->count; index++) {
		const struct wanted_item *item = &wanted->items[index];
		struct device_view found;
		if (!live_snapshot_find(take->snapshot, (enum device_field)item->key,
		                        wanted->texts.data + item->text, &found))
			unread.items[count++] = index;
	}
	struct export_device_list list = {count, unread_at, &unread};
	int code = count ? read_kind(take, READ_DEVICES, "device", &list, 0, 0) : 0;
	free(unread.items);
	return code;
}

static int read_devices(struct take *take)
{
	struct live_snapshot_meta *meta = live_snapshot_meta(take->snapshot);
	size_t count = live_wanted_count(take->wanted);
	meta->identifiers = count;
	if (count == 0)
		return 0;
	meta->scope = LIVE_SCOPE_DEVICES;
	if (count > 1) {
		/* the listing's first pages are read at once and kept; page 1 tells
		 * the account's size, and whether to read it to the end */
		uint64_t first_pages = 1;
		live_listing_plan(count, take->request->concurrency, &take->per_page, &first_pages);
		int code =
		    read_kind(take, READ_DEVICES, "devices", NULL, take->per_page, first_pages);
		if (code != 0)
			return code;
		if (take->whole) {
			meta->scope = LIVE_SCOPE_ACCOUNT;
			return 0;
		}
	}
	return read_each(take);
}

int live_snapshot_take(const struct live_take_request *request, const struct live_wanted *wanted,
                       struct live_snapshot **out, struct error *error)
{
	*out = NULL;
	struct take take;
	memset(&take, 0, sizeof(take));
	take.request = request;
	take.wanted = wanted;
	take.snapshot = live_snapshot_new();
	take.error = error;
	if (!take.snapshot)
		return error_set(error, "out of memory"), 3;
	if (request->bounded)
		live_snapshot_set_budget(take.snapshot, live_spool_budget());
	struct live_snapshot_meta *meta = live_snapshot_meta(take.snapshot);
	int64_t started = clock_monotonic_ms();
	meta->taken_at_ms = clock_wall_ms();
	snprintf(meta->endpoint, sizeof(meta->endpoint), "%s",
	         request->endpoint_shown ? request->endpoint_shown : request->transport.api_root);
	take_parts_init(&take);
	/* the rate plans and users go in the first wave of the devices' reads
	 * (none depends on another), or on their own when no device is read */
	if (request->rate_plans)
		take.sides[take.side_count++] =
		    (struct export_side_read){read_endpoint_find("rate-plans"), READ_MAX_PER_PAGE,
		                              &take.parts[READ_PLANS].sink};
	if (request->users)
		take.sides[take.side_count++] = (struct export_side_read){
		    read_endpoint_find("users"), READ_MAX_PER_PAGE, &take.parts[READ_USERS].sink};
	int code = wanted ? read_devices(&take) : 0;
	if (code == 0 && take.side_count) {
		/* the first list as the read, any other alongside */
		struct export_side_read first = take.sides[0];
		take.sides[0] = take.sides[--take.side_count];
		enum take_reading reading =
		    first.sink == &take.parts[READ_PLANS].sink ? READ_PLANS : READ_USERS;
		code = read_kind(&take, reading, first.endpoint->kind, NULL, READ_MAX_PER_PAGE, 1);
	}
	meta->rate_plans_read = code == 0 && request->rate_plans;
	meta->users_read = code == 0 && request->users;
	meta->calls = take.calls;
	meta->read_ms = clock_monotonic_ms() - started;
	if (code != 0) {
		live_snapshot_free(take.snapshot);
		return code;
	}
	*out = take.snapshot;
	return 0;
}

int live_snapshot_for_job(const char *directory, const struct live_take_request *request,
                          const struct pipeline_config *rows, int64_t max_age_ms, int64_t now_ms,
                          struct live_snapshot **snapshot, bool *taken, struct error *error)
{
	*taken = false;
	if (!*snapshot) {
		int loaded = live_snapshot_load(directory, snapshot, error);
		if (loaded < 0)
			return 4;
		if (loaded == 0) {
			if (live_snapshot_check_age(*snapshot, max_age_ms, now_ms, error) == 0)
				return 0;
			live_snapshot_free(*snapshot);
			*snapshot = NULL;
			return 2;
		}
		if (!request)
			return 0;
		struct live_wanted *wanted = live_wanted_from_rows(rows, NULL, error);
		if (!wanted)
			return 2;
		int code = live_snapshot_take(request, wanted, snapshot, error);
		live_wanted_free(wanted);
		if (code != 0)
			return code;
	}
	if (live_snapshot_store(*snapshot, directory, error) < 0) {
		live_snapshot_free(*snapshot);
		*snapshot = NULL;
		return 3;
	}
	*taken = true;
	return 0;
}
