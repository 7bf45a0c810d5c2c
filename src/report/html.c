/* report.html: the page, section by section, from a gathered report_data. */
#include "report/report.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/strbuf.h"
#include "common/version.h"
#include "outputs/atomic_file.h"
#include "report/chart.h"
#include "report/report_data.h"

#define GROUPS_SHOWN 50 /* kinds of message listed; the rest are counted in one line */

static const char STYLE[] =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:62em;padding:0 1em;color:#222}"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;text-align:left;"
    "vertical-align:top;border-bottom:1px solid #eee}th{background:#f4f4f4}"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".mono{font-family:monospace;word-break:break-all}"
    ".facts th{width:13em;background:none;font-weight:normal;color:#555}"
    "figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}"
    "svg{max-width:100%;height:auto}.note{color:#555;font-size:.9em}"
    ".status-ok{color:#2e7d32}.status-unchanged{color:#388e3c}.status-error,.status-unknown{color:#"
    "c62828}"
    ".status-invalid{color:#ef6c00}";

/* Indexed by enum row_status. */
static const char *const STATUS_COLORS[ROW_STATUS_COUNT] = {
    [ROW_PENDING] = "#9e9e9e",  [ROW_OK] = "#2e7d32",      [ROW_ERROR] = "#c62828",
    [ROW_INVALID] = "#ef6c00",  [ROW_UNKNOWN] = "#6a1b9a", [ROW_SKIPPED] = "#757575",
    [ROW_UNCHANGED] = "#66bb6a"};

static void time_text(int64_t epoch_ms, char *out, size_t size)
{
	if (epoch_ms <= 0)
		snprintf(out, size, "—");
	else
		clock_format_iso8601(epoch_ms, out, size);
}

/* Writes a JSON value of summary.json / job.json as text ("—" when absent). */
static void json_value_text(FILE *out, const json_t *value)
{
	if (json_is_string(value))
		html_escape(out, json_string_value(value));
	else if (json_is_integer(value))
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
	else if (json_is_real(value))
		fprintf(out, "%.3f", json_real_value(value));
	else if (json_is_true(value))
		fputs("true", out);
	else if (json_is_false(value))
		fputs("false", out);
	else
		fputs("—", out);
}

static const json_t *summary_get(const struct report_data *data, const char *key)
{
	return data->summary ? json_object_get(data->summary, key) : NULL;
}

/* One line of the facts table; the value is written by the caller between
 * fact_open and fact_close. id (may be NULL) lets tests find the value. */
static void fact_open(FILE *out, const char *label, const char *id, const char *class_name)
{
	fprintf(out, "<tr><th>%s</th><td", label);
	if (id)
		fprintf(out, " id=\"%s\"", id);
	if (class_name)
		fprintf(out, " class=\"%s\"", class_name);
	fputc('>', out);
}

static void fact_close(FILE *out)
{
	fputs("</td></tr>\n", out);
}

static void fact_text(FILE *out, const char *label, const char *id, const char *text)
{
	fact_open(out, label, id, NULL);
	html_escape(out, text);
	fact_close(out);
}

static void fact_json(FILE *out, const char *label, const char *id, const json_t *value)
{
	fact_open(out, label, id, NULL);
	json_value_text(out, value);
	fact_close(out);
}

/* Appends text quoted for a POSIX shell when it needs quoting. */
static void shell_word(FILE *out, const char *text)
{
	bool plain = *text != '\0';
	for (const char *at = text; *at; at++)
		if (!strchr(
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%",
		        *at))
			plain = false;
	if (plain) {
		html_escape(out, text);
		return;
	}
	fputc('\'', out);
	for (const char *at = text; *at; at++) {
		if (*at == '\'')
			fputs("'\\''", out);
		else
			html_escape_n(out, at, 1);
	}
	fputc('\'', out);
}

/* Option names that could carry a secret are never shown (job.json holds
 * none today: credentials come from a file or the environment). */
static bool secret_option(const char *key)
{
	static const char *const words[] = {"key", "secret", "password", "token", "auth"};
	for (size_t index = 0; index < sizeof(words) / sizeof(words[0]); index++)
		if (strstr(key, words[index]))
			return true;
	return false;
}

