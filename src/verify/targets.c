/* Loading the rows to verify from a job directory (targets.h). */
#include "verify/targets.h"

#include <stdlib.h>
#include <string.h>

#include "outputs/outcome_store.h"

static int add_target(struct verify_targets *targets, const struct record *record,
                      const struct row_outcome *outcome, struct error *error)
{
	if (targets->count == targets->capacity) {
		size_t capacity = targets->capacity ? targets->capacity * 2 : 64;
		struct verify_target *grown =
		    realloc(targets->items, capacity * sizeof(*targets->items));
		if (!grown)
			return error_set(error, "out of memory");
		targets->items = grown;
		targets->capacity = capacity;
	}
	struct verify_target *target = &targets->items[targets->count];
	memset(target, 0, sizeof(*target));
	target->record = record_clone(record);
	if (!target->record)
		return error_set(error, "out of memory");
	target->status = outcome->status;
	target->accepted_at_ms = outcome->finished_at_ms;
	target->verdict = VERIFY_PENDING;
	targets->count++;
	return 0;
}

int verify_targets_load(struct verify_targets *targets, const struct pipeline_config *config,
                        struct outcome_store *store, const char *directory, struct error *error)
{
	memset(targets, 0, sizeof(*targets));
	struct outcome_store *opened = NULL;
	struct pipeline *pipeline = pipeline_open(config, NULL, error);
	int result = -1;
	if (!pipeline)
		goto out;
	targets->op = pipeline_op(pipeline);
	if (!store) {
		opened = outcome_store_open(directory, OUTCOME_STORE_OPEN, error);
		if (!opened)
			goto out;
		store = opened;
	}
	struct pipeline_row row;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1) {
		targets->rows_total++;
		struct row_outcome outcome;
		if (outcome_store_get(store, row.row->number, &outcome, error) < 0)
			goto out;
		bool wanted = outcome.status == ROW_OK || outcome.status == ROW_UNKNOWN;
		if (!wanted || !row.valid || !row.record) {
			targets->skipped++;
			continue;
		}
		if (add_target(targets, row.record, &outcome, error) < 0)
			goto out;
	}
	if (next < 0)
		goto out;
	result = 0;
out:
	outcome_store_close(opened);
	pipeline_close(pipeline);
	return result;
}

static int replace(char **slot, const struct strbuf *text)
{
	char *copy = strdup(strbuf_text(text));
	if (!copy)
		return -1;
	free(*slot);
	*slot = copy;
	return 0;
}

int verify_target_set(struct verify_target *target, const struct verify_judgement *judgement)
{
	target->verdict = judgement->verdict;
	target->judged = true;
	if (replace(&target->expected, &judgement->expected) < 0 ||
	    replace(&target->observed, &judgement->observed) < 0)
		return -1;
	/* a device found once keeps its name when a later read fails to find it */
	if (judgement->device_name.length || !target->device_name)
		return replace(&target->device_name, &judgement->device_name);
	return 0;
}

const char *verify_target_identifier(const struct verify_targets *targets,
                                     const struct verify_target *target)
{
	const char *value = target->record->value[targets->op->key_field];
	return value ? value : "";
}

void verify_targets_count(const struct verify_targets *targets, uint64_t *counts)
{
	memset(counts, 0, VERIFY_VERDICT_COUNT * sizeof(*counts));
	for (size_t index = 0; index < targets->count; index++)
		counts[targets->items[index].verdict]++;
}

void verify_targets_release(struct verify_targets *targets)
{
	for (size_t index = 0; index < targets->count; index++) {
		struct verify_target *target = &targets->items[index];
		free(target->record);
		free(target->expected);
		free(target->observed);
		free(target->device_name);
	}
	free(targets->items);
	memset(targets, 0, sizeof(*targets));
}
