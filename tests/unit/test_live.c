/* Unit tests for the live state: the snapshot's index (by name, ICCID, IMEI,
 * absent identifiers), its files, --max-snapshot-age, and the classification
 * of rows of every kind against a seeded snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/classify.h"
#include "live/snapshot.h"
#include "live/take.h"

static int compare_text(const void *left, const void *right)
{
	return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static void add(struct live_snapshot *snapshot, const char *name, const char *iccid,
                const char *imei, const char *state, const char *cost_center)
{
	struct device_view device = {{0}};
	device.value[DEVICE_NAME] = name;
	device.value[DEVICE_ICCID] = iccid;
	device.value[DEVICE_IMEI] = imei;
	device.value[DEVICE_STATE] = state;
	device.value[DEVICE_COST_CENTER] = cost_center;
	assert_int_equal(live_snapshot_add_view(snapshot, &device), 0);
}

/* An account of three devices, two rate plans, two users. */
static struct live_snapshot *seeded(void)
{
	struct live_snapshot *snapshot = live_snapshot_new();
	assert_non_null(snapshot);
	add(snapshot, "36500", "89012600000000000011", "490154203237518", "active", "CC-1");
	add(snapshot, "36501", "89012600000000000029", "356938035643809", "suspended", "");
	add(snapshot, "36502", "89012600000000000037", NULL, "pending", NULL);
	json_t *plan = json_pack("{s:s,s:f,s:s}", "name", "ACME Co 5mb Rate Plan", "activation_fee",
	                         2.5, "monthly_data_plan_cost", "4.00");
	assert_int_equal(live_snapshot_add_rate_plan(snapshot, plan), 0);
	json_decref(plan);
	plan = json_pack("{s:s}", "name", "ACME Co 10MB Plan");
	assert_int_equal(live_snapshot_add_rate_plan(snapshot, plan), 0);
	json_decref(plan);
	json_t *user = json_string("ops.alice");
	assert_int_equal(live_snapshot_add_user(snapshot, user), 0);
	json_decref(user);
	user = json_pack("{s:s}", "username", "admin");
	assert_int_equal(live_snapshot_add_user(snapshot, user), 0);
	json_decref(user);
	struct live_snapshot_meta *meta = live_snapshot_meta(snapshot);
	meta->scope = LIVE_SCOPE_ACCOUNT;
	meta->rate_plans_read = meta->users_read = true;
	return snapshot;
}

static void index_finds_every_identifier(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	struct device_view device;
	assert_true(live_snapshot_find(snapshot, DEVICE_NAME, "36501", &device));
	assert_string_equal(device.value[DEVICE_ICCID], "89012600000000000029");
	assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, "89012600000000000011", &device));
	assert_string_equal(device.value[DEVICE_NAME], "36500");
	assert_true(live_snapshot_find(snapshot, DEVICE_IMEI, "356938035643809", &device));
	assert_string_equal(device.value[DEVICE_NAME], "36501");
	assert_string_equal(device.value[DEVICE_COST_CENTER], "");
	assert_null(device.value[DEVICE_NOTE]);
	/* a name is not an ICCID: the kind is part of the key */
	assert_false(live_snapshot_find(snapshot, DEVICE_ICCID, "36500", &device));
	assert_false(live_snapshot_find(snapshot, DEVICE_NAME, "", &device));
	assert_false(live_snapshot_find(snapshot, DEVICE_NAME, "99999", &device));
	assert_int_equal(live_snapshot_device_count(snapshot), 3);
	live_snapshot_free(snapshot);
}

static void index_grows_without_losing_devices(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	char name[32], iccid[32];
	for (unsigned index = 0; index < 5000; index++) {
		snprintf(name, sizeof(name), "dev-%u", index);
		snprintf(iccid, sizeof(iccid), "8901%016u", index);
		add(snapshot, name, iccid, NULL, "active", "A");
	}
	struct device_view device;
	for (unsigned index = 0; index < 5000; index += 7) {
		snprintf(iccid, sizeof(iccid), "8901%016u", index);
		snprintf(name, sizeof(name), "dev-%u", index);
		assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, iccid, &device));
		assert_string_equal(device.value[DEVICE_NAME], name);
	}
	live_snapshot_free(snapshot);
}

static void deactivated_device_gives_way(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	add(snapshot, "old", "89012600000000000011", NULL, "deactivated", NULL);
	add(snapshot, "new", "89012600000000000011", NULL, "active", NULL);
	add(snapshot, "third", "89012600000000000011", NULL, "active", NULL);
	struct device_view device;
	assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, "89012600000000000011", &device));
	assert_string_equal(device.value[DEVICE_NAME], "new");
	live_snapshot_free(snapshot);
}

