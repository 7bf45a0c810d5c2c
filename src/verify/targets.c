/* The rows to verify, a byte each, streamed from the job's manifest (targets.h). */
#include "verify/targets.h"

#include <stdlib.h>
#include <string.h>

#include "outputs/outcome_store.h"

/* A row's byte: its verdict in the low bits, then two flags. */
#define ROW_VERDICT 0x03u
#define ROW_TARGET  0x04u /* read back: the job's outcome is ok or unknown */
#define ROW_FOUND   0x08u /* the last read found a device */

/* Makes room for row's byte (new rows are not read back). Returns 0 or -1. */
static int reserve(struct verify_targets *targets, uint64_t row)
{
	uint64_t *capacity = &targets->capacity;
	if (row <= *capacity)
		return 0;
	uint64_t grown = *capacity ? *capacity : 4096;
	while (grown < row)
		grown *= 2;
	if (grown > SIZE_MAX)
		return -1;
	uint8_t *rows = realloc(targets->rows, (size_t)grown);
	if (!rows)
		return -1;
	memset(rows + *capacity, 0, (size_t)(grown - *capacity));
	targets->rows = rows;
	*capacity = grown;
	return 0;
}

int verify_targets_load(struct verify_targets *targets, const struct pipeline_config *config,
                        struct outcome_store *store, const char *directory, struct error *error)
{
	memset(targets, 0, sizeof(*targets));
	targets->config = config;
	struct pipeline *pipeline = pipeline_open(config, NULL, error);
	if (!pipeline)
		return -1;
	targets->op = pipeline_op(pipeline);
	int result = -1;
	if (!store) {
		targets->opened = outcome_store_open(directory, OUTCOME_STORE_OPEN, error);
		if (!targets->opened)
			goto out;
		store = targets->opened;
	}
	targets->store = store;
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
		uint64_t number = row.record->row;
		if (number == 0 || reserve(targets, number) < 0) {
			error_set(error, "out of memory");
			goto out;
		}
		targets->rows[number - 1] = ROW_TARGET | VERIFY_PENDING;
		targets->count++;
	}
	if (next < 0)
		goto out;
	targets->counts[VERIFY_PENDING] = targets->count;
	result = 0;
out:
	pipeline_close(pipeline);
	return result;
}

int verify_targets_each(struct verify_targets *targets, verify_target_fn *each, void *context,
                        struct error *error)
{
	struct pipeline *pipeline = pipeline_open(targets->config, NULL, error);
	if (!pipeline)
		return -1;
	struct pipeline_row row;
	int next;
	while ((next = pipeline_next(pipeline, &row, error)) == 1)
		if (row.valid && row.record && verify_target_is(targets, row.record->row) &&
		    each(context, row.record, error) < 0) {
			next = -1;
			break;
		}
	pipeline_close(pipeline);
	return next < 0 ? -1 : 0;
}

static uint8_t row_byte(const struct verify_targets *targets, uint64_t row)
{
	return row >= 1 && row <= targets->capacity ? targets->rows[row - 1] : 0;
}

bool verify_target_is(const struct verify_targets *targets, uint64_t row)
{
	return (row_byte(targets, row) & ROW_TARGET) != 0;
}

enum verify_verdict verify_target_verdict(const struct verify_targets *targets, uint64_t row)
{
	return (enum verify_verdict)(row_byte(targets, row) & ROW_VERDICT);
}

bool verify_target_found(const struct verify_targets *targets, uint64_t row)
{
	return (row_byte(targets, row) & ROW_FOUND) != 0;
}

void verify_target_set(struct verify_targets *targets, uint64_t row, enum verify_verdict verdict,
                       bool found)
{
	if (!verify_target_is(targets, row))
		return;
	targets->counts[verify_target_verdict(targets, row)]--;
	targets->counts[verdict]++;
	targets->rows[row - 1] =
	    (uint8_t)(ROW_TARGET | (found ? ROW_FOUND : 0u) | (unsigned)verdict);
}

int verify_target_outcome(struct verify_targets *targets, uint64_t row, struct row_outcome *outcome,
                          struct error *error)
{
	return outcome_store_get(targets->store, row, outcome, error);
}

const char *verify_record_identifier(const struct verify_targets *targets,
                                     const struct record *record)
{
	const char *value = record->value[targets->op->key_field];
	return value ? value : "";
}

void verify_targets_release(struct verify_targets *targets)
{
	outcome_store_close(targets->opened);
	free(targets->rows);
	memset(targets, 0, sizeof(*targets));
}
