/* The shared row stream: manifest -> binding -> row validation -> duplicate
 * check, one row at a time with buffers reused across rows (validate's speed
 * is this loop's speed). */
#include "pipeline.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/suggest.h"
#include "manifest/binding.h"
#include "ops/validate.h"

#define PIPELINE_MESSAGE_LIMIT 1024

struct pipeline {
	const struct op *op;
	struct validation_options validation;
	struct manifest *manifest;
	struct binding *binding;
	struct dupe_set *dupes;
	FILE *notes;
	bool notes_printed;
	bool no_unused_note;
	struct manifest_row row;
	struct record record;
	struct record peek; /* the row's unique-key values before binding (only those set) */
	struct strbuf message;
	struct strbuf rule;
	struct pipeline_counts counts;
	char *samples[PIPELINE_SAMPLE_ROWS]; /* "row 3 (line 4): message" */
	size_t sample_count;
	pipeline_settled_fn *settled; /* rows an earlier run finished: keys only */
	void *settled_context;
	pipeline_claims_fn *claims; /* told about every claim (the keys file) */
	void *claims_context;
	uint64_t claimed_through; /* rows up to this one claimed their keys in an earlier run */
	const struct pipeline_duplicates_sink *sink; /* told about every duplicate found */
	pipeline_duplicate_fn *known_duplicate; /* set: duplicates are looked up, not checked */
	void *known_context;
};

const struct op *pipeline_find_op(const char *name, struct error *error)
{
	const struct op *op = op_find(name);
	if (op)
		return op;
	const char *names[64];
	size_t count = 0;
	for (size_t index = 0; index < op_table_count && count < 64; index++)
		names[count++] = op_table[index]->name;
	const char *closest = closest_name(name, names, count);
	if (closest)
		error_set(error,
		          "unknown operation '%s' (did you mean '%s'?); list: lattigo-batch ops",
		          name, closest);
	else
		error_set(error, "unknown operation '%s'; list: lattigo-batch ops", name);
	return NULL;
}

/* A duplicate set for the pipeline's manifest (seeded: with that seed, else a
 * random one), or NULL when out of memory. */
static struct dupe_set *new_dupe_set(const struct pipeline *pipeline, bool seeded, uint64_t seed)
{
	struct dupe_set *set = seeded ? dupe_set_new_seeded(seed) : dupe_set_new();
	if (!set)
		return NULL;
	/* sized for the whole file up front: a set that never grows keeps every
	 * fingerprint bit and never copies itself */
	uint64_t rows = manifest_estimated_rows(pipeline->manifest);
	if (rows && dupe_set_reserve(set, rows * pipeline->op->unique_key_count, rows) < 0) {
		dupe_set_free(set);
		return NULL;
	}
	return set;
}

struct pipeline *pipeline_open(const struct pipeline_config *config, FILE *notes,
                               struct error *error)
{
	struct pipeline *pipeline = calloc(1, sizeof(*pipeline));
	if (!pipeline) {
		error_set(error, "out of memory");
		return NULL;
	}
	strbuf_init(&pipeline->message, PIPELINE_MESSAGE_LIMIT);
	strbuf_init(&pipeline->rule, PIPELINE_MESSAGE_LIMIT);
	pipeline->notes = notes;
	pipeline->no_unused_note = config->no_unused_note;
	pipeline->sink = config->duplicates;
	pipeline->validation = config->validation;
	pipeline->op = pipeline_find_op(config->op, error);
	if (!pipeline->op)
		goto fail;
	pipeline->manifest = manifest_open(config->manifest, &config->manifest_options, error);
	if (!pipeline->manifest)
		goto fail;
	pipeline->binding = binding_new(pipeline->op, pipeline->manifest, config->maps,
	                                config->map_count, config->sets, config->set_count, error);
	if (!pipeline->binding)
		goto fail;
	pipeline->dupes = new_dupe_set(pipeline, false, 0);
	if (!pipeline->dupes) {
		error_set(error, "out of memory");
		goto fail;
	}
	const struct pipeline_duplicates_sink *sink = pipeline->sink;
	if (sink && sink->begin && sink->begin(sink->context, error) < 0)
		goto fail;
	/* A JSONL manifest's columns are only known once it was read: its note on
	 * unused keys comes at the end (print_manifest_notes). */
	const char *unused =
	    manifest_format(pipeline->manifest) == MANIFEST_FORMAT_JSONL || config->no_unused_note
	        ? NULL
	        : binding_unused_note(pipeline->binding, pipeline->manifest);
	if (unused && notes)
		fprintf(notes, "lattigo-batch: note: %s: %s\n", config->manifest, unused);
	const char *replaced = binding_set_note(pipeline->binding);
	if (replaced && notes)
		fprintf(notes, "lattigo-batch: note: %s: %s\n", config->manifest, replaced);
	return pipeline;
fail:
	pipeline_close(pipeline);
	return NULL;
}

