/* One option parser for every command of lattigo-batch and for lattigo-sim
 * (after git's parse-options): each row of a table says everything about one
 * option -- its name, type, the field it fills, range, default, job-file key,
 * which commands take it and its help. Parsing argv, reading a job file,
 * --help text, writing job.json and picking the result-affecting options are
 * all derived from the rows.
 * Ownership: string fields filled by the parser are malloc'd and owned by the
 * options struct; parse_options_release frees them. Parsed command lines
 * point into argv. */
#ifndef LATTIGO_PARSE_OPTIONS_H
#define LATTIGO_PARSE_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/error.h"

#define PARSE_OPTIONS_MAX_ROWS 96 /* rows of one table (hint lists are built on the stack) */

/* A numeric macro as a string literal: a row's default_value and help text
 * name the same constant the code uses. */
#define PARSE_OPTION_NUMBER_TEXT(x) PARSE_OPTION_TEXT_(x)
#define PARSE_OPTION_TEXT_(x)       #x

enum parse_option_type {
	PARSE_OPTION_HELP,       /* --help / -h: asks for the help text */
	PARSE_OPTION_FLAG,       /* bool, no value; true/false in a job file */
	PARSE_OPTION_UNSIGNED,   /* a whole number from minimum to maximum, into any unsigned-
	                            compatible field (size_t, unsigned, long, uint64_t) */
	PARSE_OPTION_DOUBLE,     /* a finite number from real_minimum to real_maximum */
	PARSE_OPTION_STRING,     /* char *, malloc'd copy */
	PARSE_OPTION_CHOICE,     /* one of words[]: its value is stored (int-like or char field) */
	PARSE_OPTION_WORD_FLAGS, /* each of words[] sets the bool at offset value (repeatable;
	                            an array of words in a job file) */
	PARSE_OPTION_CUSTOM,     /* handler does it (e.g. FIELD=VALUE lists) */
	PARSE_OPTION_DURATION,   /* "30m", "90s", "1h30m" (common/duration.h) into an int64_t
	                            of milliseconds; a job file may give a number of seconds */
};

/* Row flags. */
enum parse_option_flag {
	PARSE_OPTION_PATH = 1 << 0,              /* a path: relative to the job file when read from
	                                            one, absolute in job.json */
	PARSE_OPTION_RESULT_AFFECTING = 1 << 1,  /* changing it changes row outcomes: a resume
	                                           with another value is refused */
	PARSE_OPTION_SECRET = 1 << 2,            /* never echo the value in messages */
	PARSE_OPTION_EXCLUSIVE_MINIMUM = 1 << 3, /* DOUBLE: the minimum itself is refused */
	PARSE_OPTION_CASE_SENSITIVE = 1 << 4,    /* CHOICE / WORD_FLAGS: words match exactly */
	PARSE_OPTION_OPTIONAL_VALUE = 1 << 5,    /* the value may be left out: only --name=VALUE
	                                            gives one, --name alone applies NULL; a job
	                                            file may say true (no value) or false (unset) */
};

struct parse_option_word {
	const char *word;
	int value; /* CHOICE: the value stored; WORD_FLAGS: offset of the bool it sets */
};

struct parse_option;

/* What a PARSE_OPTION_CUSTOM row does; every function gets the options
 * struct as base. json_object_members: a job file gives the option as an
 * object whose members are applied one by one as "KEY=VALUE" texts. */
struct parse_option_handler {
	int (*apply)(const struct parse_option *row, void *base, const char *value,
	             const char *label, struct error *error);
	/* New JSON value of the field, or NULL when it holds nothing to record
	 * (*failed set when out of memory). */
	json_t *(*to_json)(const struct parse_option *row, const void *base, bool *failed);
	void (*release)(const struct parse_option *row, void *base);
	/* A job file's value as JSON, for options whose value is a structure
	 * (e.g. "steps"); NULL: the value is applied as text. */
	int (*apply_json)(const struct parse_option *row, void *base, const json_t *value,
	                  struct error *error);
	bool json_object_members;
	bool json_string_members; /* members must be strings (else numbers are allowed) */
};

/* One option. Use the PARSE_OPTION_* row macros of the table's own header, or
 * designated initializers. */
