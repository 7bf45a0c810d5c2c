/* Inline SVG charts and HTML escaping for report.html. */
#include "report/chart.h"

#include <inttypes.h>
#include <string.h>

#include "common/clock.h"

#define CHART_WIDTH  760.0
#define CHART_HEIGHT 210.0
#define PLOT_LEFT    60.0
#define PLOT_RIGHT   12.0
#define PLOT_TOP     28.0
#define PLOT_BOTTOM  34.0

void html_escape_n(FILE *out, const char *text, size_t length)
{
	for (size_t index = 0; index < length; index++) {
		unsigned char byte = (unsigned char)text[index];
		switch (byte) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if (byte < 0x20 || byte == 0x7f)
				fputs("\xef\xbf\xbd",
				      out); /* U+FFFD: no control character reaches the page */
			else
				fputc(byte, out);
		}
	}
}

void html_escape(FILE *out, const char *text)
{
	if (text)
		html_escape_n(out, text, strlen(text));
}

/* The smallest 1, 2 or 5 times a power of ten that is >= value (>= 1). */
static double nice_ceiling(double value)
{
	double step = 1.0;
	while (step * 10.0 <= value)
		step *= 10.0;
	if (value <= step)
		return step;
	if (value <= 2.0 * step)
		return 2.0 * step;
	if (value <= 5.0 * step)
		return 5.0 * step;
	return 10.0 * step;
}

static void print_number(FILE *out, double value)
{
	if (value == (double)(int64_t)value)
		fprintf(out, "%" PRId64, (int64_t)value);
	else
		fprintf(out, "%.2f", value);
}

/* HH:MM:SS (UTC) of epoch_ms, or the date too when with_date. */
static void time_label(int64_t epoch_ms, bool with_date, char *out, size_t size)
{
	char iso[40];
	clock_format_iso8601(epoch_ms, iso, sizeof(iso));
	if (with_date)
		snprintf(out, size, "%.10s %.8s", iso, iso + 11);
	else
		snprintf(out, size, "%.8s", iso + 11);
}

static void legend(FILE *out, const struct chart_series *series, size_t series_count)
{
	double x = PLOT_LEFT;
	for (size_t index = 0; index < series_count; index++) {
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		        "<text x=\"%.1f\" y=\"18\" font-size=\"12\">",
		        x, series[index].color, x + 16);
		html_escape(out, series[index].name);
		fputs("</text>", out);
		x += 24.0 + 7.0 * (double)strlen(series[index].name);
	}
}

static void y_axis(FILE *out, double top_value, const char *unit)
{
	double plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
	for (int tick = 0; tick <= 2; tick++) {
		double value = top_value * tick / 2.0;
		double y = CHART_HEIGHT - PLOT_BOTTOM - plot_height * tick / 2.0;
		fprintf(out,
		        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ccc\"/>"
		        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">",
		        PLOT_LEFT, CHART_WIDTH - PLOT_RIGHT, y, y, PLOT_LEFT - 4, y + 4);
		print_number(out, value);
		fputs("</text>", out);
	}
	fprintf(out,
	        "<text x=\"12\" y=\"%.1f\" font-size=\"11\" transform=\"rotate(-90 12 %.1f)\" "
	        "text-anchor=\"middle\">",
	        PLOT_TOP + plot_height / 2, PLOT_TOP + plot_height / 2);
	html_escape(out, unit);
	fputs("</text>", out);
}

static void open_svg(FILE *out, const char *caption)
{
	fputs("<figure><figcaption>", out);
	html_escape(out, caption);
	fprintf(out,
	        "</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
	        "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
	        CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT);
	html_escape(out, caption);
	fputs("\" font-family=\"sans-serif\">", out);
}

