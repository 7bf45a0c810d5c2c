/* libFuzzer target for the audit trail readers: any bytes as an
 * audit.jsonl.gz are verified (audit verify), searched for a row (audit
 * show) and continued by a resume (audit_open repairs a cut last member):
 * a report or one clean refusal, never a crash or a leak. */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "fuzz_support.h"

static int count_line(void *context, const char *line, size_t length)
{
	(void)line;
	(void)length;
	++*(unsigned *)context;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	if (fuzz_write_file("audit.jsonl.gz", data, size, 0600, path) < 0)
		return 0;
	struct audit_report report;
	struct error error;
	error_clear(&error);
	memset(&report, 0, sizeof(report));
	audit_verify(path, &report, &error);
	error_clear(&error);
	unsigned lines = 0;
	audit_find_row(path, size % 7 + 1, count_line, &lines, &error);

	/* a resume of the job whose trail this is (the same job id as the seeds) */
	error_clear(&error);
	struct audit_secrets secrets = {"key-name", "s3cr3t-api-key"};
	struct audit_writer *writer =
	    audit_open(path, "00112233445566ff", "cost-center", &secrets, &error);
	if (writer) {
		error_clear(&error);
		if (audit_close(writer, &error) < 0)
			abort(); /* a trail it accepted must take the resume record */
	}
	return 0;
}