static void option_word(FILE *out, const char *key, const json_t *value)
{
	if (json_is_false(value) || json_is_null(value))
		return;
	fputs(" --", out);
	for (const char *at = key; *at; at++)
		fputc(*at == '_' ? '-' : *at, out);
	if (json_is_true(value))
		return;
	fputc(' ', out);
	if (json_is_string(value)) {
		shell_word(out, json_string_value(value));
	} else {
		char *text = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
		if (text)
			shell_word(out, text);
		free(text);
	}
}

/* The effective command line, rebuilt from job.json (the options the job runs
 * with, defaults included), never with credentials. */
static void command_line(FILE *out, const struct report_data *data)
{
	fact_open(out, "command", "command", "mono");
	if (!data->job) {
		fputs("— (no job.json)", out);
		fact_close(out);
		return;
	}
	fputs("lattigo-batch run", out);
	const char *key;
	json_t *value;
	json_object_foreach(data->job, key, value)
	{
		if (secret_option(key))
			continue;
		if (json_is_array(value)) {
			size_t index;
			json_t *item;
			json_array_foreach(value, index, item) option_word(out, key, item);
		} else {
			option_word(out, key, value);
		}
	}
	fact_close(out);
}

static const char *exit_meaning(json_int_t status)
{
	switch (status) {
	case 0:
		return "every row ok";
	case 1:
		return "finished; some rows failed, were invalid, unknown or skipped";
	case 2:
		return "usage or configuration error";
	case 3:
		return "interrupted: rows pending, resumable";
	case 4:
		return "resume refused";
	default:
		return "";
	}
}

static void section_job(FILE *out, const struct report_data *data)
{
	const struct journal_header *header = &data->journal.header;
	char text[64], job_id[20], sha[65];
	journal_job_id_text(header->job_id, job_id, sizeof(job_id));
	for (size_t index = 0; index < 32; index++)
		snprintf(sha + 2 * index, 3, "%02x", header->fingerprint.sha256[index]);
	fputs("<section id=\"job\"><h2>Job</h2><table class=\"facts\">\n", out);
	fact_text(out, "operation", "operation", header->operation);
	fact_text(out, "manifest", "manifest", header->manifest_path);
	fact_open(out, "manifest size", "manifest-bytes", NULL);
	fprintf(out, "%" PRIu64 " bytes", header->fingerprint.size);
	fact_close(out);
	fact_open(out, "manifest SHA-256", "manifest-sha256", "mono");
	fputs(sha, out);
	fact_close(out);
	fact_text(out, "job id", "job-id", job_id);
	fact_text(out, "job directory", "directory", data->directory);
	fact_open(out, "state", "state", NULL);
	if (data->running && data->running_pid > 0)
		fprintf(out, "running (process %ld)", (long)data->running_pid);
	else if (data->running)
		fputs("running", out);
	else if (data->job_finished)
		fputs("finished", out);
	else
		fputs("stopped before the end (resume it with <code>lattigo-batch resume</code>)",
		      out);
	fact_close(out);
	time_text(header->created_at_ms, text, sizeof(text));
	fact_text(out, "job created", "created-at", text);
	fact_json(out, "job started (first run)", "started-at", summary_get(data, "started_at"));
	fact_json(out, "last run finished", "finished-at", summary_get(data, "finished_at"));
	fact_open(out, "wall time, all runs", "wall-time", NULL);
	json_value_text(out, summary_get(data, "wall_time_seconds"));
	fputs(" s", out);
	fact_close(out);
	const json_t *exit_status = summary_get(data, "exit_status");
	fact_open(out, "exit status", "exit-status", NULL);
	json_value_text(out, exit_status);
	fact_close(out);
	if (json_is_integer(exit_status))
		fact_text(out, "meaning", NULL, exit_meaning(json_integer_value(exit_status)));
	command_line(out, data);
	fact_open(out, "endpoint", "endpoint", "mono");
	json_value_text(out, data->job ? json_object_get(data->job, "endpoint") : NULL);
	if (data->endpoint_seen[0]) {
		fputs(" (calls went to ", out);
		html_escape(out, data->endpoint_seen);
		fputc(')', out);
	}
	fact_close(out);
	fact_open(out, "audit trail", "audit", NULL);
	if (!data->audit_present)
		fputs("none (no call was made)", out);
	else
		fprintf(out, "%" PRIu64 " records%s%s", data->audit_records,
		        data->audit_truncated
		            ? "; the last gzip member is unfinished (a running or "
		              "killed job)"
		            : "",
		        data->audit_damaged ? "; DAMAGED: run lattigo-batch audit verify" : "");
	fact_close(out);
	fact_open(out, "audit trail's last hash", "audit-last-hash", "mono");
	fputs(data->audit_last_hash[0] ? data->audit_last_hash : "—", out);
	fact_close(out);
	fputs(
	    "</table>\n<p class=\"note\">The last hash is the SHA-256 of the audit trail's last "
	    "record line (<code>zcat audit.jsonl.gz | tail -n1 | tr -d '\\n' | sha256sum</code>): "
	    "what a sign-off refers to. <code>lattigo-batch audit verify</code> checks the "
	    "whole chain.</p></section>\n",
	    out);
}

