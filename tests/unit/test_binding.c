/* Unit tests for binding manifest columns to op fields: header matching,
 * --map, --set, required columns, JSONL keys that appear late, unused
 * columns and the UTF-8 check of every bound value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/binding.h"
#include "manifest/column_name.h"
#include "test_manifest_support.h"

static int accept_anything(const char *value, size_t length,
                           const struct validation_options *options, struct strbuf *rule)
{
	(void)value;
	(void)length;
	(void)options;
	(void)rule;
	return 0;
}

/* A small op of its own, so these tests do not depend on the real table. */
static const struct op_field test_fields[] = {
    {FIELD_IMEI, 0, accept_anything},
    {FIELD_ICCID, OP_FIELD_REQUIRED, accept_anything},
    {FIELD_RATE_PLAN_NAME, OP_FIELD_REQUIRED, accept_anything},
    {FIELD_NOTE, 0, accept_anything},
    {FIELD_KB_LIMIT, OP_FIELD_NUMBER, accept_anything},
};
static const struct op test_op = {
    .name = "activate",
    .fields = test_fields,
    .field_count = sizeof(test_fields) / sizeof(test_fields[0]),
};

struct fixture {
	char *path;
	struct manifest *manifest;
	struct binding *binding;
	struct error error;
};

static void bind(struct fixture *fixture, const char *name, const char *content,
                 const struct field_assignment *maps, size_t map_count,
                 const struct field_assignment *sets, size_t set_count)
{
	memset(fixture, 0, sizeof(*fixture));
	fixture->path = fixture_write(name, content, strlen(content));
	fixture->manifest = open_manifest(fixture->path, MANIFEST_FORMAT_AUTO, 0);
	error_clear(&fixture->error);
	fixture->binding = binding_new(&test_op, fixture->manifest, maps, map_count, sets,
	                               set_count, &fixture->error);
}

static void unbind(struct fixture *fixture)
{
	binding_free(fixture->binding);
	manifest_close(fixture->manifest);
	free(fixture->path);
}

static char *bind_error(struct fixture *fixture)
{
	assert_null(fixture->binding);
	char text[1100];
	error_format(&fixture->error, text, sizeof(text));
	return strdup(text);
}

/* Reads the next row and applies the binding; returns binding_apply's result. */
static int next_record(struct fixture *fixture, struct record *record, struct strbuf *problem)
{
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	assert_int_equal(manifest_next(fixture->manifest, &row, &error), 1);
	strbuf_reset(problem);
	return binding_apply(fixture->binding, &row, record, problem);
}

static void headers_match_loosely(void **state)
{
	(void)state;
	struct fixture fixture;
	bind(&fixture, "loose.csv",
	     "IMEI , Rate Plan Name,iccid,rate-plan,Colour,NOTE,Batch,\n"
	     "490154203237518,\" ACME 5MB \",89014103211118510720,x,red,  ,7,\n",
	     NULL, 0, NULL, 0);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_int_equal(record.row, 1);
	assert_int_equal(record.line, 2);
	assert_string_equal(record.value[FIELD_IMEI], "490154203237518");
	assert_string_equal(record.value[FIELD_RATE_PLAN_NAME], "ACME 5MB");
	assert_string_equal(record.value[FIELD_ICCID], "89014103211118510720");
	assert_null(record.value[FIELD_NOTE]);
	assert_null(record.value[FIELD_COST_CENTER]);
	assert_string_equal(binding_unused_note(fixture.binding, fixture.manifest),
	                    "extra columns kept but not used: rate-plan, Colour, Batch, column 8 "
	                    "(no name)");
	strbuf_release(&problem);
	unbind(&fixture);
}

