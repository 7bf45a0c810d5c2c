/* The generated part of devices: what never changes through the API is
 * derived from the seed and the device's origin (its position in the built-in
 * data set, or the ICCID of its activation), so it is computed when shown
 * instead of stored. Ownership: plain values in caller-provided structs. */
#ifndef LATTIGO_SIM_DATASET_H
#define LATTIGO_SIM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define DATASET_FIRST_NAME 36500
#define DATASET_FIRST_ID   1000

/* The fixed fields of one generated device. */
struct device_static {
	char ip[24], ipv6[40], mdn[12], imsi[16], msisdn[16], date[32], activation[32];
	char address[96];
	int connected;
	const char *cost_center; /* static text */
	double latitude, longitude;
	/* the same as JSON_REAL_PRECISION(10) prints them, without ".0" */
	char latitude_text[16], longitude_text[16];
	int64_t bytes_used, sms_used;
};

/* The ICCID and IMEI of built-in device number position (0-based). */
void dataset_identifiers(uint64_t seed, size_t position, char iccid[24], char imei[20]);
/* The fixed fields of a built-in device (activated = 0: id is its id) or of
 * one created by activating iccid (activated = 1). */
void dataset_static(uint64_t seed, int activated, int64_t id, const char *iccid,
                    struct device_static *out);
/* The state of built-in device number position, as the data set starts it. */
const char *dataset_initial_state(size_t position);
/* Appends the rate plans (objects) / usernames of the built-in account to
 * list. Return 0 or -1. */
int dataset_add_rate_plans(json_t *list);
int dataset_add_users(json_t *list);

#endif
