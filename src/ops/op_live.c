/* The generic half of the operations' live-state hooks: which device a row
 * names, and the comparison entry point that falls back to "unreadable" for
 * operations that set nothing the API lets us read. */
#include "ops/op.h"

void op_live_compare(const struct op *op, const struct record *record,
                     const struct device_view *device, struct live_comparison *comparison,
                     struct strbuf *message)
{
	const char *target =
	    (unsigned)op->live.target < FIELD_COUNT ? record->value[op->live.target] : NULL;
	comparison->match = LIVE_UNREADABLE;
	comparison->current = "";
	comparison->target = target ? target : "";
	if (op->live.compare)
		op->live.compare(record, device, comparison, message);
}

int op_live_device_key(const struct op *op, const struct record *record, enum device_field *key,
                       const char **value)
{
	if (op->live.flags & OP_LIVE_NO_DEVICE)
		return -1;
	int identify = op->live.identify;
	const char *text = record->value[identify];
	if (!text || !*text)
		return -1;
	int found = DEVICE_NAME;
	if (identify == FIELD_DEVICE_NAME)
		found = device_key_from_id_type(record->value[FIELD_ID_TYPE]);
	else if (identify == FIELD_ICCID)
		found = DEVICE_ICCID;
	else if (identify == FIELD_IMEI)
		found = DEVICE_IMEI;
	if (found < 0)
		return -1;
	*key = (enum device_field)found;
	*value = text;
	return 0;
}