static void outcome_row(FILE *out, const char *name, uint64_t count, uint64_t total,
                        const char *color)
{
	double share = total ? (double)count / (double)total : 0.0;
	fprintf(out,
	        "<tr><td class=\"status-%s\">%s</td><td class=\"num\" id=\"count-%s\">%" PRIu64
	        "</td><td class=\"num\">%.1f%%</td><td><svg width=\"300\" height=\"14\" "
	        "viewBox=\"0 0 300 14\"><rect width=\"300\" height=\"14\" fill=\"#f0f0f0\"/>"
	        "<rect width=\"%.1f\" height=\"14\" fill=\"%s\"/></svg></td></tr>\n",
	        name, name, name, count, 100.0 * share, 300.0 * share, color);
}

static void section_outcomes(FILE *out, const struct report_data *data)
{
	uint64_t total = data->row_total > data->rows_final ? data->row_total : data->rows_final;
	fputs("<section id=\"outcomes\"><h2>Outcomes</h2>\n<table><tr><th>status</th>"
	      "<th>rows</th><th>share</th><th></th></tr>\n",
	      out);
	for (size_t i = 0; i < row_status_order_count; i++)
		outcome_row(out, row_status_name(row_status_order[i]),
		            data->counts[row_status_order[i]], total,
		            STATUS_COLORS[row_status_order[i]]);
	if (data->row_total)
		outcome_row(out, "pending",
		            data->row_total > data->rows_final ? data->row_total - data->rows_final
		                                               : 0,
		            total, STATUS_COLORS[ROW_PENDING]);
	fputs("</table>\n<table class=\"facts\">\n", out);
	fact_open(out, "rows in the manifest", "rows-total", "num");
	if (data->row_total)
		fprintf(out, "%" PRIu64, data->row_total);
	else
		fputs("not counted yet", out);
	fact_close(out);
	fact_open(out, "rows done", "rows-done", "num");
	fprintf(out, "%" PRIu64, data->rows_final);
	fact_close(out);
	fact_json(out, "calls, all runs (audit trail)", "calls", summary_get(data, "calls"));
	fact_json(out, "retries, all runs", "retries", summary_get(data, "retries"));
	fact_json(out, "429 answers, all runs", "throttled", summary_get(data, "throttled"));
	fact_json(out, "rows per second, this run", "rows-per-second",
	          summary_get(data, "rows_per_second"));
	fputs("</table>\n<p class=\"note\">Counts per status are over the whole job, from the "
	      "checkpoint; <code>pending</code> rows have no outcome yet.</p></section>\n",
	      out);
}

static void group_table(FILE *out, const struct report_data *data,
                        const struct message_group *group)
{
	fprintf(out, "<tr><td class=\"status-%s\">%s</td><td>", row_status_name(group->status),
	        row_status_name(group->status));
	html_escape(out, group->key[0] ? group->key : "(no message)");
	fprintf(out, "</td><td class=\"num\">%" PRIu64 "</td><td><table>", group->count);
	for (size_t index = 0; index < group->samples; index++) {
		const struct group_sample *sample = &group->sample[index];
		fprintf(out, "<tr><td class=\"num\">row %" PRIu64 "</td><td class=\"mono\">",
		        sample->row);
		if (sample->identifier && sample->identifier[0]) {
			html_escape(out, data->identifier_name);
			fputc(' ', out);
			html_escape(out, sample->identifier);
		}
		fputs("</td><td class=\"num\">", out);
		if (sample->http_status)
			fprintf(out, "HTTP %d", sample->http_status);
		fputs("</td><td>", out);
		html_escape(out, sample->message);
		fputs("</td></tr>", out);
	}
	fputs("</table></td></tr>\n", out);
}

