/* The failure threshold (--max-errors N or P%): once more rows than that have
 * failed, a hopeless job (a wrong rate plan, a revoked permission) stops
 * sending instead of failing every row. Pure.
 * Ownership: plain values, nothing allocated. */
#ifndef LATTIGO_MAX_ERRORS_H
#define LATTIGO_MAX_ERRORS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* A percentage is judged only once this many rows have an outcome, so that
 * the first few failures of a big job do not stop it (as S3 Batch does). */
#define MAX_ERRORS_MIN_ROWS 100

struct max_errors {
	bool set;     /* false: no threshold */
	bool percent; /* limit is a percentage of the rows with an outcome */
	double limit; /* N rows, or P (0-100) per cent */
};

/* Parses "N" (a whole number of failed rows) or "P%" (0 < P <= 100, decimals
 * allowed). Returns 0, or -1 with error naming the value. */
int max_errors_parse(const char *text, struct max_errors *threshold, struct error *error);

/* True when errors failed rows out of finished rows with an outcome exceed
 * the threshold. */
bool max_errors_exceeded(const struct max_errors *threshold, uint64_t errors, uint64_t finished);

#endif