/* A kind is indexed on its first look-up (live/snapshot.c): devices added
 * after that are indexed as they come, an absent identifier read later
 * does not hide a device, and the deactivated rule holds either way. */
static void index_built_on_first_lookup_keeps_up(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	struct device_view device;
	add(snapshot, "old", "89012600000000000011", "490154203237518", "deactivated", NULL);
	assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, "89012600000000000011", &device));
	assert_string_equal(device.value[DEVICE_NAME], "old");
	add(snapshot, "new", "89012600000000000011", "490154203237518", "active", NULL);
	add(snapshot, "later", "89012600000000000029", NULL, "active", NULL);
	assert_int_equal(live_snapshot_add_absent(snapshot, DEVICE_NAME, "later"), 0);
	/* ICCID indexed before the adds, IMEI and name only now */
	assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, "89012600000000000011", &device));
	assert_string_equal(device.value[DEVICE_NAME], "new");
	assert_true(live_snapshot_find(snapshot, DEVICE_IMEI, "490154203237518", &device));
	assert_string_equal(device.value[DEVICE_NAME], "new");
	assert_true(live_snapshot_find(snapshot, DEVICE_ICCID, "89012600000000000029", &device));
	assert_true(live_snapshot_find(snapshot, DEVICE_NAME, "later", &device));
	assert_string_equal(device.value[DEVICE_ICCID], "89012600000000000029");
	assert_false(live_snapshot_find(snapshot, DEVICE_IMEI, "89012600000000000029", &device));
	live_snapshot_free(snapshot);
}

static void devices_scope_knows_what_it_read(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	live_snapshot_meta(snapshot)->scope = LIVE_SCOPE_DEVICES;
	add(snapshot, "36500", "89012600000000000011", NULL, "active", NULL);
	assert_int_equal(live_snapshot_add_absent(snapshot, DEVICE_NAME, "gone"), 0);
	struct device_view device;
	assert_false(live_snapshot_find(snapshot, DEVICE_NAME, "gone", &device));
	assert_true(live_snapshot_covers(snapshot, DEVICE_NAME, "gone"));
	assert_true(live_snapshot_covers(snapshot, DEVICE_ICCID, "89012600000000000011"));
	assert_false(live_snapshot_covers(snapshot, DEVICE_NAME, "never-asked"));
	live_snapshot_meta(snapshot)->scope = LIVE_SCOPE_ACCOUNT;
	assert_true(live_snapshot_covers(snapshot, DEVICE_NAME, "never-asked"));
	live_snapshot_free(snapshot);
}

static void json_devices_keep_digits(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	json_t *object =
	    json_pack("{s:s,s:I,s:n,s:s,s:b}", "device_name", "36510", "imei",
	              (json_int_t)490154203237518LL, "cost_center", "note1", "x", "connected", 1);
	assert_int_equal(live_snapshot_add_device(snapshot, object), 0);
	json_decref(object);
	struct device_view device;
	assert_true(live_snapshot_find(snapshot, DEVICE_IMEI, "490154203237518", &device));
	assert_null(device.value[DEVICE_COST_CENTER]);
	assert_string_equal(device.value[DEVICE_NOTE1], "x");
	object = json_string("36511");
	assert_int_equal(live_snapshot_add_device(snapshot, object), -1);
	json_decref(object);
	live_snapshot_free(snapshot);
}

static void rate_plans_users_and_hints(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	const struct live_rate_plan *plan =
	    live_snapshot_rate_plan(snapshot, "ACME Co 5mb Rate Plan");
	assert_non_null(plan);
	assert_true(plan->activation_fee == 2.5);
	assert_true(plan->monthly_data_plan_cost == 4.0);
	assert_true(isnan(plan->monthly_sms_plan_cost));
	assert_null(live_snapshot_rate_plan(snapshot, "ACME Co 5MB Rate Plan"));
	assert_string_equal(live_snapshot_suggest_rate_plan(snapshot, "ACME Co 5MB Rate Plan"),
	                    "ACME Co 5mb Rate Plan");
	assert_true(live_snapshot_has_user(snapshot, "admin"));
	assert_false(live_snapshot_has_user(snapshot, "ops.alce"));
	assert_string_equal(live_snapshot_suggest_user(snapshot, "ops.alce"), "ops.alice");
	live_snapshot_free(snapshot);
}

