/* libFuzzer target for the device reader that takes the live snapshot's
 * devices straight from an answer's text (live/device_text.c), checked
 * against jansson: whatever jansson decodes as an array the reader takes,
 * to the same devices; whatever jansson refuses the reader refuses whole. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "live/snapshot.h"

/* The devices of a snapshot, one field after another, in the order added. */
static int same_devices(const struct live_snapshot *left, const struct live_snapshot *right)
{
	size_t count = live_snapshot_device_count(left);
	if (count != live_snapshot_device_count(right))
		return 0;
	for (size_t index = 0; index < count; index++) {
		struct device_view a, b;
		live_snapshot_device_at(left, index, &a);
		live_snapshot_device_at(right, index, &b);
		for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
			if ((!a.value[field]) != (!b.value[field]) ||
			    (a.value[field] && strcmp(a.value[field], b.value[field]) != 0))
				return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* nesting near jansson's depth limit may be counted one apart: not compared */
	size_t opened = 0;
	for (size_t index = 0; index < size; index++)
		opened += data[index] == '[' || data[index] == '{';
	if (opened > 1000)
		return 0;
	const char *text = (const char *)data;
	json_error_t error;
	json_t *parsed = json_loadb(text, size, 0, &error);
	struct live_snapshot *from_text = live_snapshot_new();
	struct live_snapshot *from_values = live_snapshot_new();
	if (!from_text || !from_values)
		abort();
	size_t count = 0;
	int read = live_snapshot_add_devices_text(from_text, text, size, false, &count);
	/* jansson reads past a NUL byte after a number ("12\0,"): the reader
	 * refuses such text, which is only stricter */
	bool lenient = memchr(data, '\0', size) != NULL;
	if (lenient && read != 0) {
		json_decref(parsed);
		live_snapshot_free(from_text);
		live_snapshot_free(from_values);
		return 0;
	}
	if (json_is_array(parsed)) {
		if (read != 0 || count != json_array_size(parsed))
			abort();
		for (size_t index = 0; index < json_array_size(parsed); index++)
			if (json_is_object(json_array_get(parsed, index)) &&
			    live_snapshot_add_device(from_values, json_array_get(parsed, index)) <
			        0)
				abort();
		if (!same_devices(from_text, from_values))
			abort();
	} else if (read != 1 || live_snapshot_device_count(from_text) != 0) {
		abort();
	}
	/* one object, as GET v2/devices/:id answers */
	live_snapshot_free(from_text);
	from_text = live_snapshot_new();
	if (!from_text)
		abort();
	read = live_snapshot_add_devices_text(from_text, text, size, true, &count);
	if ((read == 0) != json_is_object(parsed) && !(lenient && read != 0))
		abort();
	json_decref(parsed);
	live_snapshot_free(from_text);
	live_snapshot_free(from_values);
	return 0;
}
