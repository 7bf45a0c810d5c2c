/* JSONL rows: one object per line, blank lines skipped, a line that is not
 * an object becomes an invalid row rather than stopping the job. A flat
 * object takes the fast path (jsonl_flat.c); any other line goes through
 * jansson, its bare numbers turned into strings before parsing so a 20-digit
 * ICCID keeps every digit exactly as written. */
#include "manifest_internal.h"

#include <stdlib.h>
#include <string.h>

/* Put before a top-level number when it is quoted, so that take_values
 * knows the string was a number: U+FDD0, a noncharacter no real text uses. */
#define NUMBER_MARK_JSON "\\ufdd0"
#define NUMBER_MARK_UTF8 "\xEF\xB7\x90"

/* Deeper JSON than this cannot be a manifest row; refusing it before jansson
 * recurses keeps hostile input from costing stack. */
#define JSONL_MAX_DEPTH 32

static bool is_digit(char character)
{
	return character >= '0' && character <= '9';
}

/* Copies line into out with every bare number in a value position quoted
 * ("89014103211118510720", "8.9E+19"): jansson would refuse integers past
 * 64 bits and round reals. Returns 0, or -1 when the line nests deeper than
 * JSONL_MAX_DEPTH (nothing is quoted then). */
static int quote_numbers(const char *line, size_t length, struct strbuf *out)
{
	char containers[JSONL_MAX_DEPTH];
	size_t depth = 0;
	char previous = 0; /* last significant character outside strings */
	strbuf_reset(out);
	size_t copied = 0; /* line[0..copied) is already in out */
	for (size_t index = 0; index < length; index++) {
		char character = line[index];
		if (character == '"') {
			/* skip the string, honouring backslash escapes */
			for (index++; index < length && line[index] != '"'; index++)
				if (line[index] == '\\')
					index++;
			previous = '"';
			continue;
		}
		if (character == '{' || character == '[') {
			if (depth == JSONL_MAX_DEPTH)
				return -1;
			containers[depth++] = character;
		} else if ((character == '}' || character == ']') && depth > 0) {
			depth--;
		} else if ((character == '-' || is_digit(character)) && depth > 0 &&
		           (previous == ':' || ((previous == '[' || previous == ',') &&
		                                containers[depth - 1] == '['))) {
			size_t number = jsonl_number_length(line + index, length - index);
			if (number > 0) {
				strbuf_append(out, line + copied, index - copied);
				strbuf_append_char(out, '"');
				if (depth == 1 && previous == ':')
					strbuf_append_string(out, NUMBER_MARK_JSON);
				strbuf_append(out, line + index, number);
				strbuf_append_char(out, '"');
				index += number - 1;
				copied = index + 1;
				previous = '0';
				continue;
			}
		}
		if (character != ' ' && character != '\t' && character != '\r' && character != '\n')
			previous = character;
	}
	strbuf_append(out, line + copied, length - copied);
	return 0;
}

static const char *type_name(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "true or false";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* Finds the column of key, trying the position it had in the previous row first. */
static long find_column(struct manifest *manifest, const char *key, size_t hint)
{
	if (hint < manifest->column_count && strcmp(manifest->column_names[hint], key) == 0)
		return (long)hint;
	for (size_t index = 0; index < manifest->column_count; index++)
		if (strcmp(manifest->column_names[index], key) == 0)
			return (long)index;
	return -1;
}

static void free_dumps(struct jsonl_state *state)
{
	for (size_t index = 0; index < state->dump_count; index++)
		free(state->dumps[index]);
	state->dump_count = 0;
}

/* Gives an array or object value as its compact JSON text (for errors.csv),
 * marked with its kind. */
static void take_structure(struct manifest *manifest, size_t column, const json_t *value)
{
	struct jsonl_state *state = &manifest->jsonl;
	manifest->kinds[column] =
	    json_is_array(value) ? MANIFEST_VALUE_ARRAY : MANIFEST_VALUE_OBJECT;
	if (!state->dumps) {
		state->dumps = calloc(MANIFEST_MAX_COLUMNS, sizeof(*state->dumps));
		if (!state->dumps) {
			manifest_row_problem(manifest, "out of memory");
			return;
		}
	}
	char *text = state->dump_count < MANIFEST_MAX_COLUMNS
	                 ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY)
	                 : NULL;
	if (!text) {
		manifest->values[column] = json_is_array(value) ? "[]" : "{}";
		return;
	}
	state->dumps[state->dump_count++] = text;
	manifest->values[column] = text;
}