/* Writes text to rule with every number that stands as a word replaced by
 * N, so that row-specific numbers ("duplicate of row 12", "row has 6
 * fields") count as one rule, while digits inside names ("note1", "UTF-8",
 * "0xE9") stay as they are. */
static void rule_without_numbers(struct strbuf *rule, const char *text)
{
	strbuf_reset(rule);
	for (const char *cursor = text; *cursor; cursor++) {
		bool word_start = cursor == text || cursor[-1] == ' ' || cursor[-1] == '(';
		if (isdigit((unsigned char)*cursor) && word_start) {
			const char *end = cursor;
			while (isdigit((unsigned char)*end))
				end++;
			if (*end == '\0' || strchr(" ,;:)", *end)) {
				strbuf_append_char(rule, 'N');
				cursor = end - 1;
				continue;
			}
		}
		strbuf_append_char(rule, *cursor);
	}
}

static int count_rule(struct pipeline_counts *counts, const char *rule)
{
	for (size_t index = 0; index < counts->rule_count; index++) {
		if (strcmp(counts->rules[index].rule, rule) == 0) {
			counts->rules[index].rows++;
			return 0;
		}
	}
	if (counts->rule_count >= PIPELINE_MAX_RULES) {
		counts->other_rule_rows++;
		return 0;
	}
	if (counts->rule_count % 16 == 0) {
		struct pipeline_rule_count *grown =
		    realloc(counts->rules, (counts->rule_count + 16) * sizeof(*grown));
		if (!grown)
			return -1;
		counts->rules = grown;
	}
	char *copy = strdup(rule);
	if (!copy)
		return -1;
	counts->rules[counts->rule_count].rule = copy;
	counts->rules[counts->rule_count].rows = 1;
	counts->rule_count++;
	return 0;
}

static void print_manifest_notes(struct pipeline *pipeline)
{
	if (pipeline->notes_printed || !pipeline->notes)
		return;
	pipeline->notes_printed = true;
	const char *const *notes = NULL;
	size_t count = manifest_notes(pipeline->manifest, &notes);
	for (size_t index = 0; index < count; index++)
		fprintf(pipeline->notes, "lattigo-batch: note: %s: %s\n",
		        manifest_path(pipeline->manifest), notes[index]);
	if (manifest_format(pipeline->manifest) == MANIFEST_FORMAT_JSONL &&
	    !pipeline->no_unused_note) {
		const char *unused = binding_unused_note(pipeline->binding, pipeline->manifest);
		if (unused)
			fprintf(pipeline->notes, "lattigo-batch: note: %s: %s\n",
			        manifest_path(pipeline->manifest), unused);
	}
}

/* Tells the claims callback what the row just checked claimed. Returns 0 or -1. */
static int report_claims(struct pipeline *pipeline, struct error *error)
{
	if (!pipeline->claims)
		return 0;
	uint64_t fingerprints[DUPE_SET_MAX_KEYS];
	size_t count = dupe_set_last_claimed(pipeline->dupes, fingerprints);
	if (count == 0)
		return 0;
	return pipeline->claims(pipeline->claims_context, pipeline->row.number,
	                        record_shown_row(&pipeline->record), fingerprints, count, error);
}

/* The row just read, valid apart from duplicates, as the job's duplicate
 * rows judged it: true (message and rule filled) when it repeats an earlier
 * row, false when not or on error (error set). */
static bool known_duplicate(struct pipeline *pipeline, struct error *error)
{
	size_t key = 0;
	uint64_t earlier = 0;
	int found = pipeline->known_duplicate(pipeline->known_context, pipeline->row.number, &key,
	                                      &earlier, error);
	if (found <= 0)
		return false;
	if (key >= pipeline->op->unique_key_count) {
		error_set(error, "the duplicate rows name key %zu of row %" PRIu64 "; '%s' has %zu",
		          key, pipeline->row.number, pipeline->op->name,
		          pipeline->op->unique_key_count);
		return false;
	}
	dupe_set_duplicate_message(pipeline->op, key, earlier, &pipeline->message);
	rule_without_numbers(&pipeline->rule, strbuf_text(&pipeline->message));
	return true;
}

