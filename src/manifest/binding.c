/* Column-to-field binding: which manifest column feeds which op field, by
 * header name, --map or --set; then per row, trimmed values checked for UTF-8. */
#include "binding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/utf8.h"
#include "manifest/column_name.h"

/* A JSONL file may spell a key differently from row to row ("IMEI", "imei"). */
#define BINDING_MAX_ALIASES  4u
#define BINDING_NOTE_COLUMNS 12u

struct binding {
	const struct op *op;
	const struct manifest *manifest;
	char *map_column[FIELD_COUNT]; /* --map: the column name, or NULL */
	char *set_value[FIELD_COUNT];  /* --set: the trimmed value (NULL when empty) */
	size_t set_length[FIELD_COUNT];
	size_t lengths[FIELD_COUNT]; /* the last binding_apply's values' (binding_lengths) */
	bool has_set[FIELD_COUNT];
	size_t columns[FIELD_COUNT][BINDING_MAX_ALIASES];
	size_t column_count[FIELD_COUNT];
	size_t resolved_columns; /* manifest columns looked at so far */
	/* the op's fields that can get a value (a --set or a column), as indexes
	 * into op->fields in their order: binding_apply visits only these */
	size_t fed[FIELD_COUNT];
	size_t fed_count;
	struct strbuf trimmed[FIELD_COUNT];
	char *unused_note;
	char *set_note;
	bool typed_values; /* not CSV: values may be numbers, arrays, objects */
	/* a re-fed errors.csv: its source_row / source_line columns (SIZE_MAX: none) */
	size_t source_row_column;
	size_t source_line_column;
};

/* The columns errors.csv adds: in a file this tool wrote they feed no field
 * and are not "unused" either. */
static bool is_bookkeeping_column(const struct manifest *manifest, const char *name)
{
	return manifest_written_by_tool(manifest) &&
	       (column_name_equal(name, "error") || column_name_equal(name, "source_row") ||
	        column_name_equal(name, "source_line"));
}

/* A positive decimal number below 2^31 (what a row number can be), or 0:
 * a hostile cell can only make the row be named by its own position. */
static uint64_t parse_position(const char *text)
{
	uint64_t value = 0;
	if (!text)
		return 0;
	while (*text == ' ')
		text++;
	for (; *text >= '0' && *text <= '9'; text++) {
		value = value * 10 + (uint64_t)(*text - '0');
		if (value >= (UINT64_C(1) << 31))
			return 0;
	}
	while (*text == ' ')
		text++;
	return *text ? 0 : value;
}

static bool is_space(char character)
{
	return character == ' ' || character == '\t' || character == '\r' || character == '\n';
}

/* The list of the op's field names, for messages. */
static void append_field_list(struct strbuf *out, const struct op *op)
{
	for (size_t index = 0; index < op->field_count; index++)
		strbuf_appendf(out, "%s%s", index ? ", " : "", field_name(op->fields[index].id));
}

static void append_column_list(struct strbuf *out, const struct manifest *manifest)
{
	size_t count = manifest_column_count(manifest);
	for (size_t index = 0; index < count; index++)
		strbuf_appendf(out, "%s%s", index ? ", " : "",
		               manifest_column_name(manifest, index));
	if (count == 0)
		strbuf_append_string(out, "none");
}

/* Resolves an option's field name ("IMEI", "rate-plan-name" are accepted).
 * Returns the field, or -1 with error. */
static int resolve_option_field(const struct op *op, const struct manifest *manifest,
                                const char *option, const char *name, struct error *error)
{
	for (size_t index = 0; index < op->field_count; index++)
		if (column_name_equal(name, field_name(op->fields[index].id)))
			return (int)op->fields[index].id;
	struct strbuf fields;
	strbuf_init(&fields, 600);
	append_field_list(&fields, op);
	bool known = false;
	for (int field = 0; field < FIELD_COUNT; field++)
		if (column_name_equal(name, field_name((enum field_id)field)))
			known = true;
	if (known)
		error_set_at(error, manifest_path(manifest), 0,
		             "%s names field '%s', which operation '%s' does not use (its fields: "
		             "%s)",
		             option, name, op->name, strbuf_text(&fields));
	else
		error_set_at(error, manifest_path(manifest), 0,
		             "%s names unknown field '%s' (fields of '%s': %s)", option, name,
		             op->name, strbuf_text(&fields));
	strbuf_release(&fields);
	return -1;
}

