/* The read endpoint table (docs/usage.md "export" is checked against it). */
#include "export/read_endpoint.h"

#include <string.h>
#include <strings.h>

/* Field lists from the API text: the CSV columns of each kind of object. */
static const char *const device_fields[] = {"id",          "device_name",
                                            "ip_address",  "ipv6",
                                            "note",        "state",
                                            "mdn",         "meid",
                                            "imsi",        "imei",
                                            "iccid",       "esn",
                                            "msisdn",      "min",
                                            "connected",   "last_connection_date",
                                            "cost_center", "last_activation_date",
                                            "latitude",    "longitude",
                                            "address",     "bytes_used",
                                            "sms_used",    "note1",
                                            "note2",       "note3"};
static const char *const report_fields[] = {
    "id",          "latitude",    "longitude",   "speed",      "heading",  "altitude",
    "gps_quality", "unit_status", "time_of_fix", "battery",    "voltage",  "event_code",
    "temperature", "created_at",  "type",        "fuel_level", "distance", "rssi"};
static const char *const usage_fields[] = {"id", "date_for", "bytes_used", "sms_used"};
static const char *const sms_fields[] = {
    "event_id",     "event_status", "event_timestamp",  "event_type",    "imsi",
    "message_body", "msisdn",       "report_timestamp", "failure_reason"};
static const char *const rate_plan_fields[] = {"name",
                                               "days_in_term",
                                               "activation_fee",
                                               "termination_fee",
                                               "monthly_data_plan_cost",
                                               "monthly_data_allowance_bytes",
                                               "overage_data_unit_bytes",
                                               "overage_data_unit_cost",
                                               "monthly_sms_plan_cost",
                                               "monthly_sms_allowance",
                                               "overage_sms_unit",
                                               "overage_sms_unit_cost"};
static const char *const user_fields[] = {"username"};

#define FIELDS(list) list, sizeof(list) / sizeof(list[0])
#define HISTORY      (READ_PARAM_DATES | READ_PARAM_LIMIT | READ_PARAM_ID_TYPE)

const struct read_endpoint read_endpoints[] = {
    {"daily-usage", "v2/devices/{device_name}/daily_data_usages", true, READ_PAGED, HISTORY,
     FIELDS(usage_fields), NULL, "daily data usage of each device of --manifest"},
    {"device", "v2/devices/{device_name}", true, READ_OBJECT, READ_PARAM_ID_TYPE,
     FIELDS(device_fields), NULL, "the device object of each device of --manifest"},
    {"devices", "v2/devices", false, READ_PAGED, READ_PARAM_STATE | READ_PARAM_DETAILS,
     FIELDS(device_fields), "device_name",
     "every device of the account (details, or names with --no-details), optionally --state"},
    {"monthly-usage", "v2/devices/{device_name}/monthly_data_usages", true, READ_PAGED, HISTORY,
     FIELDS(usage_fields), NULL, "monthly data usage of each device of --manifest"},
    {"rate-plans", "v2/rate_plans", false, READ_PAGED, 0, FIELDS(rate_plan_fields), "name",
     "the account's rate plans"},
    {"reports", "v2/devices/{device_name}/device_reports", true, READ_PAGED, HISTORY,
     FIELDS(report_fields), NULL, "device reports of each device of --manifest"},
    {"sms-log", "v2/devices/{device_name}/get_sms", true, READ_ARRAY,
     READ_PARAM_DATES | READ_PARAM_DIRECTION | READ_PARAM_ID_TYPE, FIELDS(sms_fields), NULL,
     "SMS MT status objects of each device of --manifest"},
    {"users", "v2/users", false, READ_PAGED, 0, FIELDS(user_fields), "username",
     "the account's usernames"},
};
const size_t read_endpoint_count = sizeof(read_endpoints) / sizeof(read_endpoints[0]);

const char *const read_device_states[] = {"active", "deactivated", "pending", "suspended", NULL};

const struct read_endpoint *read_endpoint_find(const char *kind)
{
	for (size_t index = 0; index < read_endpoint_count; index++)
		if (strcmp(read_endpoints[index].kind, kind) == 0)
			return &read_endpoints[index];
	return NULL;
}

const char *read_device_state_hint(const char *text)
{
	/* A state differing only in case, or one the text starts (or is started
	 * by) — "suspend" for "suspended", "Active", "deactivate". */
	size_t length = strlen(text);
	for (size_t index = 0; read_device_states[index]; index++) {
		const char *state = read_device_states[index];
		size_t state_length = strlen(state);
		size_t shorter = length < state_length ? length : state_length;
		if (shorter >= 3 && strncasecmp(state, text, shorter) == 0)
			return state;
	}
	return NULL;
}
