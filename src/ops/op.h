/* The operation table: one descriptor per API operation (SPEC §4). The engine,
 * the simulator, `ops`, validation and the docs all read this table; nothing
 * else switches on which operation runs.
 * Ownership: descriptors are static and immutable; records point into memory
 * owned by whoever filled them (see record_clone). */
#ifndef LATTIGO_OP_H
#define LATTIGO_OP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "ops/live_state.h"
#include "ops/row_status.h"

/* Every field a manifest row can carry, in alphabetical order of their names. */
enum field_id {
	FIELD_ACTION,
	FIELD_COST_CENTER,
	FIELD_DEVICE_NAME,
	FIELD_DEVICE_SKU,
	FIELD_FIELD_NAME,
	FIELD_ICCID,
	FIELD_ID_TYPE,
	FIELD_IMEI,
	FIELD_KB_LIMIT,
	FIELD_NOTE,
	FIELD_NOTE1,
	FIELD_NOTE2,
	FIELD_NOTE3,
	FIELD_RATE_PLAN_NAME,
	FIELD_REGION_CODE,
	FIELD_SMS_TEXT,
	FIELD_STATE,
	FIELD_UPLOAD_EMAIL,
	FIELD_UPLOAD_SKU,
	FIELD_USERNAMES,
	FIELD_COUNT
};

/* Returns the manifest/API name of a field, e.g. "rate_plan_name" (static). */
const char *field_name(enum field_id field);
/* Returns the field with this name (exact, lower case), or -1. */
int field_lookup(const char *name);

/* One manifest row, normalised to the operation's fields. */
struct record {
	uint64_t row;    /* 1-based position among data rows (SPEC §3) */
	uint64_t line;   /* physical line where the row starts, for messages */
	uint64_t offset; /* byte offset where the row starts in the (decompressed) manifest */
	/* where the row came from when the manifest is a re-fed errors.csv (its
	 * source_row / source_line cells), else 0: messages name rows by these */
	uint64_t source_row;
	uint64_t source_line;
	unsigned lane; /* the engine lane (a steps job's step) that sends it; read only by an
	                  engine given several lanes */
	const char *value[FIELD_COUNT]; /* trimmed text; NULL when absent or empty */
};

/* Returns a deep copy in a single allocation (free with free()), or NULL when out of memory. */
struct record *record_clone(const struct record *record);
/* The row number messages use: the source row when the manifest gives one, else the row. */
uint64_t record_shown_row(const struct record *record);

/* Options that relax validation (SPEC §2 --no-luhn). */
struct validation_options {
	bool skip_luhn_iccid;
	bool skip_luhn_imei;
};

/* Checks one value (length bytes, strlen(value): the pipeline knows it, so
 * no validator measures again); on failure appends the rule that failed,
 * without the field name (e.g. "check digit wrong (Luhn)"), and returns -1. */
typedef int field_validator(const char *value, size_t length,
                            const struct validation_options *options, struct strbuf *rule);

enum op_field_flags {
	OP_FIELD_REQUIRED = 1 << 0, /* the row is invalid without it */
	OP_FIELD_BATCH = 1 << 1,    /* part of the batching key: a chunk shares one value */
	OP_FIELD_NUMBER = 1 << 2,   /* a count: a JSONL number with a whole value is taken as
	                               its digits (1e3 -> 1000, 1024.0 -> 1024) */
};

struct op_field {
	enum field_id id;
	unsigned flags;
	field_validator *validate; /* never NULL: a unit test checks it */
};

enum op_flags {
	OP_PER_ROW = 1 << 0,            /* one call per row (the device is in the path) */
	OP_NON_IDEMPOTENT = 1 << 1,     /* an ambiguous failure is never retried blindly */
	OP_NEEDS_YES = 1 << 2,          /* costs money or cannot be recalled: needs --yes or a
	                                   typed confirmation (cli/confirm.c), except against
	                                   --endpoint sim */
	OP_RECONCILE_BY_ICCID = 1 << 3, /* an ambiguous outcome can be read back with GET
	                                   v2/devices/<iccid>?id_type=iccid */
	OP_REFUSES_REPEATS = 1 << 4,    /* the API refuses a repeat of a row it applied ("has
	                                   already been taken"), so a call that may have been
	                                   applied can be sent again safely */
	OP_RAW_ANSWER = 1 << 5,         /* map_response reads the answer's text only (body is
	                                   NULL): a large page is not parsed twice */
	OP_NOT_ROWS = 1 << 6,           /* its records are no manifest rows (pages of a listing):
	                                   its exchanges name no row in the audit trail */
};

