/* The option table of run, validate and resume, and how options from
 * defaults, job files and the command line are merged (the parsing itself is
 * common/parse_options.c, driven by the rows below). */
#include "options.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/jobfile.h"
#include "common/duration.h"

#define SCOPE_JOB     (SCOPE_RUN | SCOPE_VALIDATE | SCOPE_PLAN)
#define SCOPE_SENDING (SCOPE_RUN | SCOPE_RESUME)
/* options of any command reading the API: where and how to read */
#define SCOPE_READING (SCOPE_SENDING | SCOPE_PLAN | SCOPE_VERIFY)
/* the progress display of the commands that wait on the API */
#define SCOPE_DISPLAY (SCOPE_SENDING | SCOPE_VERIFY)
#define SCOPE_ALL     (SCOPE_RUN | SCOPE_VALIDATE | SCOPE_RESUME | SCOPE_PLAN | SCOPE_VERIFY)

#define NUMBER_TEXT(x) PARSE_OPTION_NUMBER_TEXT(x)

/* offset and size of a member of struct job_options, for a row */
#define FIELD(member)                                                                              \
	.offset = offsetof(struct job_options, member),                                            \
	.size = sizeof(((struct job_options *)0)->member)

static void free_assignments(struct field_assignment *assignments, size_t count)
{
	for (size_t index = 0; index < count; index++) {
		free((void *)assignments[index].field);
		free((void *)assignments[index].value);
	}
	free(assignments);
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

/* The list (array and count) a --map / --set row fills. */
static struct field_assignment **assignment_list(const struct parse_option *row, void *base,
                                                 size_t **count)
{
	*count = (size_t *)((char *)base + row->count_offset);
	return (struct field_assignment **)((char *)base + row->offset);
}

static int apply_map(const struct parse_option *row, void *base, const char *value,
                     const char *label, struct error *error)
{
	size_t *count = NULL;
	struct field_assignment **list = assignment_list(row, base, &count);
	return add_assignment(list, count, value, true, label, error);
}

static int apply_set(const struct parse_option *row, void *base, const char *value,
                     const char *label, struct error *error)
{
	size_t *count = NULL;
	struct field_assignment **list = assignment_list(row, base, &count);
	return add_assignment(list, count, value, false, label, error);
}

/* An object of FIELD: COLUMN (or VALUE), or NULL when the list is empty. */
static json_t *assignments_to_json(const struct parse_option *row, const void *base, bool *failed)
{
	size_t *count = NULL;
	struct field_assignment **list = assignment_list(row, (void *)base, &count);
	if (!*count)
		return NULL;
	json_t *object = json_object();
	for (size_t index = 0; object && index < *count; index++) {
		json_t *value = json_string((*list)[index].value);
		if (!value || json_object_set_new(object, (*list)[index].field, value) < 0) {
			json_decref(object);
			object = NULL;
		}
	}
	*failed |= !object;
	return object;
}

static void release_assignments(const struct parse_option *row, void *base)
{
	size_t *count = NULL;
	struct field_assignment **list = assignment_list(row, base, &count);
	free_assignments(*list, *count);
	*list = NULL;
	*count = 0;
}

const struct parse_option_handler options_map_handler = {
    .apply = apply_map,
    .to_json = assignments_to_json,
    .release = release_assignments,
    .json_object_members = true,
    .json_string_members = true,
};

const struct parse_option_handler options_set_handler = {
    .apply = apply_set,
    .to_json = assignments_to_json,
    .release = release_assignments,
    .json_object_members = true,
};

/* --verify[=DURATION]: on with no value, a wait with one. */
static int apply_verify(const struct parse_option *row, void *base, const char *value,
                        const char *label, struct error *error)
{
	struct verify_request *request = (struct verify_request *)((char *)base + row->offset);
	int64_t wait_ms = 0;
	if (value && duration_parse(value, &wait_ms) < 0)
		return error_set(
		    error, "%s: '%s' is not a duration such as 90s, 30m or 1h30m (at most 7d)",
		    label, value);
	request->enabled = true;
	request->wait_ms = wait_ms;
	return 0;
}

/* true, or the wait as a duration text; NULL when off. */
static json_t *verify_to_json(const struct parse_option *row, const void *base, bool *failed)
{
	const struct verify_request *request =
	    (const struct verify_request *)((const char *)base + row->offset);
	if (!request->enabled)
		return NULL;
	char text[48];
	json_t *value = request->wait_ms
	                    ? json_string(duration_format(request->wait_ms, text, sizeof(text)))
	                    : json_true();
	*failed |= !value;
	return value;
}

static void release_verify(const struct parse_option *row, void *base)
{
	memset((char *)base + row->offset, 0, sizeof(struct verify_request));
}

static const struct parse_option_handler verify_handler = {
    .apply = apply_verify,
    .to_json = verify_to_json,
    .release = release_verify,
};

/* "steps": the job file's array, read by cli/job_steps.c. */
static int apply_steps_json(const struct parse_option *row, void *base, const json_t *value,
                            struct error *error)
{
	(void)row;
	struct job_options *options = base;
	struct job_step *steps = NULL;
	size_t count = 0;
	if (job_steps_from_json(value, &steps, &count, error) < 0)
		return -1;
	job_steps_free(options->steps, options->step_count);
	options->steps = steps;
	options->step_count = count;
	return 0;
}

static int apply_steps(const struct parse_option *row, void *base, const char *value,
                       const char *label, struct error *error)
{
	json_error_t json_error;
	json_t *array = json_loads(value, JSON_REJECT_DUPLICATES, &json_error);
	if (!array)
		return error_set(error, "%s: not valid JSON: %s", label, json_error.text);
	int result = apply_steps_json(row, base, array, error);
	json_decref(array);
	return result;
}

static json_t *steps_to_json(const struct parse_option *row, const void *base, bool *failed)
{
	(void)row;
	const struct job_options *options = base;
	if (!options->step_count)
		return NULL;
	json_t *array = job_steps_to_json(options->steps, options->step_count);
	*failed |= !array;
	return array;
}

static void release_steps(const struct parse_option *row, void *base)
{
	(void)row;
	struct job_options *options = base;
	job_steps_free(options->steps, options->step_count);
	options->steps = NULL;
	options->step_count = 0;
}

static const struct parse_option_handler steps_handler = {
    .apply = apply_steps,
    .to_json = steps_to_json,
    .release = release_steps,
    .apply_json = apply_steps_json,
};

static const struct parse_option_word format_words[] = {
    {"csv", MANIFEST_FORMAT_CSV},
    {"jsonl", MANIFEST_FORMAT_JSONL},
    {"ndjson", MANIFEST_FORMAT_JSONL},
    {"xlsx", MANIFEST_FORMAT_XLSX},
};

static const struct parse_option_word output_format_words[] = {
    {"csv", OUTPUT_FORMAT_CSV},
    {"xlsx", OUTPUT_FORMAT_XLSX},
};

/* The character itself comes first: job.json records it as it is. */
static const struct parse_option_word delimiter_words[] = {
    {"\t", '\t'}, {",", ','}, {";", ';'}, {"|", '|'}, {"\\t", '\t'}, {"tab", '\t'},
};

static const struct parse_option_word no_luhn_words[] = {
    {"iccid", offsetof(struct job_options, validation.skip_luhn_iccid)},
    {"imei", offsetof(struct job_options, validation.skip_luhn_imei)},
};

#define WORDS(list) .words = list, .word_count = sizeof(list) / sizeof(list[0])

static const struct parse_option job_option_rows[] = {
    {.name = "op",
     .type = PARSE_OPTION_STRING,
     FIELD(op),
     .value_name = "OP",
     .json_key = "op",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty operation name",
     .help = "operation to run (list: lattigo-batch ops)"},
    {.name = "manifest",
     .type = PARSE_OPTION_STRING,
     FIELD(manifest),
     .value_name = "FILE",
     .json_key = "manifest",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_PATH,
     .empty_text = "empty file name",
     .help = "CSV or JSONL manifest; .gz is read transparently; - is stdin (copied; resumable)"},
    {.name = "format",
     .type = PARSE_OPTION_CHOICE,
     FIELD(format),
     .value_name = "csv|jsonl|xlsx",
     .json_key = "format",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     WORDS(format_words),
     .default_text = "by extension, else sniffed",
     .rejection = "unknown format '{}' (csv, jsonl or xlsx)",
     .help = "manifest format"},
    {.name = "sheet",
     .type = PARSE_OPTION_STRING,
     FIELD(sheet),
     .value_name = "NAME",
     .json_key = "sheet",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .empty_text = "empty sheet name",
     .default_text = "the first worksheet",
     .help = "worksheet of an .xlsx manifest to read"},
    {.name = "output-format",
     .type = PARSE_OPTION_CHOICE,
     FIELD(output_format),
     .value_name = "csv|xlsx",
     .json_key = "output_format",
     .scopes = SCOPE_RUN | SCOPE_VALIDATE,
     WORDS(output_format_words),
     .default_text = "xlsx for an .xlsx manifest, else csv",
     .rejection = "unknown output format '{}' (csv or xlsx)",
     .help = "xlsx also writes results.xlsx and errors.xlsx (IDs as text) next to the CSVs"},
    {.name = "delimiter",
     .type = PARSE_OPTION_CHOICE,
     FIELD(delimiter),
     .value_name = "C",
     .json_key = "delimiter",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     WORDS(delimiter_words),
     .default_text = "sniffed from the header line",
     .rejection = "'{}' is not one of , ; | \\t",
     .help = "CSV delimiter: , ; | or tab (written \\t or tab)"},
    {.name = "map",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(maps),
     .count_offset = offsetof(struct job_options, map_count),
     .handler = &options_map_handler,
     .value_name = "FIELD=COLUMN",
     .json_key = "map",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .default_text = "header names, case-insensitive",
     .help = "take FIELD from a differently named column (repeatable)"},
    {.name = "set",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(sets),
     .count_offset = offsetof(struct job_options, set_count),
     .handler = &options_set_handler,
     .value_name = "FIELD=VALUE",
     .json_key = "set",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "a value of FIELD for every row (repeatable)"},
    {.name = "no-luhn",
     .type = PARSE_OPTION_WORD_FLAGS,
     FIELD(validation),
     .value_name = "FIELD",
     .json_key = "no_luhn",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     WORDS(no_luhn_words),
     .default_text = "off",
     .rejection = "'{}' has no Luhn check (iccid or imei)",
     .help = "skip the Luhn check of iccid or imei (repeatable)"},
    {.name = "out",
     .type = PARSE_OPTION_STRING,
     FIELD(out),
     .value_name = "DIR",
     .json_key = "out",
     .scopes = SCOPE_JOB,
     .flags = PARSE_OPTION_PATH,
     .empty_text = "empty directory name",
     .default_text = "./out/<manifest-stem>-<op> (run)",
     .help = "job directory (run); where errors.csv is written (validate); plan.csv and the "
             "snapshot read (plan)"},
    {.name = "endpoint",
     .type = PARSE_OPTION_STRING,
     FIELD(endpoint),
     .value_name = "URL",
     .json_key = "endpoint",
     .scopes = SCOPE_READING,
     .empty_text = "empty URL",
     /* a job's later runs send where it started: the default a resume
      * --help shows must say so too (issue 17 §3) */
     .default_text = "$LATTIGO_ENDPOINT, else " OPTIONS_DEFAULT_ENDPOINT
                     "; a resume or re-run: the job's stored endpoint",
     .help = "API root; the word sim starts the bundled lattigo-sim for this run"},
    {.name = "credentials",
     .type = PARSE_OPTION_STRING,
     FIELD(credentials),
     .value_name = "FILE",
     .scopes = SCOPE_READING,
     .empty_text = "empty file name",
     .default_text = "$LATTIGO_KEY_NAME and $LATTIGO_API_KEY",
     .help = "file holding key_name:api_key, readable by its owner only"},
    {.name = "insecure-http",
     .type = PARSE_OPTION_FLAG,
     FIELD(insecure_http),
     .json_key = "insecure_http",
     .scopes = SCOPE_READING,
     .default_text = "off",
     .help = "allow plain http:// to a non-loopback host"},
    {.name = "cacert",
     .type = PARSE_OPTION_STRING,
     FIELD(cacert),
     .value_name = "FILE",
     .json_key = "cacert",
     .scopes = SCOPE_READING,
     .flags = PARSE_OPTION_PATH,
     .empty_text = "empty file name",
     .default_text = "$CURL_CA_BUNDLE, else $SSL_CERT_FILE, else the system's",
     .help = "trust the CA certificates (PEM) in FILE for https"},
    {.name = "force-new",
     .type = PARSE_OPTION_FLAG,
     FIELD(force_new),
     .scopes = SCOPE_RUN,
     .default_text = "off",
     .help = "never resume: refuse (exit 2) when --out already holds a job"},
    {.name = "force-endpoint",
     .type = PARSE_OPTION_FLAG,
     FIELD(force_endpoint),
     .scopes = SCOPE_SENDING,
     .default_text = "off",
     .help = "let a re-run or resume send to an endpoint other than the job's stored one"},
    {.name = "chunk",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(chunk),
     .value_name = "N",
     .json_key = "chunk",
     .scopes = SCOPE_RUN,
     .minimum = 1,
     .maximum = OPTIONS_MAX_CHUNK,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_CHUNK),
     .help = "rows per API call for batchable operations (1-" NUMBER_TEXT(OPTIONS_MAX_CHUNK) ")"},
    {.name = "concurrency",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(concurrency),
     .value_name = "N",
     .json_key = "concurrency",
     .scopes = SCOPE_READING,
     .minimum = 1,
     .maximum = OPTIONS_MAX_CONCURRENCY,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_CONCURRENCY),
     .help = "API calls in flight (1-" NUMBER_TEXT(OPTIONS_MAX_CONCURRENCY) ")"},
    {.name = "rate",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(rate),
     .value_name = "R",
     .json_key = "rate",
     .scopes = SCOPE_READING,
     .flags = PARSE_OPTION_EXCLUSIVE_MINIMUM,
     .real_minimum = 0,
     .real_maximum = OPTIONS_MAX_RATE,
     .default_text = "unlimited",
     .rejection = "'{}' is not a number of calls per second above 0",
     .help = "at most R calls per second (client side)"},
    {.name = "max-retries",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(max_retries),
     .value_name = "N",
     .json_key = "max_retries",
     .scopes = SCOPE_READING,
     .minimum = 0,
     .maximum = OPTIONS_MAX_RETRIES,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_MAX_RETRIES),
     .help = "retries of one call on 429 / 5xx / network errors (0-" NUMBER_TEXT(
         OPTIONS_MAX_RETRIES) ")"},
    {.name = "connect-timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(connect_timeout),
     .value_name = "SECONDS",
     .json_key = "connect_timeout",
     .scopes = SCOPE_READING,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_CONNECT_TIMEOUT_S),
     .help = "give up connecting after this long"},
    {.name = "timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(timeout),
     .value_name = "SECONDS",
     .json_key = "timeout",
     .scopes = SCOPE_READING,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_TIMEOUT_S),
     .help = "give up on one call after this long"},
    {.name = "stall-timeout",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(stall_timeout),
     .value_name = "SECONDS",
     .json_key = "stall_timeout",
     .scopes = SCOPE_READING,
     .minimum = 1,
     .maximum = OPTIONS_MAX_TIMEOUT_S,
     .default_value = NUMBER_TEXT(OPTIONS_DEFAULT_STALL_TIMEOUT_S),
     .help = "give up on a call that received nothing for this long"},
    {.name = "dry-run",
     .type = PARSE_OPTION_FLAG,
     FIELD(dry_run),
     .scopes = SCOPE_RUN,
     .default_text = "off",
     .help = "validate and print the plan of calls; send nothing"},
    {.name = "no-preflight",
     .type = PARSE_OPTION_FLAG,
     FIELD(no_preflight),
     .json_key = "no_preflight",
     .scopes = SCOPE_RUN,
     /* which rows are sent depends on it: a re-run must not flip it */
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .default_text = "off",
     .help = "do not read the account's live state before sending: every valid row is sent, "
             "none ends unchanged, no undo.csv"},
    {.name = "yes",
     .type = PARSE_OPTION_FLAG,
     FIELD(yes),
     .scopes = SCOPE_SENDING,
     .default_text = "off",
     .help = "confirm operations that cost money or cannot be recalled (activate, locate, "
             "sms); on a terminal a typed confirmation may stand in; not needed with "
             "--endpoint sim"},
    {.name = "quiet",
     .type = PARSE_OPTION_FLAG,
     FIELD(quiet),
     .scopes = SCOPE_DISPLAY,
     .default_text = "TTY-dependent",
     .help = "no progress display"},
    {.name = "progress",
     .type = PARSE_OPTION_FLAG,
     FIELD(progress),
     .scopes = SCOPE_DISPLAY,
     .default_text = "TTY-dependent",
     .help = "progress display even when stderr is not a terminal"},
    {.name = "max-errors",
     .type = PARSE_OPTION_STRING,
     FIELD(max_errors),
     .value_name = "N|P%",
     .json_key = "max_errors",
     .scopes = SCOPE_SENDING,
     .default_text = "none",
     .help = "stop sending once more than N rows (or P% of at least 100 rows) failed; rows not "
             "sent end skipped, exit 3, resume with a higher value"},
    {.name = "resend-on-5xx",
     .type = PARSE_OPTION_FLAG,
     FIELD(resend_on_5xx),
     .json_key = "resend_on_5xx",
     .scopes = SCOPE_SENDING,
     .default_text = "off",
     .help = "re-send sms / locate calls answered 5xx (the service may have applied them: "
             "a device may get the SMS twice)"},
    {.name = "verbose",
     .type = PARSE_OPTION_FLAG,
     FIELD(verbose),
     .scopes = SCOPE_READING,
     .default_text = "off",
     .help = "one line per API call on stderr (never credentials)"},
    {.name = "verify",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(verify),
     .handler = &verify_handler,
     .value_name = "DURATION",
     .json_key = "verify",
     .scopes = SCOPE_SENDING,
     .flags = PARSE_OPTION_OPTIONAL_VALUE,
     .default_text = "off",
     .help = "when the job ends, verify its rows as `verify` does, waiting up to DURATION "
             "(e.g. 30m) for pending ones"},
    {.name = "wait",
     .type = PARSE_OPTION_DURATION,
     FIELD(wait_ms),
     .value_name = "DURATION",
     .scopes = SCOPE_VERIFY,
     .default_text = "0s: read once",
     .help = "re-read the pending rows until none is, or DURATION (90s, 30m, 1h30m) is up"},
    {.name = "steps",
     .type = PARSE_OPTION_CUSTOM,
     FIELD(steps),
     .count_offset = offsetof(struct job_options, step_count),
     .handler = &steps_handler,
     .value_name = "JSON",
     .json_key = "steps",
     .scopes = SCOPE_JOB_FILE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .help = "operations run in order for every row (job files only; see docs/usage.md)"},
    {.name = "partial",
     .type = PARSE_OPTION_FLAG,
     FIELD(partial),
     .json_key = "partial",
     .scopes = SCOPE_JOB_FILE,
     .flags = PARSE_OPTION_RESULT_AFFECTING,
     .default_text = "off",
     .help = "a row invalid for a later step still runs the steps before it (job files "
             "only)"},
    {.name = "max-snapshot-age",
     .type = PARSE_OPTION_STRING,
     FIELD(max_snapshot_age),
     .value_name = "DURATION",
     .json_key = "max_snapshot_age",
     .scopes = SCOPE_SENDING,
     .empty_text = "empty duration",
     .default_text = "any age",
     .help = "refuse (exit 2) to resume on a stored snapshot of the account older than this "
             "(e.g. 30m, 2h, 1d)"},
    {.name = "help", .type = PARSE_OPTION_HELP, .scopes = SCOPE_ALL, .help = "show this help"},
};

