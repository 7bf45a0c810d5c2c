/* The option table shared by run, validate and resume, and how options from
 * defaults, job files and the command line are checked and merged. */
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/help.h"
#include "cli/jobfile.h"

#define SCOPE_JOB     (SCOPE_RUN | SCOPE_VALIDATE)
#define SCOPE_SENDING (SCOPE_RUN | SCOPE_RESUME)
#define SCOPE_ALL     (SCOPE_RUN | SCOPE_VALIDATE | SCOPE_RESUME)

const struct option_spec option_table[] = {
    {OPTION_OP, "op", "OP", "op", SCOPE_JOB, NULL, "operation to run (list: lattigo-batch ops)"},
    {OPTION_MANIFEST, "manifest", "FILE", "manifest", SCOPE_JOB, NULL,
     "CSV or JSONL manifest; .gz is read transparently; - is stdin (not resumable)"},
    {OPTION_FORMAT, "format", "csv|jsonl|xlsx", "format", SCOPE_JOB, "by extension, else sniffed",
     "manifest format"},
    {OPTION_SHEET, "sheet", "NAME", "sheet", SCOPE_JOB, "the first worksheet",
     "worksheet of an .xlsx manifest to read"},
    {OPTION_OUTPUT_FORMAT, "output-format", "csv|xlsx", "output_format", SCOPE_JOB,
     "xlsx for an .xlsx manifest, else csv",
     "xlsx also writes results.xlsx and errors.xlsx (IDs as text) next to the CSVs"},
    {OPTION_DELIMITER, "delimiter", "C", "delimiter", SCOPE_JOB, "sniffed from the header line",
     "CSV delimiter: , ; | or tab (written \\t or tab)"},
    {OPTION_MAP, "map", "FIELD=COLUMN", "map", SCOPE_JOB, "header names, case-insensitive",
     "take FIELD from a differently named column (repeatable)"},
    {OPTION_SET, "set", "FIELD=VALUE", "set", SCOPE_JOB, NULL,
     "a value of FIELD for every row (repeatable)"},
    {OPTION_NO_LUHN, "no-luhn", "FIELD", "no_luhn", SCOPE_JOB, "off",
     "skip the Luhn check of iccid or imei (repeatable)"},
    {OPTION_OUT, "out", "DIR", "out", SCOPE_JOB, "./out/<manifest-stem>-<op> (run)",
     "job directory (run); where errors.csv is written (validate)"},
    {OPTION_ENDPOINT, "endpoint", "URL", "endpoint", SCOPE_SENDING,
     "$LATTIGO_ENDPOINT, else " OPTIONS_DEFAULT_ENDPOINT,
     "API root; the word sim starts the bundled lattigo-sim for this run"},
    {OPTION_CREDENTIALS, "credentials", "FILE", NULL, SCOPE_SENDING,
     "$LATTIGO_KEY_NAME and $LATTIGO_API_KEY",
     "file holding key_name:api_key, readable by its owner only"},
    {OPTION_INSECURE_HTTP, "insecure-http", NULL, "insecure_http", SCOPE_SENDING, "off",
     "allow plain http:// to a non-loopback host"},
    {OPTION_FORCE_NEW, "force-new", NULL, NULL, SCOPE_RUN, "off",
     "start a new job in an empty --out instead of resuming"},
    {OPTION_CHUNK, "chunk", "N", "chunk", SCOPE_RUN, "100",
     "rows per API call for batchable operations (1-1000)"},
    {OPTION_CONCURRENCY, "concurrency", "N", "concurrency", SCOPE_SENDING, "4",
     "API calls in flight (1-64)"},
    {OPTION_RATE, "rate", "R", "rate", SCOPE_SENDING, "unlimited",
     "at most R calls per second (client side)"},
    {OPTION_MAX_RETRIES, "max-retries", "N", "max_retries", SCOPE_SENDING, "8",
     "retries of one call on 429 / 5xx / network errors (0-100)"},
    {OPTION_CONNECT_TIMEOUT, "connect-timeout", "SECONDS", "connect_timeout", SCOPE_SENDING, "10",
     "give up connecting after this long"},
    {OPTION_TIMEOUT, "timeout", "SECONDS", "timeout", SCOPE_SENDING, "120",
     "give up on one call after this long"},
    {OPTION_STALL_TIMEOUT, "stall-timeout", "SECONDS", "stall_timeout", SCOPE_SENDING, "30",
     "give up on a call that received nothing for this long"},
    {OPTION_DRY_RUN, "dry-run", NULL, NULL, SCOPE_RUN, "off",
     "validate and print the plan of calls; send nothing"},
    {OPTION_YES, "yes", NULL, NULL, SCOPE_SENDING, "off",
     "confirm operations that cost money or cannot be undone in bulk (locate)"},
    {OPTION_QUIET, "quiet", NULL, NULL, SCOPE_SENDING, "TTY-dependent", "no progress display"},
    {OPTION_PROGRESS, "progress", NULL, NULL, SCOPE_SENDING, "TTY-dependent",
     "progress display even when stderr is not a terminal"},
    {OPTION_VERBOSE, "verbose", NULL, NULL, SCOPE_SENDING, "off",
     "one line per API call on stderr (never credentials)"},
    {OPTION_HELP, "help", NULL, NULL, SCOPE_ALL, NULL, "show this help"},
};
const size_t option_table_count = sizeof(option_table) / sizeof(option_table[0]);

