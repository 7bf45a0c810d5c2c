/* Unit tests for every field validator: accepted values, rejected values and
 * the exact rule text, including spreadsheet damage and the note alphabet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ops/text.h"
#include "ops/validate.h"
#include "ops/validators.h"

static const struct validation_options strict = {false, false};

/* Runs validator on value and returns the rule text ("" when accepted). */
static const char *run(field_validator *validator, const char *value,
                       const struct validation_options *options)
{
	static struct strbuf rule;
	static int initialised;
	if (!initialised) {
		strbuf_init(&rule, 4096);
		initialised = 1;
	}
	strbuf_reset(&rule);
	int result = validator(value, strlen(value), options, &rule);
	assert_int_equal(result, rule.length ? -1 : 0);
	return strbuf_text(&rule);
}

static void accepts(field_validator *validator, const char *value)
{
	const char *rule = run(validator, value, &strict);
	if (*rule)
		fail_msg("'%s' was rejected: %s", value, rule);
}

static void rejects(field_validator *validator, const char *value, const char *expected)
{
	const char *rule = run(validator, value, &strict);
	if (!*rule)
		fail_msg("'%s' was accepted", value);
	if (strstr(rule, expected) == NULL)
		fail_msg("'%s': rule '%s' lacks '%s'", value, rule, expected);
}

static void imei_rules(void **state)
{
	(void)state;
	accepts(validate_imei, "490154203237518");
	accepts(validate_imei, "356938035643809");
	rejects(validate_imei, "490154203237517", "check digit wrong (Luhn)");
	rejects(validate_imei, "35693803564380", "14 digits — the check digit is missing");
	rejects(validate_imei, "4901542032375180",
	        "16 digits — this is an IMEISV (software version), not an IMEI");
	rejects(validate_imei, "4901542032", "must be 15 digits (got 10)");
	rejects(validate_imei, "49015420323751x",
	        "must contain only digits (got 'x' at position 15)");
	rejects(validate_imei, "4901 54203237518", "(got ' ' at position 5)");
	rejects(validate_imei, "4.90154E+14",
	        "in scientific notation (got 4.90154E+14) — the "
	        "spreadsheet turned it into a number and lost digits");
	rejects(validate_imei, "490154203237518.0",
	        "ends in .0 — the spreadsheet stored it as a "
	        "number; remove the .0 / export as text");
	/* 012345678901237 is Luhn-valid: without its 0 it is 14 digits. */
	rejects(validate_imei, "12345678901237", "the leading 0 was probably dropped");
	const struct validation_options no_luhn = {false, true};
	assert_string_equal(run(validate_imei, "490154203237517", &no_luhn), "");
	assert_string_equal(run(validate_imei, "35693803564380", &no_luhn),
	                    "14 digits — the check digit is missing");
}

static void iccid_rules(void **state)
{
	(void)state;
	accepts(validate_iccid, "89014103211118510720");
	accepts(validate_iccid, "8901410321111851072"); /* 19 digits, Luhn-valid */
	rejects(validate_iccid, "89014103211118510721", "check digit wrong (Luhn)");
	rejects(validate_iccid, "890141032111185107", "must be 19 or 20 digits (got 18)");
	rejects(validate_iccid, "790141032111185107200", "must be 19 or 20 digits (got 21)");
	rejects(validate_iccid, "79014103211118510720",
	        "must start with 89 (ITU-T E.118 telecom prefix)");
	rejects(validate_iccid, "8.9E+19", "in scientific notation (got 8.9E+19)");
	rejects(validate_iccid, "8,9014E+19", "in scientific notation");
	rejects(validate_iccid, "89014103211118510720.0", "ends in .0");
	rejects(validate_iccid, "8901410321111851072F",
	        "must contain only digits (got 'F' at position 20)");
	const struct validation_options no_luhn = {true, false};
	assert_string_equal(run(validate_iccid, "89014103211118510721", &no_luhn), "");
	assert_string_equal(run(validate_iccid, "890141032111185107", &no_luhn),
	                    "must be 19 or 20 digits (got 18)");
}