const struct parse_options_table job_option_table = {
    .rows = job_option_rows,
    .count = sizeof(job_option_rows) / sizeof(job_option_rows[0]),
    .program = "lattigo-batch",
};

void job_options_init(struct job_options *options)
{
	struct error error;
	error_clear(&error);
	memset(options, 0, sizeof(*options));
	/* no default allocates, and the table's unit test parses every default */
	if (parse_options_defaults(&job_option_table, options, &error) < 0)
		abort();
}

void job_options_release(struct job_options *options)
{
	parse_options_release(&job_option_table, options);
	free(options->job_file);
	job_options_init(options);
}

void job_options_pipeline_config(const struct job_options *options, struct pipeline_config *config)
{
	memset(config, 0, sizeof(*config));
	config->op = options->op;
	config->manifest = options->manifest;
	config->manifest_options.format = options->format;
	config->manifest_options.delimiter = options->delimiter;
	config->manifest_options.sheet = options->sheet;
	config->maps = options->maps;
	config->map_count = options->map_count;
	config->sets = options->sets;
	config->set_count = options->set_count;
	config->validation = options->validation;
}

int job_options_read_file(struct job_options *options, const char *path, struct error *error)
{
	json_t *object = NULL;
	int result = -1;
	if (jobfile_load(path, &object, error) < 0)
		goto out;
	if (parse_options_from_json(&job_option_table, object, options, path, error) < 0)
		goto out;
	free(options->job_file);
	options->job_file = strdup(path);
	if (!options->job_file) {
		error_set(error, "out of memory");
		goto out;
	}
	result = 0;
out:
	json_decref(object);
	return result;
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

/* A steps job names its operations in its steps, each within the limits a
 * single job's options have. */
static int check_steps(const struct job_options *options, struct error *error)
{
	if (options->partial && !options->step_count)
		return error_set(error, "\"partial\" is for job files with \"steps\"");
	if (!options->step_count)
		return 0;
	if (options->op)
		return error_set(error, "a job with \"steps\" takes no --op or \"op\": each step "
		                        "names its operation");
	for (size_t index = 0; index < options->step_count; index++) {
		const struct job_step *step = &options->steps[index];
		if (step->chunk > OPTIONS_MAX_CHUNK)
			return error_set(error, "step %zu: \"chunk\" above %d (the API's limit)",
			                 index + 1, OPTIONS_MAX_CHUNK);
		if (step->concurrency > OPTIONS_MAX_CONCURRENCY)
			return error_set(error, "step %zu: \"concurrency\" above %d", index + 1,
			                 OPTIONS_MAX_CONCURRENCY);
		if (step->rate > OPTIONS_MAX_RATE)
			return error_set(error, "step %zu: \"rate\" above %d calls per second",
			                 index + 1, OPTIONS_MAX_RATE);
	}
	return 0;
}

int job_options_finish(struct job_options *options, bool needs_out, struct error *error)
{
	if (check_steps(options, error) < 0)
		return -1;
	if (!options->op && !options->step_count)
		return error_set(error, "no operation: give --op OP or a job file with \"op\" "
		                        "(list: lattigo-batch ops)");
	if (!options->manifest)
		return error_set(error, "no manifest: give --manifest FILE or a job file with "
		                        "\"manifest\"");
	if (options->quiet && options->progress)
		return error_set(error, "--quiet and --progress cannot be used together");
	options->max_snapshot_age_ms = 0;
	if (options->max_snapshot_age &&
	    duration_parse(options->max_snapshot_age, &options->max_snapshot_age_ms) < 0)
		return error_set(
		    error, "--max-snapshot-age: '%s' is not a duration (e.g. 90s, 30m, 2h, 1d)",
		    options->max_snapshot_age);
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
		snprintf(out, sizeof(out), "./out/%s-%s", stem,
		         options->step_count ? "steps" : options->op);
		if (replace_string(&options->out, out, "out", error) < 0)
			return -1;
	}
	return 0;
}

