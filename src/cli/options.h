/* The option model shared by run, validate and resume: one table of options
 * (command line flags and job-file keys), the job_options they fill, defaults
 * and checks. Ownership: a job_options owns every string it holds. */
#ifndef LATTIGO_OPTIONS_H
#define LATTIGO_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "ops/op.h"

#define OPTIONS_DEFAULT_ENDPOINT        "https://api.lattigo.com"
#define OPTIONS_DEFAULT_CHUNK           100
#define OPTIONS_DEFAULT_CONCURRENCY     4
#define OPTIONS_DEFAULT_MAX_RETRIES     8
#define OPTIONS_DEFAULT_CONNECT_TIMEOUT 10  /* seconds */
#define OPTIONS_DEFAULT_TIMEOUT         120 /* seconds, a whole call */
#define OPTIONS_DEFAULT_STALL_TIMEOUT   30  /* seconds below 1 byte/s */
#define OPTIONS_MAX_ASSIGNMENTS         64  /* --map / --set entries each */

/* --output-format: which row files a job writes besides the CSVs. */
enum output_format {
	OUTPUT_FORMAT_AUTO = 0, /* xlsx too when the manifest is an .xlsx workbook */
	OUTPUT_FORMAT_CSV,
	OUTPUT_FORMAT_XLSX,
};

/* Everything a job is defined by (SPEC §2), after defaults, the job file and
 * the command line were merged. */
struct job_options {
	char *op;       /* operation name as given (pipeline_find_op resolves it) */
	char *manifest; /* path; "-" is stdin */
	enum manifest_format format;
	char delimiter; /* 0 = sniffed */
	char *sheet;    /* --sheet: the worksheet of an .xlsx manifest; NULL = first */
	enum output_format output_format; /* --output-format */
	struct field_assignment *maps;    /* --map FIELD=COLUMN; strings owned */
	size_t map_count;
	struct field_assignment *sets; /* --set FIELD=VALUE; strings owned */
	size_t set_count;
	char *out;         /* job directory; NULL for validate without --out */
	char *endpoint;    /* API root or the word "sim" */
	char *credentials; /* path of a key_name:api_key file, or NULL for the environment */
	bool insecure_http;
	struct validation_options validation; /* --no-luhn iccid / imei */
	bool force_new;
	size_t chunk;
	unsigned concurrency;
	double rate; /* calls per second, 0 = unlimited */
	unsigned max_retries;
	long connect_timeout; /* seconds */
	long timeout;         /* seconds */
	long stall_timeout;   /* seconds */
	bool dry_run;
	bool yes;
	bool quiet;     /* no progress display */
	bool progress;  /* progress display even when stderr is not a TTY */
	bool verbose;   /* one line per call on stderr */
	char *job_file; /* the job file read, or NULL */
};

/* Which command an option belongs to (bits). */
enum option_scope {
	SCOPE_RUN = 1 << 0,
	SCOPE_VALIDATE = 1 << 1,
	SCOPE_RESUME = 1 << 2,
};

enum option_id {
	OPTION_OP,
	OPTION_MANIFEST,
	OPTION_FORMAT,
	OPTION_DELIMITER,
	OPTION_MAP,
	OPTION_SET,
	OPTION_NO_LUHN,
	OPTION_OUT,
	OPTION_ENDPOINT,
	OPTION_CREDENTIALS,
	OPTION_INSECURE_HTTP,
	OPTION_FORCE_NEW,
	OPTION_CHUNK,
	OPTION_CONCURRENCY,
	OPTION_RATE,
	OPTION_MAX_RETRIES,
	OPTION_CONNECT_TIMEOUT,
	OPTION_TIMEOUT,
	OPTION_STALL_TIMEOUT,
	OPTION_DRY_RUN,
	OPTION_YES,
	OPTION_QUIET,
	OPTION_PROGRESS,
	OPTION_VERBOSE,
	OPTION_HELP,
	OPTION_SHEET,
	OPTION_OUTPUT_FORMAT,
};

/* One row of the option table. */
struct option_spec {
	enum option_id id;
	const char *name;         /* long name without "--" */
	const char *value_name;   /* e.g. "N"; NULL for a flag */
	const char *json_key;     /* key in job files and job.json; NULL: command line only */
	unsigned scopes;          /* enum option_scope bits */
	const char *default_text; /* for --help; NULL when none worth saying */
	const char *help;
};

extern const struct option_spec option_table[];
extern const size_t option_table_count;

/* Returns the option whose long name is name, or NULL. */
const struct option_spec *option_find(const char *name);
/* Returns the option whose job-file key is key, or NULL. */
const struct option_spec *option_find_json_key(const char *key);

/* Sets the defaults (no strings allocated yet). */
void job_options_init(struct job_options *options);
/* Frees every string and array the options hold; init makes it usable again. */
void job_options_release(struct job_options *options);

/* Applies one option with its text value (NULL for a flag), checking it:
 * ranges, FIELD=VALUE forms, known words. Scalars replace earlier values, a
 * --map/--set for the same field replaces the earlier one, so whatever is
 * applied last wins. Returns 0, or -1 with error naming the option. */
int job_options_apply(struct job_options *options, const struct option_spec *spec,
                      const char *value, struct error *error);

/* A parsed command line: options in order, and the other arguments.
 * Values point into argv. */
struct given_option {
	const struct option_spec *spec;
	const char *value;
};
struct command_line {
	struct given_option *given;
	size_t given_count;
	char **positional;
	size_t positional_count;
	bool help;
};

/* Splits argv (argv[0] is the command name) into options and positional
 * arguments, accepting "--opt value", "--opt=value" and "--" ending options.
 * An unknown option, or one not used by this command, is an error with a hint
 * ("did you mean '--chunk'?"). Free with command_line_release. */
int command_line_parse(struct command_line *line, unsigned scope, int argc, char **argv,
                       struct error *error);
/* Frees the arrays of line (not argv). */
void command_line_release(struct command_line *line);

/* Fills the defaults that depend on other options ($LATTIGO_ENDPOINT, the
 * default --out when needs_out) and checks the combination: an operation
 * and a manifest are given, --quiet and --progress are not both set. */
int job_options_finish(struct job_options *options, bool needs_out, struct error *error);

/* True when the job writes results.xlsx and errors.xlsx besides the CSVs. */
bool job_options_want_xlsx(const struct job_options *options);

/* Reads job options for run (scope SCOPE_RUN) or validate (SCOPE_VALIDATE):
 * defaults, then the job file named by the only positional argument (if
 * any), then the command line. Validate takes --out from the command line
 * only (a job file's out is where `run` writes, not validate). Returns 1 when
 * --help was asked (nothing else done), 0 when options are ready, -1 on error. */
int job_options_load(struct job_options *options, unsigned scope, int argc, char **argv,
                     struct error *error);

/* Builds the JSON object of the effective options as job.json records them
 * (same keys as a job file; paths made absolute; credentials never included,
 * nor per-invocation flags such as --dry-run, --yes, --quiet). New reference
 * in *out. Returns 0 or -1 (out of memory). */
int job_options_to_json(const struct job_options *options, json_t **out);
/* Applies every key of a job-file object to options; an unknown key or a
 * value of the wrong type is an error naming the key. Returns 0 or -1. */
int job_options_from_json(const json_t *object, struct job_options *options, struct error *error);
/* As job_options_from_json for an object read from the file source: errors
 * name the file, and relative "manifest" and "out" paths are taken relative
 * to the file's directory. */
int job_options_from_json_at(const json_t *object, struct job_options *options, const char *source,
                             struct error *error);

#endif