static void sku_rules(void **state)
{
	(void)state;
	accepts(validate_device_sku, "XYZ000000012345");
	accepts(validate_upload_sku, "ACME-IOT/2 rev.B");
	rejects(validate_device_sku, "1.2345E+14", "in scientific notation");
	rejects(validate_upload_sku, "ab<c", "character not allowed (got '<' at position 3)");
	char long_sku[80];
	memset(long_sku, 'A', sizeof(long_sku) - 1);
	long_sku[79] = '\0';
	rejects(validate_upload_sku, long_sku, "longer than 64 characters (got 79)");
}

static void note_rules(void **state)
{
	(void)state;
	accepts(validate_note_activation, "Lot 42 (rack B), shipped 2026-11-25; ok!");
	accepts(validate_note_activation, "Café Zürich - no");
	rejects(validate_note_activation, "Café — no", "(got '—' (U+2014) at position 6)");
	accepts(validate_note_activation, "=SUM(A1) + @home #7 50% *x* ~y $3 [a] \"q\" 'r'");
	accepts(validate_note_activation, "Łódź Ærøskøbing Ñandú");
	rejects(validate_note_activation, "a\tb",
	        "contains a control character (got tab (U+0009) at position 2)");
	rejects(validate_note_activation, "line\nbreak", "line feed (U+000A) at position 5");
	rejects(validate_note_activation, "price 5€",
	        "character not allowed (got '€' (U+20AC) at position 8)");
	rejects(validate_note_activation, "a<b>", "character not allowed (got '<' at position 2)");
	rejects(validate_note_activation, "x × y", "(got '×' (U+00D7) at position 3)");
	rejects(validate_note_activation, "bad \xe9 byte",
	        "not valid UTF-8 text (got byte 0xE9 at byte 5)");
	char note[260 * 2 + 1];
	/* 250 two-byte characters are 250 characters, not 500. */
	for (size_t index = 0; index < 250; index++)
		memcpy(note + index * 2, "\xc3\xa9", 2);
	note[500] = '\0';
	accepts(validate_note_activation, note);
	rejects(validate_note_endpoint, note, "longer than 100 characters (got 250)");
	memcpy(note + 500, "\xc3\xa9", 3);
	rejects(validate_note_activation, note, "longer than 250 characters (got 251)");
	char hundred[101];
	memset(hundred, 'n', 100);
	hundred[100] = '\0';
	accepts(validate_note_endpoint, hundred);
}

/* The note alphabet's ASCII set (a constant in text.c) is exactly letters,
 * digits, space and text_note_punctuation. */
static void note_alphabet_matches_its_punctuation(void **state)
{
	(void)state;
	for (uint32_t byte = 0; byte < 128; byte++) {
		char character = (char)byte;
		bool expected = (character >= 'a' && character <= 'z') ||
		                (character >= 'A' && character <= 'Z') ||
		                (character >= '0' && character <= '9') || character == ' ' ||
		                (byte != 0 && strchr(text_note_punctuation, character) != NULL);
		assert_int_equal(text_set_allows(&text_note_alphabet, byte), expected);
	}
}

/* The region code and SKU sets (maps in validate_names.c and validate_ids.c)
 * are exactly what docs/validation.md says, for every ASCII character. */
static void region_and_sku_sets_are_as_documented(void **state)
{
	(void)state;
	for (unsigned byte = 1; byte < 128; byte++) {
		char character = (char)byte;
		bool alphanumeric = (character >= 'a' && character <= 'z') ||
		                    (character >= 'A' && character <= 'Z') ||
		                    (character >= '0' && character <= '9');
		char value[4] = {'A', character, 'B', '\0'};
		const char *rule = run(validate_region_code, value, &strict);
		assert_int_equal(rule[0] == '\0',
		                 alphanumeric || character == '-' || character == ' ');
		rule = run(validate_device_sku, value, &strict);
		assert_int_equal(rule[0] == '\0',
		                 alphanumeric || (character && strchr("-_./+# ", character)));
	}
}