/* Judges the row just read, filling message and rule when it is invalid. */
static bool judge_row(struct pipeline *pipeline, bool *bound, struct error *error)
{
	strbuf_reset(&pipeline->message);
	strbuf_reset(&pipeline->rule);
	/* binding_apply sets every part of the record a row has (its lane is
	 * always 0 here), so the record is not cleared first */
	*bound = false;
	/* The duplicate set's cache misses start before anything else, on the
	 * key values as the row has them: when binding leaves them as they are
	 * (nearly always), dupe_set_check reuses this work; when not, it
	 * starts over. Validation then hides the misses. */
	const struct op *op = pipeline->op;
	for (size_t key = 0; key < op->unique_key_count && !pipeline->known_duplicate; key++)
		for (size_t part = 0; part < op->unique_keys[key].count; part++) {
			enum field_id field = op->unique_keys[key].fields[part];
			pipeline->peek.value[field] =
			    binding_raw_value(pipeline->binding, &pipeline->row, field);
		}
	pipeline->peek.row = pipeline->row.number;
	if (!pipeline->known_duplicate)
		dupe_set_prefetch(pipeline->dupes, op, &pipeline->peek);
	if (binding_apply(pipeline->binding, &pipeline->row, &pipeline->record,
	                  &pipeline->message) < 0) {
		rule_without_numbers(&pipeline->rule, strbuf_text(&pipeline->message));
		return false;
	}
	*bound = true;
	/* a row an earlier run judged: its keys are in the set already (its own) */
	bool claimed = pipeline->row.number <= pipeline->claimed_through;
	if (op_validate_record(pipeline->op, &pipeline->record, binding_lengths(pipeline->binding),
	                       &pipeline->validation, &pipeline->message, &pipeline->rule) < 0) {
		if (pipeline->rule.length == 0)
			rule_without_numbers(&pipeline->rule, strbuf_text(&pipeline->message));
		return false;
	}
	if (claimed)
		return true;
	if (pipeline->known_duplicate)
		return !known_duplicate(pipeline, error);
	int64_t earlier =
	    dupe_set_check(pipeline->dupes, pipeline->op, &pipeline->record, &pipeline->message);
	if (earlier < 0) {
		error_set(error, "out of memory (duplicate check)");
		return false;
	}
	if (earlier > 0) {
		rule_without_numbers(&pipeline->rule, strbuf_text(&pipeline->message));
		const struct pipeline_duplicates_sink *sink = pipeline->sink;
		/* a failure sets error, which ends pipeline_next */
		if (sink && sink->duplicate)
			sink->duplicate(sink->context, pipeline->row.number,
			                dupe_set_last_duplicate_key(pipeline->dupes),
			                (uint64_t)earlier, error);
		return false;
	}
	return report_claims(pipeline, error) == 0;
}

static int remember_sample(struct pipeline *pipeline)
{
	if (pipeline->sample_count >= PIPELINE_SAMPLE_ROWS)
		return 0;
	struct strbuf sample;
	strbuf_init(&sample, PIPELINE_MESSAGE_LIMIT + 64);
	const char *sheet = manifest_sheet(pipeline->manifest);
	/* a re-fed errors.csv names its rows by their place in the original file */
	const struct record *record = &pipeline->record;
	bool source = record->source_row != 0;
	int appended =
	    source ? strbuf_appendf(&sample, "row %" PRIu64 " (source line %" PRIu64 "): %s",
	                            record->source_row,
	                            record->source_line ? record->source_line : pipeline->row.line,
	                            strbuf_text(&pipeline->message))
	    : sheet
	        ? strbuf_appendf(&sample, "row %" PRIu64 " (row %" PRIu64 " of sheet '%.60s'): %s",
	                         pipeline->row.number, pipeline->row.line, sheet,
	                         strbuf_text(&pipeline->message))
	        : strbuf_appendf(&sample, "row %" PRIu64 " (line %" PRIu64 "): %s",
	                         pipeline->row.number, pipeline->row.line,
	                         strbuf_text(&pipeline->message));
	if (appended == STRBUF_NO_MEMORY) {
		strbuf_release(&sample);
		return -1;
	}
	char *text = strbuf_detach(&sample, NULL);
	if (!text)
		return -1;
	pipeline->samples[pipeline->sample_count++] = text;
	return 0;
}

void pipeline_on_claims(struct pipeline *pipeline, pipeline_claims_fn *claims, void *context)
{
	pipeline->claims = claims;
	pipeline->claims_context = context;
}

