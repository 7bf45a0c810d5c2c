/* Unit tests of the judging of a job's rows (live/judge.c): a snapshot
 * spilled to disk by a tiny memory budget (live/spool.c) must give every row
 * exactly the judgement the same snapshot in memory gives — change,
 * unchanged, missing, conflict, invalid names and duplicates across
 * identifier kinds — and leave no temporary file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live/judge.h"
#include "live/snapshot.h"
#include "live/spool.h"

#define DEVICES 40

static char work[] = "/tmp/test-live-judge.XXXXXX";
static char names[DEVICES][16], iccids[DEVICES][32], imeis[DEVICES][32];

/* value with its Luhn check digit appended */
static void luhn(const char *digits, char *out, size_t size)
{
	int sum = 0;
	size_t length = strlen(digits);
	for (size_t index = 0; index < length; index++) {
		int digit = digits[length - 1 - index] - '0';
		if (index % 2 == 0) {
			digit *= 2;
			if (digit > 9)
				digit -= 9;
		}
		sum += digit;
	}
	snprintf(out, size, "%s%d", digits, (10 - sum % 10) % 10);
}

static int set_up(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(work));
	/* the spools go under the test's own directory */
	setenv("TMPDIR", work, 1);
	for (unsigned index = 0; index < DEVICES; index++) {
		char digits[32];
		snprintf(names[index], sizeof(names[index]), "d%02u", index);
		snprintf(digits, sizeof(digits), "8901260000000000%03u", index);
		luhn(digits, iccids[index], sizeof(iccids[index]));
		snprintf(digits, sizeof(digits), "35000000000%03u", index);
		luhn(digits, imeis[index], sizeof(imeis[index]));
	}
	return 0;
}

/* Removes directory and what it holds (two levels: spools hold files only). */
static void remove_tree(const char *directory, int depth)
{
	DIR *listing = opendir(directory);
	if (!listing)
		return;
	struct dirent *entry;
	char path[512];
	while ((entry = readdir(listing)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name);
		if (unlink(path) != 0 && depth > 0)
			remove_tree(path, depth - 1);
	}
	closedir(listing);
	rmdir(directory);
}

static int tear_down(void **state)
{
	(void)state;
	remove_tree(work, 1);
	return 0;
}

/* The account: DEVICES devices; device 7 is deactivated and device 30
 * holds its ICCID again (the later one takes it over), devices 31 to 35
 * share the ICCIDs of 11 to 15 (the earlier ones keep them); for the IMEIs,
 * device 37 shares device 16's (which keeps it) and device 39 takes device
 * 7's over; device 24 has no IMEI; devices 36 and 37 are pending, 38
 * suspended, 25 deactivated; cost centers alternate so that some rows are
 * already in place. */
static struct live_snapshot *account(size_t budget)
{
	struct live_snapshot *snapshot = live_snapshot_new();
	assert_non_null(snapshot);
	live_snapshot_set_budget(snapshot, budget);
	/* one reading time for both: messages name it */
	live_snapshot_meta(snapshot)->taken_at_ms = 1796000000000;
	live_snapshot_meta(snapshot)->scope = LIVE_SCOPE_ACCOUNT;
	live_snapshot_meta(snapshot)->rate_plans_read = true;
	json_t *plan = json_pack("{s:s,s:f}", "name", "ACME 10MB", "activation_fee", 2.5);
	assert_int_equal(live_snapshot_add_rate_plan(snapshot, plan), 0);
	json_decref(plan);
	for (int index = 0; index < DEVICES; index++) {
		struct device_view device = {{0}};
		device.value[DEVICE_NAME] = names[index];
		/* d31..d35 hold the ICCIDs of d11..d15 too, all active: the first
		 * holder in the account's order keeps them, whichever partition
		 * each lands in */
		device.value[DEVICE_ICCID] = index == 30                  ? iccids[7]
		                             : index >= 31 && index <= 35 ? iccids[index - 20]
		                                                          : iccids[index];
		device.value[DEVICE_IMEI] = index == 24   ? NULL
		                            : index == 37 ? imeis[16]
		                            : index == 39 ? imeis[7]
		                                          : imeis[index];
		device.value[DEVICE_STATE] = index == 7 || index == 25    ? "deactivated"
		                             : index == 36 || index == 37 ? "pending"
		                             : index == 38                ? "suspended"
		                                                          : "active";
		device.value[DEVICE_COST_CENTER] = index % 2 ? "EAST" : "WEST";
		assert_int_equal(live_snapshot_add_view(snapshot, &device), 0);
	}
	return snapshot;
}