const struct option_spec *option_find(const char *name)
{
	for (size_t index = 0; index < option_table_count; index++)
		if (strcmp(option_table[index].name, name) == 0)
			return &option_table[index];
	return NULL;
}

const struct option_spec *option_find_json_key(const char *key)
{
	for (size_t index = 0; index < option_table_count; index++)
		if (option_table[index].json_key && strcmp(option_table[index].json_key, key) == 0)
			return &option_table[index];
	return NULL;
}

void job_options_init(struct job_options *options)
{
	memset(options, 0, sizeof(*options));
	options->format = MANIFEST_FORMAT_AUTO;
	options->chunk = OPTIONS_DEFAULT_CHUNK;
	options->concurrency = OPTIONS_DEFAULT_CONCURRENCY;
	options->max_retries = OPTIONS_DEFAULT_MAX_RETRIES;
	options->connect_timeout = OPTIONS_DEFAULT_CONNECT_TIMEOUT;
	options->timeout = OPTIONS_DEFAULT_TIMEOUT;
	options->stall_timeout = OPTIONS_DEFAULT_STALL_TIMEOUT;
}

static void free_assignments(struct field_assignment *assignments, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		free((void *)assignments[index].field);
		free((void *)assignments[index].value);
	}
	free(assignments);
}

void job_options_release(struct job_options *options)
{
	free(options->op);
	free(options->manifest);
	free(options->out);
	free(options->endpoint);
	free(options->credentials);
	free(options->sheet);
	free(options->job_file);
	free_assignments(options->maps, options->map_count);
	free_assignments(options->sets, options->set_count);
	job_options_init(options);
}

/* Replaces *slot with a copy of value. */
static int replace_string(char **slot, const char *value, const char *label, struct error *error)
{
	char *copy = strdup(value);
	if (!copy)
		return error_set(error, "%s: out of memory", label);
	free(*slot);
	*slot = copy;
	return 0;
}

static int parse_whole_number(const char *text, unsigned long minimum, unsigned long maximum,
                              const char *label, unsigned long *out, struct error *error)
{
	char *end = NULL;
	errno = 0;
	unsigned long number = 0;
	if (isdigit((unsigned char)text[0]))
		number = strtoul(text, &end, 10);
	if (!end || *end != '\0' || errno == ERANGE || number < minimum || number > maximum)
		return error_set(error, "%s: '%s' is not a whole number from %lu to %lu", label,
		                 text, minimum, maximum);
	*out = number;
	return 0;
}

static int parse_rate(const char *text, const char *label, double *out, struct error *error)
{
	char *end = NULL;
	errno = 0;
	double number = 0;
	if (isdigit((unsigned char)text[0]) || text[0] == '.')
		number = strtod(text, &end);
	if (!end || *end != '\0' || errno == ERANGE || !isfinite(number) || number <= 0 ||
	    number > 1e6)
		return error_set(error, "%s: '%s' is not a number of calls per second above 0",
		                 label, text);
	*out = number;
	return 0;
}

static int parse_format(const char *text, const char *label, enum manifest_format *out,
                        struct error *error)
{
	if (strcasecmp(text, "csv") == 0)
		*out = MANIFEST_FORMAT_CSV;
	else if (strcasecmp(text, "jsonl") == 0 || strcasecmp(text, "ndjson") == 0)
		*out = MANIFEST_FORMAT_JSONL;
	else if (strcasecmp(text, "xlsx") == 0)
		*out = MANIFEST_FORMAT_XLSX;
	else
		return error_set(error, "%s: unknown format '%s' (csv, jsonl or xlsx)", label,
		                 text);
	return 0;
}

