/* The Luhn (mod 10) check digit used by IMEIs (3GPP TS 23.003) and ICCIDs (ITU-T E.118). */
#ifndef LATTIGO_LUHN_H
#define LATTIGO_LUHN_H

#include <stdbool.h>
#include <stddef.h>

/* True when the length ASCII digits of digits end in a correct Luhn check
 * digit. False for an empty run or any non-digit. */
bool luhn_valid(const char *digits, size_t length);

/* Returns the check digit ('0'..'9') that completes length digits, or '\0'
 * when one of them is not a digit. */
char luhn_check_digit(const char *digits, size_t length);

#endif
