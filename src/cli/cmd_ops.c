/* `lattigo-batch ops`: prints the operation table, read from the table itself
 * so that it never disagrees with what run and validate do. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "common/parse_options.h"
#include "ops/op.h"

static void print_fields(const struct op *op, unsigned wanted_flag, bool mark_required,
                         const char *separator)
{
	bool first = true;
	for (size_t index = 0; index < op->field_count; index++) {
		const struct op_field *field = &op->fields[index];
		if (wanted_flag && !(field->flags & wanted_flag))
			continue;
		printf("%s%s%s", first ? "" : separator, field_name(field->id),
		       mark_required && (field->flags & OP_FIELD_REQUIRED) ? "*" : "");
		first = false;
	}
	if (first)
		fputs("-", stdout);
}

static void print_flags(const struct op *op)
{
	static const struct {
		unsigned flag;
		const char *text;
	} names[] = {
	    {OP_PER_ROW, "per-row"},
	    {OP_NON_IDEMPOTENT, "non-idempotent"},
	    {OP_NEEDS_YES, "needs --yes"},
	    {OP_RECONCILE_BY_ICCID, "reconciled by iccid"},
	    {OP_REFUSES_REPEATS, "refuses repeats"},
	};
	bool first = true;
	for (size_t index = 0; index < sizeof(names) / sizeof(names[0]); index++) {
		if (!(op->flags & names[index].flag))
			continue;
		printf("%s%s", first ? "" : ", ", names[index].text);
		first = false;
	}
	if (first)
		fputs("-", stdout);
}

int command_ops(int argc, char **argv)
{
	static const struct parse_option rows[] = {
	    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this help"},
	};
	static const struct parse_options_table table = {rows, 1, "lattigo-batch"};
	struct parsed_command_line line;
	struct error error;
	error_clear(&error);
	int parsed = parse_options_command(&table, 0, "ops", NULL, argc, argv, &line, &error);
	if (parsed == 0 && line.positional_count)
		parsed = error_set(&error,
		                   "ops takes no arguments ('%s'); see 'lattigo-batch ops --help'",
		                   line.positional[0]);
	parsed_command_line_release(&line);
	if (parsed == 1) {
		help_command(stdout, "ops");
		return EXIT_ALL_OK;
	}
	if (parsed < 0) {
		return report_error(&error, EXIT_USAGE);
	}
	printf("operations (* = required field; field names are manifest column names):\n");
	for (size_t index = 0; index < op_table_count; index++) {
		const struct op *op = op_table[index];
		printf("\n%s\n", op->name);
		printf("  %-10s %s %s\n", "endpoint:", op->method, op->path);
		printf("  %-10s %s\n", "purpose:", op->summary);
		printf("  %-10s ", "fields:");
		print_fields(op, 0, true, ", ");
		printf("\n  %-10s ", "batching:");
		bool has_batch_field = false;
		for (size_t field = 0; field < op->field_count; field++)
			has_batch_field |= (op->fields[field].flags & OP_FIELD_BATCH) != 0;
		if (op->flags & OP_PER_ROW) {
			fputs("one call per row", stdout);
		} else if (!has_batch_field) {
			fputs("any rows together; up to --chunk rows per call", stdout);
		} else {
			fputs("rows sharing ", stdout);
			print_fields(op, OP_FIELD_BATCH, false, " + ");
			fputs("; up to --chunk rows per call", stdout);
		}
		printf("\n  %-10s ", "flags:");
		print_flags(op);
		putchar('\n');
	}
	return EXIT_ALL_OK;
}