static char *trimmed_copy(const char *text)
{
	while (is_space(*text))
		text++;
	size_t length = strlen(text);
	while (length > 0 && is_space(text[length - 1]))
		length--;
	char *copy = malloc(length + 1);
	if (copy) {
		memcpy(copy, text, length);
		copy[length] = '\0';
	}
	return copy;
}

static bool column_feeds(const struct binding *binding, enum field_id field, const char *name)
{
	if (binding->map_column[field])
		return strcmp(name, binding->map_column[field]) == 0 ||
		       column_name_equal_loosely(name, binding->map_column[field]);
	return column_name_equal(name, field_name(field));
}

/* Binds the columns the manifest gained since the last call (all of them
 * the first time; JSONL files gain columns as new keys appear). */
static void resolve_columns(struct binding *binding)
{
	size_t count = manifest_column_count(binding->manifest);
	for (size_t column = binding->resolved_columns; column < count; column++) {
		const char *name = manifest_column_name(binding->manifest, column);
		for (size_t index = 0; index < binding->op->field_count; index++) {
			enum field_id field = binding->op->fields[index].id;
			if (binding->column_count[field] < BINDING_MAX_ALIASES &&
			    column_feeds(binding, field, name))
				binding->columns[field][binding->column_count[field]++] = column;
		}
	}
	binding->resolved_columns = count;
	binding->fed_count = 0;
	for (size_t index = 0; index < binding->op->field_count; index++) {
		enum field_id field = binding->op->fields[index].id;
		if (binding->has_set[field] || binding->column_count[field] > 0)
			binding->fed[binding->fed_count++] = index;
	}
}

static bool column_is_used(const struct binding *binding, size_t column);
static int overriding_field(const struct binding *binding, size_t column);

/* A field without a column while a column nobody uses looks like it ("IMEI
 * No." for imei) is almost surely a missing --map: one refusal with the fix,
 * instead of the same error on every row. */
static int check_near_misses(struct binding *binding, bool required_only, struct error *error)
{
	const struct manifest *manifest = binding->manifest;
	for (size_t index = 0; index < binding->op->field_count; index++) {
		enum field_id field = binding->op->fields[index].id;
		if (binding->has_set[field] || binding->column_count[field] > 0 ||
		    binding->map_column[field] ||
		    (required_only && !(binding->op->fields[index].flags & OP_FIELD_REQUIRED)))
			continue;
		for (size_t column = 0; column < manifest_column_count(manifest); column++) {
			const char *name = manifest_column_name(manifest, column);
			if (column_is_used(binding, column) ||
			    overriding_field(binding, column) >= 0 ||
			    is_bookkeeping_column(manifest, name) ||
			    !column_name_near(name, field_name(field)))
				continue;
			return error_set_at(
			    error, manifest_path(manifest), manifest_header_line(manifest),
			    "no column feeds field '%s', but column '%.80s' looks like "
			    "it: use --map %s='%.80s' (or rename the column; --set %s= "
			    "leaves the field empty)",
			    field_name(field), name, field_name(field), name, field_name(field));
		}
	}
	return 0;
}

static int check_required(struct binding *binding, struct error *error)
{
	const struct manifest *manifest = binding->manifest;
	struct strbuf missing;
	strbuf_init(&missing, 400);
	size_t missing_count = 0;
	const char *first = NULL;
	for (size_t index = 0; index < binding->op->field_count; index++) {
		const struct op_field *field = &binding->op->fields[index];
		if (!(field->flags & OP_FIELD_REQUIRED) || binding->has_set[field->id] ||
		    binding->column_count[field->id] > 0)
			continue;
		if (!first)
			first = field_name(field->id);
		strbuf_appendf(&missing, "%s'%s'", missing_count ? ", " : "",
		               field_name(field->id));
		missing_count++;
	}
	int result = 0;
	if (missing_count) {
		struct strbuf columns;
		strbuf_init(&columns, 400);
		append_column_list(&columns, manifest);
		if (missing_count == 1)
			result = error_set_at(error, manifest_path(manifest),
			                      manifest_header_line(manifest),
			                      "header has no column for required field %s "
			                      "(columns: %s; use --map %s=COLUMN)",
			                      strbuf_text(&missing), strbuf_text(&columns), first);
		else
			result = error_set_at(error, manifest_path(manifest),
			                      manifest_header_line(manifest),
			                      "header has no column for required fields %s "
			                      "(columns: %s; use --map FIELD=COLUMN)",
			                      strbuf_text(&missing), strbuf_text(&columns));
		strbuf_release(&columns);
	}
	strbuf_release(&missing);
	return result;
}

