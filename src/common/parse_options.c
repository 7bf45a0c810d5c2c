/* The table-driven option parser: argv, job-file objects, job.json and
 * --help text, all from the rows of struct parse_option. */
#include "common/parse_options.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/duration.h"
#include "common/suggest.h"

#define NAME_MAX_LENGTH  64 /* longest option name looked up */
#define LABEL_MAX_LENGTH 96
#define HELP_LEFT_WIDTH  28 /* "--connect-timeout SECONDS" fits */

static void *field_at(void *base, size_t offset)
{
	return (char *)base + offset;
}

static const void *const_field_at(const void *base, size_t offset)
{
	return (const char *)base + offset;
}

/* Stores value in an unsigned field of 1, 2, 4 or 8 bytes (long and size_t
 * fields hold the same bits for the non-negative values rows allow). */
static void store_unsigned(void *field, size_t size, unsigned long long value)
{
	if (size == 1) {
		uint8_t narrow = (uint8_t)value;
		memcpy(field, &narrow, 1);
	} else if (size == 2) {
		uint16_t narrow = (uint16_t)value;
		memcpy(field, &narrow, 2);
	} else if (size == 4) {
		uint32_t narrow = (uint32_t)value;
		memcpy(field, &narrow, 4);
	} else {
		uint64_t wide = value;
		memcpy(field, &wide, 8);
	}
}

static unsigned long long load_unsigned(const void *field, size_t size)
{
	if (size == 1) {
		uint8_t narrow;
		memcpy(&narrow, field, 1);
		return narrow;
	}
	if (size == 2) {
		uint16_t narrow;
		memcpy(&narrow, field, 2);
		return narrow;
	}
	if (size == 4) {
		uint32_t narrow;
		memcpy(&narrow, field, 4);
		return narrow;
	}
	uint64_t wide;
	memcpy(&wide, field, 8);
	return wide;
}

static void store_bool(void *base, size_t offset, bool value)
{
	memcpy(field_at(base, offset), &value, sizeof(value));
}

static bool load_bool(const void *base, size_t offset)
{
	bool value;
	memcpy(&value, const_field_at(base, offset), sizeof(value));
	return value;
}

const struct parse_option *parse_options_find(const struct parse_options_table *table,
                                              const char *name)
{
	for (size_t index = 0; index < table->count; index++)
		if (strcmp(table->rows[index].name, name) == 0)
			return &table->rows[index];
	return NULL;
}

const struct parse_option *parse_options_find_json_key(const struct parse_options_table *table,
                                                       const char *key)
{
	for (size_t index = 0; index < table->count; index++)
		if (table->rows[index].json_key && strcmp(table->rows[index].json_key, key) == 0)
			return &table->rows[index];
	return NULL;
}

/* The value as messages may show it. */
static const char *shown(const struct parse_option *row, const char *value)
{
	return (row->flags & PARSE_OPTION_SECRET) ? "(hidden)" : value;
}

/* Sets error to "label: " + the row's rejection with "{}" replaced by the
 * value, or to fallback's text when the row has no rejection of its own. */
static int reject(const struct parse_option *row, const char *label, const char *value,
                  const char *fallback, struct error *error)
{
	const char *template = row->rejection;
	if (!template)
		return error_set(error, "%s: '%s' %s", label, shown(row, value), fallback);
	char text[512];
	const char *marker = strstr(template, "{}");
	if (marker)
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(marker - template), template,
		         shown(row, value), marker + 2);
	else
		snprintf(text, sizeof(text), "%s", template);
	return error_set(error, "%s: %s", label, text);
}

