/* Unit tests of undo.csv (outputs/undo_writer.c): its columns per operation,
 * and that the manifest it writes, read back for the same operation, gives
 * every previous value exactly — formula-looking values, commas, quotes and
 * empty values included — under the device's own name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "outputs/undo_writer.h"

static char directory[64];

static int make_directory(void **state)
{
	(void)state;
	snprintf(directory, sizeof(directory), "/tmp/test-undo-XXXXXX");
	assert_non_null(mkdtemp(directory));
	return 0;
}

static int remove_directory(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", directory, UNDO_FILE);
	unlink(path);
	assert_int_equal(rmdir(directory), 0); /* no temporary file left behind */
	return 0;
}

static void columns_follow_the_operation(void **state)
{
	(void)state;
	enum field_id fields[FIELD_COUNT];
	assert_int_equal(undo_columns(op_find("cost-center"), fields), 1);
	assert_int_equal(fields[0], FIELD_COST_CENTER);
	size_t count = undo_columns(op_find("note"), fields);
	assert_int_equal(count, 2);
	assert_int_equal(fields[0], FIELD_FIELD_NAME);
	assert_int_equal(fields[1], FIELD_NOTE);
	assert_int_equal(undo_columns(op_find("simstate"), fields), 1);
	assert_int_equal(fields[0], FIELD_STATE);
}

/* Reads OUT/undo.csv for op; fills names/values (row by row) of field. */
static size_t read_back(const char *op_name, enum field_id field, char names[][64],
                        char values[][64], uint64_t *source_rows)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", directory, UNDO_FILE);
	struct manifest_options options = {0};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open(path, &options, &error);
	assert_non_null(manifest);
	struct binding *binding = binding_new(op_find(op_name), manifest, NULL, 0, NULL, 0, &error);
	assert_non_null(binding);
	struct strbuf problem;
	strbuf_init(&problem, 1024);
	size_t count = 0;
	struct manifest_row row;
	while (manifest_next(manifest, &row, &error) == 1) {
		struct record record;
		memset(&record, 0, sizeof(record));
		strbuf_reset(&problem);
		assert_int_equal(binding_apply(binding, &row, &record, &problem), 0);
		snprintf(names[count], 64, "%s",
		         record.value[FIELD_DEVICE_NAME] ? record.value[FIELD_DEVICE_NAME] : "");
		snprintf(values[count], 64, "%s", record.value[field] ? record.value[field] : "");
		source_rows[count] = record.source_row;
		count++;
	}
	strbuf_release(&problem);
	binding_free(binding);
	manifest_close(manifest);
	return count;
}

static void read_back_gives_every_previous_value(void **state)
{
	(void)state;
	static const char *const previous[] = {"CC-1", "-5", "=SUM(A1)", "a,b \"c\"", "", "@x"};
	const size_t count = sizeof(previous) / sizeof(previous[0]);
	struct error error;
	error_clear(&error);
	struct undo_writer *writer =
	    undo_writer_open(directory, NULL, op_find("cost-center"), &error);
	assert_non_null(writer);
	for (size_t i = 0; i < count; i++) {
		struct record record;
		memset(&record, 0, sizeof(record));
		record.row = 10 + i;
		/* the row named its device by ICCID; undo.csv names it by device_name */
		record.value[FIELD_DEVICE_NAME] = "8944500000000000001";
		record.value[FIELD_ID_TYPE] = "iccid";
		record.value[FIELD_COST_CENTER] = "NEW";
		char name[32];
		snprintf(name, sizeof(name), "dev-%zu", i);
		assert_int_equal(
		    undo_writer_add(writer, &record, name, FIELD_COST_CENTER, previous[i], &error),
		    0);
	}
	assert_int_equal(undo_writer_lines(writer), count);
	assert_int_equal(undo_writer_commit(writer, &error), 0);

	char names[8][64], values[8][64];
	uint64_t source_rows[8];
	assert_int_equal(read_back("cost-center", FIELD_COST_CENTER, names, values, source_rows),
	                 count);
	for (size_t i = 0; i < count; i++) {
		char name[32];
		snprintf(name, sizeof(name), "dev-%zu", i);
		assert_string_equal(names[i], name);
		assert_string_equal(values[i], previous[i]);
		assert_int_equal(source_rows[i], 10 + i);
	}
}

static void note_lines_keep_the_field_name(void **state)
{
	(void)state;
	struct error error;
	error_clear(&error);
	struct undo_writer *writer = undo_writer_open(directory, NULL, op_find("note"), &error);
	assert_non_null(writer);
	struct record record;
	memset(&record, 0, sizeof(record));
	record.row = 1;
	record.value[FIELD_DEVICE_NAME] = "dev-9";
	record.value[FIELD_FIELD_NAME] = "note2";
	record.value[FIELD_NOTE] = "new text";
	assert_int_equal(undo_writer_add(writer, &record, "dev-9", FIELD_NOTE, "old text", &error),
	                 0);
	assert_int_equal(undo_writer_commit(writer, &error), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", directory, UNDO_FILE);
	FILE *file = fopen(path, "r");
	assert_non_null(file);
	char text[256] = "";
	size_t got = fread(text, 1, sizeof(text) - 1, file);
	fclose(file);
	text[got] = '\0';
	assert_string_equal(text, "device_name,field_name,note,source_row\n"
	                          "dev-9,note2,old text,1\n");
}

static void an_aborted_file_leaves_nothing(void **state)
{
	(void)state;
	struct error error;
	error_clear(&error);
	struct undo_writer *writer = undo_writer_open(directory, NULL, op_find("simstate"), &error);
	assert_non_null(writer);
	undo_writer_abort(writer);
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", directory, UNDO_FILE);
	assert_int_not_equal(access(path, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(columns_follow_the_operation),
	    cmocka_unit_test_setup_teardown(read_back_gives_every_previous_value, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(note_lines_keep_the_field_name, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(an_aborted_file_leaves_nothing, make_directory,
	                                    remove_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