void chart_timeline(FILE *out, const char *caption, const struct timeline *timeline,
                    const struct chart_series *series, size_t series_count, bool grouped,
                    const char *unit)
{
	size_t used = timeline->used;
	double top = 0.0;
	for (size_t bucket = 0; bucket < used; bucket++) {
		double sum = 0.0;
		for (size_t index = 0; index < series_count; index++) {
			double value = series[index].values[bucket];
			if (grouped)
				top = value > top ? value : top;
			else
				sum += value;
		}
		top = sum > top ? sum : top;
	}
	top = nice_ceiling(top);
	open_svg(out, caption);
	legend(out, series, series_count);
	y_axis(out, top, unit);
	double plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT;
	double plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
	double slot = used ? plot_width / (double)used : plot_width;
	bool with_date = (int64_t)used * timeline->width_ms > 86400000;
	for (size_t bucket = 0; bucket < used; bucket++) {
		int64_t start = timeline->origin_ms + (int64_t)bucket * timeline->width_ms;
		char label[40];
		time_label(start, with_date, label, sizeof(label));
		fprintf(out, "<g><title>%s +%" PRId64 " ms:", label, timeline->width_ms);
		for (size_t index = 0; index < series_count; index++) {
			fputs(index ? ", " : " ", out);
			html_escape(out, series[index].name);
			fputc(' ', out);
			print_number(out, series[index].values[bucket]);
		}
		fputs("</title>", out);
		double base = CHART_HEIGHT - PLOT_BOTTOM;
		double x = PLOT_LEFT + slot * (double)bucket;
		double width = slot * 0.85;
		if (grouped)
			width /= (double)series_count;
		for (size_t index = 0; index < series_count; index++) {
			double height = plot_height * series[index].values[bucket] / top;
			if (height <= 0.0)
				continue;
			double bar_x = grouped ? x + width * (double)index : x;
			fprintf(out,
			        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			        "fill=\"%s\"/>",
			        bar_x, base - height, width > 0.5 ? width : 0.5, height,
			        series[index].color);
			if (!grouped)
				base -= height;
		}
		fputs("</g>", out);
	}
	/* time axis: the start, the middle and the end */
	for (int tick = 0; tick <= 2 && used; tick++) {
		size_t bucket = used * (size_t)tick / 2;
		char label[40];
		time_label(timeline->origin_ms + (int64_t)bucket * timeline->width_ms, with_date,
		           label, sizeof(label));
		fprintf(out,
		        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>",
		        PLOT_LEFT + slot * (double)bucket, CHART_HEIGHT - PLOT_BOTTOM + 16,
		        tick == 0   ? "start"
		        : tick == 1 ? "middle"
		                    : "end",
		        label);
	}
	if (!used)
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\">no data</text>",
		        PLOT_LEFT + 10, PLOT_TOP + 40);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">UTC</text>",
	        CHART_WIDTH - PLOT_RIGHT, CHART_HEIGHT - 4);
	fputs("</svg></figure>\n", out);
}

void chart_histogram(FILE *out, const char *caption, const unsigned long long *counts,
                     const char *const *labels, size_t count, const char *color)
{
	double top = 0.0;
	for (size_t index = 0; index < count; index++)
		top = (double)counts[index] > top ? (double)counts[index] : top;
	top = nice_ceiling(top);
	open_svg(out, caption);
	y_axis(out, top, "calls");
	double plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT;
	double plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
	double slot = count ? plot_width / (double)count : plot_width;
	for (size_t index = 0; index < count; index++) {
		double height = plot_height * (double)counts[index] / top;
		double x = PLOT_LEFT + slot * (double)index;
		fputs("<g><title>", out);
		html_escape(out, labels[index]);
		fprintf(out, " ms: %llu calls</title>", counts[index]);
		if (height > 0.0)
			fprintf(out,
			        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
			        "fill=\"%s\"/>",
			        x + slot * 0.08, CHART_HEIGHT - PLOT_BOTTOM - height, slot * 0.84,
			        height, color);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">",
		        x + slot / 2, CHART_HEIGHT - PLOT_BOTTOM + 14);
		html_escape(out, labels[index]);
		fputs("</text></g>", out);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">ms</text>",
	        CHART_WIDTH - PLOT_RIGHT, CHART_HEIGHT - 4);
	fputs("</svg></figure>\n", out);
}