static int parse_output_format(const char *text, const char *label, enum output_format *out,
                               struct error *error)
{
	if (strcasecmp(text, "csv") == 0)
		*out = OUTPUT_FORMAT_CSV;
	else if (strcasecmp(text, "xlsx") == 0)
		*out = OUTPUT_FORMAT_XLSX;
	else
		return error_set(error, "%s: unknown output format '%s' (csv or xlsx)", label,
		                 text);
	return 0;
}

static const char *format_word(enum manifest_format format)
{
	return format == MANIFEST_FORMAT_CSV     ? "csv"
	       : format == MANIFEST_FORMAT_JSONL ? "jsonl"
	                                         : "xlsx";
}

bool job_options_want_xlsx(const struct job_options *options)
{
	if (options->output_format != OUTPUT_FORMAT_AUTO)
		return options->output_format == OUTPUT_FORMAT_XLSX;
	if (options->format == MANIFEST_FORMAT_XLSX)
		return true;
	if (options->format != MANIFEST_FORMAT_AUTO || !options->manifest)
		return false;
	size_t length = strlen(options->manifest);
	return length > 5 && (strcasecmp(options->manifest + length - 5, ".xlsx") == 0 ||
	                      strcasecmp(options->manifest + length - 5, ".xlsm") == 0);
}

static int parse_delimiter(const char *text, const char *label, char *out, struct error *error)
{
	if (strcmp(text, "\\t") == 0 || strcasecmp(text, "tab") == 0 || strcmp(text, "\t") == 0)
		*out = '\t';
	else if (strlen(text) == 1 && strchr(",;|", text[0]))
		*out = text[0];
	else
		return error_set(error, "%s: '%s' is not one of , ; | \\t", label, text);
	return 0;
}

static int parse_no_luhn(struct job_options *options, const char *text, const char *label,
                         struct error *error)
{
	if (strcasecmp(text, "iccid") == 0)
		options->validation.skip_luhn_iccid = true;
	else if (strcasecmp(text, "imei") == 0)
		options->validation.skip_luhn_imei = true;
	else
		return error_set(error, "%s: '%s' has no Luhn check (iccid or imei)", label, text);
	return 0;
}

/* Adds FIELD=VALUE to a list, replacing an earlier entry for the same field
 * so that the later source (the command line) wins. */
static int add_assignment(struct field_assignment **list, size_t *count, const char *text,
                          bool value_required, const char *label, struct error *error)
{
	const char *equals = strchr(text, '=');
	const char *what = value_required ? "FIELD=COLUMN" : "FIELD=VALUE";
	if (!equals || equals == text)
		return error_set(error, "%s: '%s' is not of the form %s", label, text, what);
	if (value_required && equals[1] == '\0')
		return error_set(error, "%s: '%s' names no column", label, text);
	size_t field_length = (size_t)(equals - text);
	char *field = strndup(text, field_length);
	char *value = strdup(equals + 1);
	if (!field || !value) {
		free(field);
		free(value);
		return error_set(error, "%s: out of memory", label);
	}
	for (char *cursor = field; *cursor; cursor++)
		*cursor = (char)tolower((unsigned char)*cursor);
	for (size_t index = 0; index < *count; index++) {
		if (strcmp((*list)[index].field, field) == 0) {
			free(field);
			free((void *)(*list)[index].value);
			(*list)[index].value = value;
			return 0;
		}
	}
	if (*count >= OPTIONS_MAX_ASSIGNMENTS) {
		free(field);
		free(value);
		return error_set(error, "%s: more than %d of them", label, OPTIONS_MAX_ASSIGNMENTS);
	}
	struct field_assignment *grown = realloc(*list, (*count + 1) * sizeof(**list));
	if (!grown) {
		free(field);
		free(value);
		return error_set(error, "%s: out of memory", label);
	}
	grown[*count].field = field;
	grown[*count].value = value;
	*list = grown;
	(*count)++;
	return 0;
}