uint64_t pipeline_keys_seed(const struct pipeline *pipeline)
{
	return dupe_set_seed(pipeline->dupes);
}

int pipeline_reset_keys(struct pipeline *pipeline, bool seeded, uint64_t seed)
{
	struct dupe_set *fresh = new_dupe_set(pipeline, seeded, seed);
	if (!fresh)
		return -1;
	dupe_set_free(pipeline->dupes);
	pipeline->dupes = fresh;
	pipeline->claimed_through = 0;
	return 0;
}

int pipeline_add_claimed_key(struct pipeline *pipeline, uint64_t fingerprint, uint64_t row)
{
	return dupe_set_insert_fingerprint(pipeline->dupes, fingerprint, row);
}

int pipeline_continue_after_claims(struct pipeline *pipeline, const struct manifest_position *from,
                                   uint64_t claimed_through, struct error *error)
{
	if (from && from->row > 1 && manifest_seek(pipeline->manifest, from, error) < 0)
		return -1;
	pipeline->claimed_through = claimed_through;
	return 0;
}

int pipeline_continue_with_duplicates(struct pipeline *pipeline,
                                      const struct manifest_position *from,
                                      pipeline_duplicate_fn *duplicate, void *context,
                                      struct error *error)
{
	if (from && from->row > 1 && manifest_seek(pipeline->manifest, from, error) < 0)
		return -1;
	/* the set sized for the whole manifest is never used: give its memory back */
	struct dupe_set *small = dupe_set_new();
	if (!small)
		return error_set(error, "out of memory");
	dupe_set_free(pipeline->dupes);
	pipeline->dupes = small;
	pipeline->claimed_through = 0;
	pipeline->known_duplicate = duplicate;
	pipeline->known_context = context;
	return 0;
}

void pipeline_skip_settled(struct pipeline *pipeline, pipeline_settled_fn *settled, void *context)
{
	pipeline->settled = settled;
	pipeline->settled_context = context;
}

/* A row an earlier run of the job already settled: it is not validated
 * again, but a row that was valid then still claims its unique keys, so that
 * a later duplicate of it is found exactly as in an uninterrupted run. */
static int pass_settled_row(struct pipeline *pipeline, struct pipeline_row *row, bool was_valid,
                            struct error *error)
{
	memset(&pipeline->record, 0, sizeof(pipeline->record));
	strbuf_reset(&pipeline->message);
	/* up to claimed_through, the keys are in the set already (loaded); with
	 * the job's duplicate rows, no key is needed */
	bool claim = was_valid && pipeline->row.number > pipeline->claimed_through &&
	             !pipeline->known_duplicate;
	bool bound = claim && binding_apply(pipeline->binding, &pipeline->row, &pipeline->record,
	                                    &pipeline->message) == 0;
	if (bound) {
		int64_t earlier = dupe_set_check(pipeline->dupes, pipeline->op, &pipeline->record,
		                                 &pipeline->message);
		if (earlier < 0)
			return error_set(error, "out of memory (duplicate check)");
		if (earlier == 0 && report_claims(pipeline, error) < 0)
			return -1;
	}
	pipeline->counts.rows++;
	if (was_valid)
		pipeline->counts.valid++;
	else
		pipeline->counts.invalid++;
	row->row = &pipeline->row;
	row->record = bound ? &pipeline->record : NULL;
	row->valid = was_valid;
	row->settled = true;
	row->message = "";
	row->rule = "";
	return 1;
}

int pipeline_next(struct pipeline *pipeline, struct pipeline_row *row, struct error *error)
{
	int result = manifest_next(pipeline->manifest, &pipeline->row, error);
	if (result <= 0) {
		if (result == 0)
			print_manifest_notes(pipeline);
		const struct pipeline_duplicates_sink *sink = pipeline->sink;
		if (result == 0 && sink) {
			pipeline->sink = NULL; /* the end is told once */
			if (sink->end && sink->end(sink->context, pipeline->counts.rows, error) < 0)
				return -1;
		}
		return result;
	}
	bool was_valid = false;
	if (pipeline->settled &&
	    pipeline->settled(pipeline->settled_context, pipeline->row.number, &was_valid))
		return pass_settled_row(pipeline, row, was_valid, error);
	row->settled = false;
	bool bound = false;
	bool valid = judge_row(pipeline, &bound, error);
	if (error->set)
		return -1;
	struct pipeline_counts *counts = &pipeline->counts;
	counts->rows++;
	if (valid) {
		counts->valid++;
	} else {
		counts->invalid++;
		if (pipeline->message.length == 0)
			strbuf_append_string(&pipeline->message, "row is not valid");
		if (pipeline->rule.length == 0)
			strbuf_append_string(&pipeline->rule, strbuf_text(&pipeline->message));
		if (count_rule(counts, strbuf_text(&pipeline->rule)) < 0)
			return error_set(error, "out of memory (rule counts)");
		if (remember_sample(pipeline) < 0)
			return error_set(error, "out of memory (invalid rows)");
	}
	row->row = &pipeline->row;
	row->record = bound ? &pipeline->record : NULL;
	row->valid = valid;
	row->message = valid ? "" : strbuf_text(&pipeline->message);
	row->rule = valid ? "" : strbuf_text(&pipeline->rule);
	return 1;
}