static int apply_unsigned(const struct parse_option *row, void *base, const char *value,
                          const char *label, struct error *error)
{
	char *end = NULL;
	unsigned long long number = 0;
	errno = 0;
	if (isdigit((unsigned char)value[0]))
		number = strtoull(value, &end, 10);
	if (!end || *end != '\0' || errno == ERANGE || number < row->minimum ||
	    number > row->maximum) {
		char fallback[128];
		snprintf(fallback, sizeof(fallback), "is not a whole number from %llu to %llu",
		         row->minimum, row->maximum);
		return reject(row, label, value, fallback, error);
	}
	store_unsigned(field_at(base, row->offset), row->size, number);
	return 0;
}

static int apply_double(const struct parse_option *row, void *base, const char *value,
                        const char *label, struct error *error)
{
	char *end = NULL;
	double number = 0;
	errno = 0;
	if (isdigit((unsigned char)value[0]) || value[0] == '.')
		number = strtod(value, &end);
	bool below = (row->flags & PARSE_OPTION_EXCLUSIVE_MINIMUM) ? number <= row->real_minimum
	                                                           : number < row->real_minimum;
	if (!end || *end != '\0' || errno == ERANGE || !isfinite(number) || below ||
	    number > row->real_maximum) {
		char fallback[128];
		snprintf(fallback, sizeof(fallback), "is not a number from %g to %g",
		         row->real_minimum, row->real_maximum);
		return reject(row, label, value, fallback, error);
	}
	memcpy(field_at(base, row->offset), &number, sizeof(number));
	return 0;
}

static int apply_duration(const struct parse_option *row, void *base, const char *value,
                          const char *label, struct error *error)
{
	int64_t milliseconds = 0;
	if (value && duration_parse(value, &milliseconds) < 0)
		return reject(row, label, value,
		              "is not a duration such as 90s, 30m or 1h30m (at most 7d)", error);
	memcpy(field_at(base, row->offset), &milliseconds, sizeof(milliseconds));
	return 0;
}

static int apply_string(const struct parse_option *row, void *base, const char *value,
                        const char *label, struct error *error)
{
	if (!value[0] && row->empty_text)
		return error_set(error, "%s: %s", label, row->empty_text);
	char *copy = strdup(value);
	if (!copy)
		return error_set(error, "%s: out of memory", label);
	char **slot = field_at(base, row->offset);
	free(*slot);
	*slot = copy;
	return 0;
}

static const struct parse_option_word *find_word(const struct parse_option *row, const char *value)
{
	for (size_t index = 0; index < row->word_count; index++) {
		const char *word = row->words[index].word;
		bool same = (row->flags & PARSE_OPTION_CASE_SENSITIVE)
		                ? strcmp(word, value) == 0
		                : strcasecmp(word, value) == 0;
		if (same)
			return &row->words[index];
	}
	return NULL;
}

/* "is not one of a, b, c" for a row without a rejection message. */
static int reject_word(const struct parse_option *row, const char *label, const char *value,
                       struct error *error)
{
	char fallback[256];
	int written = snprintf(fallback, sizeof(fallback), "is not one of");
	for (size_t index = 0;
	     index < row->word_count && written > 0 && (size_t)written < sizeof(fallback); index++)
		written += snprintf(fallback + written, sizeof(fallback) - (size_t)written, "%s %s",
		                    index ? "," : "", row->words[index].word);
	return reject(row, label, value, fallback, error);
}