/* The final outcome of one row: what results.csv records. */
struct row_outcome {
	enum row_status status;
	int http_status;        /* 0 when no HTTP answer was involved */
	unsigned attempts;      /* calls that carried the row */
	int64_t finished_at_ms; /* UTC epoch milliseconds */
	char message[512];      /* the API's text or ours; truncated, never NULL */
	char device_name[128];  /* the device a read found (a steps job's verification), "" when
	                           none; not recorded in the checkpoint */
};

/* A set of fields whose combined value must be unique within a job. */
struct op_unique_key {
	enum field_id fields[3];
	size_t count;
};

struct op {
	const char *name;    /* the --op value, e.g. "cost-center" */
	const char *method;  /* "GET", "PUT" or "POST" */
	const char *path;    /* relative to the API root; "{device_name}" is replaced per row */
	const char *summary; /* one line for `ops` and --help */
	const struct op_field *fields;
	size_t field_count;
	enum field_id key_field; /* identifies the device in results.csv and within a chunk */
	const struct op_unique_key *unique_keys; /* duplicates of any one are invalid */
	size_t unique_key_count;
	unsigned flags;

	/* Cross-field rules (imei or device_sku, action or usernames); NULL when none.
	 * Appends "field: rule" and returns -1 when the record breaks one. */
	int (*check_record)(const struct record *record, struct strbuf *message);

	/* Builds one call for count records that share the batching key (count is 1
	 * for OP_PER_ROW): the path relative to the API root (device name escaped)
	 * and the JSON body (new reference, or NULL for no body). Returns 0 or -1. */
	int (*build_request)(const struct op *op, const struct record *const *records, size_t count,
	                     struct strbuf *path, json_t **body);

	/* Maps an HTTP answer to one outcome per record, filling status and
	 * message only. body is the parsed JSON or NULL; raw is the body text (for
	 * quoting when it is not what the API text shows). Per-device entries are
	 * mapped whatever the status (the API answers a partial success with 422);
	 * a record they do not mention is ROW_UNKNOWN. Returns true when the body
	 * carried such entries, false when the outcomes are a whole-call verdict
	 * (the engine then decides on the status alone, e.g. retries a 5xx). */
	bool (*map_response)(const struct op *op, long http_status, const json_t *body,
	                     const char *raw, size_t raw_length,
	                     const struct record *const *records, size_t count,
	                     struct row_outcome *outcomes);

	/* What the account's live state says about a row (ops/live_state.h):
	 * plan, run's preflight, undo.csv and verify read it. */
	struct op_live live;
};

/* The operations sorted by name, and their number. */
extern const struct op *const op_table[];
extern const size_t op_table_count;

/* Returns the operation named name, or NULL. */
const struct op *op_find(const char *name);
/* Returns the descriptor of field in op, or NULL when op does not use it. */
const struct op_field *op_field_find(const struct op *op, enum field_id field);
/* Writes record's batching key for op (the OP_FIELD_BATCH values, joined
 * unambiguously) into key after resetting it; rows with equal keys may share
 * a call. Returns 0, or -1 when out of memory / too big. */
int op_batch_key(const struct op *op, const struct record *record, struct strbuf *key);
/* Writes a human-readable label of the batching group for plans and
 * progress, e.g. "rate_plan_name=ACME 5MB" ("all rows" when none). Returns 0 or -1. */
int op_batch_label(const struct op *op, const struct record *record, struct strbuf *label);
/* Rows per call for op when requested were asked for: 1 for OP_PER_ROW
 * operations (the device is in the path), else requested (at least 1). The
 * one place that rule is written. */
size_t op_chunk_size(const struct op *op, size_t requested);

/* Compares for op (op->live.compare, or LIVE_UNREADABLE with the target
 * field's value). Always fills comparison; message as compare. */
void op_live_compare(const struct op *op, const struct record *record,
                     const struct device_view *device, struct live_comparison *comparison,
                     struct strbuf *message);

/* The device field and value that name record's device for op: by id_type
 * for FIELD_DEVICE_NAME, else the identify field's own kind. Returns 0, or -1
 * when the row names no device (OP_LIVE_NO_DEVICE, an unknown id_type). */
int op_live_device_key(const struct op *op, const struct record *record, enum device_field *key,
                       const char **value);

#endif
