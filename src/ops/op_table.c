/* The table of operations (sorted by name) and the look-ups and batching
 * keys every user of the table needs. */
#include "ops/op.h"

#include "ops/text.h"

#include <string.h>

extern const struct op op_activate;
extern const struct op op_cost_center;
extern const struct op op_locate;
extern const struct op op_note;
extern const struct op op_remove_usage_limit;
extern const struct op op_simstate;
extern const struct op op_sms;
extern const struct op op_upload;
extern const struct op op_usage_limit;

/* Sorted by name (strcmp order): op_find bisects and a unit test checks it. */
const struct op *const op_table[] = {
    &op_activate, &op_cost_center, &op_locate, &op_note,        &op_remove_usage_limit,
    &op_simstate, &op_sms,         &op_upload, &op_usage_limit,
};
const size_t op_table_count = sizeof(op_table) / sizeof(op_table[0]);

const struct op *op_find(const char *name)
{
	if (!name)
		return NULL;
	size_t low = 0;
	size_t high = op_table_count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		int order = strcmp(name, op_table[middle]->name);
		if (order == 0)
			return op_table[middle];
		if (order < 0)
			high = middle;
		else
			low = middle + 1;
	}
	return NULL;
}

const struct op_field *op_field_find(const struct op *op, enum field_id field)
{
	for (size_t index = 0; index < op->field_count; index++)
		if (op->fields[index].id == field)
			return &op->fields[index];
	return NULL;
}

int op_batch_key(const struct op *op, const struct record *record, struct strbuf *key)
{
	strbuf_reset(key);
	/* Length-prefixed values cannot run into each other, whatever they hold;
	 * "-" marks an absent value, which differs from every prefixed one. An
	 * operation without batching fields gives every row the empty key. */
	for (size_t index = 0; index < op->field_count; index++) {
		if (!(op->fields[index].flags & OP_FIELD_BATCH))
			continue;
		const char *value = record->value[op->fields[index].id];
		int result;
		if (value && *value)
			result = strbuf_appendf(key, "%zu:%s", strlen(value), value);
		else
			result = strbuf_append_char(key, '-');
		if (result != STRBUF_OK)
			return -1;
	}
	return 0;
}

int op_batch_label(const struct op *op, const struct record *record, struct strbuf *label)
{
	strbuf_reset(label);
	bool any = false;
	for (size_t index = 0; index < op->field_count; index++) {
		if (!(op->fields[index].flags & OP_FIELD_BATCH))
			continue;
		const char *value = record->value[op->fields[index].id];
		if (strbuf_appendf(label, "%s%s=", any ? ", " : "",
		                   field_name(op->fields[index].id)) != STRBUF_OK)
			return -1;
		if (value && *value)
			text_quote(label, value, strlen(value), 100);
		else
			strbuf_append_string(label, "(none)");
		any = true;
	}
	if (!any && strbuf_append_string(label, (op->flags & OP_PER_ROW) ? "one call per row"
	                                                                 : "all rows") != STRBUF_OK)
		return -1;
	return 0;
}