static int apply_maps(struct binding *binding, const struct field_assignment *maps,
                      size_t map_count, struct error *error)
{
	const struct manifest *manifest = binding->manifest;
	for (size_t index = 0; index < map_count; index++) {
		int field =
		    resolve_option_field(binding->op, manifest, "--map", maps[index].field, error);
		if (field < 0)
			return -1;
		if (binding->map_column[field])
			return error_set_at(error, manifest_path(manifest), 0,
			                    "--map given twice for field '%s'", field_name(field));
		binding->map_column[field] = strdup(maps[index].value);
		if (!binding->map_column[field])
			return error_set_at(error, manifest_path(manifest), 0, "out of memory");
		if (manifest_format(manifest) == MANIFEST_FORMAT_JSONL)
			continue; /* JSONL keys appear as rows are read */
		bool found = false;
		for (size_t column = 0; column < manifest_column_count(manifest); column++)
			if (column_feeds(binding, (enum field_id)field,
			                 manifest_column_name(manifest, column)))
				found = true;
		if (!found) {
			struct strbuf columns;
			strbuf_init(&columns, 400);
			append_column_list(&columns, manifest);
			const char *near = NULL;
			for (size_t column = 0; !near && column < manifest_column_count(manifest);
			     column++)
				if (column_name_near(maps[index].value,
				                     manifest_column_name(manifest, column)))
					near = manifest_column_name(manifest, column);
			if (near)
				error_set_at(
				    error, manifest_path(manifest), manifest_header_line(manifest),
				    "--map %s='%s': the header has no column '%s' (did you "
				    "mean '%.80s'? columns: %s)",
				    field_name(field), maps[index].value, maps[index].value, near,
				    strbuf_text(&columns));
			else
				error_set_at(
				    error, manifest_path(manifest), manifest_header_line(manifest),
				    "--map %s='%s': the header has no column '%s' (columns: %s)",
				    field_name(field), maps[index].value, maps[index].value,
				    strbuf_text(&columns));
			strbuf_release(&columns);
			return -1;
		}
	}
	return 0;
}

static int apply_sets(struct binding *binding, const struct field_assignment *sets,
                      size_t set_count, struct error *error)
{
	for (size_t index = 0; index < set_count; index++) {
		int field = resolve_option_field(binding->op, binding->manifest, "--set",
		                                 sets[index].field, error);
		if (field < 0)
			return -1;
		free(binding->set_value[field]);
		binding->set_value[field] =
		    trimmed_copy(sets[index].value ? sets[index].value : "");
		if (!binding->set_value[field])
			return error_set_at(error, manifest_path(binding->manifest), 0,
			                    "out of memory");
		binding->set_length[field] = strlen(binding->set_value[field]);
		if (binding->set_value[field][0] == '\0') {
			free(binding->set_value[field]);
			binding->set_value[field] = NULL;
		}
		binding->has_set[field] = true;
	}
	return 0;
}