static void write_manifest(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(text, file);
	fclose(file);
}

static void assert_same_text(const char *left, const char *right)
{
	if (!left || !right)
		assert_ptr_equal(left, right);
	else
		assert_string_equal(left, right);
}

/* The number of spools under the test's directory. */
static int spools(void)
{
	DIR *listing = opendir(work);
	assert_non_null(listing);
	int count = 0;
	struct dirent *entry;
	while ((entry = readdir(listing)) != NULL)
		count += strncmp(entry->d_name, "lattigo-preflight.", 18) == 0;
	closedir(listing);
	return count;
}

/* Judges the manifest text for op against the account in memory and the
 * same account spilled (a budget of budget devices): the same judgement for
 * every row. Returns how many rows had each kind (kinds: LIVE_KIND_COUNT). */
static void judge_with_budget(const char *op_name, const char *text, size_t budget, uint64_t *kinds)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/manifest.csv", work);
	write_manifest(path, text);
	const struct op *op = op_find(op_name);
	assert_non_null(op);
	struct live_snapshot *memory = account(0), *spilled = account(budget);
	assert_false(live_snapshot_spilled(memory));
	assert_true(live_snapshot_spilled(spilled));
	assert_int_equal(live_snapshot_device_count(spilled), DEVICES);
	assert_int_equal(spools(), 1);
	struct pipeline_config config;
	memset(&config, 0, sizeof(config));
	config.op = op_name;
	config.manifest = path;
	struct error error;
	error_clear(&error);
	struct live_judge *direct = live_judge_open(op, memory, &config, &error);
	struct live_judge *joined = live_judge_open(op, spilled, &config, &error);
	assert_non_null(direct);
	assert_non_null(joined);
	struct pipeline *pipeline = pipeline_open(&config, NULL, &error);
	assert_non_null(pipeline);
	struct pipeline_row row;
	memset(kinds, 0, LIVE_KIND_COUNT * sizeof(*kinds));
	while (pipeline_next(pipeline, &row, &error) == 1) {
		if (!row.valid || !row.record)
			continue;
		struct live_judgement left, right;
		assert_int_equal(live_judge_row(direct, row.record, &left, &error), 0);
		assert_int_equal(live_judge_row(joined, row.record, &right, &error), 0);
		assert_int_equal(left.verdict.kind, right.verdict.kind);
		assert_int_equal(left.verdict.match, right.verdict.match);
		assert_string_equal(left.verdict.device_name, right.verdict.device_name);
		assert_string_equal(left.verdict.current, right.verdict.current);
		assert_string_equal(left.verdict.target, right.verdict.target);
		assert_string_equal(left.verdict.message, right.verdict.message);
		assert_same_text(left.verdict.suggestion, right.verdict.suggestion);
		assert_string_equal(left.verdict.unknown_name, right.verdict.unknown_name);
		assert_int_equal(left.found, right.found);
		assert_same_text(left.resolved, right.resolved);
		assert_same_text(left.previous, right.previous);
		kinds[left.verdict.kind]++;
	}
	pipeline_close(pipeline);
	live_judge_free(direct);
	live_judge_free(joined);
	live_snapshot_free(memory);
	live_snapshot_free(spilled);
	/* every partition file and the spool's directory are gone */
	assert_int_equal(spools(), 0);
	unlink(path);
}