static void set_flag(struct job_options *options, enum option_id id, bool on)
{
	switch (id) {
	case OPTION_INSECURE_HTTP:
		options->insecure_http = on;
		break;
	case OPTION_FORCE_NEW:
		options->force_new = on;
		break;
	case OPTION_DRY_RUN:
		options->dry_run = on;
		break;
	case OPTION_YES:
		options->yes = on;
		break;
	case OPTION_QUIET:
		options->quiet = on;
		break;
	case OPTION_PROGRESS:
		options->progress = on;
		break;
	case OPTION_VERBOSE:
		options->verbose = on;
		break;
	default:
		break;
	}
}

/* Applies one option; label names it in messages ("--chunk", "key 'chunk'"). */
static int apply_labelled(struct job_options *options, const struct option_spec *spec,
                          const char *value, const char *label, struct error *error)
{
	unsigned long number = 0;
	if (!spec->value_name) {
		set_flag(options, spec->id, true);
		return 0;
	}
	if (!value)
		return error_set(error, "%s needs a value (%s)", label, spec->value_name);
	switch (spec->id) {
	case OPTION_OP:
		if (!value[0])
			return error_set(error, "%s: empty operation name", label);
		return replace_string(&options->op, value, label, error);
	case OPTION_MANIFEST:
		if (!value[0])
			return error_set(error, "%s: empty file name", label);
		return replace_string(&options->manifest, value, label, error);
	case OPTION_OUT:
		if (!value[0])
			return error_set(error, "%s: empty directory name", label);
		return replace_string(&options->out, value, label, error);
	case OPTION_ENDPOINT:
		if (!value[0])
			return error_set(error, "%s: empty URL", label);
		return replace_string(&options->endpoint, value, label, error);
	case OPTION_CREDENTIALS:
		if (!value[0])
			return error_set(error, "%s: empty file name", label);
		return replace_string(&options->credentials, value, label, error);
	case OPTION_FORMAT:
		return parse_format(value, label, &options->format, error);
	case OPTION_SHEET:
		if (!value[0])
			return error_set(error, "%s: empty sheet name", label);
		return replace_string(&options->sheet, value, label, error);
	case OPTION_OUTPUT_FORMAT:
		return parse_output_format(value, label, &options->output_format, error);
	case OPTION_DELIMITER:
		return parse_delimiter(value, label, &options->delimiter, error);
	case OPTION_MAP:
		return add_assignment(&options->maps, &options->map_count, value, true, label,
		                      error);
	case OPTION_SET:
		return add_assignment(&options->sets, &options->set_count, value, false, label,
		                      error);
	case OPTION_NO_LUHN:
		return parse_no_luhn(options, value, label, error);
	case OPTION_CHUNK:
		if (parse_whole_number(value, 1, 1000, label, &number, error) < 0)
			return -1;
		options->chunk = number;
		return 0;
	case OPTION_CONCURRENCY:
		if (parse_whole_number(value, 1, 64, label, &number, error) < 0)
			return -1;
		options->concurrency = (unsigned)number;
		return 0;
	case OPTION_MAX_RETRIES:
		if (parse_whole_number(value, 0, 100, label, &number, error) < 0)
			return -1;
		options->max_retries = (unsigned)number;
		return 0;
	case OPTION_RATE:
		return parse_rate(value, label, &options->rate, error);
	case OPTION_CONNECT_TIMEOUT:
	case OPTION_TIMEOUT:
	case OPTION_STALL_TIMEOUT:
		if (parse_whole_number(value, 1, 86400, label, &number, error) < 0)
			return -1;
		if (spec->id == OPTION_CONNECT_TIMEOUT)
			options->connect_timeout = (long)number;
		else if (spec->id == OPTION_TIMEOUT)
			options->timeout = (long)number;
		else
			options->stall_timeout = (long)number;
		return 0;
	default:
		return error_set(error, "%s: not a job option", label);
	}
}

int job_options_apply(struct job_options *options, const struct option_spec *spec,
                      const char *value, struct error *error)
{
	char label[64];
	snprintf(label, sizeof(label), "--%s", spec->name);
	return apply_labelled(options, spec, value, label, error);
}

/* Builds the "unknown option" message with the closest option name in scope. */
static int unknown_option(const char *command, const char *argument, const char *name,
                          unsigned scope, struct error *error)
{
	const char *names[64];
	size_t count = 0;
	for (size_t index = 0; index < option_table_count && count < 64; index++)
		if (option_table[index].scopes & scope)
			names[count++] = option_table[index].name;
	const char *closest = closest_name(name, names, count);
	if (closest)
		return error_set(error,
		                 "unknown option '%s' (did you mean '--%s'?); see 'lattigo-batch "
		                 "%s --help'",
		                 argument, closest, command);
	return error_set(error, "unknown option '%s'; see 'lattigo-batch %s --help'", argument,
	                 command);
}

