/* A call's life: its rows and its transfer. */
#include "call.h"

#include <stdlib.h>

struct call *call_new(enum call_kind kind, struct record *const *records, size_t count,
                      unsigned row_attempts)
{
	struct call *call = calloc(1, sizeof(*call));
	if (!call)
		return NULL;
	call->kind = kind;
	call->records = malloc((count ? count : 1) * sizeof(*call->records));
	call->rows = malloc((count ? count : 1) * sizeof(*call->rows));
	if (!call->records || !call->rows) {
		free(call->records);
		free(call->rows);
		free(call);
		return NULL;
	}
	for (size_t index = 0; index < count; index++) {
		call->records[index] = records[index];
		call->rows[index] = records[index]->row;
	}
	call->count = count;
	call->lane = count ? records[0]->lane : 0;
	call->row_attempts = row_attempts;
	http_transfer_init(&call->transfer);
	return call;
}

void call_free_keeping_records(struct call *call)
{
	if (!call)
		return;
	http_transfer_release(&call->transfer);
	free(call->refusal);
	free(call->records);
	free(call->rows);
	free(call);
}

void call_free(struct call *call)
{
	if (!call)
		return;
	for (size_t index = 0; index < call->count; index++)
		free(call->records[index]);
	call_free_keeping_records(call);
}