/* As judge_with_budget, with a budget of three devices. */
static void judge_both(const char *op_name, const char *text, uint64_t *kinds)
{
	judge_with_budget(op_name, text, 3, kinds);
}

/* Rows naming devices by device_name: judged by partitions. */
static void by_name_partitions_agree(void **state)
{
	(void)state;
	char text[4096] = "device_name,cost_center\n";
	size_t length = strlen(text);
	for (int index = 0; index < DEVICES; index++)
		length += (size_t)snprintf(text + length, sizeof(text) - length, "%s,EAST\n",
		                           names[index]);
	snprintf(text + length, sizeof(text) - length, "nope-1,EAST\nnope-2,WEST\n");
	uint64_t kinds[LIVE_KIND_COUNT];
	judge_both("cost-center", text, kinds);
	assert_int_equal(kinds[LIVE_CHANGE], DEVICES / 2);
	assert_int_equal(kinds[LIVE_UNCHANGED], DEVICES / 2);
	assert_int_equal(kinds[LIVE_MISSING], 2);
}

/* Rows naming devices by ICCID, IMEI and name: a device named twice is a
 * duplicate, the deactivated device's ICCID finds its successor. */
static void across_kinds_agree(void **state)
{
	(void)state;
	char text[4096];
	char missing_iccid[24];
	luhn("8901260000000000999", missing_iccid, sizeof(missing_iccid));
	snprintf(text, sizeof(text),
	         "device_name,id_type,cost_center\n"
	         "%s,iccid,EAST\n"   /* d01 by ICCID: unchanged */
	         "%s,,NORTH\n"       /* d01 by name: a duplicate of row 1 */
	         "%s,imei,NORTH\n"   /* d02 by IMEI: change */
	         "%s,iccid,NORTH\n"  /* d02 again by ICCID: duplicate */
	         "%s,iccid,NORTH\n"  /* the ICCID d07 and d30 share: d30's */
	         "d30,,SOUTH\n"      /* duplicate of the row above */
	         "%s,iccid,NORTH\n", /* no such ICCID: missing */
	         iccids[1], names[1], imeis[2], iccids[2], iccids[7], missing_iccid);
	uint64_t kinds[LIVE_KIND_COUNT];
	judge_both("cost-center", text, kinds);
	assert_int_equal(kinds[LIVE_UNCHANGED], 1);
	assert_int_equal(kinds[LIVE_CHANGE], 2);
	assert_int_equal(kinds[LIVE_INVALID], 3);
	assert_int_equal(kinds[LIVE_MISSING], 1);
}

/* Many rows naming devices of the account (and some that are not) by
 * name, ICCID and IMEI at random: the same judgements both ways. */
static void random_rows_agree(void **state)
{
	(void)state;
	static char text[32768];
	size_t length = (size_t)snprintf(text, sizeof(text), "device_name,id_type,cost_center\n");
	static const char *const centers[] = {"EAST", "WEST", "NORTH"};
	uint64_t seed = 42;
	for (int row = 0; row < 400; row++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned device = (unsigned)(seed >> 33) % (DEVICES + 8);
		unsigned kind = (unsigned)(seed >> 45) % 3;
		const char *center = centers[(seed >> 50) % 3];
		char missing[32], digits[32];
		snprintf(digits, sizeof(digits), "8901260000000009%03u", device);
		luhn(digits, missing, sizeof(missing));
		const char *identifier = device >= DEVICES ? (kind ? missing : "nobody")
		                         : kind == 1       ? iccids[device]
		                         : kind == 2       ? imeis[device]
		                                           : names[device];
		length +=
		    (size_t)snprintf(text + length, sizeof(text) - length, "%s,%s,%s\n", identifier,
		                     kind == 0                        ? ""
		                     : kind == 1 || device >= DEVICES ? "iccid"
		                                                      : "imei",
		                     center);
	}
	uint64_t kinds[LIVE_KIND_COUNT];
	judge_both("cost-center", text, kinds);
	assert_true(kinds[LIVE_CHANGE] > 0 && kinds[LIVE_UNCHANGED] > 0);
	assert_true(kinds[LIVE_MISSING] > 0 && kinds[LIVE_INVALID] > 0);
}