int parse_options_apply(const struct parse_option *row, void *base, const char *value,
                        const char *label, struct error *error)
{
	if (row->type == PARSE_OPTION_FLAG) {
		store_bool(base, row->offset, true);
		return 0;
	}
	if (row->type == PARSE_OPTION_HELP)
		return 0;
	if (row->flags & PARSE_OPTION_OPTIONAL_VALUE) {
		if (row->type == PARSE_OPTION_CUSTOM)
			return row->handler->apply(row, base, value, label, error);
		if (row->type == PARSE_OPTION_DURATION)
			return apply_duration(row, base, value, label, error);
	}
	if (!value)
		return error_set(error, "%s needs a value (%s)", label, row->value_name);
	const struct parse_option_word *word = NULL;
	switch (row->type) {
	case PARSE_OPTION_UNSIGNED:
		return apply_unsigned(row, base, value, label, error);
	case PARSE_OPTION_DOUBLE:
		return apply_double(row, base, value, label, error);
	case PARSE_OPTION_STRING:
		return apply_string(row, base, value, label, error);
	case PARSE_OPTION_DURATION:
		return apply_duration(row, base, value, label, error);
	case PARSE_OPTION_CHOICE:
		word = find_word(row, value);
		if (!word)
			return reject_word(row, label, value, error);
		store_unsigned(field_at(base, row->offset), row->size,
		               (unsigned long long)word->value);
		return 0;
	case PARSE_OPTION_WORD_FLAGS:
		word = find_word(row, value);
		if (!word)
			return reject_word(row, label, value, error);
		store_bool(base, (size_t)word->value, true);
		return 0;
	case PARSE_OPTION_CUSTOM:
		return row->handler->apply(row, base, value, label, error);
	default:
		return error_set(error, "%s: not an option with a value", label);
	}
}

int parse_options_apply_option(const struct parse_option *row, void *base, const char *value,
                               struct error *error)
{
	char label[LABEL_MAX_LENGTH];
	snprintf(label, sizeof(label), "--%s", row->name);
	return parse_options_apply(row, base, value, label, error);
}

static void release_row(const struct parse_option *row, void *base)
{
	if (row->type == PARSE_OPTION_STRING) {
		char **slot = field_at(base, row->offset);
		free(*slot);
		*slot = NULL;
	} else if (row->type == PARSE_OPTION_CUSTOM && row->handler->release) {
		row->handler->release(row, base);
	}
}

void parse_options_release(const struct parse_options_table *table, void *base)
{
	for (size_t index = 0; index < table->count; index++)
		release_row(&table->rows[index], base);
}

int parse_options_defaults(const struct parse_options_table *table, void *base, struct error *error)
{
	for (size_t index = 0; index < table->count; index++) {
		const struct parse_option *row = &table->rows[index];
		release_row(row, base);
		if (row->type == PARSE_OPTION_WORD_FLAGS) {
			for (size_t word = 0; word < row->word_count; word++)
				store_bool(base, (size_t)row->words[word].value, false);
		} else if (row->type != PARSE_OPTION_HELP && row->type != PARSE_OPTION_CUSTOM) {
			memset(field_at(base, row->offset), 0, row->size);
		}
		if (!row->default_value)
			continue;
		char label[LABEL_MAX_LENGTH];
		snprintf(label, sizeof(label), "default of --%s", row->name);
		if (parse_options_apply(row, base, row->default_value, label, error) < 0)
			return -1;
	}
	return 0;
}

/* Builds the "unknown option" message with the closest option name in scope. */
static int unknown_option(const struct parse_options_table *table, unsigned scope,
                          const char *command, const char *argument, const char *name,
                          struct error *error)
{
	const char *names[PARSE_OPTIONS_MAX_ROWS];
	size_t count = 0;
	for (size_t index = 0; index < table->count && count < PARSE_OPTIONS_MAX_ROWS; index++)
		if (!table->rows[index].scopes || (table->rows[index].scopes & scope))
			names[count++] = table->rows[index].name;
	const char *closest = closest_name(name, names, count);
	const char *space = command ? " " : "";
	command = command ? command : "";
	if (closest)
		return error_set(error,
		                 "unknown option '%s' (did you mean '--%s'?); see '%s%s%s --help'",
		                 argument, closest, table->program, space, command);
	return error_set(error, "unknown option '%s'; see '%s%s%s --help'", argument,
	                 table->program, space, command);
}

