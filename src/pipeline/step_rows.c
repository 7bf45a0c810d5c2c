/* Reading one manifest for several steps in lockstep (see step_rows.h). */
#include "pipeline/step_rows.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct step_rows {
	struct pipeline *pipelines[STEP_ROWS_MAX];
	size_t count;
};

/* Replaces error's message with "step N (op): message", keeping file and line. */
static void name_step(struct error *error, size_t step, const char *op)
{
	char message[sizeof(error->message)];
	memcpy(message, error->message, sizeof(message));
	int prefix =
	    snprintf(error->message, sizeof(error->message), "step %zu (%.40s): ", step + 1, op);
	if (prefix > 0 && (size_t)prefix < sizeof(error->message))
		snprintf(error->message + prefix, sizeof(error->message) - (size_t)prefix, "%.*s",
		         (int)(sizeof(error->message) - (size_t)prefix - 1), message);
}

struct step_rows *step_rows_open(const struct pipeline_config *configs, size_t count, FILE *notes,
                                 struct error *error)
{
	if (count == 0 || count > STEP_ROWS_MAX) {
		error_set(error, "a job has 1 to %d steps", STEP_ROWS_MAX);
		return NULL;
	}
	struct step_rows *reader = calloc(1, sizeof(*reader));
	if (!reader) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t step = 0; step < count; step++) {
		/* the file's notes (unused columns, BOM...) are the same for every
		 * step: print them once */
		reader->pipelines[step] =
		    pipeline_open(&configs[step], step == 0 ? notes : NULL, error);
		if (!reader->pipelines[step]) {
			name_step(error, step, configs[step].op);
			step_rows_close(reader);
			return NULL;
		}
		reader->count = step + 1;
	}
	return reader;
}

int step_rows_next(struct step_rows *reader, struct step_row *row, struct error *error)
{
	row->step_count = reader->count;
	row->first_invalid = reader->count;
	row->message = "";
	int first = 0;
	for (size_t step = 0; step < reader->count; step++) {
		int next = pipeline_next(reader->pipelines[step], &row->steps[step], error);
		if (next < 0) {
			name_step(error, step, pipeline_op(reader->pipelines[step])->name);
			return -1;
		}
		if (step == 0)
			first = next;
		else if (next != first ||
		         (next == 1 && row->steps[step].row->number != row->steps[0].row->number))
			/* every pipeline reads the same bytes: a mismatch is a bug */
			return error_set(error,
			                 "the steps read the manifest differently at row %" PRIu64,
			                 row->steps[0].row ? row->steps[0].row->number : 0);
		if (next == 1 && !row->steps[step].valid && row->first_invalid == reader->count) {
			row->first_invalid = step;
			row->message = row->steps[step].message;
		}
	}
	if (first == 1)
		row->row = row->steps[0].row;
	return first;
}

struct pipeline *step_rows_pipeline(struct step_rows *reader, size_t step)
{
	return step < reader->count ? reader->pipelines[step] : NULL;
}

void step_rows_close(struct step_rows *reader)
{
	if (!reader)
		return;
	for (size_t step = 0; step < reader->count; step++)
		pipeline_close(reader->pipelines[step]);
	free(reader);
}