int command_line_parse(struct command_line *line, unsigned scope, int argc, char **argv,
                       struct error *error)
{
	memset(line, 0, sizeof(*line));
	const char *command = argc > 0 ? argv[0] : "";
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
			return unknown_option(command, argument, argument + 1, scope, error);
		char name[64];
		const char *equals = strchr(argument, '=');
		size_t name_length =
		    equals ? (size_t)(equals - argument - 2) : strlen(argument + 2);
		if (name_length >= sizeof(name))
			return unknown_option(command, argument, "", scope, error);
		memcpy(name, argument + 2, name_length);
		name[name_length] = '\0';
		const struct option_spec *spec = option_find(name);
		if (!spec)
			return unknown_option(command, argument, name, scope, error);
		if (!(spec->scopes & scope))
			return error_set(error,
			                 "option '--%s' does not apply to '%s'; see 'lattigo-batch "
			                 "%s --help'",
			                 name, command, command);
		if (spec->id == OPTION_HELP) {
			line->help = true;
			continue;
		}
		const char *value = NULL;
		if (spec->value_name) {
			if (equals)
				value = equals + 1;
			else if (index + 1 < argc)
				value = argv[++index];
			else
				return error_set(error, "option '--%s' needs a value (%s)", name,
				                 spec->value_name);
		} else if (equals) {
			return error_set(error, "option '--%s' takes no value", name);
		}
		line->given[line->given_count].spec = spec;
		line->given[line->given_count].value = value;
		line->given_count++;
	}
	return 0;
}

void command_line_release(struct command_line *line)
{
	free(line->given);
	free(line->positional);
	memset(line, 0, sizeof(*line));
}

/* Writes the manifest's name without directories and extensions
 * ("lots/lot-42.csv.gz" -> "lot-42"); stdin is "stdin". */
static void manifest_stem(const char *path, char *stem, size_t size)
{
	if (strcmp(path, "-") == 0) {
		snprintf(stem, size, "stdin");
		return;
	}
	const char *slash = strrchr(path, '/');
	snprintf(stem, size, "%s", slash ? slash + 1 : path);
	size_t length = strlen(stem);
	if (length > 3 && strcmp(stem + length - 3, ".gz") == 0)
		stem[length - 3] = '\0';
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = '\0';
	if (!stem[0])
		snprintf(stem, size, "manifest");
}

int job_options_finish(struct job_options *options, bool needs_out, struct error *error)
{
	if (!options->op)
		return error_set(error, "no operation: give --op OP or a job file with \"op\" "
		                        "(list: lattigo-batch ops)");
	if (!options->manifest)
		return error_set(error, "no manifest: give --manifest FILE or a job file with "
		                        "\"manifest\"");
	if (options->quiet && options->progress)
		return error_set(error, "--quiet and --progress cannot be used together");
	if (!options->endpoint) {
		const char *from_environment = getenv("LATTIGO_ENDPOINT");
		const char *endpoint = from_environment && from_environment[0]
		                           ? from_environment
		                           : OPTIONS_DEFAULT_ENDPOINT;
		if (replace_string(&options->endpoint, endpoint, "endpoint", error) < 0)
			return -1;
	}
	if (needs_out && !options->out) {
		char stem[256];
		char out[400];
		manifest_stem(options->manifest, stem, sizeof(stem));
		snprintf(out, sizeof(out), "./out/%s-%s", stem, options->op);
		if (replace_string(&options->out, out, "out", error) < 0)
			return -1;
	}
	return 0;
}