static void choice_rules(void **state)
{
	(void)state;
	const char *field_names[] = {"note", "note1", "note2", "note3"};
	for (size_t index = 0; index < 4; index++)
		accepts(validate_field_name, field_names[index]);
	rejects(validate_field_name, "note4",
	        "must be one of note, note1, note2, note3 (got 'note4')");
	accepts(validate_state, "suspend");
	accepts(validate_state, "restore");
	rejects(validate_state, "Suspend", "must be one of suspend, restore (got 'Suspend')");
	rejects(validate_state, "activate", "(got 'activate')");
	accepts(validate_action, "suspend");
	accepts(validate_action, "email");
	rejects(validate_action, "e-mail", "must be one of suspend, email");
	for (size_t index = 0; id_type_values[index]; index++)
		accepts(validate_id_type, id_type_values[index]);
	rejects(validate_id_type, "serial", "must be one of device_name, iccid, imei");
	rejects(validate_id_type, "x\ny", "(got 'x\\ny')");
}

static void kb_limit_rules(void **state)
{
	(void)state;
	accepts(validate_kb_limit, "1024");
	accepts(validate_kb_limit, "1");
	accepts(validate_kb_limit, "2147483647");
	rejects(validate_kb_limit, "0", "must be a positive whole number of kilobytes (got 0)");
	rejects(validate_kb_limit, "-5", "(got '-5')");
	rejects(validate_kb_limit, "+5", "(got '+5')");
	rejects(validate_kb_limit, "1.5", "must be a positive whole number");
	rejects(validate_kb_limit, "10 MB", "(got '10 MB')");
	rejects(validate_kb_limit, "2147483648", "must be at most 2147483647 (got 2147483648)");
	rejects(validate_kb_limit, "99999999999999999999999", "must be at most 2147483647");
	rejects(validate_kb_limit, "1024.0", "ends in .0");
	long long limit = 0;
	assert_int_equal(kb_limit_parse("01024", &limit), 0);
	assert_int_equal(limit, 1024);
}

static void username_rules(void **state)
{
	(void)state;
	accepts(validate_usernames, "alice");
	accepts(validate_usernames, "alice;bob");
	accepts(validate_usernames, "alice; bob ;carol");
	rejects(validate_usernames, "alice;;bob",
	        "empty name in the ';'-separated list (got an empty name at position 2)");
	rejects(validate_usernames, "alice;", "at position 2");
	rejects(validate_usernames, ";", "at position 1");
	rejects(validate_usernames, "al\x01ice", "contains a control character");
	struct strbuf many;
	strbuf_init(&many, 4096);
	for (int index = 0; index < 51; index++)
		strbuf_appendf(&many, "%su%d", index ? ";" : "", index);
	rejects(validate_usernames, strbuf_text(&many), "more than 50 names");
	strbuf_release(&many);
}

static void email_rules(void **state)
{
	(void)state;
	accepts(validate_upload_email, "name@vendor.com");
	accepts(validate_upload_email, "name@vendor_company.com"); /* the API text's own example */
	accepts(validate_upload_email, "first.last+iot@mail.vendor.co.uk");
	rejects(validate_upload_email, "vendor.com", "not an e-mail address: no '@'");
	rejects(validate_upload_email, "a@b@vendor.com", "more than one '@'");
	rejects(validate_upload_email, "@vendor.com", "the part before '@' must be 1 to 64");
	rejects(validate_upload_email, "name@vendor", "the domain needs a dot");
	rejects(validate_upload_email, "name@vendor..com", "dot-separated names");
	rejects(validate_upload_email, ".name@vendor.com", "must not start or end with '.'");
	rejects(validate_upload_email, "na..me@vendor.com", "contain '..'");
	rejects(validate_upload_email, "name@-vendor.com", "must not start or end with '-'");
	rejects(validate_upload_email, "na me@vendor.com", "character not allowed before '@'");
	rejects(validate_upload_email, "name@ven dor.com", "character not allowed in the domain");
}