static void store_and_load_round_trip(void **state)
{
	(void)state;
	char directory[] = "/tmp/test_live_XXXXXX";
	assert_non_null(mkdtemp(directory));
	char inner[256];
	snprintf(inner, sizeof(inner), "%s/snapshot", directory);
	struct live_snapshot *snapshot = seeded();
	assert_int_equal(live_snapshot_add_absent(snapshot, DEVICE_ICCID, "89012600000000009999"),
	                 0);
	/* the device lines are written as text: every character must survive */
	static const char hard[] = "a \"quoted\" \\ back\tslash\x01 caf\xc3\xa9 \xe2\x82\xac";
	add(snapshot, "36599", "89012600000000000045", NULL, "active", hard);
	struct live_snapshot_meta *meta = live_snapshot_meta(snapshot);
	snprintf(meta->endpoint, sizeof(meta->endpoint), "http://127.0.0.1:1/");
	meta->calls = 7;
	meta->account_devices = 3;
	struct error error = {0};
	struct live_snapshot *loaded = NULL;
	assert_int_equal(live_snapshot_load(inner, &loaded, &error), 1);
	assert_int_equal(live_snapshot_store(snapshot, inner, &error), 0);
	assert_int_equal(live_snapshot_load(inner, &loaded, &error), 0);
	const struct live_snapshot_meta *read = live_snapshot_info(loaded);
	assert_int_equal(read->taken_at_ms, meta->taken_at_ms);
	assert_string_equal(read->endpoint, "http://127.0.0.1:1/");
	assert_int_equal(read->scope, LIVE_SCOPE_ACCOUNT);
	assert_int_equal(read->calls, 7);
	assert_true(read->rate_plans_read && read->users_read);
	assert_int_equal(live_snapshot_device_count(loaded), 4);
	struct device_view device;
	assert_true(live_snapshot_find(loaded, DEVICE_IMEI, "356938035643809", &device));
	assert_string_equal(device.value[DEVICE_STATE], "suspended");
	assert_true(live_snapshot_find(loaded, DEVICE_NAME, "36599", &device));
	assert_string_equal(device.value[DEVICE_COST_CENTER], hard);
	assert_null(device.value[DEVICE_IMEI]);
	/* the meta data alone: when and how, no device */
	struct live_snapshot *meta_only = NULL;
	assert_int_equal(live_snapshot_load_meta(inner, &meta_only, &error), 0);
	assert_int_equal(live_snapshot_info(meta_only)->taken_at_ms, meta->taken_at_ms);
	assert_int_equal(live_snapshot_info(meta_only)->calls, 7);
	assert_int_equal(live_snapshot_device_count(meta_only), 0);
	live_snapshot_free(meta_only);
	assert_true(live_snapshot_covers(loaded, DEVICE_ICCID, "89012600000000009999"));
	assert_false(live_snapshot_find(loaded, DEVICE_ICCID, "89012600000000009999", &device));
	assert_true(live_snapshot_rate_plan(loaded, "ACME Co 5mb Rate Plan")->activation_fee ==
	            2.5);
	assert_true(isnan(live_snapshot_rate_plan(loaded, "ACME Co 10MB Plan")->activation_fee));
	assert_true(live_snapshot_has_user(loaded, "ops.alice"));
	live_snapshot_free(loaded);
	live_snapshot_free(snapshot);
	char command[600];
	snprintf(command, sizeof(command), "rm -rf '%s'", directory);
	assert_int_equal(system(command), 0);
}

static void stale_snapshot_is_refused(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = live_snapshot_new();
	int64_t taken = live_snapshot_info(snapshot)->taken_at_ms;
	struct error error = {0};
	assert_int_equal(live_snapshot_check_age(snapshot, 60000, taken + 60000, &error), 0);
	assert_int_equal(live_snapshot_check_age(snapshot, 0, taken + 999999999, &error), 0);
	assert_int_equal(live_snapshot_check_age(snapshot, 60000, taken + 3600000, &error), -1);
	assert_non_null(strstr(error.message, "1h ago, more than --max-snapshot-age 1m allows"));
	assert_non_null(strstr(error.message, "--max-snapshot-age"));
	live_snapshot_free(snapshot);
}

