/* The read side of the API: one descriptor per GET endpoint `export` can read
 * (path, parameters, record fields, pagination). `export`, its --help, the
 * simulator's route check and the docs test all read this one table.
 * Ownership: descriptors are static and immutable. */
#ifndef LATTIGO_READ_ENDPOINT_H
#define LATTIGO_READ_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* How the answer comes back. */
enum read_paging {
	READ_OBJECT, /* one JSON object (v2/devices/:device_name) */
	READ_ARRAY,  /* one JSON array, not paginated (get_sms lists no pagination) */
	READ_PAGED,  /* a JSON array, page / per_page and the X-* headers */
};

/* Query parameters an endpoint takes besides page / per_page (API text). */
enum read_parameter {
	READ_PARAM_DATES = 1 << 0,     /* start_date, end_date */
	READ_PARAM_LIMIT = 1 << 1,     /* limit ("defaults to 1") */
	READ_PARAM_DIRECTION = 1 << 2, /* direction: all, received, sent */
	READ_PARAM_STATE = 1 << 3,     /* state filter */
	READ_PARAM_DETAILS = 1 << 4,   /* details=true: objects instead of names */
	READ_PARAM_ID_TYPE = 1 << 5,   /* id_type of the device in the path */
};

struct read_endpoint {
	const char *kind; /* `export KIND`, e.g. "daily-usage" */
	const char *path; /* relative to the API root; "{device_name}" per manifest row */
	bool per_device;  /* one listing per manifest row */
	enum read_paging paging;
	unsigned parameters;       /* enum read_parameter bits */
	const char *const *fields; /* the record fields of the API text: the CSV columns */
	size_t field_count;
	const char *scalar_field; /* the column an answer of plain strings fills (no details) */
	const char *summary;      /* one line for --help and the docs */
};

/* The read endpoints, sorted by kind, and their number. */
extern const struct read_endpoint read_endpoints[];
extern const size_t read_endpoint_count;

/* Returns the endpoint of export kind, or NULL. */
const struct read_endpoint *read_endpoint_find(const char *kind);

/* Device states `--state` accepts (NULL-terminated): those of the device
 * object in the API's answers and the simulator's data (docs/api-notes.md). */
extern const char *const read_device_states[];

/* Returns the known state closest to text (a hint such as "suspended" for
 * "suspend"), or NULL when none is close. */
const char *read_device_state_hint(const char *text);

/* The largest per_page we ask for: servers clamp larger values (the
 * simulator at 1000), and X-Per-Page / X-Total-Pages then tell the truth. */
#define READ_MAX_PER_PAGE 1000
/* `limit` sent when --limit is not given: "everything in the date range". */
#define READ_LIMIT_ALL 100000

#endif