int job_options_load(struct job_options *options, unsigned scope, int argc, char **argv,
                     struct error *error)
{
	struct parsed_command_line line;
	int result = -1;
	if (parse_options_argv(&job_option_table, scope, argc > 0 ? argv[0] : "", argc, argv, &line,
	                       error) < 0)
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
		if (job_options_read_file(options, line.positional[0], error) < 0)
			goto out;
		if (scope == SCOPE_VALIDATE || scope == SCOPE_PLAN) {
			free(options->out);
			options->out = NULL;
		}
	}
	if (parse_options_apply_line(&line, options, error) < 0)
		goto out;
	if (job_options_finish(options, scope != SCOPE_VALIDATE && scope != SCOPE_PLAN, error) < 0)
		goto out;
	result = 0;
out:
	parsed_command_line_release(&line);
	return result;
}

int job_options_to_json(const struct job_options *options, json_t **out)
{
	return parse_options_to_json(&job_option_table, options, false, out);
}

char *job_options_result_affecting_text(const struct job_options *options)
{
	json_t *selected = NULL;
	if (parse_options_to_json(&job_option_table, options, true, &selected) < 0)
		return NULL;
	char *text = json_dumps(selected, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(selected);
	return text;
}

int job_options_from_json(const json_t *object, struct job_options *options, struct error *error)
{
	return parse_options_from_json(&job_option_table, object, options, NULL, error);
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