/* A job resumed keeps its stored baseline; a stale one is refused (exit 2). */
static void job_baseline_is_the_stored_one(void **state)
{
	(void)state;
	char directory[] = "/tmp/test_live_job_XXXXXX";
	assert_non_null(mkdtemp(directory));
	struct live_snapshot *snapshot = seeded();
	int64_t taken_at = live_snapshot_info(snapshot)->taken_at_ms;
	struct error error = {0};
	assert_int_equal(live_snapshot_store(snapshot, directory, &error), 0);
	live_snapshot_free(snapshot);
	struct live_take_request request;
	memset(&request, 0, sizeof(request));
	request.transport.api_root = "http://127.0.0.1:9/"; /* never read: the stored one is used */
	struct live_snapshot *loaded = NULL;
	bool taken = true;
	assert_int_equal(live_snapshot_for_job(directory, &request, NULL, 3600000, taken_at + 1000,
	                                       &loaded, &taken, &error),
	                 0);
	assert_false(taken);
	assert_int_equal(live_snapshot_device_count(loaded), 3);
	assert_int_equal(live_snapshot_info(loaded)->taken_at_ms, taken_at);
	live_snapshot_free(loaded);
	loaded = NULL;
	assert_int_equal(live_snapshot_for_job(directory, &request, NULL, 60000, taken_at + 7200000,
	                                       &loaded, &taken, &error),
	                 2);
	assert_null(loaded);
	assert_non_null(strstr(error.message, "--max-snapshot-age"));
	char command[300];
	snprintf(command, sizeof(command), "rm -rf '%s'", directory);
	assert_int_equal(system(command), 0);
}

/* A snapshot taken before the job directory existed is stored there; a job
 * that sent rows without one gets none (no request: nothing is read). */
static void job_baseline_taken_early_or_none(void **state)
{
	(void)state;
	char directory[] = "/tmp/test_live_early_XXXXXX";
	assert_non_null(mkdtemp(directory));
	char inner[600];
	snprintf(inner, sizeof(inner), "%s/snapshot", directory);
	struct error error = {0};
	struct live_snapshot *snapshot = NULL;
	bool taken = true;
	assert_int_equal(live_snapshot_for_job(inner, NULL, NULL, 0, 0, &snapshot, &taken, &error),
	                 0);
	assert_null(snapshot);
	assert_false(taken);
	snapshot = seeded();
	assert_int_equal(live_snapshot_for_job(inner, NULL, NULL, 0, 0, &snapshot, &taken, &error),
	                 0);
	assert_true(taken);
	live_snapshot_free(snapshot);
	snapshot = NULL;
	assert_int_equal(live_snapshot_for_job(inner, NULL, NULL, 0, 0, &snapshot, &taken, &error),
	                 0);
	assert_false(taken);
	assert_int_equal(live_snapshot_device_count(snapshot), 3);
	live_snapshot_free(snapshot);
	char command[700];
	snprintf(command, sizeof(command), "rm -rf '%s'", directory);
	assert_int_equal(system(command), 0);
}

/* Pages of the listing: even rounds of concurrency when that costs at most
 * a quarter more calls; the account read whole when that is no more calls. */
static void listing_plan_and_choice(void **state)
{
	(void)state;
	uint64_t per_page = 0, first = 0;
	live_listing_plan(20000, 8, &per_page, &first);
	assert_int_equal(per_page, 834); /* 24 pages: 3 full rounds of 8 */
	assert_int_equal(first, 8);
	live_listing_plan(2000, 8, &per_page, &first);
	assert_int_equal(per_page, 1000); /* 8 pages would be 4 times the calls */
	assert_int_equal(first, 2);
	live_listing_plan(500, 8, &per_page, &first);
	assert_int_equal(per_page, 1000);
	assert_int_equal(first, 1);
	live_listing_plan(1000000, 4, &per_page, &first);
	assert_int_equal(per_page, 1000);
	assert_int_equal(first, 4);
	/* X-Total-Pages wins; else X-Total / X-Per-Page; else a short page 1 */
	assert_true(live_listing_whole(20000, 24, 834, 834, 834, 20000));
	assert_false(live_listing_whole(10000000, 10000, 1000, 1000, 1000, 20));
	assert_true(live_listing_whole(5000, -1, 500, 500, 1000, 10));
	assert_false(live_listing_whole(5000, -1, 500, 500, 1000, 9));
	assert_true(live_listing_whole(-1, -1, -1, 3, 1000, 2));
	assert_false(live_listing_whole(-1, -1, -1, 1000, 1000, 500));
}

/* Every device of a snapshot as one line a device (fields in order), sorted. */
static char *snapshot_lines(const struct live_snapshot *snapshot)
{
	size_t count = live_snapshot_device_count(snapshot);
	char **lines = calloc(count + 1, sizeof(char *));
	size_t total = 1;
	for (size_t index = 0; index < count; index++) {
		struct device_view device;
		live_snapshot_device_at(snapshot, index, &device);
		char line[2048] = "";
		for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
			size_t used = strlen(line);
			snprintf(line + used, sizeof(line) - used, "%s=%s|",
			         device_field_name((enum device_field)field),
			         device.value[field] ? device.value[field] : "(none)");
		}
		lines[index] = strdup(line);
		total += strlen(line) + 1;
	}
	qsort(lines, count, sizeof(char *), compare_text);
	char *all = calloc(total, 1);
	size_t used = 0;
	for (size_t index = 0; index < count; index++) {
		size_t length = strlen(lines[index]);
		memcpy(all + used, lines[index], length);
		all[used + length] = '\n';
		used += length + 1;
		free(lines[index]);
	}
	free(lines);
	return all;
}

