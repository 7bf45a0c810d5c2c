/* Inline SVG charts for report.html, drawn by our own code: bars over the
 * timeline's buckets and a histogram. Every label is escaped. */
#ifndef LATTIGO_REPORT_CHART_H
#define LATTIGO_REPORT_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/timeline.h"

struct chart_series {
	const char *name;  /* legend text */
	const char *color; /* fill, e.g. "#2e7d32" */
	const double *values;
};

/* Draws one bar per timeline bucket: the series stacked (grouped: side by
 * side) with a legend, the y axis in unit, and the bucket's time and values
 * as a tooltip (<title>). */
void chart_timeline(FILE *out, const char *caption, const struct timeline *timeline,
                    const struct chart_series *series, size_t series_count, bool grouped,
                    const char *unit);
/* Draws a histogram: one bar per count, labelled below. */
void chart_histogram(FILE *out, const char *caption, const unsigned long long *counts,
                     const char *const *labels, size_t count, const char *color);
/* Writes text with &, <, >, " and ' escaped and control characters replaced,
 * so it is inert in HTML text and attribute values alike. */
void html_escape(FILE *out, const char *text);
/* As html_escape, for length bytes. */
void html_escape_n(FILE *out, const char *text, size_t length);

#endif