int parse_options_argv(const struct parse_options_table *table, unsigned scope, const char *command,
                       int argc, char **argv, struct parsed_command_line *line, struct error *error)
{
	memset(line, 0, sizeof(*line));
	size_t slots = argc > 0 ? (size_t)argc : 1;
	line->given = calloc(slots, sizeof(*line->given));
	line->positional = calloc(slots, sizeof(*line->positional));
	if (!line->given || !line->positional)
		return error_set(error, "out of memory");
	bool options_ended = false;
	for (int index = 1; index < argc; index++) {
		char *argument = argv[index];
		if (options_ended || argument[0] != '-' || strcmp(argument, "-") == 0) {
			line->positional[line->positional_count++] = argument;
			continue;
		}
		if (strcmp(argument, "--") == 0) {
			options_ended = true;
			continue;
		}
		if (strcmp(argument, "-h") == 0) {
			line->help = true;
			continue;
		}
		if (argument[1] != '-')
			return unknown_option(table, scope, command, argument, argument + 1, error);
		char name[NAME_MAX_LENGTH];
		const char *equals = strchr(argument, '=');
		size_t name_length =
		    equals ? (size_t)(equals - argument - 2) : strlen(argument + 2);
		if (name_length >= sizeof(name))
			return unknown_option(table, scope, command, argument, "", error);
		memcpy(name, argument + 2, name_length);
		name[name_length] = '\0';
		const struct parse_option *row = parse_options_find(table, name);
		if (!row)
			return unknown_option(table, scope, command, argument, name, error);
		if (row->scopes && !(row->scopes & scope))
			return error_set(
			    error, "option '--%s' does not apply to '%s'; see '%s %s --help'", name,
			    command ? command : "", table->program, command ? command : "");
		if (row->type == PARSE_OPTION_HELP) {
			line->help = true;
			continue;
		}
		const char *value = NULL;
		if (row->flags & PARSE_OPTION_OPTIONAL_VALUE) {
			/* never the next argument: "--verify out/x" keeps out/x positional */
			value = equals ? equals + 1 : NULL;
		} else if (row->type != PARSE_OPTION_FLAG) {
			if (equals)
				value = equals + 1;
			else if (index + 1 < argc)
				value = argv[++index];
			else
				return error_set(error, "option '--%s' needs a value (%s)", name,
				                 row->value_name);
		} else if (equals) {
			return error_set(error, "option '--%s' takes no value", name);
		}
		line->given[line->given_count].row = row;
		line->given[line->given_count].value = value;
		line->given_count++;
	}
	return 0;
}

int parse_options_apply_line(const struct parsed_command_line *line, void *base,
                             struct error *error)
{
	for (size_t index = 0; index < line->given_count; index++)
		if (parse_options_apply_option(line->given[index].row, base,
		                               line->given[index].value, error) < 0)
			return -1;
	return 0;
}

void parsed_command_line_release(struct parsed_command_line *line)
{
	free(line->given);
	free(line->positional);
	memset(line, 0, sizeof(*line));
}

int parse_options_command(const struct parse_options_table *table, unsigned scope,
                          const char *command, void *base, int argc, char **argv,
                          struct parsed_command_line *line, struct error *error)
{
	memset(line, 0, sizeof(*line));
	if (parse_options_defaults(table, base, error) < 0 ||
	    parse_options_argv(table, scope, command, argc, argv, line, error) < 0)
		return -1;
	if (line->help)
		return 1;
	return parse_options_apply_line(line, base, error);
}

/* Returns value as option text in buffer: strings as they are, numbers
 * printed as people wrote them; NULL for other types. */
