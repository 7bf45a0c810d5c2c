/* docs/operations.md checked against the operation table: every operation
 * has its row (verb and path, every field with the required ones in bold,
 * batching, idempotency) and the page lists no operation the table lacks.
 * The table is the truth; this test says where the page drifted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/op.h"

#define DOC_PATH    TEST_DATA_DIR "/../../docs/operations.md"
#define CELL_COUNT  6
#define LINE_LENGTH 4096

struct doc_row {
	char cells[CELL_COUNT][LINE_LENGTH];
};

/* Splits "| a | b | ... |" into trimmed cells; returns how many. */
static size_t split_cells(const char *line, struct doc_row *row)
{
	size_t count = 0;
	const char *cursor = strchr(line, '|');
	while (cursor && count < CELL_COUNT) {
		const char *next = strchr(cursor + 1, '|');
		if (!next)
			break;
		const char *start = cursor + 1;
		const char *end = next;
		while (start < end && *start == ' ')
			start++;
		while (end > start && end[-1] == ' ')
			end--;
		snprintf(row->cells[count], LINE_LENGTH, "%.*s", (int)(end - start), start);
		count++;
		cursor = next;
	}
	return count;
}

/* The path as the page writes it: "{device_name}" becomes ":device_name". */
static void doc_path(const char *path, char *out, size_t size)
{
	size_t used = 0;
	for (const char *cursor = path; *cursor && used + 2 < size; cursor++) {
		if (*cursor == '{')
			out[used++] = ':';
		else if (*cursor != '}')
			out[used++] = *cursor;
	}
	out[used] = '\0';
}

/* True when name appears in text as a whole word (not inside another name). */
static bool has_word(const char *text, const char *name)
{
	size_t length = strlen(name);
	for (const char *found = strstr(text, name); found; found = strstr(found + 1, name)) {
		bool starts =
		    found == text || !(found[-1] == '_' || (found[-1] >= 'a' && found[-1] <= 'z'));
		char after = found[length];
		bool ends = !(after == '_' || (after >= 'a' && after <= 'z') ||
		              (after >= '0' && after <= '9'));
		if (starts && ends)
			return true;
	}
	return false;
}

static void check_row(const struct op *op, const struct doc_row *row)
{
	char path[512];
	char expected[600];
	doc_path(op->path, path, sizeof(path));
	snprintf(expected, sizeof(expected), "%s `%s`", op->method, path);
	if (strcmp(row->cells[1], expected) != 0)
		fail_msg("%s: the page says '%s', the table '%s'", op->name, row->cells[1],
		         expected);
	for (size_t index = 0; index < op->field_count; index++) {
		const char *name = field_name(op->fields[index].id);
		char bold[64];
		snprintf(bold, sizeof(bold), "**%s**", name);
		bool required = (op->fields[index].flags & OP_FIELD_REQUIRED) != 0;
		if (!has_word(row->cells[2], name))
			fail_msg("%s: field %s is missing from the page", op->name, name);
		if (required != (strstr(row->cells[2], bold) != NULL))
			fail_msg("%s: field %s is %s in the table but %s on the page", op->name,
			         name, required ? "required" : "optional",
			         required ? "not bold" : "bold");
		if ((op->fields[index].flags & OP_FIELD_BATCH) && !has_word(row->cells[3], name))
			fail_msg("%s: batched by %s, which the page does not say", op->name, name);
	}
	if ((op->flags & OP_PER_ROW) && !strstr(row->cells[3], "one call per row"))
		fail_msg("%s: per-row, which the page does not say", op->name);
	if (strcmp(row->cells[4], field_name(op->key_field)) != 0)
		fail_msg("%s: key %s in the table, '%s' on the page", op->name,
		         field_name(op->key_field), row->cells[4]);
	bool idempotent = !(op->flags & OP_NON_IDEMPOTENT);
	if (idempotent != (strncmp(row->cells[5], "yes", 3) == 0))
		fail_msg("%s: %sidempotent in the table, '%s' on the page", op->name,
		         idempotent ? "" : "not ", row->cells[5]);
}

static void the_page_matches_the_operation_table(void **state)
{
	(void)state;
	FILE *page = fopen(DOC_PATH, "r");
	assert_non_null(page);
	static char line[LINE_LENGTH];
	static struct doc_row row;
	bool seen[64] = {false};
	assert_true(op_table_count <= 64);
	/* the first table of the page: rows that start with "| `name`" */
	bool in_table = false;
	while (fgets(line, sizeof(line), page)) {
		if (line[0] != '|') {
			if (in_table)
				break;
			continue;
		}
		/* the header ("| `--op` |") and the rule below it */
		if (strncmp(line, "| `", 3) != 0 || strncmp(line, "| `--", 5) == 0) {
			in_table = true;
			continue;
		}
		assert_int_equal(split_cells(line, &row), CELL_COUNT);
		char name[64];
		snprintf(name, sizeof(name), "%.60s", row.cells[0] + 1);
		char *tick = strchr(name, '`');
		if (tick)
			*tick = '\0';
		const struct op *op = op_find(name);
		if (!op)
			fail_msg("the page lists '%s', which the operation table does not have",
			         name);
		for (size_t index = 0; index < op_table_count; index++)
			if (op_table[index] == op)
				seen[index] = true;
		check_row(op, &row);
	}
	fclose(page);
	for (size_t index = 0; index < op_table_count; index++)
		if (!seen[index])
			fail_msg("operation '%s' has no row in docs/operations.md",
			         op_table[index]->name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_page_matches_the_operation_table),
	};
	return cmocka_run_group_tests_name("operations_doc", tests, NULL, NULL);
}
