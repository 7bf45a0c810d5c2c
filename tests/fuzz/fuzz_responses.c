/* libFuzzer target for every operation's response mapper: any answer body
 * (JSON or not), any status, for 1 to 8 rows: every row gets a final status
 * and a terminated message, never a crash or a read out of bounds. The first
 * byte picks the operation and the row count, the second the status. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "ops/op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const struct op *op = op_table[data[0] % op_table_count];
	size_t count = (size_t)(data[0] / op_table_count) % 8 + 1;
	static const long statuses[] = {200, 201, 202, 204, 400, 403, 404, 409, 422, 500};
	long status = statuses[data[1] % (sizeof(statuses) / sizeof(statuses[0]))];
	/* the body as the engine hands it: NUL-terminated, maybe JSON */
	size_t length = size - 2;
	char *raw = malloc(length + 1);
	if (!raw)
		return 0;
	memcpy(raw, data + 2, length);
	raw[length] = '\0';
	json_t *body = json_loadb(raw, length, JSON_DECODE_ANY, NULL);

	/* values the seed answers name (device names, ICCIDs, an IMEI) */
	static const char *const sample[] = {
	    "123",     "456", "89222222222222222222", "490154203237518", "89444444444444444444",
	    "device-7"};
	struct record records[8];
	const struct record *pointers[8];
	struct row_outcome outcomes[8];
	memset(records, 0, sizeof(records));
	for (size_t index = 0; index < count; index++) {
		records[index].row = index + 1;
		for (size_t field = 0; field < FIELD_COUNT; field++)
			records[index].value[field] = sample[(field + index) % 6];
		pointers[index] = &records[index];
		outcomes[index].status = ROW_PENDING;
		memset(outcomes[index].message, 'x', sizeof(outcomes[index].message));
	}
	op->map_response(op, status, body, raw, length, pointers, count, outcomes);
	for (size_t index = 0; index < count; index++)
		if (outcomes[index].status == ROW_PENDING ||
		    !memchr(outcomes[index].message, '\0', sizeof(outcomes[index].message)))
			abort();
	json_decref(body);
	free(raw);
	return 0;
}
