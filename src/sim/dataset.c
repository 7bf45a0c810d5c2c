/* The built-in data set and the records of newly activated devices, all
 * derived from the seed so two runs with the same --seed are identical. */
#include "sim/store.h"

#include "common/hash.h"
#include "sim/random.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Fills digits[0..length-1] with random digits after prefix and, when
 * with_check_digit, replaces the last one with the Luhn check digit. */
static void random_number(struct sim_random *random, const char *prefix, char *digits,
                          size_t length, int with_check_digit)
{
	size_t prefix_length = strlen(prefix);
	memcpy(digits, prefix, prefix_length);
	for (size_t i = prefix_length; i < length; i++)
		digits[i] = (char)('0' + sim_random_below(random, 10));
	digits[length] = '\0';
	if (!with_check_digit)
		return;
	/* Luhn: double every second digit counting leftwards from the check digit. */
	unsigned sum = 0;
	for (size_t i = 0; i + 1 < length; i++) {
		unsigned digit = (unsigned)(digits[length - 2 - i] - '0');
		if (i % 2 == 0) {
			digit *= 2;
			if (digit > 9)
				digit -= 9;
		}
		sum += digit;
	}
	digits[length - 1] = (char)('0' + (10 - sum % 10) % 10);
}

static const char *const cost_centers[] = {"", "Field Ops", "Fleet", "Logistics", "R&D"};
static const char *const streets[] = {"Main St", "Oak Ave", "Harbor Rd", "Mill Ln", "Elm St"};
static const char *const cities[] = {"Portland, OR", "Austin, TX", "Denver, CO", "Boise, ID"};

/* The fields every device has, in the order the API text lists them. */
static json_t *device_fields(struct sim_random *random, json_int_t id, const char *name,
                             const char *iccid, const char *imei, const char *state,
                             const json_t *notes)
{
	char ip[64], ipv6[64], mdn[16], imsi[16], msisdn[24], date[64], activation[64], address[96];
	random_number(random, "555", mdn, 10, 0);
	random_number(random, "310260", imsi, 15, 0);
	snprintf(msisdn, sizeof msisdn, "1%s", mdn);
	uint64_t bits = sim_random_next(random);
	snprintf(ip, sizeof ip, "10.%u.%u.%u", (unsigned)(bits & 0xFF),
	         (unsigned)(bits >> 8 & 0xFF), (unsigned)(bits >> 16 & 0xFD) + 1);
	snprintf(ipv6, sizeof ipv6, "fd00::%x:%x", (unsigned)(bits >> 24 & 0xFFFF),
	         (unsigned)(bits >> 40 & 0xFFFF));
	snprintf(date, sizeof date, "2026-%02u-%02uT%02u:%02u:00Z",
	         (unsigned)sim_random_below(random, 10) + 1,
	         (unsigned)sim_random_below(random, 28) + 1, (unsigned)sim_random_below(random, 24),
	         (unsigned)sim_random_below(random, 60));
	snprintf(activation, sizeof activation, "2025-%02u-%02uT12:00:00Z",
	         (unsigned)sim_random_below(random, 12) + 1,
	         (unsigned)sim_random_below(random, 28) + 1);
	snprintf(address, sizeof address, "%u %s, %s",
	         (unsigned)sim_random_below(random, 9000) + 100,
	         streets[sim_random_below(random, 5)], cities[sim_random_below(random, 4)]);
	const char *note = json_string_value(json_object_get(notes, "note"));
	const char *note1 = json_string_value(json_object_get(notes, "note1"));
	const char *note2 = json_string_value(json_object_get(notes, "note2"));
	const char *note3 = json_string_value(json_object_get(notes, "note3"));
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
	    " s:b, s:s, s:s, s:s, s:f, s:f, s:s, s:I, s:I, s:s, s:s, s:s}",
	    "id", id, "device_name", name, "ip_address", ip, "ipv6", ipv6, "note", note ? note : "",
	    "state", state, "mdn", mdn, "meid", "", "imsi", imsi, "imei", imei, "iccid", iccid,
	    "esn", "", "msisdn", msisdn, "min", mdn, "connected", (int)(bits >> 60 & 1),
	    "last_connection_date", date, "cost_center", cost_centers[sim_random_below(random, 5)],
	    "last_activation_date", activation, "latitude",
	    30.0 + (double)sim_random_below(random, 150000) / 10000.0, "longitude",
	    -120.0 + (double)sim_random_below(random, 300000) / 10000.0, "address", address,
	    "bytes_used", (json_int_t)sim_random_below(random, 50000000), "sms_used",
	    (json_int_t)sim_random_below(random, 200), "note1", note1 ? note1 : "", "note2",
	    note2 ? note2 : "", "note3", note3 ? note3 : "");
}

