/* libFuzzer target for the checkpoint reader: any bytes as DIR/checkpoint are
 * read by status (journal_summarize) and resume's header read: a valid
 * prefix or one clean refusal naming the offset, never a crash, a leak or a
 * huge allocation. */
#include <string.h>

#include "fuzz_support.h"
#include "journal/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	if (fuzz_write_file(JOURNAL_FILE_NAME, data, size, 0600, path) < 0)
		return 0;
	struct journal_read_result result;
	struct journal_replay replay;
	struct error error;
	error_clear(&error);
	journal_summarize(fuzz_directory(), &result, &replay, &error);
	journal_header_release(&result.header);
	journal_replay_release(&replay);

	struct journal_header header;
	memset(&header, 0, sizeof(header));
	error_clear(&error);
	if (journal_read_header(fuzz_directory(), &header, &error) == 0)
		journal_header_release(&header);
	return 0;
}
