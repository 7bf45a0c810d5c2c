/* The `verification` section of OUT/summary.json (outputs.h). */
#include "verify/outputs.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "common/clock.h"
#include "common/duration.h"
#include "common/file_io.h"
#include "common/strbuf.h"
#include "outputs/atomic_file.h"
#include "outputs/summary.h"

static json_t *timestamp(int64_t epoch_ms)
{
	char text[40];
	if (epoch_ms <= 0)
		return json_null();
	clock_format_iso8601(epoch_ms, text, sizeof(text));
	return json_string(text);
}

static json_t *seconds(int64_t milliseconds)
{
	return json_real((double)(milliseconds / 10) / 100.0);
}

/* The section; field names are a stable interface (docs/outputs.md). */
static json_t *build_section(const struct verify_figures *figures)
{
	json_t *counts = json_object();
	for (size_t verdict = 0; counts && verdict < VERIFY_VERDICT_COUNT; verdict++)
		if (json_object_set_new(counts, verify_verdict_name((enum verify_verdict)verdict),
		                        json_integer((json_int_t)figures->counts[verdict])) < 0) {
			json_decref(counts);
			counts = NULL;
		}
	if (!counts)
		return NULL;
	uint64_t rows = 0;
	for (size_t verdict = 0; verdict < VERIFY_VERDICT_COUNT; verdict++)
		rows += figures->counts[verdict];
	char wait[32];
	return json_pack("{s:I, s:o, s:I, s:b, s:o, s:o, s:s, s:o, s:o, s:I, s:I, s:b, s:i}",
	                 "rows", (json_int_t)rows, "counts", counts, "rows_not_verified",
	                 (json_int_t)figures->rows_not_verified, "all_verified",
	                 rows == figures->counts[VERIFY_VERIFIED], "started_at",
	                 timestamp(figures->started_at_ms), "finished_at",
	                 timestamp(figures->finished_at_ms), "wait",
	                 duration_format(figures->wait_ms, wait, sizeof(wait)), "wait_seconds",
	                 seconds(figures->wait_ms), "waited_seconds", seconds(figures->waited_ms),
	                 "rounds", (json_int_t)figures->rounds, "calls", (json_int_t)figures->calls,
	                 "interrupted", figures->interrupted, "exit_status", figures->exit_status);
}

int verify_write_summary(const char *directory, const struct verify_figures *figures,
                         struct error *error)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	json_t *root = NULL;
	json_t *section = NULL;
	int result = -1;
	if (strbuf_appendf(&path, "%s/%s", directory, SUMMARY_FILE) != STRBUF_OK) {
		error_set(error, "job directory path too long: '%s'", directory);
		goto out;
	}
	/* The job's own figures stay as the job wrote them. */
	root = json_load_file(strbuf_text(&path), JSON_PRESERVE_ORDER, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	section = build_section(figures);
	if (!root || !section || json_object_set(root, "verification", section) < 0) {
		error_set(error, "out of memory");
		goto out;
	}
	result = atomic_file_write_json(
	    strbuf_text(&path), root,
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), error);
out:
	json_decref(section);
	json_decref(root);
	strbuf_release(&path);
	return result;
}