/* The groups of one kind: errors and invalid rows, or unknown and skipped ones. */
static void group_section(FILE *out, const struct report_data *data, const char *id,
                          const char *title, const char *intro, enum row_status first,
                          enum row_status last)
{
	size_t shown = 0, hidden = 0;
	uint64_t hidden_rows = 0;
	fprintf(out, "<section id=\"%s\"><h2>%s</h2>\n<p class=\"note\">%s</p>\n", id, title,
	        intro);
	for (size_t index = 0; index < data->groups.used; index++) {
		const struct message_group *group = &data->groups.groups[index];
		if (group->status < first || group->status > last)
			continue;
		if (shown == GROUPS_SHOWN) {
			hidden++;
			hidden_rows += group->count;
			continue;
		}
		if (shown++ == 0)
			fputs(
			    "<table><tr><th>status</th><th>message (numbers as #)</th><th>rows</th>"
			    "<th>first rows</th></tr>\n",
			    out);
		group_table(out, data, group);
	}
	if (shown)
		fputs("</table>\n", out);
	else
		fputs("<p>None.</p>\n", out);
	if (hidden)
		fprintf(out, "<p>… and %zu more kinds of message (%" PRIu64 " rows).</p>\n", hidden,
		        hidden_rows);
	fputs("</section>\n", out);
}

static void section_problems(FILE *out, const struct report_data *data)
{
	group_section(
	    out, data, "errors", "Errors and invalid rows",
	    "Rows the API refused (<code>error</code>) or that broke a rule and were never "
	    "sent (<code>invalid</code>), grouped by message. Every row is in "
	    "<code>errors.csv</code>, ready to fix and run again.",
	    ROW_ERROR, ROW_INVALID);
	group_section(
	    out, data, "unknown", "Unknown outcomes and skipped rows",
	    "<code>unknown</code>: sent, but the outcome could not be learned — the message "
	    "says why; check the device before sending the row again. "
	    "<code>skipped</code>: not attempted; resuming the job sends them.",
	    ROW_UNKNOWN, ROW_SKIPPED);
	if (data->groups.ungrouped)
		fprintf(out,
		        "<p class=\"note\">%" PRIu64 " more rows had messages of kinds beyond the "
		        "first %d and are not grouped.</p>\n",
		        data->groups.ungrouped, GROUP_MAX);
}

static void interval_text(int64_t width_ms, char *out, size_t size)
{
	if (width_ms < 1000)
		snprintf(out, size, "%" PRId64 " ms", width_ms);
	else if (width_ms < 120000)
		snprintf(out, size, "%.3g s", (double)width_ms / 1000.0);
	else if (width_ms < 7200000)
		snprintf(out, size, "%.3g min", (double)width_ms / 60000.0);
	else
		snprintf(out, size, "%.3g h", (double)width_ms / 3600000.0);
}

static void bucket_table(FILE *out, const struct timeline *timeline)
{
	fputs("<details><summary>the numbers per interval</summary><table><tr><th>interval "
	      "start (UTC)</th><th>rows ok</th><th>rows not ok</th><th>calls</th><th>in flight "
	      "(mean)</th><th>retries</th><th>429</th><th>5xx / no answer</th></tr>\n",
	      out);
	for (size_t index = 0; index < timeline->used; index++) {
		const struct timeline_bucket *bucket = &timeline->buckets[index];
		char start[40];
		clock_format_iso8601(timeline->origin_ms + (int64_t)index * timeline->width_ms,
		                     start, sizeof(start));
		fprintf(out,
		        "<tr><td>%s</td><td class=\"num\">%" PRIu64
		        "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
		        "</td><td class=\"num\">%.2f</td><td "
		        "class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
		        "</td><td class=\"num\">%" PRIu64 "</td></tr>\n",
		        start, bucket->rows_ok, bucket->rows_failed, bucket->calls,
		        bucket->busy_ms / (double)timeline->width_ms, bucket->retries,
		        bucket->throttled, bucket->failures);
	}
	fputs("</table></details>\n", out);
}

