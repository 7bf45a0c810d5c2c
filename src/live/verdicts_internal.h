/* The verdicts files' format (internal to live/verdicts.c and
 * live/verdicts_writer.c). Integers little-endian.
 *   verdicts, version 2: one byte a row; then the block index, for each block
 *   of BLOCK_ROWS rows its notes' offset (u64), the CRC32 of its bytes (u32)
 *   and of its notes (u32); then undo.csv's line count and the count of rows
 *   whose value before no line can restore (u64 each, the whole job); then
 *   the trailer: magic, version, block rows, rows, notes length, job tag
 *   (u64 each but the first three), the CRC32 of the index and counts (u32),
 *   a zero u32, the CRC32 of the trailer's first 48 bytes (u32).
 *   verdicts, version 1 (read, no longer written): the bytes, the notes'
 *   offset of each block (u64), the same trailer with the CRC32 of all the
 *   bytes before it and of the whole notes file in place of the index's and
 *   the zero; its pair is checked whole when opened.
 *   verdict-notes: per noted row, its number (u64), three string lengths
 *   (u16) and the strings.
 * Version 2 lets a resume check only the blocks it reads, each before its
 * bytes or notes are used: what it reads before its first call follows the
 * rows left, not the job (issue 14). */
#ifndef LATTIGO_LIVE_VERDICTS_INTERNAL_H
#define LATTIGO_LIVE_VERDICTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#define VERDICTS_BLOCK_ROWS     4096u
#define VERDICTS_TRAILER_MAGIC  "LTGVRDT\n"
#define VERDICTS_VERSION_WHOLE  1u /* one CRC over each file */
#define VERDICTS_VERSION_BLOCKS 2u /* a CRC per block */
/* magic, version, block rows, rows, notes length, job tag, 3 CRCs */
#define VERDICTS_TRAILER_LENGTH (8 + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 4)
#define VERDICTS_ENTRY_LENGTH   (8 + 4 + 4) /* a block's entry in version 2 */
#define VERDICTS_COUNTS_LENGTH  (8 + 8)     /* the undo counts after the entries */
#define VERDICTS_NOTE_HEAD      (8 + 2 + 2 + 2)
#define VERDICTS_TEXT_MAX       UINT16_MAX

/* crc continued over length bytes (any length, zlib takes an uInt a call). */
static inline uint32_t verdicts_crc_add(uint32_t crc, const void *bytes, size_t length)
{
	const unsigned char *at = bytes;
	while (length > 0) {
		uInt step = length > (1u << 30) ? 1u << 30 : (uInt)length;
		crc = (uint32_t)crc32(crc, at, step);
		at += step;
		length -= step;
	}
	return crc;
}

/* Writes directory/name+suffix into out. Returns 0, or -1 when it does not fit. */
static inline int verdicts_path(char *out, size_t size, const char *directory, const char *name,
                                const char *suffix)
{
	int written = snprintf(out, size, "%s/%s%s", directory, name, suffix);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

/* The CRC32 of nothing, where every CRC starts. */
static inline uint32_t verdicts_crc_start(void)
{
	return (uint32_t)crc32(0L, Z_NULL, 0);
}

#endif
