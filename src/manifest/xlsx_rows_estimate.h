/* How many rows a worksheet holds, told before it is read, so that the
 * duplicate set can be sized once (as a CSV's rows are estimated from its
 * file size): from the sheet's <dimension ref>, or from the rows of its first
 * inflated block and the part's inflated size. An estimate only: a wrong one
 * costs memory or a regrowth, never a row. */
#ifndef LATTIGO_XLSX_ROWS_ESTIMATE_H
#define LATTIGO_XLSX_ROWS_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

/* The last row a <dimension ref> names ("A1:D1000001": 1000001, "B2": 2), or
 * 0 when ref is not a cell reference or range. */
uint32_t xlsx_dimension_last_row(const char *ref);

/* Row elements that start in block[0..length) (<row ...> or <x:row ...>,
 * never an end tag); *first and *last get the offsets of the first and last
 * when there is one. */
size_t xlsx_count_row_starts(const char *block, size_t length, size_t *first, size_t *last);

/* Rows of a sheet part of part_size inflated bytes (0: unknown), its header
 * row included, when the rest of the part after the header starts with
 * block[0..length) at block_offset: the block's rows when it is the part's
 * end, else the rest of the part at the block's bytes a row, a little over.
 * 0 when that cannot be told (fewer than two rows in the block, no size). */
uint64_t xlsx_estimate_rows(const char *block, size_t length, uint64_t block_offset,
                            uint64_t part_size);

#endif