static const char *scalar_text(const json_t *value, char *buffer, size_t size)
{
	if (json_is_string(value))
		return json_string_value(value);
	if (json_is_integer(value)) {
		snprintf(buffer, size, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
		return buffer;
	}
	if (json_is_real(value)) {
		snprintf(buffer, size, "%.15g", json_real_value(value));
		return buffer;
	}
	return NULL;
}

/* Applies a text value from a job file, with errors naming source. */
static int apply_from_source(const struct parse_option *row, void *base, const char *text,
                             const char *label, const char *source, struct error *error)
{
	struct error inner;
	error_clear(&inner);
	if (parse_options_apply(row, base, text, label, &inner) < 0)
		return error_set_at(error, source, 0, "%s", inner.message);
	return 0;
}

/* Applies an object of KEY: VALUE members, each as "KEY=VALUE". */
static int apply_members(const struct parse_option *row, void *base, const json_t *value,
                         const char *label, const char *source, struct error *error)
{
	const char *what = row->value_name ? strchr(row->value_name, '=') : NULL;
	what = what ? what + 1 : "VALUE";
	if (!json_is_object(value))
		return error_set_at(error, source, 0, "%s: must be an object of FIELD: %s", label,
		                    what);
	const char *key = NULL;
	json_t *member = NULL;
	json_object_foreach((json_t *)value, key, member)
	{
		char number[64];
		const char *text = row->handler->json_string_members && !json_is_string(member)
		                       ? NULL
		                       : scalar_text(member, number, sizeof(number));
		if (!text)
			return error_set_at(
			    error, source, 0, "%s: value of '%s' must be %s", label, key,
			    row->handler->json_string_members ? "a string (a column name)"
			                                      : "a string or number");
		size_t length = strlen(key) + strlen(text) + 2;
		char *assignment = malloc(length);
		if (!assignment)
			return error_set(error, "out of memory");
		snprintf(assignment, length, "%s=%s", key, text);
		int result = apply_from_source(row, base, assignment, label, source, error);
		free(assignment);
		if (result < 0)
			return -1;
	}
	return 0;
}

/* Joins a relative path to the directory of source (a job file) in place. */
static int relative_to_source(char **path, const char *source, struct error *error)
{
	const char *slash = source ? strrchr(source, '/') : NULL;
	if (!slash || !*path || (*path)[0] == '/' || strcmp(*path, "-") == 0)
		return 0;
	size_t directory_length = (size_t)(slash - source);
	size_t size = directory_length + strlen(*path) + 2;
	char *joined = malloc(size);
	if (!joined)
		return error_set(error, "out of memory");
	snprintf(joined, size, "%.*s/%s", (int)directory_length, source, *path);
	free(*path);
	*path = joined;
	return 0;
}

static int unknown_key(const struct parse_options_table *table, const char *key, const char *source,
                       struct error *error)
{
	const char *keys[PARSE_OPTIONS_MAX_ROWS];
	size_t count = 0;
	for (size_t index = 0; index < table->count && count < PARSE_OPTIONS_MAX_ROWS; index++)
		if (table->rows[index].json_key)
			keys[count++] = table->rows[index].json_key;
	const char *closest = closest_name(key, keys, count);
	if (closest)
		return error_set_at(error, source, 0, "unknown key '%s' (did you mean '%s'?)", key,
		                    closest);
	return error_set_at(error, source, 0, "unknown key '%s'", key);
}

static int apply_json_member(const struct parse_options_table *table, void *base, const char *key,
                             const json_t *value, const char *source, struct error *error)
{
	char label[LABEL_MAX_LENGTH];
	snprintf(label, sizeof(label), "key '%.60s'", key);
	const struct parse_option *row = parse_options_find_json_key(table, key);
	if (!row)
		return unknown_key(table, key, source, error);
	char number[64];
	const char *text = NULL;
	if ((row->flags & PARSE_OPTION_OPTIONAL_VALUE) && json_is_boolean(value)) {
		if (json_is_true(value))
			return apply_from_source(row, base, NULL, label, source, error);
		release_row(row, base);
		if (row->type != PARSE_OPTION_CUSTOM)
			memset(field_at(base, row->offset), 0, row->size);
		return 0;
	}
	switch (row->type) {
	case PARSE_OPTION_FLAG:
		if (!json_is_boolean(value))
			return error_set_at(error, source, 0, "%s: must be true or false", label);
		store_bool(base, row->offset, json_is_true(value));
		return 0;
	case PARSE_OPTION_DURATION:
		if (json_is_integer(value))
			return apply_from_source(row, base,
			                         scalar_text(value, number, sizeof(number)), label,
			                         source, error);
		break;
	case PARSE_OPTION_UNSIGNED:
	case PARSE_OPTION_DOUBLE:
		text = json_is_number(value) ? scalar_text(value, number, sizeof(number)) : NULL;
		if (!text)
			return error_set_at(error, source, 0, "%s: must be a number", label);
		return apply_from_source(row, base, text, label, source, error);
	case PARSE_OPTION_WORD_FLAGS:
		if (json_is_array(value)) {
			size_t index = 0;
			json_t *item = NULL;
			json_array_foreach(value, index, item)
			{
				if (apply_json_member(table, base, key, item, source, error) < 0)
					return -1;
			}
			return 0;
		}
		break;
	case PARSE_OPTION_CUSTOM:
		if (row->handler->apply_json) {
			struct error inner;
			error_clear(&inner);
			if (row->handler->apply_json(row, base, value, &inner) < 0)
				return error_set_at(error, source, 0, "%s: %s", label,
				                    inner.message);
			return 0;
		}
		if (row->handler->json_object_members)
			return apply_members(row, base, value, label, source, error);
		break;
	default:
		break;
	}
	if (!json_is_string(value))
		return error_set_at(error, source, 0, "%s: must be a string", label);
	if (apply_from_source(row, base, json_string_value(value), label, source, error) < 0)
		return -1;
	if (row->type == PARSE_OPTION_STRING && (row->flags & PARSE_OPTION_PATH))
		return relative_to_source(field_at(base, row->offset), source, error);
	return 0;
}

int parse_options_from_json(const struct parse_options_table *table, const json_t *object,
                            void *base, const char *source, struct error *error)
{
	if (!json_is_object(object))
		return error_set_at(error, source, 0, "a job file must hold one JSON object");
	const char *key = NULL;
	json_t *value = NULL;
	json_object_foreach((json_t *)object, key, value)
	{
		if (apply_json_member(table, base, key, value, source, error) < 0)
			return -1;
	}
	return 0;
}

/* Returns path made absolute (malloc'd), leaving "-" and absolute paths as they are. */
static char *absolute_path(const char *path)
{
	if (strcmp(path, "-") == 0 || path[0] == '/')
		return strdup(path);
	char *resolved = realpath(path, NULL);
	if (resolved)
		return resolved;
	char directory[PATH_MAX];
	if (!getcwd(directory, sizeof(directory)))
		return strdup(path);
	size_t size = strlen(directory) + strlen(path) + 2;
	char *joined = malloc(size);
	if (joined)
		snprintf(joined, size, "%s/%s", directory, path);
	return joined;
}

static json_t *string_json(const struct parse_option *row, const char *text, bool *failed)
{
	if (!(row->flags & PARSE_OPTION_PATH)) {
		json_t *value = json_string(text);
		*failed |= !value;
		return value;
	}
	char *absolute = absolute_path(text);
	json_t *value = absolute ? json_string(absolute) : NULL;
	free(absolute);
	*failed |= !value;
	return value;
}

static json_t *word_flags_json(const struct parse_option *row, const void *base, bool *failed)
{
	json_t *words = NULL;
	for (size_t index = 0; index < row->word_count; index++) {
		size_t offset = (size_t)row->words[index].value;
		bool first_for_offset = true;
		for (size_t earlier = 0; earlier < index; earlier++)
			first_for_offset &= (size_t)row->words[earlier].value != offset;
		if (!first_for_offset || !load_bool(base, offset))
			continue;
		if (!words)
			words = json_array();
		if (!words ||
		    json_array_append_new(words, json_string(row->words[index].word)) < 0) {
			*failed = true;
			json_decref(words);
			return NULL;
		}
	}
	return words;
}

/* The JSON value of row's field, or NULL when it holds nothing worth recording. */
static json_t *row_json(const struct parse_option *row, const void *base, bool *failed)
{
	const void *field = const_field_at(base, row->offset);
	json_t *value = NULL;
	switch (row->type) {
	case PARSE_OPTION_FLAG:
		return load_bool(base, row->offset) ? json_true() : NULL;
	case PARSE_OPTION_UNSIGNED:
		/* always recorded: 0 may be a value the user chose (--max-retries 0) */
		value = json_integer((json_int_t)load_unsigned(field, row->size));
		break;
	case PARSE_OPTION_DOUBLE: {
		double number;
		memcpy(&number, field, sizeof(number));
		if (number == 0)
			return NULL;
		value = json_real(number);
		break;
	}
	case PARSE_OPTION_STRING: {
		const char *text = *(char *const *)field;
		return text ? string_json(row, text, failed) : NULL;
	}
	case PARSE_OPTION_DURATION: {
		int64_t milliseconds;
		char text[48];
		memcpy(&milliseconds, field, sizeof(milliseconds));
		if (milliseconds == 0)
			return NULL;
		value = json_string(duration_format(milliseconds, text, sizeof(text)));
		break;
	}
	case PARSE_OPTION_CHOICE: {
		unsigned long long stored = load_unsigned(field, row->size);
		for (size_t index = 0; stored && index < row->word_count; index++) {
			/* the word's value as the field holds it (a char field keeps one byte) */
			unsigned char narrowed[sizeof(uint64_t)] = {0};
			store_unsigned(narrowed, row->size,
			               (unsigned long long)row->words[index].value);
			if (load_unsigned(narrowed, row->size) == stored)
				return string_json(row, row->words[index].word, failed);
		}
		return NULL;
	}
	case PARSE_OPTION_WORD_FLAGS:
		return word_flags_json(row, base, failed);
	case PARSE_OPTION_CUSTOM:
		return row->handler->to_json ? row->handler->to_json(row, base, failed) : NULL;
	default:
		return NULL;
	}
	*failed |= !value;
	return value;
}

int parse_options_to_json(const struct parse_options_table *table, const void *base,
                          bool result_affecting_only, json_t **out)
{
	json_t *object = json_object();
	bool failed = !object;
	for (size_t index = 0; !failed && index < table->count; index++) {
		const struct parse_option *row = &table->rows[index];
		if (!row->json_key)
			continue;
		if (result_affecting_only && !(row->flags & PARSE_OPTION_RESULT_AFFECTING))
			continue;
		json_t *value = row_json(row, base, &failed);
		if (value && json_object_set_new(object, row->json_key, value) < 0)
			failed = true;
	}
	if (failed) {
		json_decref(object);
		return -1;
	}
	*out = object;
	return 0;
}

void parse_options_print_help(const struct parse_options_table *table, unsigned scope, FILE *stream)
{
	fputs("options:\n", stream);
	for (size_t index = 0; index < table->count; index++) {
		const struct parse_option *row = &table->rows[index];
		if (row->scopes && !(row->scopes & scope))
			continue;
		char left[64];
		if (row->value_name && (row->flags & PARSE_OPTION_OPTIONAL_VALUE))
			snprintf(left, sizeof(left), "--%s[=%s]", row->name, row->value_name);
		else if (row->value_name && row->type != PARSE_OPTION_FLAG &&
		         row->type != PARSE_OPTION_HELP)
			snprintf(left, sizeof(left), "--%s %s", row->name, row->value_name);
		else
			snprintf(left, sizeof(left), "--%s", row->name);
		fprintf(stream, "  %-*s %s\n", HELP_LEFT_WIDTH, left, row->help);
		const char *default_text =
		    row->default_text ? row->default_text : row->default_value;
		/* a flag's "off" says nothing the flag does not already say */
		if (default_text && strcmp(default_text, "off") != 0)
			fprintf(stream, "  %-*s (default: %s)\n", HELP_LEFT_WIDTH, "",
			        default_text);
	}
}
