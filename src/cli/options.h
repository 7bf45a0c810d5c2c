/* The option model shared by run, validate and resume: one table of options
 * (command line flags and job-file keys), the job_options they fill, defaults
 * and checks. Ownership: a job_options owns every string it holds. */
#ifndef LATTIGO_OPTIONS_H
#define LATTIGO_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "cli/job_steps.h"
#include "common/parse_options.h"
#include "manifest/binding.h"
#include "manifest/manifest.h"
#include "ops/op.h"
#include "pipeline/pipeline.h"

/* The API root when --endpoint and $LATTIGO_ENDPOINT are unset. */
#define OPTIONS_DEFAULT_ENDPOINT "https://api.lattigo.com"

/* The defaults of the sending options: the option tables (run, export) are
 * their one source; code that builds an engine or a transport without
 * options (tests) takes them from here, never from a copy. */
#define OPTIONS_DEFAULT_CHUNK             100 /* rows per call */
#define OPTIONS_DEFAULT_CONCURRENCY       4   /* calls in flight (run) */
#define OPTIONS_DEFAULT_MAX_RETRIES       8   /* retries of one call or read */
#define OPTIONS_DEFAULT_CONNECT_TIMEOUT_S 10
#define OPTIONS_DEFAULT_TIMEOUT_S         120
#define OPTIONS_DEFAULT_STALL_TIMEOUT_S   30

#define OPTIONS_MAX_ASSIGNMENTS 64      /* --map / --set entries each */
#define OPTIONS_MAX_CHUNK       1000    /* rows in one call (the API's limit) */
#define OPTIONS_MAX_CONCURRENCY 64      /* calls in flight */
#define OPTIONS_MAX_RETRIES     100     /* retries of one call */
#define OPTIONS_MAX_TIMEOUT_S   86400   /* any timeout: one day */
#define OPTIONS_MAX_RATE        1000000 /* calls per second; above is a typo */

/* --output-format: which row files a job writes besides the CSVs. */
enum output_format {
	OUTPUT_FORMAT_AUTO = 0, /* xlsx too when the manifest is an .xlsx workbook */
	OUTPUT_FORMAT_CSV,
	OUTPUT_FORMAT_XLSX,
};

/* run --verify[=DURATION]: verify the job's rows when it ends, waiting up to
 * wait_ms for pending ones. */
struct verify_request {
	bool enabled;
	int64_t wait_ms;
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
	char *cacert; /* --cacert FILE: the CA bundle to trust (http/tls.h) */
	struct validation_options validation; /* --no-luhn iccid / imei */
	bool force_new;
	bool force_endpoint; /* a re-run or resume may send to another endpoint than the job's */
	size_t chunk;
	unsigned concurrency;
	double rate; /* calls per second, 0 = unlimited */
	unsigned max_retries;
	long connect_timeout; /* seconds */
	long timeout;         /* seconds */
	long stall_timeout;   /* seconds */
	bool dry_run;
	bool no_preflight; /* send every valid row without reading the account first */
	bool yes;
	bool quiet;                   /* no progress display */
	bool progress;                /* progress display even when stderr is not a TTY */
	bool verbose;                 /* one line per call on stderr */
	bool resend_on_5xx;           /* re-send sms / locate calls answered 5xx */
	char *max_errors;             /* --max-errors N or P%, NULL: none */
	struct verify_request verify; /* run --verify[=DURATION] */
	int64_t wait_ms;              /* verify --wait DURATION */
	char *job_file;               /* the job file read, or NULL */
	struct job_step *steps;       /* a job file's "steps" (op is NULL then); owned */
	size_t step_count;
	bool partial;           /* "partial": a row invalid for a later step still runs the steps
	                           before it */
	char *max_snapshot_age; /* --max-snapshot-age DURATION as given, NULL: any age */
	int64_t max_snapshot_age_ms; /* parsed by job_options_finish; 0: any age */
};

/* Which command an option belongs to (bits of parse_option.scopes). */
enum option_scope {
	SCOPE_RUN = 1 << 0,
	SCOPE_VALIDATE = 1 << 1,
	SCOPE_RESUME = 1 << 2,
	SCOPE_JOB_FILE = 1 << 3, /* job files (and job.json) only: no command line flag */
	SCOPE_PLAN = 1 << 4,     /* `plan`: validate's options plus reading the account */
	SCOPE_VERIFY = 1 << 5,   /* `verify OUTDIR`: reading options and --wait */
};

/* The options of run, validate and resume: one row per option, filling
 * struct job_options (see common/parse_options.h). */
extern const struct parse_options_table job_option_table;
/* The --map / --set handlers (FIELD=COLUMN / FIELD=VALUE lists of struct
 * field_assignment plus a size_t count), for other commands' tables (export). */
extern const struct parse_option_handler options_map_handler;
extern const struct parse_option_handler options_set_handler;

/* Sets the defaults of the table (no strings allocated yet). */
void job_options_init(struct job_options *options);
/* Frees every string and array the options hold; init makes it usable again. */
void job_options_release(struct job_options *options);

/* True when the job writes results.xlsx and errors.xlsx besides the CSVs. */
bool job_options_want_xlsx(const struct job_options *options);

/* Fills the defaults that depend on other options ($LATTIGO_ENDPOINT, the
 * default --out when needs_out) and checks the combination: an operation
 * and a manifest are given, --quiet and --progress are not both set. */
int job_options_finish(struct job_options *options, bool needs_out, struct error *error);

/* Fills config with what the row pipeline needs of options (pointers into
 * options, valid while options is unchanged). */
void job_options_pipeline_config(const struct job_options *options, struct pipeline_config *config);

/* Reads the job file at path into options (which should not hold a manifest
 * or out yet: relative paths in the file are taken relative to its
 * directory) and records path in options->job_file. Returns 0, or -1 with
 * error naming the file and, for JSON syntax errors, the line. */
int job_options_read_file(struct job_options *options, const char *path, struct error *error);

/* Reads job options for run (scope SCOPE_RUN), validate (SCOPE_VALIDATE) or plan (SCOPE_PLAN):
 * defaults, then the job file named by the only positional argument (if
 * any), then the command line. Validate and plan take --out from the command line
 * only (a job file's out is where `run` writes, not validate). Returns 1 when
 * --help was asked (nothing else done), 0 when options are ready, -1 on error. */
int job_options_load(struct job_options *options, unsigned scope, int argc, char **argv,
                     struct error *error);

/* Builds the JSON object of the effective options as job.json records them
 * (same keys as a job file; paths made absolute; credentials never included,
 * nor per-invocation flags such as --dry-run, --yes, --quiet). New reference
 * in *out. Returns 0 or -1 (out of memory). */
int job_options_to_json(const struct job_options *options, json_t **out);
/* The result-affecting options (rows flagged PARSE_OPTION_RESULT_AFFECTING)
 * as compact JSON text with sorted keys: a resume with other values is
 * refused. malloc'd; NULL when out of memory. */
char *job_options_result_affecting_text(const struct job_options *options);
/* Applies every key of a job-file object to options; an unknown key or a
 * value of the wrong type is an error naming the key. Returns 0 or -1. */
int job_options_from_json(const json_t *object, struct job_options *options, struct error *error);

#endif
