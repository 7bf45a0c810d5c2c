/* Ledger lines are built with jansson so keys from requests are escaped. */
#include "sim/ledger.h"

#include <jansson.h>
#include <stdlib.h>

int ledger_open(struct ledger *ledger, const char *path)
{
	ledger->stream = NULL;
	pthread_mutex_init(&ledger->lock, NULL);
	if (!path)
		return 0;
	ledger->stream = fopen(path, "a");
	return ledger->stream ? 0 : -1;
}

void ledger_close(struct ledger *ledger)
{
	if (ledger->stream)
		fclose(ledger->stream);
	ledger->stream = NULL;
	pthread_mutex_destroy(&ledger->lock);
}

int ledger_record(struct ledger *ledger, const char *op, const char *key, const char *device,
                  uint64_t request_number)
{
	if (!ledger->stream)
		return 0;
	json_t *line = json_pack("{s:s, s:s, s:s?, s:I}", "op", op, "key", key, "device", device,
	                         "request", (json_int_t)request_number);
	if (!line)
		return -1;
	char *text = json_dumps(line, JSON_COMPACT);
	json_decref(line);
	if (!text)
		return -1;
	pthread_mutex_lock(&ledger->lock);
	int result =
	    fprintf(ledger->stream, "%s\n", text) < 0 || fflush(ledger->stream) != 0 ? -1 : 0;
	pthread_mutex_unlock(&ledger->lock);
	free(text);
	return result;
}