struct binding *binding_new(const struct op *op, const struct manifest *manifest,
                            const struct field_assignment *maps, size_t map_count,
                            const struct field_assignment *sets, size_t set_count,
                            struct error *error)
{
	struct binding *binding = calloc(1, sizeof(*binding));
	if (!binding) {
		error_set_at(error, manifest_path(manifest), 0, "out of memory");
		return NULL;
	}
	binding->op = op;
	binding->manifest = manifest;
	binding->typed_values = manifest_format(manifest) != MANIFEST_FORMAT_CSV;
	binding->source_row_column = SIZE_MAX;
	binding->source_line_column = SIZE_MAX;
	if (manifest_written_by_tool(manifest)) {
		for (size_t column = 0; column < manifest_column_count(manifest); column++) {
			const char *name = manifest_column_name(manifest, column);
			if (column_name_equal(name, "source_row"))
				binding->source_row_column = column;
			else if (column_name_equal(name, "source_line"))
				binding->source_line_column = column;
		}
	}
	for (size_t field = 0; field < FIELD_COUNT; field++)
		strbuf_init(&binding->trimmed[field], MANIFEST_MAX_FIELD);
	if (apply_maps(binding, maps, map_count, error) < 0 ||
	    apply_sets(binding, sets, set_count, error) < 0)
		goto fail;
	resolve_columns(binding);
	if (manifest_format(manifest) != MANIFEST_FORMAT_JSONL &&
	    (check_near_misses(binding, true, error) < 0 || check_required(binding, error) < 0 ||
	     check_near_misses(binding, false, error) < 0))
		goto fail;
	return binding;
fail:
	binding_free(binding);
	return NULL;
}

/* Returns value without surrounding spaces, NULL when nothing is left; copies
 * only when there is something to trim at the end. known is value's length
 * when the manifest gave it, else SIZE_MAX. */
static const char *trim_value(struct binding *binding, enum field_id field, const char *value,
                              size_t known, size_t *length)
{
	const char *start = value;
	while (is_space(*value))
		value++;
	size_t size = known == SIZE_MAX ? strlen(value) : known - (size_t)(value - start);
	*length = size;
	if (size == 0)
		return NULL;
	if (!is_space(value[size - 1]))
		return value;
	while (size > 0 && is_space(value[size - 1]))
		size--;
	*length = size;
	struct strbuf *copy = &binding->trimmed[field];
	strbuf_reset(copy);
	if (strbuf_append(copy, value, size) != STRBUF_OK)
		return NULL;
	return strbuf_text(copy);
}

/* Writes the JSON number text (a valid JSON number) as plain decimal digits
 * into out when its value is a whole number: "1e3" -> "1000", "1024.0" ->
 * "1024", "-2E0" -> "-2". Returns 0, or -1 when it has a fractional part or
 * more than 40 digits. */
static int whole_json_number(const char *text, struct strbuf *out)
{
	enum { MAX_DIGITS = 40 };
	bool negative = *text == '-';
	if (negative)
		text++;
	char digits[MAX_DIGITS + 1];
	size_t count = 0;
	long point = 0; /* digits before the decimal point */
	bool in_fraction = false;
	for (; *text && *text != 'e' && *text != 'E'; text++) {
		if (*text == '.') {
			in_fraction = true;
			continue;
		}
		if (count == 0 && *text == '0') { /* leading zeros carry no value */
			if (in_fraction)
				point--;
			continue;
		}
		if (count == MAX_DIGITS)
			return -1;
		digits[count++] = *text;
		if (!in_fraction)
			point++;
	}
	long exponent = 0;
	if (*text == 'e' || *text == 'E') {
		text++;
		bool down = *text == '-';
		if (*text == '-' || *text == '+')
			text++;
		for (; *text && exponent <= 1000; text++)
			exponent = exponent * 10 + (*text - '0');
		if (exponent > 1000 && count > 0)
			return -1; /* far too large, or far below 1 */
		if (down)
			exponent = -exponent;
	}
	point += exponent;
	while (count > 0 && digits[count - 1] == '0' && (long)count > point)
		count--; /* trailing zeros after the point */
	if (count == 0) {
		strbuf_append_string(out, "0");
		return 0;
	}
	if (point < (long)count || point > MAX_DIGITS)
		return -1;
	if (negative)
		strbuf_append_char(out, '-');
	strbuf_append(out, digits, count);
	for (long index = (long)count; index < point; index++)
		strbuf_append_char(out, '0');
	return 0;
}

/* Judges a value by what it was in the file (JSONL): an array or object is
 * refused, a number for a count field becomes its whole value's digits.
 * Returns the value to use, or NULL with problem filled (unless NULL). */
