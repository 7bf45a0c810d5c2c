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

/* Spreadsheet damage on an identifier of length bytes (scientific notation, trailing .0):
 * appends the explanation and returns -1, or returns 0 when none is seen. */
int validate_spreadsheet_damage(const char *value, size_t length, struct strbuf *rule);

/* 15 digits with a Luhn check digit; explains 14-digit, IMEISV and spreadsheet damage. */
field_validator validate_imei;
/* 19-20 digits starting 89 with a Luhn check digit (unless skip_luhn_iccid). */
field_validator validate_iccid;
/* 1-64 characters of letters, digits and - _ . / + # space; no spreadsheet damage. */
field_validator validate_device_sku;
/* note..note3 of an activation: at most 250 characters of the note alphabet. */
field_validator validate_note_activation;
/* note of the note endpoint: at most 100 characters of the note alphabet. */
field_validator validate_note_endpoint;
/* One of note, note1, note2, note3. */
field_validator validate_field_name;
/* One of suspend, restore. */
field_validator validate_state;
/* One of suspend, email. */
field_validator validate_action;
/* One of id_type_values. */
field_validator validate_id_type;
/* Digits only, 1 to 2147483647. */
field_validator validate_kb_limit;
/* A ';'-separated list of 1-50 non-empty names. */
field_validator validate_usernames;
/* local@domain.tld, the RFC 5322 subset of docs/validation.md. */
field_validator validate_upload_email;
/* As validate_device_sku. */
field_validator validate_upload_sku;
/* One SMS: 160 GSM 7-bit characters or 70 UCS-2 characters. */
field_validator validate_sms_text;
/* 1-128 characters, no control characters, no '/', not "." or "..". */
field_validator validate_device_name;
/* 1-100 characters, no control characters. */
field_validator validate_rate_plan_name;
/* 1-10 letters, digits, '-' or spaces (a 5-digit zip code in the US). */
field_validator validate_region_code;
/* 1-100 characters, no control characters. */
field_validator validate_cost_center;

/* Parses a kb_limit that validate_kb_limit accepted. Returns 0 or -1. */
int kb_limit_parse(const char *value, long long *limit);

/* The words validate accepts when it takes one of a fixed set (field_name,
 * state, action, id_type), NULL-terminated; NULL for other validators. */
const char *const *validator_choices(field_validator *validate);

/* The id_type values accepted, NULL-terminated (for docs and `ops`). */
extern const char *const id_type_values[];

#endif