static void map_and_set(void **state)
{
	(void)state;
	const struct field_assignment maps[] = {{"imei", "IMEI No."}, {"ICCID", "sim iccid"}};
	const struct field_assignment sets[] = {{"rate_plan_name", " ACME 5MB "}, {"note", ""}};
	struct fixture fixture;
	bind(&fixture, "factory.csv",
	     "IMEI No.,SIM ICCID,rate_plan_name,note\n"
	     "490154203237518,89014103211118510720,ignored,also ignored\n",
	     maps, 2, sets, 2);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_IMEI], "490154203237518");
	assert_string_equal(record.value[FIELD_ICCID], "89014103211118510720");
	assert_string_equal(record.value[FIELD_RATE_PLAN_NAME], "ACME 5MB");
	assert_null(record.value[FIELD_NOTE]);
	/* issue 17: a column --set overrides is said to be replaced, not unused */
	assert_null(binding_unused_note(fixture.binding, fixture.manifest));
	assert_string_equal(
	    binding_set_note(fixture.binding),
	    "--set rate_plan_name=ACME 5MB replaces the manifest's column "
	    "'rate_plan_name'; --set note= replaces the manifest's column 'note' in "
	    "every row (errors.csv shows the values sent)");
	const char *sent = NULL;
	assert_true(binding_column_override(fixture.binding, 2, &sent));
	assert_string_equal(sent, "ACME 5MB");
	assert_true(binding_column_override(fixture.binding, 3, &sent));
	assert_null(sent);
	assert_false(binding_column_override(fixture.binding, 0, &sent));
	strbuf_release(&problem);
	unbind(&fixture);
}

static void binding_errors(void **state)
{
	(void)state;
	struct fixture fixture;
	const struct field_assignment set_plan[] = {{"rate_plan_name", "ACME"}};
	bind(&fixture, "x.csv", "IMEI No.,SIM ICCID,Plan\n1,2,3\n", NULL, 0, set_plan, 1);
	char *message = bind_error(&fixture);
	char expected[512];
	snprintf(expected, sizeof(expected),
	         "%s:1: header has no column for required field 'iccid' (columns: IMEI No., SIM "
	         "ICCID, Plan; use --map iccid=COLUMN)",
	         fixture.path);
	assert_string_equal(message, expected);
	free(message);
	unbind(&fixture);

	bind(&fixture, "y.csv", "imei\n1\n", NULL, 0, NULL, 0);
	message = bind_error(&fixture);
	assert_non_null(strstr(message,
	                       "header has no column for required fields 'iccid', "
	                       "'rate_plan_name' (columns: imei; use --map FIELD=COLUMN)"));
	free(message);
	unbind(&fixture);

	const struct field_assignment unknown[] = {{"imei2", "x"}};
	bind(&fixture, "z.csv", "iccid,rate_plan_name\n1,2\n", unknown, 1, NULL, 0);
	message = bind_error(&fixture);
	assert_non_null(strstr(message, "--map names unknown field 'imei2' (fields of 'activate': "
	                                "imei, iccid, rate_plan_name, note, kb_limit)"));
	free(message);
	unbind(&fixture);

	const struct field_assignment unused[] = {{"cost_center", "x"}};
	bind(&fixture, "w.csv", "iccid,rate_plan_name\n1,2\n", NULL, 0, unused, 1);
	message = bind_error(&fixture);
	assert_non_null(strstr(message, "--set names field 'cost_center', which operation "
	                                "'activate' does not use"));
	free(message);
	unbind(&fixture);

	const struct field_assignment missing_column[] = {{"iccid", "SIM"}};
	bind(&fixture, "v.csv", "iccid,rate_plan_name\n1,2\n", missing_column, 1, NULL, 0);
	message = bind_error(&fixture);
	assert_non_null(strstr(message, ":1: --map iccid='SIM': the header has no column 'SIM' "
	                                "(columns: iccid, rate_plan_name)"));
	free(message);
	unbind(&fixture);
}

