/* Validators for fields that take one of a fixed set of words: field_name,
 * state, action, id_type. Exact lower-case matches, because the value is
 * sent to the API as given. */
#include "ops/text.h"
#include "ops/validators.h"

#include <string.h>

const char *const id_type_values[] = {"device_name", "iccid", "imei", "imsi", "msisdn",
                                      "mdn",         "meid",  "esn",  "min",  NULL};

static const char *const field_name_values[] = {"note", "note1", "note2", "note3", NULL};
static const char *const state_values[] = {"suspend", "restore", NULL};
static const char *const action_values[] = {"suspend", "email", NULL};

static int require_one_of(const char *value, size_t length, const char *const *choices,
                          struct strbuf *rule)
{
	for (size_t index = 0; choices[index]; index++)
		if (strcmp(value, choices[index]) == 0)
			return 0;
	strbuf_append_string(rule, "must be one of ");
	for (size_t index = 0; choices[index]; index++)
		strbuf_appendf(rule, "%s%s", index ? ", " : "", choices[index]);
	strbuf_append_string(rule, " (got '");
	text_quote(rule, value, length, 40);
	strbuf_append_string(rule, "')");
	return -1;
}

int validate_field_name(const char *value, size_t length, const struct validation_options *options,
                        struct strbuf *rule)
{
	(void)options;
	return require_one_of(value, length, field_name_values, rule);
}

int validate_state(const char *value, size_t length, const struct validation_options *options,
                   struct strbuf *rule)
{
	(void)options;
	return require_one_of(value, length, state_values, rule);
}

int validate_action(const char *value, size_t length, const struct validation_options *options,
                    struct strbuf *rule)
{
	(void)options;
	return require_one_of(value, length, action_values, rule);
}

int validate_id_type(const char *value, size_t length, const struct validation_options *options,
                     struct strbuf *rule)
{
	(void)options;
	return require_one_of(value, length, id_type_values, rule);
}

const char *const *validator_choices(field_validator *validate)
{
	if (validate == validate_field_name)
		return field_name_values;
	if (validate == validate_state)
		return state_values;
	if (validate == validate_action)
		return action_values;
	if (validate == validate_id_type)
		return id_type_values;
	return NULL;
}