int job_options_load(struct job_options *options, unsigned scope, int argc, char **argv,
                     struct error *error)
{
	struct command_line line;
	int result = -1;
	if (command_line_parse(&line, scope, argc, argv, error) < 0)
		goto out;
	if (line.help) {
		result = 1;
		goto out;
	}
	if (line.positional_count > 1) {
		error_set(error,
		          "unexpected argument '%s' (one job file at most); see "
		          "'lattigo-batch %s --help'",
		          line.positional[1], argv[0]);
		goto out;
	}
	if (line.positional_count == 1) {
		if (jobfile_read(line.positional[0], options, error) < 0)
			goto out;
		if (scope == SCOPE_VALIDATE) {
			free(options->out);
			options->out = NULL;
		}
	}
	for (size_t index = 0; index < line.given_count; index++)
		if (job_options_apply(options, line.given[index].spec, line.given[index].value,
		                      error) < 0)
			goto out;
	if (job_options_finish(options, scope != SCOPE_VALIDATE, error) < 0)
		goto out;
	result = 0;
out:
	command_line_release(&line);
	return result;
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

static int set_new(json_t *object, const char *key, json_t *value)
{
	return value ? json_object_set_new(object, key, value) : -1;
}

static int set_path(json_t *object, const char *key, const char *path)
{
	char *absolute = absolute_path(path);
	if (!absolute)
		return -1;
	int result = set_new(object, key, json_string(absolute));
	free(absolute);
	return result;
}

static json_t *assignments_to_json(const struct field_assignment *list, size_t count)
{
	json_t *object = json_object();
	for (size_t index = 0; object && index < count; index++) {
		if (set_new(object, list[index].field, json_string(list[index].value)) < 0) {
			json_decref(object);
			return NULL;
		}
	}
	return object;
}

int job_options_to_json(const struct job_options *options, json_t **out)
{
	json_t *object = json_object();
	int failed = !object;
	char delimiter[2] = {options->delimiter, '\0'};
	if (!failed && options->op)
		failed |= set_new(object, "op", json_string(options->op));
	if (!failed && options->manifest)
		failed |= set_path(object, "manifest", options->manifest);
	if (!failed && options->format != MANIFEST_FORMAT_AUTO)
		failed |= set_new(object, "format", json_string(format_word(options->format)));
	if (!failed && options->sheet)
		failed |= set_new(object, "sheet", json_string(options->sheet));
	if (!failed && options->output_format != OUTPUT_FORMAT_AUTO)
		failed |= set_new(
		    object, "output_format",
		    json_string(options->output_format == OUTPUT_FORMAT_XLSX ? "xlsx" : "csv"));
	if (!failed && options->delimiter)
		failed |= set_new(object, "delimiter", json_string(delimiter));
	if (!failed && options->map_count)
		failed |=
		    set_new(object, "map", assignments_to_json(options->maps, options->map_count));
	if (!failed && options->set_count)
		failed |=
		    set_new(object, "set", assignments_to_json(options->sets, options->set_count));
	if (!failed &&
	    (options->validation.skip_luhn_iccid || options->validation.skip_luhn_imei)) {
		json_t *fields = json_array();
		if (fields && options->validation.skip_luhn_iccid)
			json_array_append_new(fields, json_string("iccid"));
		if (fields && options->validation.skip_luhn_imei)
			json_array_append_new(fields, json_string("imei"));
		failed |= set_new(object, "no_luhn", fields);
	}
	if (!failed && options->out)
		failed |= set_path(object, "out", options->out);
	if (!failed && options->endpoint)
		failed |= set_new(object, "endpoint", json_string(options->endpoint));
	if (!failed && options->insecure_http)
		failed |= set_new(object, "insecure_http", json_true());
	if (!failed) {
		failed |= set_new(object, "chunk", json_integer((json_int_t)options->chunk));
		failed |= set_new(object, "concurrency", json_integer(options->concurrency));
		failed |= set_new(object, "max_retries", json_integer(options->max_retries));
		failed |=
		    set_new(object, "connect_timeout", json_integer(options->connect_timeout));
		failed |= set_new(object, "timeout", json_integer(options->timeout));
		failed |= set_new(object, "stall_timeout", json_integer(options->stall_timeout));
	}
	if (!failed && options->rate > 0)
		failed |= set_new(object, "rate", json_real(options->rate));
	if (failed) {
		json_decref(object);
		return -1;
	}
	*out = object;
	return 0;
}

/* Returns value as option text in buffer: strings as they are, numbers
 * printed; NULL for other types. */
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

static bool is_numeric_option(enum option_id id)
{
	return id == OPTION_CHUNK || id == OPTION_CONCURRENCY || id == OPTION_RATE ||
	       id == OPTION_MAX_RETRIES || id == OPTION_CONNECT_TIMEOUT || id == OPTION_TIMEOUT ||
	       id == OPTION_STALL_TIMEOUT;
}

/* Applies a "map"/"set" object: each member becomes FIELD=VALUE. */
static int apply_assignments(struct job_options *options, const struct option_spec *spec,
                             const json_t *value, const char *label, const char *source,
                             struct error *error)
{
	if (!json_is_object(value))
		return error_set_at(error, source, 0, "%s: must be an object of FIELD: %s", label,
		                    spec->id == OPTION_MAP ? "COLUMN" : "VALUE");
	const char *field = NULL;
	json_t *member = NULL;
	json_object_foreach((json_t *)value, field, member)
	{
		char number[64];
		const char *text = spec->id == OPTION_MAP && !json_is_string(member)
		                       ? NULL
		                       : scalar_text(member, number, sizeof(number));
		if (!text)
			return error_set_at(error, source, 0, "%s: value of '%s' must be %s", label,
			                    field,
			                    spec->id == OPTION_MAP ? "a column name (string)"
			                                           : "a string or number");
		size_t length = strlen(field) + strlen(text) + 2;
		char *assignment = malloc(length);
		if (!assignment)
			return error_set(error, "out of memory");
		snprintf(assignment, length, "%s=%s", field, text);
		struct error inner;
		error_clear(&inner);
		int result = apply_labelled(options, spec, assignment, label, &inner);
		free(assignment);
		if (result < 0)
			return error_set_at(error, source, 0, "%s", inner.message);
	}
	return 0;
}

/* Joins a relative path to the directory of source (a job file) in place. */
static int relative_to_source(char **path, const char *source, struct error *error)
{
	const char *slash = source ? strrchr(source, '/') : NULL;
	if (!slash || (*path)[0] == '/' || strcmp(*path, "-") == 0)
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

static int apply_json_member(struct job_options *options, const char *key, const json_t *value,
                             const char *source, struct error *error)
{
	char label[80];
	snprintf(label, sizeof(label), "key '%.60s'", key);
	const struct option_spec *spec = option_find_json_key(key);
	if (!spec) {
		const char *keys[64];
		size_t count = 0;
		for (size_t index = 0; index < option_table_count && count < 64; index++)
			if (option_table[index].json_key)
				keys[count++] = option_table[index].json_key;
		const char *closest = closest_name(key, keys, count);
		if (closest)
			return error_set_at(error, source, 0,
			                    "unknown key '%s' (did you mean '%s'?)", key, closest);
		return error_set_at(error, source, 0, "unknown key '%s'", key);
	}
	if (!spec->value_name) {
		if (!json_is_boolean(value))
			return error_set_at(error, source, 0, "%s: must be true or false", label);
		set_flag(options, spec->id, json_is_true(value));
		return 0;
	}
	if (spec->id == OPTION_MAP || spec->id == OPTION_SET)
		return apply_assignments(options, spec, value, label, source, error);
	if (spec->id == OPTION_NO_LUHN && json_is_array(value)) {
		size_t index = 0;
		json_t *item = NULL;
		json_array_foreach(value, index, item)
		{
			if (apply_json_member(options, key, item, source, error) < 0)
				return -1;
		}
		return 0;
	}
	char number[64];
	const char *text = NULL;
	if (is_numeric_option(spec->id))
		text = json_is_number(value) ? scalar_text(value, number, sizeof(number)) : NULL;
	else
		text = json_is_string(value) ? json_string_value(value) : NULL;
	if (!text)
		return error_set_at(error, source, 0, "%s: must be %s", label,
		                    is_numeric_option(spec->id) ? "a number" : "a string");
	struct error inner;
	error_clear(&inner);
	if (apply_labelled(options, spec, text, label, &inner) < 0)
		return error_set_at(error, source, 0, "%s", inner.message);
	if (spec->id == OPTION_MANIFEST)
		return relative_to_source(&options->manifest, source, error);
	if (spec->id == OPTION_OUT)
		return relative_to_source(&options->out, source, error);
	return 0;
}

int job_options_from_json_at(const json_t *object, struct job_options *options, const char *source,
                             struct error *error)
{
	if (!json_is_object(object))
		return error_set_at(error, source, 0, "a job file must hold one JSON object");
	const char *key = NULL;
	json_t *value = NULL;
	json_object_foreach((json_t *)object, key, value)
	{
		if (apply_json_member(options, key, value, source, error) < 0)
			return -1;
	}
	return 0;
}

int job_options_from_json(const json_t *object, struct job_options *options, struct error *error)
{
	return job_options_from_json_at(object, options, NULL, error);
}