static void section_time(FILE *out, const struct report_data *data)
{
	const struct timeline *timeline = &data->timeline;
	double ok[TIMELINE_BUCKETS], failed[TIMELINE_BUCKETS], in_flight[TIMELINE_BUCKETS];
	double retries[TIMELINE_BUCKETS], throttled[TIMELINE_BUCKETS], failures[TIMELINE_BUCKETS];
	for (size_t index = 0; index < TIMELINE_BUCKETS; index++) {
		const struct timeline_bucket *bucket = &timeline->buckets[index];
		ok[index] = (double)bucket->rows_ok;
		failed[index] = (double)bucket->rows_failed;
		in_flight[index] = bucket->busy_ms / (double)timeline->width_ms;
		retries[index] = (double)bucket->retries;
		throttled[index] = (double)bucket->throttled;
		failures[index] = (double)bucket->failures;
	}
	char width[32];
	interval_text(timeline->width_ms, width, sizeof(width));
	fprintf(out,
	        "<section id=\"time\"><h2>Over time</h2>\n<p class=\"note\">Intervals of %s "
	        "(<span id=\"interval-ms\">%" PRId64 "</span> ms) from the job's creation: rows "
	        "from the checkpoint, calls from the audit trail.</p>\n",
	        width, timeline->width_ms);
	struct chart_series rows[] = {{"ok", STATUS_COLORS[ROW_OK], ok},
	                              {"not ok", STATUS_COLORS[ROW_ERROR], failed}};
	chart_timeline(out, "Rows finished per interval", timeline, rows, 2, false, "rows");
	struct chart_series flight[] = {{"calls in flight (mean)", "#1565c0", in_flight}};
	chart_timeline(out, "Calls in flight", timeline, flight, 1, false, "calls");
	struct chart_series trouble[] = {{"retries", "#1565c0", retries},
	                                 {"429 answers", "#ef6c00", throttled},
	                                 {"5xx or no answer", STATUS_COLORS[ROW_ERROR], failures}};
	chart_timeline(out, "Retries, 429s and failures per interval", timeline, trouble, 3, true,
	               "calls");
	bucket_table(out, timeline);
	fputs("</section>\n", out);
}

static void section_latency(FILE *out, const struct report_data *data)
{
	const struct latency_stats *latency = &data->latency;
	fputs("<section id=\"latency\"><h2>Latency of calls</h2>\n<table class=\"facts\">\n", out);
	fact_open(out, "calls (audit trail)", "exchanges", "num");
	fprintf(out, "%" PRIu64, data->exchanges);
	fact_close(out);
	fact_open(out, "retries / 429 / 5xx / no answer", "exchange-trouble", "num");
	fprintf(out, "%" PRIu64 " / %" PRIu64 " / %" PRIu64 " / %" PRIu64, data->exchange_retries,
	        data->exchanges_429, data->exchanges_5xx, data->exchanges_transport);
	fact_close(out);
	static const struct {
		const char *label, *id;
		unsigned permille;
	} points[] = {
	    {"p50", "latency-p50", 500}, {"p90", "latency-p90", 900}, {"p99", "latency-p99", 990}};
	for (size_t index = 0; index < sizeof(points) / sizeof(points[0]); index++) {
		fact_open(out, points[index].label, points[index].id, "num");
		if (latency->count)
			fprintf(out, "%" PRIu64 " ms",
			        latency_stats_percentile(latency, points[index].permille));
		else
			fputs("—", out);
		fact_close(out);
	}
	fact_open(out, "max", "latency-max", "num");
	fprintf(out, "%" PRIu64 " ms", latency->max_ms);
	fact_close(out);
	fputs("</table>\n", out);
	uint64_t bins[LATENCY_BINS];
	latency_stats_bins(latency, bins);
	unsigned long long counts[LATENCY_BINS];
	char label_text[LATENCY_BINS][24];
	const char *labels[LATENCY_BINS];
	for (size_t index = 0; index < LATENCY_BINS; index++) {
		counts[index] = bins[index];
		if (index + 1 == LATENCY_BINS)
			snprintf(label_text[index], sizeof(label_text[index]), "≥%" PRIu64,
			         latency_bin_edges[index]);
		else
			snprintf(label_text[index], sizeof(label_text[index]), "%" PRIu64 "–",
			         latency_bin_edges[index]);
		labels[index] = label_text[index];
	}
	chart_histogram(out, "Latency histogram (ms, from the bin's lower edge)", counts, labels,
	                LATENCY_BINS, "#1565c0");
	fputs("</section>\n", out);
}