struct parse_option {
	const char *name; /* long name without "--" */
	enum parse_option_type type;
	size_t offset;          /* of the field in the options struct */
	size_t size;            /* sizeof the field */
	const char *value_name; /* "N", "FILE"; NULL for flags */
	const char *json_key;   /* job-file / job.json key; NULL: command line only */
	unsigned scopes;        /* bits of the commands that take it; 0 = every command */
	unsigned flags;         /* enum parse_option_flag bits */
	unsigned long long minimum, maximum;   /* UNSIGNED */
	double real_minimum, real_maximum;     /* DOUBLE */
	const struct parse_option_word *words; /* CHOICE, WORD_FLAGS */
	size_t word_count;
	const struct parse_option_handler *handler; /* CUSTOM */
	size_t count_offset;                        /* CUSTOM lists: offset of their size_t count */
	const char *default_value; /* text parsed into the field by parse_options_defaults;
	                              NULL: zero / NULL / false */
	const char *default_text;  /* --help when default_value does not say it */
	const char *empty_text;    /* STRING: message for an empty value; NULL: empty allowed */
	const char *rejection;     /* message for a refused value; "{}" stands for the value */
	const char *help;
};

/* A table of options and how its messages name the program. */
struct parse_options_table {
	const struct parse_option *rows;
	size_t count;
	const char *program; /* "lattigo-batch", "lattigo-sim" */
};

/* A parsed command line: options in order and the other arguments. */
struct parsed_option {
	const struct parse_option *row;
	const char *value; /* NULL for a flag */
};
struct parsed_command_line {
	struct parsed_option *given;
	size_t given_count;
	char **positional;
	size_t positional_count;
	bool help;
};

/* Returns the row named name, or NULL. */
const struct parse_option *parse_options_find(const struct parse_options_table *table,
                                              const char *name);
/* Returns the row whose job-file key is key, or NULL. */
const struct parse_option *parse_options_find_json_key(const struct parse_options_table *table,
                                                       const char *key);

/* Fills every field of base from its row's default (zero when none). Strings
 * are allocated. Returns 0, or -1 when a default does not parse (a bug in the
 * table) or out of memory. */
int parse_options_defaults(const struct parse_options_table *table, void *base,
                           struct error *error);
/* Frees every string and list the rows' fields hold and zeroes them. */
void parse_options_release(const struct parse_options_table *table, void *base);

/* Applies one option's text value (NULL for a flag) to base, checked against
 * the row. label names it in messages ("--chunk", "key 'chunk'"). A later
 * value replaces an earlier one. Returns 0, or -1 with error. */
int parse_options_apply(const struct parse_option *row, void *base, const char *value,
                        const char *label, struct error *error);
/* As parse_options_apply, labelled "--NAME". */
int parse_options_apply_option(const struct parse_option *row, void *base, const char *value,
                               struct error *error);

/* Splits argv (argv[0] is the command name) into options and positional
 * arguments: "--opt value", "--opt=value", "-h", "--" ends options, "-" is
 * positional. command names the command in messages (NULL for a program
 * without commands). An unknown option, or one outside scope, is an error with
 * a hint ("did you mean '--chunk'?"). Free with parsed_command_line_release. */
int parse_options_argv(const struct parse_options_table *table, unsigned scope, const char *command,
                       int argc, char **argv, struct parsed_command_line *line,
                       struct error *error);
/* Applies every option of line to base, in order. Returns 0 or -1. */
int parse_options_apply_line(const struct parsed_command_line *line, void *base,
                             struct error *error);
/* Frees the arrays of line (not argv). */
void parsed_command_line_release(struct parsed_command_line *line);
/* The whole of a simple command's parsing: defaults into base, then argv
 * (as parse_options_argv), then its options applied. Returns 1 when --help
 * was asked (nothing applied), 0 when ready, -1 with error. line keeps the
 * positional arguments; release it in every case. */
int parse_options_command(const struct parse_options_table *table, unsigned scope,
                          const char *command, void *base, int argc, char **argv,
                          struct parsed_command_line *line, struct error *error);

/* Applies every member of a job-file object to base: an unknown key or a
 * value of the wrong type is an error naming the key (and source, a file,
 * when not NULL); PATH values are taken relative to source's directory.
 * Returns 0 or -1. */
int parse_options_from_json(const struct parse_options_table *table, const json_t *object,
                            void *base, const char *source, struct error *error);
/* Builds the JSON object of the rows with a job-file key (only
 * result-affecting ones when result_affecting_only): numbers always, other
 * values when set; PATH values made absolute. New reference in *out.
 * Returns 0, or -1 when out of memory. */
int parse_options_to_json(const struct parse_options_table *table, const void *base,
                          bool result_affecting_only, json_t **out);

/* Prints the rows of scope as "  --name VALUE   help" lines, each followed
 * by its default when there is one worth saying. */
void parse_options_print_help(const struct parse_options_table *table, unsigned scope,
                              FILE *stream);

#endif
