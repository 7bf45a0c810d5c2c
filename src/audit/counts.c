/* The job's counts of exchanges, read from the trail: the latest record
 * carries them, so only the last member is inflated; trails written before
 * records carried counts are counted record by record. */
#include "audit.h"

#include <errno.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "members.h"
#include "record.h"

/* Long trails are read from a member that starts within this many last bytes. */
#define COUNTS_TAIL_WINDOW (8u * 1024u * 1024u)

static int count_line(void *context, const char *line, size_t length, uint64_t member_offset,
                      struct error *error)
{
	(void)member_offset;
	(void)error;
	audit_counts_add_record(context, line, length);
	return 0;
}

int audit_count_exchanges(const char *path, struct audit_counts *counts, struct error *error)
{
	*counts = (struct audit_counts){0};
	struct member_visitor visitor = {.context = counts, .line = count_line};
	struct member_result result;
	return audit_read_members(path, &visitor, &result, error);
}

static int keep_last_line(void *context, const char *line, size_t length, uint64_t member_offset,
                          struct error *error)
{
	(void)member_offset;
	struct strbuf *last = context;
	strbuf_reset(last);
	if (strbuf_append(last, line, length))
		return error_set(error, "out of memory reading the audit trail");
	return 0;
}

int audit_read_counts(const char *path, struct audit_counts *counts, struct error *error)
{
	*counts = (struct audit_counts){0};
	struct stat info;
	if (stat(path, &info) != 0) {
		if (errno == ENOENT)
			return 0;
		return error_set(error, "cannot read audit trail '%s'", path);
	}
	uint64_t start = 0;
	if ((uint64_t)info.st_size > COUNTS_TAIL_WINDOW &&
	    audit_find_last_member(path, COUNTS_TAIL_WINDOW, &start) != 0)
		start = 0;
	struct strbuf last;
	strbuf_init(&last, AUDIT_MAX_RECORD);
	struct member_visitor visitor = {.context = &last, .line = keep_last_line};
	struct member_result result;
	int status = audit_read_members_from(path, start, &visitor, &result, error);
	if (status == 0 && last.length > 0 &&
	    !audit_counts_of_record(last.data, last.length, counts))
		status = audit_count_exchanges(path, counts, error);
	strbuf_release(&last);
	return status;
}