static const char *take_kind(struct binding *binding, const struct op_field *field, size_t column,
                             const char *value, struct strbuf *problem)
{
	enum manifest_value_kind kind = manifest_value_kind(binding->manifest, column);
	if (kind == MANIFEST_VALUE_ARRAY || kind == MANIFEST_VALUE_OBJECT) {
		if (problem)
			strbuf_appendf(problem, "%.80s: value is %s, expected text or a number",
			               manifest_column_name(binding->manifest, column),
			               kind == MANIFEST_VALUE_ARRAY ? "an array" : "an object");
		return NULL;
	}
	if (kind != MANIFEST_VALUE_NUMBER || !(field->flags & OP_FIELD_NUMBER))
		return value;
	struct strbuf *whole = &binding->trimmed[field->id];
	strbuf_reset(whole);
	if (whole_json_number(value, whole) == 0)
		return strbuf_text(whole);
	if (problem)
		strbuf_appendf(problem, "%s: the number %.40s is not a whole number",
		               field_name(field->id), value);
	return NULL;
}

const char *binding_raw_value(struct binding *binding, const struct manifest_row *row,
                              enum field_id field)
{
	if (manifest_column_count(binding->manifest) > binding->resolved_columns)
		resolve_columns(binding);
	if (binding->has_set[field])
		return binding->set_value[field];
	for (size_t alias = 0; alias < binding->column_count[field]; alias++) {
		size_t column = binding->columns[field][alias];
		if (column < row->value_count && row->values[column])
			return row->values[column];
	}
	return NULL;
}

int binding_apply(struct binding *binding, const struct manifest_row *row, struct record *record,
                  struct strbuf *problem)
{
	if (manifest_column_count(binding->manifest) > binding->resolved_columns)
		resolve_columns(binding);
	/* not memset, nor a plain loop (which the compiler turns into one): this
	 * runs once per row, and rep stos is slow to start */
	size_t cleared = 0;
#ifdef __SSE2__
	__m128i zero = _mm_setzero_si128();
	/* hides that it is zero, so the stores stay stores */
	__asm__("" : "+x"(zero));
	for (; cleared + 2 <= FIELD_COUNT; cleared += 2)
		_mm_storeu_si128((__m128i *)(void *)&record->value[cleared], zero);
#endif
	for (; cleared < FIELD_COUNT; cleared++)
		record->value[cleared] = NULL;
	record->row = row->number;
	record->line = row->line;
	record->offset = row->offset;
	record->source_row = binding->source_row_column < row->value_count
	                         ? parse_position(row->values[binding->source_row_column])
	                         : 0;
	record->source_line = binding->source_line_column < row->value_count
	                          ? parse_position(row->values[binding->source_line_column])
	                          : 0;
	bool failed = false;
	if (row->problem) {
		strbuf_append_string(problem, row->problem);
		failed = true;
	}
	for (size_t fed = 0; fed < binding->fed_count; fed++) {
		size_t index = binding->fed[fed];
		enum field_id field = binding->op->fields[index].id;
		if (binding->has_set[field]) {
			record->value[field] = binding->set_value[field];
			binding->lengths[field] = binding->set_length[field];
			continue;
		}
		const char *raw = NULL;
		size_t column = 0;
		for (size_t alias = 0; alias < binding->column_count[field] && !raw; alias++) {
			column = binding->columns[field][alias];
			if (column < row->value_count)
				raw = row->values[column];
		}
		if (!raw)
			continue;
		size_t length = 0;
		const char *value = trim_value(
		    binding, field, raw, row->lengths ? row->lengths[column] : SIZE_MAX, &length);
		if (value && binding->typed_values &&
		    manifest_value_kind(binding->manifest, column) != MANIFEST_VALUE_TEXT) {
			const char *taken = take_kind(binding, &binding->op->fields[index], column,
			                              value, failed ? NULL : problem);
			if (!taken)
				failed = true;
			else {
				value = taken;
				length = strlen(taken);
			}
		}
		record->value[field] = value;
		binding->lengths[field] = length;
		/* a row the reader saw to be ASCII is UTF-8 already */
		if (value && !failed && !row->ascii && !utf8_validate(value, length, NULL)) {
			strbuf_appendf(problem, "%s: ", field_name(field));
			utf8_describe_problem(value, length, problem);
			failed = true;
		}
	}
	return failed ? -1 : 0;
}

