/* How a header name or JSON key is compared with a field name: surrounding
 * spaces ignored, case ignored, and spaces or hyphens equal to underscores,
 * so "Rate Plan Name" matches rate_plan_name. */
#ifndef LATTIGO_COLUMN_NAME_H
#define LATTIGO_COLUMN_NAME_H

#include <stdbool.h>

/* True when the two names are equal after that normalisation. */
bool column_name_equal(const char *left, const char *right);
/* True when the two names are equal ignoring case and surrounding spaces only (--map). */
bool column_name_equal_loosely(const char *left, const char *right);

/* True when two names are alike enough that one was probably meant for the
 * other: equal ignoring case and everything but letters and digits ("IMEI
 * No" and "IMEI No."), one a short extension of the other ("IMEI No." for
 * imei), or one letter apart. For hints only, never for binding. */
bool column_name_near(const char *left, const char *right);

/* True when a header name is really a value (six or more digits, nothing but
 * digits, spaces and number signs): the file's header row is missing. */
bool column_name_looks_like_data(const char *name);

#endif