static void take_values(struct manifest *manifest, json_t *object)
{
	const char *key = NULL;
	json_t *value = NULL;
	size_t position = 0;
	json_object_foreach(object, key, value)
	{
		long column = find_column(manifest, key, position++);
		if (column < 0) {
			size_t key_length = strlen(key);
			if (key_length > MANIFEST_MAX_KEY) {
				manifest_row_problem(manifest,
				                     "key '%.40s...' longer than %u bytes", key,
				                     MANIFEST_MAX_KEY);
				continue;
			}
			if (manifest->column_count >= MANIFEST_MAX_COLUMNS) {
				manifest_row_problem(
				    manifest, "too many different keys in the file (over %u)",
				    MANIFEST_MAX_COLUMNS);
				continue;
			}
			column = manifest_add_column(manifest, key, key_length);
			if (column < 0) {
				manifest_row_problem(manifest, "out of memory");
				continue;
			}
		}
		if (json_is_string(value)) {
			const char *text = json_string_value(value);
			if (strncmp(text, NUMBER_MARK_UTF8, sizeof(NUMBER_MARK_UTF8) - 1) == 0) {
				text += sizeof(NUMBER_MARK_UTF8) - 1;
				manifest->kinds[column] = MANIFEST_VALUE_NUMBER;
			}
			manifest->values[column] = text;
		} else if (json_is_true(value)) {
			manifest->values[column] = "true";
		} else if (json_is_false(value)) {
			manifest->values[column] = "false";
		} else if (json_is_array(value) || json_is_object(value)) {
			/* judged by the binding, and only when the operation uses the key */
			take_structure(manifest, (size_t)column, value);
		}
	}
}

static void parse_line(struct manifest *manifest, const char *line, size_t length)
{
	struct jsonl_state *state = &manifest->jsonl;
	if (quote_numbers(line, length, &state->quoted) < 0) {
		manifest_row_problem(manifest, "invalid JSON: nested deeper than %d levels",
		                     JSONL_MAX_DEPTH);
		return;
	}
	json_error_t failure;
	json_t *parsed =
	    json_loadb(state->quoted.data ? state->quoted.data : "", state->quoted.length,
	               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &failure);
	if (!parsed) {
		manifest_row_problem(manifest, "invalid JSON: %s", failure.text);
		return;
	}
	if (!json_is_object(parsed)) {
		manifest_row_problem(manifest, "not a JSON object (the line holds %s)",
		                     type_name(parsed));
		json_decref(parsed);
		return;
	}
	state->object = parsed;
	take_values(manifest, parsed);
}

static bool is_blank_line(const char *line, size_t length)
{
	for (size_t index = 0; index < length; index++)
		if (!strchr(" \t\r\n", line[index]) || line[index] == '\0')
			return false;
	return true;
}

/* Turns one complete line into a row; returns false for a blank line. The
 * line may be written over (jsonl_flat_split). */
