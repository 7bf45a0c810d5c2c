/* Counts written for people: thousands separators and the right plural
 * ("1 row", "19,372 rows"). Ownership: the caller's buffers. */
#ifndef LATTIGO_COUNT_TEXT_H
#define LATTIGO_COUNT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Writes value with thousands separators ("19,372") into out; returns out. */
const char *count_grouped(uint64_t value, char *out, size_t size);
/* Writes "1 row" / "19,372 rows": the grouped value, then singular when it is
 * 1 and plural otherwise; returns out. */
const char *count_noun(uint64_t value, const char *singular, const char *plural, char *out,
                       size_t size);

#endif