static int add_rate_plans(struct store *store)
{
	static const struct {
		const char *name;
		int days;
		double activation, termination, data_cost;
		json_int_t allowance, overage_unit;
		double overage_cost, sms_cost;
		json_int_t sms_allowance, sms_unit;
		double sms_unit_cost;
	} plans[] = {
	    {"ACME Co 5mb Rate Plan", 30, 0.0, 0.0, 2.5, 5242880, 1048576, 0.5, 0.0, 0, 1, 0.05},
	    {"ACME Co 10MB Plan", 30, 0.0, 0.0, 4.0, 10485760, 1048576, 0.4, 1.0, 100, 1, 0.04},
	    {"ACME Co 1GB Plan", 30, 5.0, 10.0, 15.0, 1073741824, 104857600, 2.0, 1.0, 250, 1,
	     0.03},
	    {"ACME Co Pooled 100MB", 365, 0.0, 25.0, 8.0, 104857600, 10485760, 1.0, 0.0, 0, 1,
	     0.05},
	    {"ACME Co SMS Only", 30, 0.0, 0.0, 0.5, 0, 1024, 0.01, 2.0, 500, 1, 0.02},
	};
	for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		json_t *plan = json_pack(
		    "{s:s, s:i, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:I, s:I, s:f}", "name",
		    plans[i].name, "days_in_term", plans[i].days, "activation_fee",
		    plans[i].activation, "termination_fee", plans[i].termination,
		    "monthly_data_plan_cost", plans[i].data_cost, "monthly_data_allowance_bytes",
		    plans[i].allowance, "overage_data_unit_bytes", plans[i].overage_unit,
		    "overage_data_unit_cost", plans[i].overage_cost, "monthly_sms_plan_cost",
		    plans[i].sms_cost, "monthly_sms_allowance", plans[i].sms_allowance,
		    "overage_sms_unit", plans[i].sms_unit, "overage_sms_unit_cost",
		    plans[i].sms_unit_cost);
		if (!plan || json_array_append_new(store->rate_plans, plan) != 0)
			return -1;
	}
	return 0;
}

static int add_users(struct store *store)
{
	static const char *const first[] = {"alice", "bob",   "carol", "dave", "erin",
	                                    "frank", "grace", "heidi", "ivan", "judy"};
	static const char *const teams[] = {"ops", "fleet", "billing"};
	char name[64];
	if (json_array_append_new(store->users, json_string("admin")) != 0)
		return -1;
	for (size_t t = 0; t < 3; t++)
		for (size_t f = 0; f < 8; f++) {
			snprintf(name, sizeof name, "%s.%s", teams[t], first[(f + t * 3) % 10]);
			if (json_array_append_new(store->users, json_string(name)) != 0)
				return -1;
		}
	return 0;
}

int store_fill_default(struct store *store, size_t device_count)
{
	struct sim_random random;
	sim_random_init(&random, store->seed);
	if (add_rate_plans(store) != 0 || add_users(store) != 0)
		return -1;
	size_t plan_count = json_array_size(store->rate_plans);
	for (size_t i = 0; i < device_count; i++) {
		char name[32], iccid[24], imei[20];
		snprintf(name, sizeof name, "%zu", 36500 + i);
		random_number(&random, "8901260", iccid, 20, 1);
		random_number(&random, "35", imei, 15, 1);
		/* Mostly active, some suspended, a few deactivated: enough to filter by state. */
		const char *state = i % 13 == 12 ? "deactivated"
		                    : i % 7 == 6 ? "suspended"
		                                 : "active";
		json_t *fields =
		    device_fields(&random, (json_int_t)(1000 + i), name, iccid, imei, state, NULL);
		const char *plan = json_string_value(
		    json_object_get(json_array_get(store->rate_plans, i % plan_count), "name"));
		/* Every tenth device is on a carrier without SMS support (the text: VDF only). */
		json_t *extra = json_pack("{s:s, s:b, s:[]}", "rate_plan_name", plan, "sms_capable",
		                          i % 10 != 9, "sms_log");
		if (!fields || !extra) {
			json_decref(fields);
			json_decref(extra);
			return -1;
		}
		if (store_add_device(store, fields, extra) != 0)
			return -1;
	}
	return 0;
}

json_t *store_new_activation(struct store *store, const char *iccid, const char *imei,
                             const json_t *entry)
{
	struct sim_random random;
	sim_random_init(&random, store->seed ^ hash64(iccid, strlen(iccid), 0x51ED));
	json_int_t id = (json_int_t)store->next_id;
	json_t *fields =
	    device_fields(&random, id, iccid, iccid, imei ? imei : "", "active", entry);
	if (!fields)
		return NULL;
	/* A new device has used nothing yet and belongs to no cost center; it
	 * was activated now (read-backs compare this with the time of their call). */
	char now_text[32];
	time_t now = time(NULL);
	struct tm now_utc;
	if (gmtime_r(&now, &now_utc) &&
	    strftime(now_text, sizeof now_text, "%Y-%m-%dT%H:%M:%SZ", &now_utc))
		json_object_set_new(fields, "last_activation_date", json_string(now_text));
	json_object_set_new(fields, "cost_center", json_string(""));
	json_object_set_new(fields, "bytes_used", json_integer(0));
	json_object_set_new(fields, "sms_used", json_integer(0));
	json_object_set_new(fields, "connected", json_false());
	return fields;
}