static void jsonl_keys_bind_as_they_appear(void **state)
{
	(void)state;
	const struct field_assignment maps[] = {{"imei", "IMEI No."}};
	struct fixture fixture;
	bind(&fixture, "late.jsonl",
	     "{\"note\":\"first\"}\n"
	     "{\"ICCID\":89014103211118510720,\"IMEI No.\":490154203237518,\"colour\":\"red\"}\n"
	     "{\"iccid\":\"8901\",\"rate_plan_name\":\"ACME\"}\n",
	     maps, 1, NULL, 0);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_NOTE], "first");
	assert_null(record.value[FIELD_ICCID]); /* the validator reports "iccid: required" */
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_ICCID], "89014103211118510720");
	assert_string_equal(record.value[FIELD_IMEI], "490154203237518");
	assert_null(record.value[FIELD_NOTE]);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_ICCID], "8901");
	assert_string_equal(record.value[FIELD_RATE_PLAN_NAME], "ACME");
	assert_null(record.value[FIELD_IMEI]);
	assert_string_equal(binding_unused_note(fixture.binding, fixture.manifest),
	                    "extra columns kept but not used: colour");
	strbuf_release(&problem);
	unbind(&fixture);
}

static void values_must_be_utf8(void **state)
{
	(void)state;
	struct fixture fixture;
	bind(&fixture, "cp1252.csv",
	     "iccid,rate_plan_name,note\n"
	     "1,ACME,\"\x93quoted\x94\"\n"
	     "2,M\xFCnchen,ok\n"
	     "3,ACME,caf\xC3\xA9\n"
	     "4,ACME,x,extra\n",
	     NULL, 0, NULL, 0);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "note: not UTF-8 text (looks like Windows-1252: byte 0x93 at position "
	                    "1); re-save the file as UTF-8");
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "rate_plan_name: not UTF-8 text (looks like Latin-1 (ISO-8859-1): byte "
	                    "0xFC at position 2); re-save the file as UTF-8");
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_NOTE], "caf\xC3\xA9");
	/* a reader problem comes through, and the record is still filled for the outputs */
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem), "row has 4 fields, the header has 3");
	assert_string_equal(record.value[FIELD_ICCID], "4");
	assert_int_equal(record.row, 4);
	strbuf_release(&problem);
	unbind(&fixture);
}

/* issue 16 #8: an array or object is judged only in a key the operation
 * uses; a JSON number for a count field is taken by its whole value. */
static void jsonl_value_kinds(void **state)
{
	(void)state;
	struct fixture fixture;
	bind(&fixture, "kinds.jsonl",
	     "{\"iccid\":\"1\",\"rate_plan_name\":\"A\",\"tags\":[1,2],\"meta\":{\"x\":1},"
	     "\"kb_limit\":1e3}\n"
	     "{\"iccid\":\"2\",\"rate_plan_name\":\"A\",\"kb_limit\":1024.0}\n"
	     "{\"iccid\":\"3\",\"rate_plan_name\":\"A\",\"kb_limit\":1.5}\n"
	     "{\"iccid\":[\"4\"],\"rate_plan_name\":\"A\"}\n"
	     "{\"iccid\":\"5\",\"rate_plan_name\":\"A\",\"note\":{\"n\":1}}\n"
	     "{\"iccid\":6,\"rate_plan_name\":\"A\",\"kb_limit\":\"1e3\",\"imei\":1.0}\n"
	     "{\"iccid\":\"7\",\"rate_plan_name\":\"A\",\"kb_limit\":0.5e1}\n"
	     "{\"iccid\":\"8\",\"rate_plan_name\":\"A\",\"kb_limit\":-2E0}\n"
	     "{\"iccid\":\"9\",\"rate_plan_name\":\"A\",\"kb_limit\":12e-1}\n",
	     NULL, 0, NULL, 0);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_KB_LIMIT], "1000");
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_KB_LIMIT], "1024");
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "kb_limit: the number 1.5 is not a whole number");
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "iccid: value is an array, expected text or a number");
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "note: value is an object, expected text or a number");
	/* a string is text whatever it looks like; a number for another field stays as written */
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_KB_LIMIT], "1e3");
	assert_string_equal(record.value[FIELD_IMEI], "1.0");
	assert_string_equal(record.value[FIELD_ICCID], "6");
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_KB_LIMIT], "5");
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_string_equal(record.value[FIELD_KB_LIMIT], "-2"); /* the validator refuses it */
	assert_int_equal(next_record(&fixture, &record, &problem), -1);
	assert_string_equal(strbuf_text(&problem),
	                    "kb_limit: the number 12e-1 is not a whole number");
	assert_string_equal(binding_unused_note(fixture.binding, fixture.manifest),
	                    "extra columns kept but not used: tags, meta");
	strbuf_release(&problem);
	unbind(&fixture);
}