/* Activations: an ICCID and IMEI of different devices (conflict), a pair
 * already there (unchanged), a new pair (change), a misspelt plan; rows
 * whose ICCID or IMEI more than one device holds (the account's order
 * decides which one a row meets), a pending and a suspended device. */
static void activations_agree(void **state)
{
	(void)state;
	char text[4096], new_iccid[24], new_imei[24], other_iccid[24];
	luhn("8901260000000000777", new_iccid, sizeof(new_iccid));
	luhn("8901260000000000778", other_iccid, sizeof(other_iccid));
	luhn("35000000000777", new_imei, sizeof(new_imei));
	snprintf(text, sizeof(text),
	         "iccid,imei,rate_plan_name\n"
	         "%s,%s,ACME 10MB\n"  /* d03's ICCID with d04's IMEI: conflict */
	         "%s,%s,ACME 10MB\n"  /* d05's own pair: unchanged */
	         "%s,%s,ACME 10MB\n"  /* new: change */
	         "%s,%s,ACME 10mb\n"  /* misspelt plan: invalid, with a suggestion */
	         "%s,%s,ACME 10MB\n"  /* d37's pair, but d16 came first with the IMEI: conflict */
	         "%s,%s,ACME 10MB\n"  /* d30 took the ICCID over, d39 the IMEI: conflict */
	         "%s,%s,ACME 10MB\n"  /* a new ICCID on d31's IMEI: conflict */
	         "%s,%s,ACME 10MB\n"  /* d11's pair (d31 holds the ICCID too, later): unchanged */
	         "%s,%s,ACME 10MB\n"  /* d36 is pending: unchanged */
	         "%s,%s,ACME 10MB\n", /* d38 is suspended: conflict */
	         iccids[3], imeis[4], iccids[5], imeis[5], new_iccid, new_imei, iccids[9], imeis[9],
	         iccids[37], imeis[16], iccids[7], imeis[7], other_iccid, imeis[31], iccids[11],
	         imeis[11], iccids[36], imeis[36], iccids[38], imeis[38]);
	uint64_t kinds[LIVE_KIND_COUNT];
	judge_both("activate", text, kinds);
	assert_int_equal(kinds[LIVE_CONFLICT], 5);
	assert_int_equal(kinds[LIVE_UNCHANGED], 3);
	assert_int_equal(kinds[LIVE_CHANGE], 1);
	assert_int_equal(kinds[LIVE_INVALID], 1);
}

/* Activations at random, under budgets of one to three devices: ICCIDs
 * and IMEIs of the account's devices (active, pending, suspended,
 * deactivated, taken over, shared, missing), on their own device or
 * another's, new ones, rows with a device_sku instead of an IMEI, ICCIDs
 * and IMEIs repeated among rows (the later rows invalid offline), a
 * misspelt plan: the same judgement both ways. */