static void sms_rules(void **state)
{
	(void)state;
	char text[200];
	memset(text, 'a', 160);
	text[160] = '\0';
	accepts(validate_sms_text, text);
	accepts(validate_sms_text, "Reboot now.\nThanks — no wait"); /* em dash: UCS-2, 28 chars */
	text[160] = 'a';
	text[161] = '\0';
	rejects(validate_sms_text, text, "longer than one SMS: 160 GSM 7-bit characters");
	memset(text, 'a', 159);
	memcpy(text + 159, "{", 2); /* an extension character counts 2 */
	rejects(validate_sms_text, text, "(got 161)");
	memset(text, 'a', 70);
	memcpy(text + 70, "\xe2\x80\x94", 4);
	rejects(validate_sms_text, text, "70 characters when the text needs characters outside");
	rejects(validate_sms_text, "a\tb", "contains a control character (got tab");
	accepts(validate_sms_text, "Grüße, Ñandú: 5€");
}

static void name_rules(void **state)
{
	(void)state;
	accepts(validate_device_name, "36524");
	accepts(validate_device_name, "Truck 7 (north) #3?");
	rejects(validate_device_name, "a/b", "must not contain '/' (got '/' at position 2)");
	rejects(validate_device_name, "..", "must not be '.' or '..'");
	rejects(validate_device_name, "a\rb", "contains a control character (got carriage return");
	char long_name[140];
	memset(long_name, 'd', 129);
	long_name[129] = '\0';
	rejects(validate_device_name, long_name, "longer than 128 characters (got 129)");
	accepts(validate_rate_plan_name, "ACME Co 5mb Rate Plan");
	rejects(validate_rate_plan_name, "plan\x7f", "control character U+007F");
	accepts(validate_cost_center, "Acme / Ops-7");
	accepts(validate_region_code, "02134");
	accepts(validate_region_code, "SW1A 1AA");
	rejects(validate_region_code, "2134.0", "ends in .0");
	rejects(validate_region_code, "021_34", "character not allowed (got '_' at position 4)");
	rejects(validate_region_code, "12345678901", "longer than 10 characters");
}

static void rule_labels_drop_row_details(void **state)
{
	(void)state;
	struct record record = {.row = 3};
	record.value[FIELD_ICCID] = "890141032111185107";
	record.value[FIELD_IMEI] = "490154203237518";
	record.value[FIELD_RATE_PLAN_NAME] = "ACME";
	struct strbuf message, rule;
	strbuf_init(&message, 1024);
	strbuf_init(&rule, 1024);
	const struct op *activate = op_find("activate");
	assert_int_equal(op_validate_record(activate, &record, NULL, &strict, &message, &rule), -1);
	assert_string_equal(strbuf_text(&message), "iccid: must be 19 or 20 digits (got 18)");
	assert_string_equal(strbuf_text(&rule), "iccid: must be 19 or 20 digits");

	record.value[FIELD_ICCID] = "8.9E+19";
	op_validate_record(activate, &record, NULL, &strict, &message, &rule);
	assert_string_equal(strbuf_text(&rule),
	                    "iccid: in scientific notation — the spreadsheet turned it into a "
	                    "number and lost digits; format the column as text and re-export");

	record.value[FIELD_ICCID] = "89014103211118510720";
	record.value[FIELD_RATE_PLAN_NAME] = NULL;
	op_validate_record(activate, &record, NULL, &strict, &message, &rule);
	assert_string_equal(strbuf_text(&message), "rate_plan_name: required");
	assert_string_equal(strbuf_text(&rule), "rate_plan_name: required");

	record.value[FIELD_RATE_PLAN_NAME] = "ACME";
	record.value[FIELD_IMEI] = NULL;
	op_validate_record(activate, &record, NULL, &strict, &message, &rule);
	assert_string_equal(strbuf_text(&message), "imei: required (or device_sku instead)");

	record.value[FIELD_IMEI] = "490154203237518";
	record.value[FIELD_DEVICE_SKU] = "XYZ1";
	op_validate_record(activate, &record, NULL, &strict, &message, &rule);
	assert_string_equal(strbuf_text(&message),
	                    "device_sku: give either imei or device_sku, not both");

	record.value[FIELD_IMEI] = NULL;
	assert_int_equal(op_validate_record(activate, &record, NULL, &strict, &message, &rule), 0);
	assert_string_equal(strbuf_text(&message), "");
	strbuf_release(&message);
	strbuf_release(&rule);
}