/* The text reader keeps what jansson's values would give (the snapshot's
 * own add_device), and refuses what jansson refuses. */
static void device_text_reads_as_jansson(void **state)
{
	(void)state;
	static const char page[] =
	    " [ "
	    "{\"device_name\":\"d-1\",\"iccid\":\"89012600000000000011\",\"imei\":490154203237518,"
	    "\"state\":\"active\",\"cost_center\":\"A \\\"quoted\\\" \\\\ \\/ \\u00e9 "
	    "\\ud83d\\ude00\","
	    "\"note\":null,\"note1\":true,\"note2\":-12.5e1,\"note3\":{\"x\":[1,{\"y\":\"}\"}]},"
	    "\"sim\":{\"iccid\":\"nested is not the device's\"},\"imsi\":-0,\"esn\":1.5,"
	    "\"cost_center\":\"last one wins\",\"mdn\":\"tab\\there\\nnew\"} ,\n"
	    "\"not an object\", 42, null, [1,2], {},"
	    "{\"device_name\":\"d-2\",\"msisdn\":12345678901234567,\"min\":\"\",\"meid\":0.1}]\r\n";
	struct live_snapshot *text = live_snapshot_new();
	struct live_snapshot *values = live_snapshot_new();
	size_t count = 0;
	assert_int_equal(live_snapshot_add_devices_text(text, page, strlen(page), false, &count),
	                 0);
	assert_int_equal(count, 7);
	json_error_t error;
	json_t *array = json_loads(page, 0, &error);
	assert_non_null(array);
	for (size_t index = 0; index < json_array_size(array); index++)
		if (json_is_object(json_array_get(array, index)))
			assert_int_equal(
			    live_snapshot_add_device(values, json_array_get(array, index)), 0);
	json_decref(array);
	assert_int_equal(live_snapshot_device_count(text), 3);
	char *from_text = snapshot_lines(text);
	char *from_values = snapshot_lines(values);
	assert_string_equal(from_text, from_values);
	assert_non_null(strstr(from_text, "cost_center=last one wins|"));
	assert_non_null(strstr(from_text, "imei=490154203237518|"));
	free(from_text);
	free(from_values);
	/* one object (GET v2/devices/:id) */
	static const char one[] = "{\"device_name\":\"d-3\",\"state\":\"pending\"}";
	assert_int_equal(live_snapshot_add_devices_text(text, one, strlen(one), true, &count), 0);
	assert_int_equal(count, 1);
	struct device_view device;
	assert_true(live_snapshot_find(text, DEVICE_NAME, "d-3", &device));
	assert_string_equal(device.value[DEVICE_STATE], "pending");
	/* what jansson refuses is refused whole: nothing added */
	static const char *const refused[] = {
	    "",
	    "[",
	    "[{\"device_name\":\"x\"}",
	    "[{\"device_name\":\"x\"},]",
	    "[{\"device_name\":\"x\"}] trailing",
	    "[{\"device_name\":01}]",
	    "[{\"device_name\":\"a\\u0000b\"}]",
	    "[{\"device_name\":\"\\udc00\"}]",
	    "[{\"device_name\":\"\\ud800x\"}]",
	    "[{\"device_name\":\"\\q\"}]",
	    "[{\"device_name\":\"tab\there\"}]",
	    "[{\"device_name\":\"\xff\"}]",
	    "[{\"imei\":99999999999999999999}]",
	    "[{\"imei\":1e999}]",
	    "[{\"device_name\" \"x\"}]",
	    "[{device_name:\"x\"}]",
	    "[tru]",
	    "{\"device_name\":\"x\"}",
	};
	for (size_t index = 0; index < sizeof(refused) / sizeof(refused[0]); index++) {
		size_t before = live_snapshot_device_count(text);
		json_t *parsed = json_loads(refused[index], 0, &error);
		assert_true(!json_is_array(parsed));
		json_decref(parsed);
		assert_int_equal(live_snapshot_add_devices_text(
		                     text, refused[index], strlen(refused[index]), false, &count),
		                 1);
		assert_int_equal(live_snapshot_device_count(text), before);
	}
	assert_int_equal(live_snapshot_add_devices_text(text, "[]", 2, false, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(live_snapshot_add_devices_text(text, "[1]", 3, true, &count), 1);
	live_snapshot_free(text);
	live_snapshot_free(values);
}

/* Keys are remembered by their place in an object: a later object whose
 * keys move, grow, shrink or are escaped at that place is read as jansson
 * reads it all the same. */
static void device_text_keys_by_position(void **state)
{
	(void)state;
	static const char page[] =
	    "[{\"device_name\":\"a\",\"iccid\":\"1\",\"state\":\"active\",\"x\":0},"
	    "{\"device_name\":\"b\",\"iccid\":\"2\",\"state\":\"active\",\"x\":0},"
	    "{\"iccid\":\"3\",\"device_name\":\"c\",\"statex\":\"no\",\"state\":\"gone\"},"
	    "{\"device_name\":\"d\",\"iccidx\":\"4\",\"stat\":\"no\",\"x\":\"\"},"
	    "{\"device_nam\\u0065\":\"e\",\"\\u0069ccid\":\"5\",\"state\":\"s\"},"
	    "{\"device_name\":\"f\",\"iccid\":\"6\",\"state\":\"active\",\"cost_center\":\"c\"},"
	    "{\"device_name\":\"g\"}]";
	struct live_snapshot *text = live_snapshot_new();
	struct live_snapshot *values = live_snapshot_new();
	size_t count = 0;
	assert_int_equal(live_snapshot_add_devices_text(text, page, strlen(page), false, &count),
	                 0);
	assert_int_equal(count, 7);
	json_error_t error;
	json_t *array = json_loads(page, 0, &error);
	assert_non_null(array);
	for (size_t index = 0; index < json_array_size(array); index++)
		assert_int_equal(live_snapshot_add_device(values, json_array_get(array, index)), 0);
	json_decref(array);
	char *from_text = snapshot_lines(text);
	char *from_values = snapshot_lines(values);
	assert_string_equal(from_text, from_values);
	free(from_text);
	free(from_values);
	struct device_view device;
	assert_true(live_snapshot_find(text, DEVICE_NAME, "c", &device));
	assert_string_equal(device.value[DEVICE_STATE], "gone");
	assert_true(live_snapshot_find(text, DEVICE_NAME, "d", &device));
	assert_null(device.value[DEVICE_ICCID]);
	assert_null(device.value[DEVICE_STATE]);
	assert_true(live_snapshot_find(text, DEVICE_ICCID, "5", &device));
	assert_string_equal(device.value[DEVICE_NAME], "e");
	live_snapshot_free(text);
	live_snapshot_free(values);
}

/* One device named by name and by ICCID is one claim; a note's other field
 * is another claim; a second pass (claim = false) finds the same duplicates. */
static void claims_find_one_device_named_twice(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	struct live_claims *claims = live_claims_new(snapshot);
	assert_non_null(claims);
	const struct op *note = op_find("note");
	struct record rows[4];
	const char *values[4][4] = {{"36500", "", "note", "a"},
	                            {"89012600000000000011", "iccid", "note", "b"},
	                            {"89012600000000000011", "iccid", "note1", "c"},
	                            {"36501", "", "note", "d"}};
	for (int index = 0; index < 4; index++) {
		memset(&rows[index], 0, sizeof(rows[index]));
		rows[index].row = (uint64_t)index + 1;
		rows[index].value[FIELD_DEVICE_NAME] = values[index][0];
		rows[index].value[FIELD_ID_TYPE] = values[index][1];
		rows[index].value[FIELD_FIELD_NAME] = values[index][2];
		rows[index].value[FIELD_NOTE] = values[index][3];
	}
	int expected[4] = {0, 1, 0, 0};
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			live_claims_reset(claims);
		for (int index = 0; index < 4; index++) {
			struct live_verdict verdict;
			live_classify(note, &rows[index], snapshot, &verdict);
			assert_int_equal(live_claims_check(claims, (uint64_t)index + 1, pass == 0,
			                                   &rows[index], note, &verdict),
			                 expected[index]);
			if (expected[index]) {
				assert_int_equal(verdict.kind, LIVE_INVALID);
				assert_string_equal(
				    verdict.message,
				    "duplicate of row 1: same device 36500 (this row "
				    "names it by iccid 89012600000000000011)");
			}
		}
	}
	/* an activation's rows never claim (their identifiers are their keys) */
	struct record activation;
	memset(&activation, 0, sizeof(activation));
	activation.value[FIELD_ICCID] = "89012600000000000011";
	activation.value[FIELD_IMEI] = "490154203237518";
	struct live_verdict verdict;
	live_classify(op_find("activate"), &activation, snapshot, &verdict);
	assert_int_equal(
	    live_claims_check(claims, 9, true, &activation, op_find("activate"), &verdict), 0);
	live_claims_free(claims);
	live_snapshot_free(snapshot);
}

/* The identifiers a job reads: each once, whatever names it. */
static void wanted_identifiers_are_distinct(void **state)
{
	(void)state;
	struct live_wanted *wanted = live_wanted_new();
	assert_non_null(wanted);
	const struct op *activate = op_find("activate");
	struct record record;
	memset(&record, 0, sizeof(record));
	record.value[FIELD_ICCID] = "89012600000000000011";
	record.value[FIELD_IMEI] = "490154203237518";
	assert_int_equal(live_wanted_add_record(wanted, activate, &record), 0);
	assert_int_equal(live_wanted_add_record(wanted, activate, &record), 0);
	assert_int_equal(live_wanted_count(wanted), 2);
	/* the same text as a name is another identifier */
	assert_int_equal(live_wanted_add(wanted, DEVICE_NAME, "89012600000000000011", 7), 0);
	assert_int_equal(live_wanted_add(wanted, DEVICE_NAME, "", 8), 0);
	assert_int_equal(live_wanted_count(wanted), 3);
	const struct op *upload = op_find("upload");
	assert_int_equal(live_wanted_add_record(wanted, upload, &record), 0);
	assert_int_equal(live_wanted_count(wanted), 3);
	live_wanted_free(wanted);
}

static struct record row(const char *values[][2])
{
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = 1;
	for (size_t index = 0; values[index][0]; index++)
		record.value[field_lookup(values[index][0])] = values[index][1];
	return record;
}

static void classify_cost_center(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	const struct op *op = op_find("cost-center");
	struct live_verdict verdict;
	struct record record = row(
	    (const char *[][2]){{"device_name", "36500"}, {"cost_center", "CC-1"}, {NULL, NULL}});
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_UNCHANGED);
	assert_string_equal(verdict.device_name, "36500");
	record.value[FIELD_COST_CENTER] = "CC-2";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CHANGE);
	assert_string_equal(verdict.current, "CC-1");
	assert_string_equal(verdict.target, "CC-2");
	/* named by ICCID: resolved to the device's name */
	record.value[FIELD_DEVICE_NAME] = "89012600000000000029";
	record.value[FIELD_ID_TYPE] = "iccid";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CHANGE);
	assert_string_equal(verdict.device_name, "36501");
	assert_string_equal(verdict.current, "");
	record.value[FIELD_ID_TYPE] = "imei";
	record.value[FIELD_DEVICE_NAME] = "490154203237518";
	record.value[FIELD_COST_CENTER] = "CC-1";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_UNCHANGED);
	assert_string_equal(verdict.device_name, "36500");
	record.value[FIELD_ID_TYPE] = NULL;
	record.value[FIELD_DEVICE_NAME] = "nope";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_MISSING);
	assert_non_null(strstr(verdict.message, "no device with device_name nope"));
	assert_non_null(strstr(verdict.message, "read at"));
	assert_string_equal(op->live.previous(&record, &(struct device_view){{0}}), "");
	live_snapshot_free(snapshot);
}

