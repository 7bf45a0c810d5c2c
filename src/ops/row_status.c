/* The row status table (SPEC §5). */
#include "ops/row_status.h"

const struct row_status_info row_status_table[ROW_STATUS_COUNT] = {
    [ROW_PENDING] = {"pending", 0},
    [ROW_OK] = {"ok", ROW_STATUS_SUCCESS},
    [ROW_ERROR] = {"error", ROW_STATUS_ATTENTION},
    [ROW_INVALID] = {"invalid", ROW_STATUS_ATTENTION | ROW_STATUS_UNSENT},
    [ROW_UNKNOWN] = {"unknown", ROW_STATUS_ATTENTION},
    /* not attempted: resuming the job sends it, so errors.csv does not list it */
    [ROW_SKIPPED] = {"skipped", ROW_STATUS_UNSENT},
    /* the live state already matched the row before anything was sent */
    [ROW_UNCHANGED] = {"unchanged", ROW_STATUS_SUCCESS | ROW_STATUS_UNSENT},
};

const enum row_status row_status_order[] = {ROW_OK,      ROW_UNCHANGED, ROW_ERROR,
                                            ROW_INVALID, ROW_UNKNOWN,   ROW_SKIPPED};
const size_t row_status_order_count = sizeof(row_status_order) / sizeof(row_status_order[0]);

const char *row_status_name(enum row_status status)
{
	return (size_t)status < ROW_STATUS_COUNT ? row_status_table[status].name : "pending";
}

bool row_status_has(enum row_status status, enum row_status_flags flag)
{
	return (size_t)status < ROW_STATUS_COUNT && (row_status_table[status].flags & flag) != 0;
}
