/* Descriptions of the validators for templates: one row per validator. */
#include "ops/field_rules.h"

#include <stddef.h>

#include "ops/validators.h"

struct rule_row {
	field_validator *validate;
	const char *text;
	const char *example;
};

/* The limits quoted here are those of validators.h (docs/validation.md). */
static const struct rule_row rules[] = {
    {validate_iccid,
     "19 or 20 digits starting 89; the last digit is a Luhn check digit. "
     "Keep this column formatted as Text.",
     "89440000000000000002"},
    {validate_imei,
     "15 digits; the last digit is a Luhn check digit. Keep this column "
     "formatted as Text.",
     "356938035643809"},
    {validate_device_sku, "1 to 64 characters: letters, digits and - _ . / + # or space.",
     "TRK-4G-EU"},
    {validate_upload_sku, "1 to 64 characters: letters, digits and - _ . / + # or space.",
     "TRK-4G-EU"},
    {validate_note_activation, "Free text, at most 250 characters.", "lot 42, pallet 3"},
    {validate_note_endpoint, "Free text, at most 100 characters.", "moved to depot B"},
    {validate_field_name, "Which note to write: pick from the list.", "note"},
    {validate_state, "Pick from the list: suspend or restore.", "suspend"},
    {validate_action, "Pick from the list.", "suspend"},
    {validate_id_type,
     "How device_name identifies the device: pick from the list "
     "(empty means device_name).",
     "iccid"},
    {validate_kb_limit, "A whole number of kilobytes from 1 to 2147483647.", "5120"},
    {validate_usernames, "1 to 50 user names separated by ';'.", "ops;alice"},
    {validate_upload_email, "An e-mail address (local@domain.tld).", "ops@example.com"},
    {validate_sms_text,
     "One SMS: up to 160 characters of the GSM alphabet, or 70 with "
     "other characters.",
     "Reboot please"},
    {validate_device_name,
     "1 to 128 characters, no control characters, no '/'. Keep "
     "this column formatted as Text.",
     "89440000000000000002"},
    {validate_rate_plan_name, "The rate plan's name, 1 to 100 characters.", "ACME 5MB"},
    {validate_region_code, "1 to 10 letters, digits, '-' or spaces (a zip code in the US).",
     "94103"},
    {validate_cost_center, "The cost center's name, 1 to 100 characters.", "Fleet EU"},
};

static const struct rule_row *find(field_validator *validate)
{
	for (size_t index = 0; index < sizeof(rules) / sizeof(rules[0]); index++)
		if (rules[index].validate == validate)
			return &rules[index];
	return NULL;
}

const char *field_rule_text(field_validator *validate)
{
	const struct rule_row *row = find(validate);
	return row ? row->text : "Any text.";
}

const char *field_rule_example(field_validator *validate)
{
	const struct rule_row *row = find(validate);
	return row ? row->example : "";
}

const char *const *field_rule_choices(field_validator *validate)
{
	return validator_choices(validate);
}

bool field_rule_is_whole_number(field_validator *validate)
{
	return validate == validate_kb_limit;
}