/* A job with steps: each step's rows by outcome and its verification, so a
 * reader sees where the rows stopped. */
static void section_steps(FILE *out, const struct report_data *data)
{
	if (!data->step_count)
		return;
	fputs("<section id=\"steps\"><h2>Steps</h2>\n<table><tr><th>step</th>", out);
	for (size_t i = 0; i < row_status_order_count; i++)
		fprintf(out, "<th>%s</th>", row_status_name(row_status_order[i]));
	fputs("<th>in doubt</th><th>verified</th><th>not verified</th><th>waiting</th></tr>\n",
	      out);
	for (size_t index = 0; index < data->step_count; index++) {
		const struct step_progress *step = &data->steps[index];
		fputs("<tr><td>", out);
		html_escape(out, step->label);
		fputs("</td>", out);
		for (size_t i = 0; i < row_status_order_count; i++)
			fprintf(out, "<td class=\"num\" id=\"step-%u-%s\">%" PRIu64 "</td>",
			        step->number, row_status_name(row_status_order[i]),
			        step->by_status[row_status_order[i]]);
		fprintf(out, "<td class=\"num\">%" PRIu64 "</td>", step->in_doubt);
		if (step->verifies)
			fprintf(out,
			        "<td class=\"num\" id=\"step-%u-verified\">%" PRIu64
			        "</td><td class=\"num\">%" PRIu64 "</td><td class=\"num\">%" PRIu64
			        "</td></tr>\n",
			        step->number, step->verified, step->not_verified, step->waiting);
		else
			fputs("<td></td><td></td><td></td></tr>\n", out);
	}
	fputs("</table>\n<p class=\"note\">Rows per outcome in each step, from the step's own "
	      "checkpoint; a row enters a step only after the step before ended ok or unchanged "
	      "(and, for a step that waits, was verified).</p></section>\n",
	      out);
}

static void page(FILE *out, const struct report_data *data)
{
	const char *manifest = data->journal.header.manifest_path;
	const char *slash = strrchr(manifest, '/');
	const char *name = slash ? slash + 1 : manifest;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>lattigo-batch: ",
	      out);
	html_escape(out, data->journal.header.operation);
	fputs(" — ", out);
	html_escape(out, name);
	fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>lattigo-batch report: ", STYLE);
	html_escape(out, data->journal.header.operation);
	fputs(" of ", out);
	html_escape(out, name);
	fputs("</h1>\n", out);
	if (!data->summary)
		fputs("<p class=\"note\">No readable summary.json: figures of the run are missing; "
		      "counts come from the checkpoint.</p>\n",
		      out);
	else if (json_is_true(json_object_get(data->summary, "running")))
		fputs("<p class=\"note\">The job was running when this report was made; "
		      "summary.json is a snapshot.</p>\n",
		      out);
	section_job(out, data);
	section_outcomes(out, data);
	section_steps(out, data);
	section_problems(out, data);
	section_time(out, data);
	section_latency(out, data);
	char now[40];
	clock_format_iso8601(clock_wall_ms(), now, sizeof(now));
	fprintf(
	    out,
	    "<footer class=\"note\"><p>Made by lattigo-batch %s at %s from the job directory's "
	    "checkpoint, audit trail, summary.json and job.json.</p></footer>\n</body></html>\n",
	    LATTIGO_BATCH_VERSION, now);
}

int report_write(const char *directory, const char *output, struct error *error)
{
	struct report_data data;
	struct strbuf path;
	strbuf_init(&path, 4096);
	int result = -1;
	if (report_data_gather(directory, &data, error) < 0)
		goto out;
	if (!output) {
		if (strbuf_appendf(&path, "%s/%s", directory, REPORT_FILE) != STRBUF_OK) {
			error_set(error, "job directory path too long: '%s'", directory);
			goto out;
		}
		output = strbuf_text(&path);
	}
	struct atomic_file file = {0};
	if (atomic_file_open(&file, output, error) < 0)
		goto out;
	page(file.stream, &data);
	if (ferror(file.stream)) {
		error_set(error, "cannot write '%s'", output);
		atomic_file_abort(&file);
		goto out;
	}
	result = atomic_file_commit(&file, error);
out:
	report_data_release(&data);
	strbuf_release(&path);
	return result;
}