static void usage_limit_needs_action_or_usernames(void **state)
{
	(void)state;
	const struct op *op = op_find("usage-limit");
	struct record record = {.row = 1};
	record.value[FIELD_DEVICE_NAME] = "123";
	record.value[FIELD_KB_LIMIT] = "1024";
	struct strbuf message, rule;
	strbuf_init(&message, 1024);
	strbuf_init(&rule, 1024);
	assert_int_equal(op_validate_record(op, &record, NULL, &strict, &message, &rule), -1);
	assert_non_null(strstr(strbuf_text(&message), "action: required when usernames is empty"));
	record.value[FIELD_USERNAMES] = "alice";
	assert_int_equal(op_validate_record(op, &record, NULL, &strict, &message, &rule), 0);
	record.value[FIELD_USERNAMES] = NULL;
	record.value[FIELD_ACTION] = "email";
	assert_int_equal(op_validate_record(op, &record, NULL, &strict, &message, &rule), 0);
	record.value[FIELD_ACTION] = "mail";
	assert_int_equal(op_validate_record(op, &record, NULL, &strict, &message, &rule), -1);
	assert_string_equal(strbuf_text(&rule), "action: must be one of suspend, email");
	strbuf_release(&message);
	strbuf_release(&rule);
}

/* A small deterministic generator: the same hostile values on every run. */
static uint32_t next_random(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*seed >> 33);
}

static void hostile_values_never_crash(void **state)
{
	(void)state;
	static const char alphabet[] =
	    "0123456789.,eE+- ;@/\t\n\x01\x7f\xc3\xa9\xe2\x82\xac\xff\x80'\"()a";
	uint64_t seed = 42;
	char value[400];
	struct strbuf message, rule;
	strbuf_init(&message, 2048);
	strbuf_init(&rule, 2048);
	for (int round = 0; round < 3000; round++) {
		size_t length = 1 + next_random(&seed) % (round % 10 == 0 ? 390 : 24);
		for (size_t index = 0; index < length; index++)
			value[index] = alphabet[next_random(&seed) % (sizeof(alphabet) - 1)];
		value[length] = '\0';
		for (size_t op_index = 0; op_index < op_table_count; op_index++) {
			const struct op *op = op_table[op_index];
			struct record record = {.row = 1};
			for (size_t field = 0; field < op->field_count; field++) {
				strbuf_reset(&rule);
				int result = op->fields[field].validate(value, strlen(value),
				                                        &strict, &rule);
				assert_int_equal(result, rule.length ? -1 : 0);
				record.value[op->fields[field].id] = value;
			}
			int result =
			    op_validate_record(op, &record, NULL, &strict, &message, &rule);
			assert_true(result == 0 || (message.length > 0 && rule.length > 0));
		}
	}
	strbuf_release(&message);
	strbuf_release(&rule);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(imei_rules),
	    cmocka_unit_test(iccid_rules),
	    cmocka_unit_test(sku_rules),
	    cmocka_unit_test(note_rules),
	    cmocka_unit_test(note_alphabet_matches_its_punctuation),
	    cmocka_unit_test(region_and_sku_sets_are_as_documented),
	    cmocka_unit_test(choice_rules),
	    cmocka_unit_test(kb_limit_rules),
	    cmocka_unit_test(username_rules),
	    cmocka_unit_test(email_rules),
	    cmocka_unit_test(sms_rules),
	    cmocka_unit_test(name_rules),
	    cmocka_unit_test(rule_labels_drop_row_details),
	    cmocka_unit_test(usage_limit_needs_action_or_usernames),
	    cmocka_unit_test(hostile_values_never_crash),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	return failed;
}