static void random_activations_agree(void **state)
{
	(void)state;
	static char text[65536];
	for (size_t budget = 1; budget <= 3; budget++) {
		size_t length =
		    (size_t)snprintf(text, sizeof(text), "iccid,imei,device_sku,rate_plan_name\n");
		uint64_t seed = 7 + budget;
		for (int row = 0; row < 500; row++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			unsigned device = (unsigned)(seed >> 33) % (DEVICES + 10);
			unsigned pairing = (unsigned)(seed >> 45) % 4;
			unsigned other = (unsigned)(seed >> 20) % (DEVICES + 10);
			char iccid[32], imei[32], digits[32];
			if (device < DEVICES) {
				snprintf(iccid, sizeof(iccid), "%s", iccids[device]);
			} else {
				snprintf(digits, sizeof(digits), "8901260000000008%03u", device);
				luhn(digits, iccid, sizeof(iccid));
			}
			/* 0: the ICCID's own device's IMEI, 1: another device's (or a
			 * new one), 2: a new one, 3: none (a device_sku) */
			unsigned source = pairing == 0   ? device
			                  : pairing == 1 ? other
			                                 : DEVICES + 50;
			if (pairing == 3) {
				imei[0] = '\0';
			} else if (source < DEVICES) {
				snprintf(imei, sizeof(imei), "%s", imeis[source]);
			} else {
				snprintf(digits, sizeof(digits), "35000000008%03u",
				         (source + row) % 1000);
				luhn(digits, imei, sizeof(imei));
			}
			length +=
			    (size_t)snprintf(text + length, sizeof(text) - length, "%s,%s,%s,%s\n",
			                     iccid, imei, pairing == 3 ? "SKU-1" : "",
			                     (seed >> 55) % 16 ? "ACME 10MB" : "ACME 10mb");
		}
		uint64_t kinds[LIVE_KIND_COUNT];
		judge_with_budget("activate", text, budget, kinds);
		assert_true(kinds[LIVE_CHANGE] > 0 && kinds[LIVE_UNCHANGED] > 0);
		assert_true(kinds[LIVE_CONFLICT] > 0 && kinds[LIVE_INVALID] > 0);
	}
}

/* The rows of an operation meeting two devices are judged by blocks of
 * rows, each with claims of its own: sound only while such an operation's
 * claims never make duplicates (its unique keys are its identifiers,
 * checked offline). */
static void operations_meeting_two_devices_have_no_claims(void **state)
{
	(void)state;
	size_t meeting = 0;
	for (size_t index = 0; index < op_table_count; index++) {
		const struct op *op = op_table[index];
		if ((unsigned)op->live.also_unique >= FIELD_COUNT)
			continue;
		meeting++;
		assert_false(live_claims_possible(op));
	}
	assert_true(meeting > 0);
}

/* The rows a caller wants: every other one (by row number). */
static bool odd_rows(void *context, const struct record *record)
{
	(void)context;
	return record->row % 2 == 1;
}

/* Each wanted row's device only (`verify`): the same device both ways, for
 * activations (one device a row: no whole load) and rows by ICCID and name. */
static void devices_agree(void **state)
{
	(void)state;
	static const char *const ops[] = {"activate", "cost-center"};
	char texts[2][4096], missing_iccid[24], missing_imei[24];
	luhn("8901260000000000999", missing_iccid, sizeof(missing_iccid));
	luhn("35000000000999", missing_imei, sizeof(missing_imei));
	size_t length = (size_t)snprintf(texts[0], sizeof(texts[0]), "iccid,imei,rate_plan_name\n");
	for (int index = 0; index < DEVICES; index += 3)
		length += (size_t)snprintf(texts[0] + length, sizeof(texts[0]) - length,
		                           "%s,%s,ACME 10MB\n", iccids[index], imeis[index]);
	snprintf(texts[0] + length, sizeof(texts[0]) - length, "%s,%s,ACME 10MB\n", missing_iccid,
	         missing_imei);
	snprintf(texts[1], sizeof(texts[1]),
	         "device_name,id_type,cost_center\n%s,iccid,EAST\nd02,,EAST\n%s,iccid,EAST\n"
	         "nobody,,EAST\n%s,iccid,EAST\n%s,imei,EAST\n",
	         iccids[7], iccids[12], missing_iccid, imeis[20]);
	char path[256];
	snprintf(path, sizeof(path), "%s/manifest.csv", work);
	for (size_t kind = 0; kind < 2; kind++) {
		write_manifest(path, texts[kind]);
		const struct op *op = op_find(ops[kind]);
		struct live_snapshot *memory = account(0), *spilled = account(3);
		struct pipeline_config config;
		memset(&config, 0, sizeof(config));
		config.op = ops[kind];
		config.manifest = path;
		struct live_judge_options options = {odd_rows, NULL, true};
		struct error error;
		error_clear(&error);
		struct live_judge *direct =
		    live_judge_open_with(op, memory, &config, &options, &error);
		struct live_judge *joined =
		    live_judge_open_with(op, spilled, &config, &options, &error);
		assert_non_null(direct);
		assert_non_null(joined);
		struct pipeline *pipeline = pipeline_open(&config, NULL, &error);
		assert_non_null(pipeline);
		struct pipeline_row row;
		unsigned found_count = 0, absent = 0;
		while (pipeline_next(pipeline, &row, &error) == 1) {
			if (!row.valid || !row.record || !odd_rows(NULL, row.record))
				continue;
			struct device_view left, right;
			bool left_found, right_found;
			assert_int_equal(
			    live_judge_device(direct, row.record, &left_found, &left, &error), 0);
			assert_int_equal(
			    live_judge_device(joined, row.record, &right_found, &right, &error), 0);
			assert_int_equal(left_found, right_found);
			for (int field = 0; left_found && field < DEVICE_FIELD_COUNT; field++)
				assert_same_text(left.value[field], right.value[field]);
			found_count += left_found;
			absent += !left_found;
		}
		assert_true(found_count > 0);
		assert_true(absent > 0 || kind == 0);
		pipeline_close(pipeline);
		live_judge_free(direct);
		live_judge_free(joined);
		live_snapshot_free(memory);
		live_snapshot_free(spilled);
		assert_int_equal(spools(), 0);
	}
	unlink(path);
}