static bool finish_line(struct manifest *manifest, char *line, size_t length,
                        struct manifest_row *row)
{
	struct jsonl_state *state = &manifest->jsonl;
	if (!state->line_too_long && is_blank_line(line, length))
		return false;
	strbuf_reset(&manifest->problem);
	free_dumps(state);
	if (manifest->column_count) {
		memset(manifest->values, 0, manifest->column_count * sizeof(*manifest->values));
		memset(manifest->kinds, MANIFEST_VALUE_TEXT,
		       manifest->column_count * sizeof(*manifest->kinds));
	}
	row->lengths = NULL;
	row->ascii = false;
	if (state->line_too_long)
		manifest_row_problem(manifest, "line longer than %u bytes", MANIFEST_MAX_LINE);
	else if (!manifest->no_fast_paths &&
	         jsonl_flat_split(manifest, line, length, state->lengths, &row->ascii))
		row->lengths = state->lengths;
	else
		parse_line(manifest, line, length);
	row->number = ++manifest->rows_read;
	row->line = state->line_number;
	row->offset = state->line_offset;
	row->value_count = manifest->column_count;
	row->values = manifest->values;
	row->problem = manifest->problem.length ? strbuf_text(&manifest->problem) : NULL;
	return true;
}

static int jsonl_next(struct manifest *manifest, struct manifest_row *row, struct error *error)
{
	struct jsonl_state *state = &manifest->jsonl;
	if (state->object) {
		json_decref(state->object);
		state->object = NULL;
	}
	struct line_piece piece;
	for (;;) {
		int result = line_reader_next(&manifest->lines, &piece, error);
		if (result < 0)
			return -1;
		if (result == 0) {
			if (state->line.length == 0 && !state->line_too_long)
				return 0;
			bool is_row =
			    finish_line(manifest, state->line.data, state->line.length, row);
			strbuf_reset(&state->line);
			state->line_too_long = false;
			if (is_row)
				return 1;
			return 0;
		}
		if (piece.starts_line) {
			state->line_number = piece.line;
			state->line_offset = piece.line_offset;
			strbuf_reset(&state->line);
			state->line_too_long = false;
			if (piece.ends_line) {
				if (finish_line(manifest, piece.data, piece.length, row))
					return 1;
				continue;
			}
		}
		if (!state->line_too_long &&
		    strbuf_append(&state->line, piece.data, piece.length) != STRBUF_OK) {
			state->line_too_long = true;
			strbuf_release(&state->line); /* give the megabyte back */
		}
		if (piece.ends_line) {
			bool is_row =
			    finish_line(manifest, state->line.data, state->line.length, row);
			strbuf_reset(&state->line);
			state->line_too_long = false;
			if (is_row)
				return 1;
		}
	}
}

static void jsonl_restart(struct manifest *manifest)
{
	struct jsonl_state *state = &manifest->jsonl;
	strbuf_reset(&state->line);
	state->line_too_long = false;
	if (state->object) {
		json_decref(state->object);
		state->object = NULL;
	}
	free_dumps(state);
}

static void jsonl_release(struct manifest *manifest)
{
	struct jsonl_state *state = &manifest->jsonl;
	jsonl_restart(manifest);
	free(state->dumps);
	free(state->lengths);
	strbuf_release(&state->line);
	strbuf_release(&state->quoted);
}

static const struct manifest_reader_ops jsonl_ops = {
    .next = jsonl_next,
    .restart = jsonl_restart,
    .release = jsonl_release,
};

int jsonl_reader_open(struct manifest *manifest, struct error *error)
{
	manifest->reader = &jsonl_ops;
	strbuf_init(&manifest->jsonl.line, MANIFEST_MAX_LINE);
	/* each number may gain two quotes (1.5x for digits separated by commas), a
	 * top-level one also the 6-byte mark (under 2.5x: "k":1, is 6 bytes) */
	strbuf_init(&manifest->jsonl.quoted, MANIFEST_MAX_LINE * 3);
	manifest->jsonl.lengths = calloc(MANIFEST_MAX_COLUMNS, sizeof(*manifest->jsonl.lengths));
	if (!manifest->jsonl.lengths)
		return error_set_at(error, manifest->path, 0, "out of memory");
	return 0;
}