static void classify_activate(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	const struct op *op = op_find("activate");
	struct live_verdict verdict;
	struct record record = row((const char *[][2]){{"iccid", "89012600000000000011"},
	                                               {"imei", "490154203237518"},
	                                               {"rate_plan_name", "ACME Co 5mb Rate Plan"},
	                                               {NULL, NULL}});
	/* active on the same IMEI: in place */
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_UNCHANGED);
	assert_string_equal(verdict.current, "active");
	/* the ICCID on another IMEI */
	record.value[FIELD_IMEI] = "352099001761481";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CONFLICT);
	assert_non_null(strstr(verdict.message, "already belongs to device 36500"));
	/* a new ICCID with an IMEI another device has */
	record.value[FIELD_ICCID] = "89012600000000000045";
	record.value[FIELD_IMEI] = "356938035643809";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CONFLICT);
	assert_non_null(
	    strstr(verdict.message, "imei 356938035643809 already belongs to device 36501"));
	/* new on both: a change */
	record.value[FIELD_IMEI] = "352099001761481";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CHANGE);
	assert_string_equal(verdict.device_name, "");
	assert_string_equal(verdict.target, "ACME Co 5mb Rate Plan");
	/* already requested, pending */
	record.value[FIELD_ICCID] = "89012600000000000037";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_UNCHANGED);
	assert_int_equal(verdict.match, LIVE_PENDING);
	assert_non_null(strstr(verdict.message, "pending"));
	/* the ICCID of a suspended device */
	record.value[FIELD_ICCID] = "89012600000000000029";
	record.value[FIELD_IMEI] = "356938035643809";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CONFLICT);
	assert_non_null(strstr(verdict.message, "suspended"));
	/* a misspelt plan: invalid, with the hint */
	record.value[FIELD_ICCID] = "89012600000000000045";
	record.value[FIELD_IMEI] = "352099001761481";
	record.value[FIELD_RATE_PLAN_NAME] = "ACME Co 5MB Rate Plan";
	live_classify(op, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_INVALID);
	assert_string_equal(verdict.suggestion, "ACME Co 5mb Rate Plan");
	assert_non_null(strstr(verdict.message, "did you mean 'ACME Co 5mb Rate Plan'"));
	live_snapshot_free(snapshot);
}