/* A spilled snapshot stored and loaded back holds every device, in order. */
static void spilled_snapshot_stores_whole(void **state)
{
	(void)state;
	struct live_snapshot *spilled = account(3);
	char directory[256];
	snprintf(directory, sizeof(directory), "%s/stored", work);
	struct error error;
	error_clear(&error);
	assert_int_equal(live_snapshot_store(spilled, directory, &error), 0);
	live_snapshot_free(spilled);
	struct live_snapshot *loaded = NULL;
	assert_int_equal(live_snapshot_load(directory, &loaded, &error), 0);
	assert_int_equal(live_snapshot_device_count(loaded), DEVICES);
	struct device_view device;
	assert_true(live_snapshot_find(loaded, DEVICE_ICCID, iccids[7], &device));
	assert_string_equal(device.value[DEVICE_NAME], "d30");
	assert_non_null(live_snapshot_rate_plan(loaded, "ACME 10MB"));
	live_snapshot_free(loaded);
	char path[320];
	snprintf(path, sizeof(path), "%s/devices.jsonl.gz", directory);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meta.json", directory);
	unlink(path);
	rmdir(directory);
	assert_int_equal(spools(), 0);
}

/* A spool left by a process killed with -9 is removed by the next run;
 * one of a process still running is not. */
static void abandoned_spools_removed(void **state)
{
	(void)state;
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	char dead[256], alive[256], file[320];
	snprintf(dead, sizeof(dead), "%s/lattigo-preflight.%ld.abcdef", work, (long)child);
	snprintf(alive, sizeof(alive), "%s/lattigo-preflight.%ld.ghijkl", work, (long)getppid());
	assert_int_equal(mkdir(dead, 0700), 0);
	assert_int_equal(mkdir(alive, 0700), 0);
	snprintf(file, sizeof(file), "%s/part-0", dead);
	write_manifest(file, "left over");
	live_spool_remove_abandoned();
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(alive, F_OK), 0);
	rmdir(alive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(by_name_partitions_agree),
	    cmocka_unit_test(across_kinds_agree),
	    cmocka_unit_test(random_rows_agree),
	    cmocka_unit_test(activations_agree),
	    cmocka_unit_test(random_activations_agree),
	    cmocka_unit_test(operations_meeting_two_devices_have_no_claims),
	    cmocka_unit_test(devices_agree),
	    cmocka_unit_test(spilled_snapshot_stores_whole),
	    cmocka_unit_test(abandoned_spools_removed),
	};
	return cmocka_run_group_tests(tests, set_up, tear_down);
}