/* issue 17: a --map naming a column that is nearly there, and a field whose
 * column is there under a near name, each get one hint with the fix. */
static void near_misses_get_one_hint(void **state)
{
	(void)state;
	const struct field_assignment maps[] = {{"imei", "IMEI No"}};
	struct fixture fixture;
	bind(&fixture, "near.csv", "IMEI No.,iccid,rate_plan_name\n1,2,3\n", maps, 1, NULL, 0);
	char *message = bind_error(&fixture);
	assert_non_null(strstr(message, "--map imei='IMEI No': the header has no column 'IMEI No' "
	                                "(did you mean 'IMEI No.'?"));
	free(message);
	unbind(&fixture);
	bind(&fixture, "near.csv", "IMEI No.,iccid,rate_plan_name\n1,2,3\n", NULL, 0, NULL, 0);
	message = bind_error(&fixture);
	assert_non_null(strstr(message, "no column feeds field 'imei', but column 'IMEI No.' looks "
	                                "like it: use --map imei='IMEI No.'"));
	free(message);
	unbind(&fixture);
	/* --set imei= says the column is meant to stay unused */
	const struct field_assignment sets[] = {{"imei", ""}};
	bind(&fixture, "near.csv", "IMEI No.,iccid,rate_plan_name\n1,2,3\n", NULL, 0, sets, 1);
	assert_non_null(fixture.binding);
	unbind(&fixture);
	/* a required field's near column is named before the generic "no column" refusal */
	bind(&fixture, "near.csv", "imei,ICCIDs,rate_plan_name\n1,2,3\n", NULL, 0, NULL, 0);
	message = bind_error(&fixture);
	assert_non_null(strstr(message, "no column feeds field 'iccid', but column 'ICCIDs' looks "
	                                "like it: use --map iccid='ICCIDs'"));
	free(message);
	unbind(&fixture);
	/* names that are not alike give no hint */
	assert_false(column_name_near("SIM ICCID", "iccid"));
	assert_false(column_name_near("Note", "imei"));
	assert_true(column_name_near("ICCIDs", "iccid"));
	assert_true(column_name_near("rate plan nme", "rate_plan_name"));
	assert_false(column_name_near("sku", "device_sku"));
}

/* issue 17: a re-fed errors.csv names rows by its source_row / source_line;
 * a value that cannot be a row number is ignored. */
static void source_positions_of_a_refed_errors_csv(void **state)
{
	(void)state;
	struct fixture fixture;
	bind(&fixture, "errors.csv",
	     "iccid,rate_plan_name,error,source_row,source_line\n"
	     "1,A,old reason,14,15\n"
	     "2,A,old reason,99999999999,x\n"
	     "3,A,,,\n",
	     NULL, 0, NULL, 0);
	assert_non_null(fixture.binding);
	struct record record;
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_int_equal(record.source_row, 14);
	assert_int_equal(record.source_line, 15);
	assert_int_equal(record_shown_row(&record), 14);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_int_equal(record.source_row, 0);
	assert_int_equal(record.source_line, 0);
	assert_int_equal(record_shown_row(&record), 2);
	assert_int_equal(next_record(&fixture, &record, &problem), 0);
	assert_int_equal(record_shown_row(&record), 3);
	/* errors.csv's own columns are neither fields nor "unused" */
	assert_null(binding_unused_note(fixture.binding, fixture.manifest));
	strbuf_release(&problem);
	unbind(&fixture);
}

static int teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(headers_match_loosely),
	    cmocka_unit_test(map_and_set),
	    cmocka_unit_test(binding_errors),
	    cmocka_unit_test(jsonl_keys_bind_as_they_appear),
	    cmocka_unit_test(values_must_be_utf8),
	    cmocka_unit_test(jsonl_value_kinds),
	    cmocka_unit_test(near_misses_get_one_hint),
	    cmocka_unit_test(source_positions_of_a_refed_errors_csv),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
