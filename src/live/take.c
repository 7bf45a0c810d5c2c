/* Taking a snapshot: which reads, in what order, and turning their records
 * into the snapshot; the reading itself is export_run's. */
#include "live/take.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/csv_writer.h"
#include "common/file_io.h"
#include "export/device_source.h"
#include "export/export.h"
#include "export/read_endpoint.h"
#include "live/snapshot_internal.h"

/* A set of identifiers is a snapshot holding only "absent" entries: the same
 * compact table, no second hash set. */
struct live_wanted {
	struct live_snapshot *set;
	size_t count;
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
	live_snapshot_meta(wanted->set)->scope = LIVE_SCOPE_DEVICES;
	return wanted;
}

void live_wanted_free(struct live_wanted *wanted)
{
	if (!wanted)
		return;
	live_snapshot_free(wanted->set);
	free(wanted);
}

int live_wanted_add(struct live_wanted *wanted, enum device_field key, const char *value)
{
	if (!value || !*value || live_snapshot_covers(wanted->set, key, value))
		return 0;
	if (live_snapshot_add_absent(wanted->set, key, value) < 0)
		return -1;
	wanted->count++;
	return 0;
}

int live_wanted_add_record(struct live_wanted *wanted, const struct op *op,
                           const struct record *record)
{
	enum device_field key;
	const char *value;
	if (op_live_device_key(op, record, &key, &value) == 0 &&
	    live_wanted_add(wanted, key, value) < 0)
		return -1;
	int also = op->live.also_unique;
	if ((unsigned)also < FIELD_COUNT) {
		int also_key = device_key_from_id_type(field_name((enum field_id)also));
		if (also_key >= 0 &&
		    live_wanted_add(wanted, (enum device_field)also_key, record->value[also]) < 0)
			return -1;
	}
	return 0;
}

size_t live_wanted_count(const struct live_wanted *wanted)
{
	return wanted->count;
}

/* --- reading --- */

struct take {
	const struct live_take_request *request;
	struct live_snapshot *snapshot;
	struct error *error;
	uint64_t calls;
	bool failed;
	enum { READ_DEVICES, READ_PLANS, READ_USERS } reading;
};

static int take_record(void *context, const struct device_row *row, const json_t *item)
{
	struct take *take = context;
	(void)row;
	int result = 0;
	switch (take->reading) {
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
	}
	if (result < 0)
		error_set(take->error, "out of memory keeping the account's state");
	return result;
}

/* A 404 is the answer "no such device"; any other refusal leaves the
 * device's state unknown, and a snapshot must not guess. */
static int take_row_error(void *context, const struct device_row *row, long http_status,
                          const char *message)
{
	struct take *take = context;
	int key = device_key_from_id_type(row->id_type);
	if (http_status == 404 && key >= 0)
		return live_snapshot_add_absent(take->snapshot, (enum device_field)key,
		                                row->device);
	take->failed = true;
	error_set(take->error, "cannot read the device %s%s%s from the account: %s", row->device,
	          row->id_type ? " by " : "", row->id_type ? row->id_type : "", message);
	return -1;
}

/* One export_run of endpoint kind; returns its exit code mapped for a take. */
static int read_kind(struct take *take, const char *kind, const char *manifest, bool details,
                     uint64_t per_page, uint64_t max_pages, int64_t *listing_total)
{
	const struct live_take_request *request = take->request;
	struct export_request reads;
	memset(&reads, 0, sizeof(reads));
	reads.endpoint = read_endpoint_find(kind);
	reads.manifest_path = manifest;
	reads.no_details = !details;
	reads.per_page = per_page;
	reads.max_pages = max_pages;
	reads.transport = request->transport;
	reads.concurrency = request->concurrency ? request->concurrency : 4;
	reads.rate = request->rate;
	reads.max_tries = request->max_tries ? request->max_tries : 9;
	reads.stop = request->stop;
	reads.verbose = request->verbose;
	struct export_sink sink = {take_record, take_row_error, take};
	struct export_output output;
	memset(&output, 0, sizeof(output));
	output.sink = &sink;
	output.audit = request->audit;
	struct export_totals totals;
	memset(&totals, 0, sizeof(totals));
	struct error read_error = {0};
	int code = export_run(&reads, &output, &totals, &read_error);
	take->calls += totals.calls;
	if (listing_total)
		*listing_total = totals.listing_total;
	if (take->failed)
		return 3;
	if (code == 0 || (code == 1 && manifest))
		return 0;
	error_set(take->error, "cannot read %s from the account: %s", reads.endpoint->path,
	          read_error.message[0] ? read_error.message : "stopped");
	return code == 2 ? 2 : 3;
}

