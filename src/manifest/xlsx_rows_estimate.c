/* A worksheet's row count told ahead of reading it (see the header). */
#include "manifest/xlsx_rows_estimate.h"

#include <stdbool.h>
#include <string.h>

uint32_t xlsx_dimension_last_row(const char *ref)
{
	const char *colon = strchr(ref, ':');
	const char *cell = colon ? colon + 1 : ref;
	while (*cell == '$' || (*cell >= 'A' && *cell <= 'Z') || (*cell >= 'a' && *cell <= 'z'))
		cell++;
	uint64_t row = 0;
	for (; *cell >= '0' && *cell <= '9'; cell++) {
		row = row * 10 + (uint64_t)(*cell - '0');
		if (row > UINT32_MAX)
			return 0;
	}
	return *cell == '\0' ? (uint32_t)row : 0;
}

/* True when name[0..length) is "row" or ends in ":row". */
static bool names_row(const char *name, size_t length)
{
	if (length < 3 || memcmp(name + length - 3, "row", 3) != 0)
		return false;
	return length == 3 || name[length - 4] == ':';
}

size_t xlsx_count_row_starts(const char *block, size_t length, size_t *first, size_t *last)
{
	size_t count = 0;
	const char *end = block + length;
	for (const char *at = memchr(block, '<', length); at;
	     at = memchr(at + 1, '<', (size_t)(end - at - 1))) {
		const char *name = at + 1;
		const char *stop = name;
		while (stop < end && *stop != ' ' && *stop != '>' && *stop != '/' &&
		       *stop != '\t' && *stop != '\r' && *stop != '\n')
			stop++;
		/* a name cut by the block's end is not counted: it may be "rows" */
		if (stop == end || !names_row(name, (size_t)(stop - name)))
			continue;
		if (count == 0)
			*first = (size_t)(at - block);
		*last = (size_t)(at - block);
		count++;
	}
	return count;
}

uint64_t xlsx_estimate_rows(const char *block, size_t length, uint64_t block_offset,
                            uint64_t part_size)
{
	size_t first = 0, last = 0;
	size_t rows = xlsx_count_row_starts(block, length, &first, &last);
	if (part_size && block_offset + length >= part_size)
		return rows + 1; /* the whole rest of the sheet is here, and the header */
	if (rows < 2 || !part_size || block_offset + first >= part_size)
		return 0;
	double bytes_a_row = (double)(last - first) / (double)(rows - 1);
	double rest = (double)(part_size - block_offset - first) / bytes_a_row;
	/* a little over, so that slightly longer rows further down still fit */
	return (uint64_t)((rest + 1.0) * 21.0 / 20.0 + 16.0);
}
