/* The field validators the operation table uses (one per rule set; see
 * docs/validation.md). Each has the field_validator signature of op.h: it
 * checks a present, non-empty value and on failure appends only the rule
 * ("check digit wrong (Luhn)") and returns -1. Row-specific details are
 * always written as a parenthesised "(got ...)" so the rule label can drop
 * them. Pure functions: the simulator reuses them. */
#ifndef LATTIGO_VALIDATORS_H
#define LATTIGO_VALIDATORS_H

#include "ops/op.h"

/* Limits documented in docs/validation.md. */
enum {
	NOTE_ACTIVATION_MAX = 250, /* note..note3 inside an activation request */
	NOTE_ENDPOINT_MAX = 100,   /* v2/devices/:device_name/note */
	SMS_GSM7_MAX = 160, /* one SMS in the GSM 7-bit alphabet (extension characters count 2) */
	SMS_UCS2_MAX = 70,  /* one SMS needing UCS-2 */
	DEVICE_NAME_MAX = 128,
	NAME_MAX_CHARACTERS = 100, /* rate_plan_name, cost_center, each username */
	USERNAMES_MAX = 50,
	REGION_CODE_MAX = 10,
	SKU_MAX = 64,
	EMAIL_MAX = 254,
};

/* Spreadsheet damage on an identifier (scientific notation, trailing .0):
 * appends the explanation and returns -1, or returns 0 when none is seen. */
int validate_spreadsheet_damage(const char *value, struct strbuf *rule);

field_validator validate_imei;
field_validator validate_iccid;
field_validator validate_device_sku;
field_validator validate_note_activation;
field_validator validate_note_endpoint;
field_validator validate_field_name;
field_validator validate_state;
field_validator validate_action;
field_validator validate_id_type;
field_validator validate_kb_limit;
field_validator validate_usernames;
field_validator validate_upload_email;
field_validator validate_upload_sku;
field_validator validate_sms_text;
field_validator validate_device_name;
field_validator validate_rate_plan_name;
field_validator validate_region_code;
field_validator validate_cost_center;

/* Parses a kb_limit that validate_kb_limit accepted. Returns 0 or -1. */
int kb_limit_parse(const char *value, long long *limit);

/* The id_type values accepted, NULL-terminated (for docs and `ops`). */
extern const char *const id_type_values[];

#endif