const struct op *pipeline_op(const struct pipeline *pipeline)
{
	return pipeline->op;
}

struct manifest *pipeline_manifest(struct pipeline *pipeline)
{
	return pipeline->manifest;
}

const struct pipeline_counts *pipeline_counts(const struct pipeline *pipeline)
{
	return &pipeline->counts;
}

void pipeline_rules_by_count(const struct pipeline *pipeline, size_t *order)
{
	const struct pipeline_counts *counts = &pipeline->counts;
	/* insertion sort: at most PIPELINE_MAX_RULES entries, stable for ties */
	for (size_t index = 0; index < counts->rule_count; index++) {
		size_t position = index;
		while (position > 0 &&
		       counts->rules[order[position - 1]].rows < counts->rules[index].rows) {
			order[position] = order[position - 1];
			position--;
		}
		order[position] = index;
	}
}

static const char *format_name(enum manifest_format format)
{
	return format == MANIFEST_FORMAT_JSONL  ? "jsonl"
	       : format == MANIFEST_FORMAT_XLSX ? "xlsx"
	                                        : "csv";
}

void pipeline_print_summary(struct pipeline *pipeline, FILE *stream)
{
	const struct pipeline_counts *counts = &pipeline->counts;
	char delimiter[96] = "";
	char shown = manifest_delimiter(pipeline->manifest);
	if (shown == '\t')
		snprintf(delimiter, sizeof(delimiter), ", delimiter tab");
	else if (shown)
		snprintf(delimiter, sizeof(delimiter), ", delimiter '%c'", shown);
	const char *sheet = manifest_sheet(pipeline->manifest);
	if (sheet)
		snprintf(delimiter, sizeof(delimiter), ", sheet '%.60s'", sheet);
	fprintf(stream, "manifest:  %s (%s%s)\n", manifest_path(pipeline->manifest),
	        format_name(manifest_format(pipeline->manifest)), delimiter);
	fprintf(stream, "operation: %s (%s %s)\n", pipeline->op->name, pipeline->op->method,
	        pipeline->op->path);
	fprintf(stream, "rows:      %" PRIu64 "\n", counts->rows);
	fprintf(stream, "valid:     %" PRIu64 "\n", counts->valid);
	fprintf(stream, "invalid:   %" PRIu64 "\n", counts->invalid);
	if (counts->invalid == 0)
		return;
	size_t order[PIPELINE_MAX_RULES];
	pipeline_rules_by_count(pipeline, order);
	fputs("invalid rows by rule:\n", stream);
	for (size_t index = 0; index < counts->rule_count; index++)
		fprintf(stream, "  %10" PRIu64 "  %s\n", counts->rules[order[index]].rows,
		        counts->rules[order[index]].rule);
	if (counts->other_rule_rows)
		fprintf(stream, "  %10" PRIu64 "  (other rules)\n", counts->other_rule_rows);
	if (counts->invalid > pipeline->sample_count)
		fprintf(stream, "first %zu invalid rows:\n", pipeline->sample_count);
	else
		fprintf(stream, "invalid row%s:\n", counts->invalid == 1 ? "" : "s");
	for (size_t index = 0; index < pipeline->sample_count; index++)
		fprintf(stream, "  %s\n", pipeline->samples[index]);
}

void pipeline_close(struct pipeline *pipeline)
{
	if (!pipeline)
		return;
	for (size_t index = 0; index < pipeline->sample_count; index++)
		free(pipeline->samples[index]);
	for (size_t index = 0; index < pipeline->counts.rule_count; index++)
		free(pipeline->counts.rules[index].rule);
	free(pipeline->counts.rules);
	dupe_set_free(pipeline->dupes);
	binding_free(pipeline->binding);
	manifest_close(pipeline->manifest);
	strbuf_release(&pipeline->message);
	strbuf_release(&pipeline->rule);
	free(pipeline);
}
