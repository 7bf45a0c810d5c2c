/* The built-in data set and the fixed fields of activated devices, all
 * derived from the seed so two runs with the same --seed are identical.
 * Built-in device number i draws DRAWS_PER_DEVICE numbers from one splitmix64
 * stream starting at i * DRAWS_PER_DEVICE, so any device is generated on its
 * own, in any order, without walking the ones before it. */
#include "sim/dataset.h"

#include "common/hash.h"
#include "common/random.h"

#include <stdio.h>
#include <string.h>

/* 13 ICCID digits + 13 IMEI digits + 31 for the fixed fields (see fixed_fields). */
#define DRAWS_PER_DEVICE 57

/* Fills digits[0..length-1] with random digits after prefix and, when
 * with_check_digit, replaces the last one with the Luhn check digit. */
static void random_number(uint64_t *random, const char *prefix, char *digits, size_t length,
                          int with_check_digit)
{
	size_t prefix_length = strlen(prefix);
	memcpy(digits, prefix, prefix_length);
	for (size_t i = prefix_length; i < length; i++)
		digits[i] = (char)('0' + random_below(random, 10));
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

static void stream_at(uint64_t *random, uint64_t seed, size_t position)
{
	random_seed(random, seed + (uint64_t)position * DRAWS_PER_DEVICE * RANDOM_GAMMA);
}

void dataset_identifiers(uint64_t seed, size_t position, char iccid[24], char imei[20])
{
	uint64_t random;
	stream_at(&random, seed, position);
	random_number(&random, "8901260", iccid, 20, 1);
	random_number(&random, "35", imei, 15, 1);
}

/* The fields are formatted by hand, not by snprintf: a listing page writes a
 * thousand devices, and printf was most of the simulator's time for one. */

/* Writes value in base (10 or 16, lower case) at at; returns the end. */
static char *put_number(char *at, unsigned value, unsigned base)
{
	char digits[12];
	size_t count = 0;
	do
		digits[count++] = "0123456789abcdef"[value % base];
	while ((value /= base) != 0);
	while (count)
		*at++ = digits[--count];
	return at;
}

static char *put_two_digits(char *at, unsigned value)
{
	*at++ = (char)('0' + value / 10 % 10);
	*at++ = (char)('0' + value % 10);
	return at;
}

static char *put_text(char *at, const char *text)
{
	size_t length = strlen(text);
	memcpy(at, text, length);
	return at + length;
}

/* ten_thousandths / 10000 as %.10g prints it (at most 4 decimals, trailing
 * zeros dropped; no ".0" for a whole number, as %g). */
static void put_decimal(char *out, int64_t ten_thousandths)
{
	char *at = out;
	uint64_t magnitude =
	    ten_thousandths < 0 ? (uint64_t)-ten_thousandths : (uint64_t)ten_thousandths;
	if (ten_thousandths < 0)
		*at++ = '-';
	at = put_number(at, (unsigned)(magnitude / 10000), 10);
	unsigned fraction = (unsigned)(magnitude % 10000);
	if (fraction) {
		*at++ = '.';
		for (unsigned unit = 1000; fraction; unit /= 10) {
			*at++ = (char)('0' + fraction / unit);
			fraction %= unit;
		}
	}
	*at = '\0';
}

/* The 31 draws of the fixed fields, one statement each so the order is fixed. */
static void fixed_fields(uint64_t *random, struct device_static *out)
{
	random_number(random, "555", out->mdn, 10, 0);
	random_number(random, "310260", out->imsi, 15, 0);
	out->msisdn[0] = '1';
	memcpy(out->msisdn + 1, out->mdn, sizeof out->mdn);
	uint64_t bits = random_next(random);
	char *at = put_text(out->ip, "10.");
	at = put_number(at, (unsigned)(bits & 0xFF), 10);
	*at++ = '.';
	at = put_number(at, (unsigned)(bits >> 8 & 0xFF), 10);
	*at++ = '.';
	at = put_number(at, (unsigned)(bits >> 16 & 0xFD) + 1, 10);
	*at = '\0';
	at = put_text(out->ipv6, "fd00::");
	at = put_number(at, (unsigned)(bits >> 24 & 0xFFFF), 16);
	*at++ = ':';
	at = put_number(at, (unsigned)(bits >> 40 & 0xFFFF), 16);
	*at = '\0';
	out->connected = (int)(bits >> 60 & 1);
	unsigned month = (unsigned)random_below(random, 10) + 1;
	unsigned day = (unsigned)random_below(random, 28) + 1;
	unsigned hour = (unsigned)random_below(random, 24);
	unsigned minute = (unsigned)random_below(random, 60);
	at = put_two_digits(put_text(out->date, "2026-"), month);
	at = put_two_digits(put_text(at, "-"), day);
	at = put_two_digits(put_text(at, "T"), hour);
	at = put_two_digits(put_text(at, ":"), minute);
	*put_text(at, ":00Z") = '\0';
	month = (unsigned)random_below(random, 12) + 1;
	day = (unsigned)random_below(random, 28) + 1;
	at = put_two_digits(put_text(out->activation, "2025-"), month);
	at = put_two_digits(put_text(at, "-"), day);
	*put_text(at, "T12:00:00Z") = '\0';
	unsigned number = (unsigned)random_below(random, 9000) + 100;
	const char *street = streets[random_below(random, 5)];
	const char *city = cities[random_below(random, 4)];
	at = put_number(out->address, number, 10);
	*at++ = ' ';
	at = put_text(put_text(put_text(at, street), ", "), city);
	*at = '\0';
	out->cost_center = cost_centers[random_below(random, 5)];
	uint64_t latitude = random_below(random, 150000);
	uint64_t longitude = random_below(random, 300000);
	out->latitude = 30.0 + (double)latitude / 10000.0;
	out->longitude = -120.0 + (double)longitude / 10000.0;
	put_decimal(out->latitude_text, 300000 + (int64_t)latitude);
	put_decimal(out->longitude_text, -1200000 + (int64_t)longitude);
	out->bytes_used = (int64_t)random_below(random, 50000000);
	out->sms_used = (int64_t)random_below(random, 200);
}

void dataset_static(uint64_t seed, int activated, int64_t id, const char *iccid,
                    struct device_static *out)
{
	uint64_t random;
	if (!activated) {
		stream_at(&random, seed, (size_t)(id - DATASET_FIRST_ID));
		random += 26 * RANDOM_GAMMA; /* past the ICCID and IMEI digits' draws */
		fixed_fields(&random, out);
		return;
	}
	random_seed(&random, seed ^ hash64(iccid, strlen(iccid), 0x51ED));
	fixed_fields(&random, out);
	/* A new device has used nothing yet and belongs to no cost center. */
	out->cost_center = "";
	out->bytes_used = 0;
	out->sms_used = 0;
	out->connected = 0;
}

const char *dataset_initial_state(size_t position)
{
	/* Mostly active, some suspended, a few deactivated: enough to filter by state. */
	return position % 13 == 12 ? "deactivated" : position % 7 == 6 ? "suspended" : "active";
}

int dataset_add_rate_plans(json_t *list)
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
		if (!plan || json_array_append_new(list, plan) != 0)
			return -1;
	}
	return 0;
}

int dataset_add_users(json_t *list)
{
	static const char *const first[] = {"alice", "bob",   "carol", "dave", "erin",
	                                    "frank", "grace", "heidi", "ivan", "judy"};
	static const char *const teams[] = {"ops", "fleet", "billing"};
	char name[64];
	if (json_array_append_new(list, json_string("admin")) != 0)
		return -1;
	for (size_t t = 0; t < 3; t++)
		for (size_t f = 0; f < 8; f++) {
			snprintf(name, sizeof name, "%s.%s", teams[t], first[(f + t * 3) % 10]);
			if (json_array_append_new(list, json_string(name)) != 0)
				return -1;
		}
	return 0;
}