const size_t *binding_lengths(const struct binding *binding)
{
	return binding->lengths;
}

static bool column_is_used(const struct binding *binding, size_t column)
{
	for (size_t field = 0; field < FIELD_COUNT; field++) {
		if (binding->has_set[field])
			continue;
		for (size_t alias = 0; alias < binding->column_count[field]; alias++)
			if (binding->columns[field][alias] == column)
				return true;
	}
	return false;
}

/* The --set field whose column this is, or -1. */
static int overriding_field(const struct binding *binding, size_t column)
{
	for (size_t field = 0; field < FIELD_COUNT; field++) {
		if (!binding->has_set[field])
			continue;
		for (size_t alias = 0; alias < binding->column_count[field]; alias++)
			if (binding->columns[field][alias] == column)
				return (int)field;
	}
	return -1;
}

bool binding_column_override(struct binding *binding, size_t column, const char **value)
{
	if (manifest_column_count(binding->manifest) > binding->resolved_columns)
		resolve_columns(binding);
	int field = overriding_field(binding, column);
	if (field < 0)
		return false;
	*value = binding->set_value[field];
	return true;
}

const char *binding_set_note(struct binding *binding)
{
	if (manifest_column_count(binding->manifest) > binding->resolved_columns)
		resolve_columns(binding);
	struct strbuf note;
	strbuf_init(&note, 2048);
	size_t count = 0;
	for (size_t index = 0; index < binding->op->field_count; index++) {
		enum field_id field = binding->op->fields[index].id;
		if (!binding->has_set[field] || binding->column_count[field] == 0)
			continue;
		const char *value = binding->set_value[field] ? binding->set_value[field] : "";
		strbuf_appendf(&note, "%s--set %s=%.60s replaces the manifest's column '%.60s'",
		               count++ ? "; " : "", field_name(field), value,
		               manifest_column_name(binding->manifest, binding->columns[field][0]));
	}
	if (count)
		strbuf_append_string(&note, count == 1
		                                ? " in every row (errors.csv shows the value "
		                                  "sent)"
		                                : " in every row (errors.csv shows the values "
		                                  "sent)");
	free(binding->set_note);
	binding->set_note = count ? strbuf_detach(&note, NULL) : NULL;
	strbuf_release(&note);
	return binding->set_note;
}

const char *binding_unused_note(struct binding *binding, const struct manifest *manifest)
{
	if (manifest_column_count(manifest) > binding->resolved_columns)
		resolve_columns(binding);
	struct strbuf note;
	strbuf_init(&note, 1024);
	strbuf_append_string(&note, "extra columns kept but not used: ");
	size_t listed = 0;
	size_t unused = 0;
	size_t count = manifest_column_count(manifest);
	for (size_t column = 0; column < count; column++) {
		if (column_is_used(binding, column) || overriding_field(binding, column) >= 0 ||
		    is_bookkeeping_column(manifest, manifest_column_name(manifest, column)))
			continue;
		unused++;
		if (listed == BINDING_NOTE_COLUMNS)
			continue;
		const char *name = manifest_column_name(manifest, column);
		if (name[0])
			strbuf_appendf(&note, "%s%.60s", listed ? ", " : "", name);
		else
			strbuf_appendf(&note, "%scolumn %zu (no name)", listed ? ", " : "",
			               column + 1);
		listed++;
	}
	if (unused > listed)
		strbuf_appendf(&note, " and %zu more", unused - listed);
	free(binding->unused_note);
	binding->unused_note = NULL;
	if (unused)
		binding->unused_note = strbuf_detach(&note, NULL);
	strbuf_release(&note);
	return binding->unused_note;
}

void binding_free(struct binding *binding)
{
	if (!binding)
		return;
	for (size_t field = 0; field < FIELD_COUNT; field++) {
		free(binding->map_column[field]);
		free(binding->set_value[field]);
		strbuf_release(&binding->trimmed[field]);
	}
	free(binding->unused_note);
	free(binding->set_note);
	free(binding);
}