static void classify_simstate_note_and_users(void **state)
{
	(void)state;
	struct live_snapshot *snapshot = seeded();
	struct live_verdict verdict;
	const struct op *simstate = op_find("simstate");
	struct record record =
	    row((const char *[][2]){{"device_name", "36501"}, {"state", "suspend"}, {NULL, NULL}});
	live_classify(simstate, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_UNCHANGED);
	record.value[FIELD_STATE] = "restore";
	live_classify(simstate, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CHANGE);
	assert_string_equal(verdict.current, "suspended");
	assert_string_equal(verdict.target, "active");
	struct device_view device;
	assert_true(live_snapshot_find(snapshot, DEVICE_NAME, "36501", &device));
	assert_string_equal(simstate->live.previous(&record, &device), "suspend");
	record.value[FIELD_DEVICE_NAME] = "36502";
	live_classify(simstate, &record, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CONFLICT);

	const struct op *usage = op_find("usage-limit");
	struct record limit = row((const char *[][2]){{"device_name", "36500"},
	                                              {"kb_limit", "1024"},
	                                              {"usernames", "admin; ops.alce"},
	                                              {NULL, NULL}});
	live_classify(usage, &limit, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_INVALID);
	assert_string_equal(verdict.unknown_name, "ops.alce");
	assert_string_equal(verdict.suggestion, "ops.alice");
	limit.value[FIELD_USERNAMES] = "admin;ops.alice";
	live_classify(usage, &limit, snapshot, &verdict);
	assert_int_equal(verdict.kind, LIVE_CHANGE);
	assert_string_equal(verdict.target, "1024");

	/* the API may truncate notes past 100 characters */
	char long_note[160];
	memset(long_note, 'n', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = '\0';
	char stored[101];
	memcpy(stored, long_note, 100);
	stored[100] = '\0';
	assert_true(live_note_equal(stored, long_note));
	assert_false(live_note_equal("short", "shorter"));
	assert_true(live_note_equal(NULL, ""));
	live_snapshot_free(snapshot);
}

static void every_op_has_live_knowledge(void **state)
{
	(void)state;
	for (size_t index = 0; index < op_table_count; index++) {
		const struct op *op = op_table[index];
		assert_true((unsigned)op->live.identify < FIELD_COUNT);
		/* undo needs a comparator that reads the value it restores */
		if (op->live.flags & OP_LIVE_UNDO) {
			assert_non_null(op->live.compare);
			assert_non_null(op->live.previous);
		}
		/* an id_type row of a resolving op must be able to carry its id_type */
		if (op->live.flags & OP_LIVE_RESOLVE)
			assert_non_null(op_field_find(op, FIELD_ID_TYPE));
	}
	assert_true(op_find("cost-center")->live.flags & OP_LIVE_UNDO);
	assert_false(op_find("sms")->live.flags & OP_LIVE_UNDO);
	assert_true(op_find("activate")->live.flags & OP_LIVE_RATE_PLANS);
	assert_true(op_find("usage-limit")->live.flags & OP_LIVE_USERS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(index_finds_every_identifier),
	    cmocka_unit_test(index_grows_without_losing_devices),
	    cmocka_unit_test(deactivated_device_gives_way),
	    cmocka_unit_test(index_built_on_first_lookup_keeps_up),
	    cmocka_unit_test(devices_scope_knows_what_it_read),
	    cmocka_unit_test(json_devices_keep_digits),
	    cmocka_unit_test(rate_plans_users_and_hints),
	    cmocka_unit_test(store_and_load_round_trip),
	    cmocka_unit_test(stale_snapshot_is_refused),
	    cmocka_unit_test(classify_cost_center),
	    cmocka_unit_test(classify_activate),
	    cmocka_unit_test(classify_simstate_note_and_users),
	    cmocka_unit_test(every_op_has_live_knowledge),
	    cmocka_unit_test(job_baseline_is_the_stored_one),
	    cmocka_unit_test(job_baseline_taken_early_or_none),
	    cmocka_unit_test(listing_plan_and_choice),
	    cmocka_unit_test(device_text_reads_as_jansson),
	    cmocka_unit_test(device_text_keys_by_position),
	    cmocka_unit_test(claims_find_one_device_named_twice),
	    cmocka_unit_test(wanted_identifiers_are_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