/* identifiers.csv: one line per identifier, the manifest of the per-device reads. */
static int write_identifiers(const struct live_wanted *wanted, const char *path,
                             struct error *error)
{
	FILE *file = fopen(path, "w");
	if (!file)
		return error_set(error, "cannot write %s", path);
	struct csv_writer csv;
	csv_writer_init(&csv, file);
	csv_writer_cell_raw(&csv, "device_name");
	csv_writer_cell_raw(&csv, "id_type");
	csv_writer_end_line(&csv);
	size_t slots = live_snapshot_slot_count(wanted->set);
	for (size_t index = 0; index < slots; index++) {
		enum device_field key;
		const char *value;
		if (!live_snapshot_slot_absent(wanted->set, index, &key, &value))
			continue;
		csv_writer_cell_raw(&csv, value);
		csv_writer_cell_raw(&csv, key == DEVICE_NAME ? "" : device_field_name(key));
		csv_writer_end_line(&csv);
	}
	if (ferror(file) | fclose(file))
		return error_set(error, "cannot write %s", path);
	return 0;
}

static int read_devices(struct take *take, const struct live_wanted *wanted)
{
	struct live_snapshot_meta *meta = live_snapshot_meta(take->snapshot);
	size_t count = wanted->count;
	meta->identifiers = count;
	if (count == 0)
		return 0;
	bool whole_account = false;
	if (count > 1) {
		/* a one-record probe tells the account's size: whole pages of
		 * READ_MAX_PER_PAGE against one read per identifier */
		take->reading = READ_DEVICES;
		int64_t total = -1;
		int code = read_kind(take, "devices", NULL, false, 1, 1, &total);
		/* the probe's one record is a name (no details): nothing was kept */
		if (code != 0)
			return code;
		meta->account_devices = total;
		uint64_t pages =
		    total < 0 ? UINT64_MAX
		              : ((uint64_t)total + READ_MAX_PER_PAGE - 1) / READ_MAX_PER_PAGE;
		whole_account = pages < count;
	}
	take->reading = READ_DEVICES;
	if (whole_account) {
		meta->scope = LIVE_SCOPE_ACCOUNT;
		return read_kind(take, "devices", NULL, true, READ_MAX_PER_PAGE, 0, NULL);
	}
	meta->scope = LIVE_SCOPE_DEVICES;
	char path[4200];
	if (file_make_directories(take->request->work_directory, take->error) < 0)
		return 2;
	snprintf(path, sizeof(path), "%s/identifiers.csv", take->request->work_directory);
	if (write_identifiers(wanted, path, take->error) < 0)
		return 3;
	return read_kind(take, "device", path, true, 0, 0, NULL);
}

int live_snapshot_take(const struct live_take_request *request, const struct live_wanted *wanted,
                       struct live_snapshot **out, struct error *error)
{
	*out = NULL;
	struct take take = {request, live_snapshot_new(), error, 0, false, READ_DEVICES};
	if (!take.snapshot)
		return error_set(error, "out of memory"), 3;
	struct live_snapshot_meta *meta = live_snapshot_meta(take.snapshot);
	int64_t started = clock_monotonic_ms();
	meta->taken_at_ms = clock_wall_ms();
	snprintf(meta->endpoint, sizeof(meta->endpoint), "%s",
	         request->endpoint_shown ? request->endpoint_shown : request->transport.api_root);
	int code = 0;
	if (request->rate_plans) {
		take.reading = READ_PLANS;
		code = read_kind(&take, "rate-plans", NULL, true, READ_MAX_PER_PAGE, 0, NULL);
		meta->rate_plans_read = code == 0;
	}
	if (code == 0 && request->users) {
		take.reading = READ_USERS;
		code = read_kind(&take, "users", NULL, true, READ_MAX_PER_PAGE, 0, NULL);
		meta->users_read = code == 0;
	}
	if (code == 0 && wanted)
		code = read_devices(&take, wanted);
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
                          const struct live_wanted *wanted, int64_t max_age_ms, int64_t now_ms,
                          struct live_snapshot **out, bool *taken, struct error *error)
{
	*out = NULL;
	*taken = false;
	int loaded = live_snapshot_load(directory, out, error);
	if (loaded < 0)
		return 2;
	if (loaded == 0) {
		if (live_snapshot_check_age(*out, max_age_ms, now_ms, error) < 0) {
			live_snapshot_free(*out);
			*out = NULL;
			return 2;
		}
		return 0;
	}
	int code = live_snapshot_take(request, wanted, out, error);
	if (code != 0)
		return code;
	if (live_snapshot_store(*out, directory, error) < 0) {
		live_snapshot_free(*out);
		*out = NULL;
		return 3;
	}
	*taken = true;
	return 0;
}
