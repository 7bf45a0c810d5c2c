/* Checking an audit trail: every member must inflate with a good CRC, every
 * line must be a JSON object whose seq follows the previous one and whose
 * prev is the SHA-256 of the previous line; the first line is the job's
 * "start" record, chained to the genesis value of its job id. */
#include "audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "members.h"
#include "record.h"

struct chain_check {
	struct audit_report *report;
	char prev[AUDIT_HASH_HEX];
	int64_t last_sequence;
};

static void record_break(struct chain_check *check, uint64_t member_offset, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void record_break(struct chain_check *check, uint64_t member_offset, const char *format, ...)
{
	struct audit_report *report = check->report;
	if (report->broken)
		return;
	report->broken = true;
	report->break_record = report->records;
	report->break_offset = member_offset;
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(report->message, sizeof(report->message), format, arguments);
	va_end(arguments);
}

static int check_line(void *context, const char *line, size_t length, uint64_t member_offset,
                      struct error *error)
{
	(void)error;
	struct chain_check *check = context;
	struct audit_report *report = check->report;
	uint64_t index = ++report->records;
	json_error_t parse_error;
	json_t *record = json_loadb(line, length, 0, &parse_error);
	json_t *sequence = json_object_get(record, "seq");
	const char *prev = json_string_value(json_object_get(record, "prev"));
	const char *kind = json_string_value(json_object_get(record, "kind"));
	if (!json_is_object(record) || !json_is_integer(sequence) || !prev || !kind) {
		record_break(check, member_offset, "record %" PRIu64 " is not an audit record%s%s",
		             index, record ? "" : ": ", record ? "" : parse_error.text);
	} else {
		int64_t number = (int64_t)json_integer_value(sequence);
		if (index == 1) {
			const char *job = json_string_value(json_object_get(record, "job_id"));
			if (strcmp(kind, "start") != 0)
				record_break(check, member_offset,
				             "record 1 (seq %" PRId64 ") is not the start record",
				             number);
			audit_genesis(job, check->prev);
		} else if (number != check->last_sequence + 1) {
			record_break(check, member_offset,
			             "record %" PRIu64 " has seq %" PRId64 ", expected %" PRId64
			             " (a record is missing or out of order)",
			             index, number, check->last_sequence + 1);
		}
		if (strcmp(prev, check->prev) != 0)
			record_break(check, member_offset,
			             "record %" PRIu64 " (seq %" PRId64
			             "): prev does not match the SHA-256 of the record before it",
			             index, number);
		check->last_sequence = number;
		const char *time = json_string_value(json_object_get(record, "started_at"));
		if (!time)
			time = json_string_value(json_object_get(record, "at"));
		if (time) {
			if (!report->first_time[0])
				snprintf(report->first_time, sizeof(report->first_time), "%s",
				         time);
			snprintf(report->last_time, sizeof(report->last_time), "%s", time);
		}
	}
	json_decref(record);
	audit_sha256_hex(line, length, check->prev);
	return 0;
}

int audit_verify(const char *path, struct audit_report *report, struct error *error)
{
	memset(report, 0, sizeof(*report));
	struct chain_check check = {.report = report, .last_sequence = -1};
	struct member_visitor visitor = {.context = &check, .line = check_line};
	struct member_result result;
	if (audit_read_members(path, &visitor, &result, error))
		return -1;
	report->members = result.members;
	if (result.members == 0 && report->records == 0 && result.file_bytes > 0 &&
	    (result.damaged || result.truncated))
		return error_set(error, "'%s' is not a gzip audit trail (%s)", path,
		                 result.problem);
	report->truncated_member = result.truncated;
	if (result.damaged)
		record_break(&check, result.damage_offset,
		             "the gzip member at byte offset %" PRIu64 " is damaged (%s)%s",
		             result.damage_offset, result.problem,
		             result.damage_followed ? "; complete members follow it" : "");
	else if (result.truncated)
		record_break(&check, result.damage_offset,
		             "the last gzip member (byte offset %" PRIu64
		             ") ends early: the writer stopped before committing it%s",
		             result.damage_offset,
		             result.partial_bytes ? ", and its last record is incomplete" : "");
	if (report->records == 0 && !report->broken)
		record_break(&check, 0, "the file holds no records");
	return 0;
}

struct row_search {
	uint64_t row;
	int (*visit)(void *context, const char *line, size_t length);
	void *context;
	bool stopped;
};

static int search_line(void *context, const char *line, size_t length, uint64_t member_offset,
                       struct error *error)
{
	(void)member_offset;
	(void)error;
	struct row_search *search = context;
	if (search->stopped)
		return 0;
	json_t *record = json_loadb(line, length, 0, NULL);
	json_t *rows = json_object_get(record, "rows");
	size_t index;
	json_t *value;
	bool carried = false;
	json_array_foreach(rows, index, value)
	{
		if (json_is_integer(value) && (uint64_t)json_integer_value(value) == search->row)
			carried = true;
	}
	json_decref(record);
	if (carried && search->visit(search->context, line, length) != 0)
		search->stopped = true;
	return 0;
}

int audit_find_row(const char *path, uint64_t row,
                   int (*visit)(void *context, const char *line, size_t length), void *context,
                   struct error *error)
{
	struct row_search search = {.row = row, .visit = visit, .context = context};
	struct member_visitor visitor = {.context = &search, .line = search_line};
	struct member_result result;
	return audit_read_members(path, &visitor, &result, error);
}
