/* First-block heuristics. They only ever look at one block, so a 100 MB
 * binary file is refused as fast as a small one. */
#include "sniff.h"

#include <string.h>
#include <strings.h>

#include "common/utf8.h"
#include "manifest/xlsx_archive.h"

#define SNIFF_SAMPLE 4096u

static bool has_suffix(const char *text, size_t length, const char *suffix);

static bool starts_with(const char *data, size_t length, const char *magic, size_t magic_length)
{
	return length >= magic_length && memcmp(data, magic, magic_length) == 0;
}

int sniff_text(const char *data, size_t length, struct strbuf *reason)
{
	size_t sample = length < SNIFF_SAMPLE ? length : SNIFF_SAMPLE;
	const unsigned char *bytes = (const unsigned char *)data;
	if (starts_with(data, length, "PK\x03\x04", 4)) {
		strbuf_append_string(reason,
		                     "looks like a zip archive or an Excel workbook (.xlsx), "
		                     "not CSV or JSONL; give a workbook's path (not stdin) "
		                     "without --format, or with --format xlsx");
		return -1;
	}
	if (starts_with(data, length, "\xD0\xCF\x11\xE0", 4)) {
		strbuf_append_string(reason, "looks like an old Excel workbook (.xls), not CSV or "
		                             "JSONL; save it as \"CSV UTF-8\"");
		return -1;
	}
	enum text_encoding guess = text_encoding_guess(bytes, sample);
	if (guess == TEXT_ENCODING_UTF16_LE || guess == TEXT_ENCODING_UTF16_BE) {
		strbuf_appendf(reason, "UTF-16 text (%s); re-save as UTF-8",
		               text_encoding_name(guess));
		return -1;
	}
	size_t controls = 0;
	for (size_t index = 0; index < sample; index++) {
		unsigned char byte = bytes[index];
		if (byte == 0) {
			strbuf_appendf(reason,
			               "looks like a binary file, not CSV or JSONL (NUL byte at "
			               "offset %zu)",
			               index);
			return -1;
		}
		if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r' && byte != '\f') ||
		    byte == 0x7F)
			controls++;
	}
	/* Text has next to no control bytes; compressed or executable data has ~10%. */
	if (controls > 0 && controls * 50 >= sample) {
		strbuf_appendf(reason,
		               "looks like a binary file, not CSV or JSONL (%zu control bytes in "
		               "the first %zu)",
		               controls, sample);
		return -1;
	}
	return 0;
}

bool sniff_is_workbook(const char *path, enum manifest_format format)
{
	if (format == MANIFEST_FORMAT_XLSX)
		return true;
	if (format != MANIFEST_FORMAT_AUTO || strcmp(path, "-") == 0)
		return false;
	size_t length = strlen(path);
	return has_suffix(path, length, ".xlsx") || has_suffix(path, length, ".xlsm") ||
	       xlsx_archive_sniff(path);
}

bool sniff_is_blank(const char *data, size_t length)
{
	for (size_t index = 0; index < length; index++)
		if (!strchr(" \t\r\n", data[index]) || data[index] == '\0')
			return false;
	return true;
}

static bool has_suffix(const char *text, size_t length, const char *suffix)
{
	size_t suffix_length = strlen(suffix);
	return length >= suffix_length &&
	       strncasecmp(text + length - suffix_length, suffix, suffix_length) == 0;
}

enum manifest_format sniff_format(const char *path, const char *data, size_t length)
{
	size_t path_length = strlen(path);
	if (has_suffix(path, path_length, ".gz"))
		path_length -= 3;
	if (has_suffix(path, path_length, ".csv") || has_suffix(path, path_length, ".tsv") ||
	    has_suffix(path, path_length, ".txt"))
		return MANIFEST_FORMAT_CSV;
	if (has_suffix(path, path_length, ".jsonl") || has_suffix(path, path_length, ".ndjson") ||
	    has_suffix(path, path_length, ".json"))
		return MANIFEST_FORMAT_JSONL;
	for (size_t index = 0; index < length; index++) {
		if (strchr(" \t\r\n", data[index]) && data[index] != '\0')
			continue;
		return data[index] == '{' ? MANIFEST_FORMAT_JSONL : MANIFEST_FORMAT_CSV;
	}
	return MANIFEST_FORMAT_CSV;
}

char sniff_delimiter(const char *data, size_t length)
{
	static const char candidates[] = {',', ';', '\t', '|'};
	size_t counts[sizeof(candidates)] = {0};
	bool quoted = false;
	bool seen_text = false;
	for (size_t index = 0; index < length; index++) {
		char byte = data[index];
		if (byte == '"') {
			quoted = !quoted;
		} else if (!quoted && (byte == '\n' || byte == '\r')) {
			if (seen_text)
				break;
		} else if (!quoted) {
			for (size_t candidate = 0; candidate < sizeof(candidates); candidate++)
				if (byte == candidates[candidate])
					counts[candidate]++;
		}
		if (byte != ' ' && byte != '\n' && byte != '\r')
			seen_text = true;
	}
	size_t best = 0;
	for (size_t candidate = 1; candidate < sizeof(candidates); candidate++)
		if (counts[candidate] > counts[best])
			best = candidate;
	return candidates[best];
}
