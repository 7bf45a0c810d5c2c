/* The frames of a spilled judge's files: the spool's files KIND-N, heads
 * merging them by row, and a row or a device in a frame. One place for the
 * format, so the step that writes a file and the one that reads it agree. */
#include "live/judge_frames.h"

#include <stdlib.h>
#include <string.h>

int judge_head_next(struct judge_head *head)
{
	int read = live_spool_read_frame(head->file, &head->frame, &head->cursor);
	if (read <= 0) {
		head->ended = true;
		head->ready = false;
		return read;
	}
	if (live_spool_decode_number(&head->cursor, &head->row) < 0)
		return -1;
	head->ready = true;
	return 0;
}

struct judge_head *judge_head_of_row(struct judge_head *heads, size_t count, uint64_t row,
                                     bool *damaged)
{
	for (size_t index = 0; index < count; index++) {
		struct judge_head *head = &heads[index];
		if (!head->ready && !head->ended && judge_head_next(head) < 0) {
			*damaged = true;
			return NULL;
		}
		if (head->ready && head->row == row)
			return head;
	}
	return NULL;
}

void judge_heads_close(struct judge_head *heads, size_t count)
{
	for (size_t index = 0; heads && index < count; index++) {
		if (heads[index].file)
			fclose(heads[index].file);
		live_spool_frame_release(&heads[index].frame);
	}
	free(heads);
}

FILE *judge_partition_file_open(const struct live_spool *spool, const char *kind, size_t index,
                                const char *mode, struct error *error)
{
	char name[64], path[4200];
	snprintf(name, sizeof(name), "%s-%zu", kind, index);
	FILE *file =
	    live_spool_path(spool, name, path, sizeof(path)) == 0 ? fopen(path, mode) : NULL;
	if (!file)
		error_set(error, "cannot open %s for the preflight's rows", name);
	return file;
}

FILE **judge_partition_files_open(const struct live_spool *spool, const char *kind, size_t count,
                                  const char *mode, struct error *error)
{
	FILE **files = calloc(count, sizeof(*files));
	if (!files) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < count; index++)
		if (!(files[index] = judge_partition_file_open(spool, kind, index, mode, error))) {
			while (index-- > 0)
				fclose(files[index]);
			free(files);
			return NULL;
		}
	return files;
}

int judge_partition_files_close(FILE **files, size_t count, int result, struct error *error)
{
	for (size_t index = 0; files && index < count; index++)
		if (files[index] && fclose(files[index]) != 0 && result == 0)
			result = error_set(error, "cannot write the preflight's rows to a "
			                          "temporary directory");
	free(files);
	return result;
}

struct judge_head *judge_heads_open(const struct live_spool *spool, const char *kind, size_t count,
                                    struct error *error)
{
	struct judge_head *heads = calloc(count, sizeof(*heads));
	if (!heads) {
		error_set(error, "out of memory");
		return NULL;
	}
	for (size_t index = 0; index < count; index++)
		if (!(heads[index].file =
		          judge_partition_file_open(spool, kind, index, "rb", error))) {
			judge_heads_close(heads, count);
			return NULL;
		}
	return heads;
}

int judge_encode_text(struct strbuf *frame, const char *text)
{
	return live_spool_encode_text(frame, text, text ? strlen(text) : 0);
}

int judge_encode_fields(struct strbuf *frame, const struct device_view *device, unsigned mask)
{
	unsigned present = 0;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((mask & (1u << field)) && device->value[field])
			present |= 1u << field;
	if (live_spool_encode_number(frame, present) < 0)
		return -1;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((present & (1u << field)) && judge_encode_text(frame, device->value[field]) < 0)
			return -1;
	return 0;
}

int judge_decode_fields(struct live_spool_cursor *cursor, struct device_view *device)
{
	uint64_t present;
	memset(device, 0, sizeof(*device));
	if (live_spool_decode_number(cursor, &present) < 0)
		return -1;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		if ((present & (1u << field)) &&
		    live_spool_decode_text(cursor, &device->value[field]) < 0)
			return -1;
	return 0;
}

#define RECORD_NUMBERS 7

int judge_put_record(FILE *file, struct strbuf *frame, const struct record *record)
{
	uint32_t present = 0;
	for (int field = 0; field < FIELD_COUNT; field++)
		if (record->value[field])
			present |= 1u << field;
	uint64_t numbers[RECORD_NUMBERS] = {
	    record->row,         record->line, record->offset, record->source_row,
	    record->source_line, record->lane, present};
	strbuf_reset(frame);
	for (size_t index = 0; index < RECORD_NUMBERS; index++)
		if (live_spool_encode_number(frame, numbers[index]) < 0)
			return -1;
	for (int field = 0; field < FIELD_COUNT; field++)
		if (record->value[field] && judge_encode_text(frame, record->value[field]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

int judge_head_record(struct judge_head *head, struct record *record)
{
	uint64_t numbers[RECORD_NUMBERS];
	numbers[0] = head->row;
	for (size_t index = 1; index < RECORD_NUMBERS; index++)
		if (live_spool_decode_number(&head->cursor, &numbers[index]) < 0)
			return -1;
	memset(record, 0, sizeof(*record));
	record->row = numbers[0];
	record->line = numbers[1];
	record->offset = numbers[2];
	record->source_row = numbers[3];
	record->source_line = numbers[4];
	record->lane = (unsigned)numbers[5];
	for (int field = 0; field < FIELD_COUNT; field++)
		if ((numbers[6] & (1u << field)) &&
		    live_spool_decode_text(&head->cursor, &record->value[field]) < 0)
			return -1;
	return 0;
}

int judge_put_device(FILE *file, struct strbuf *frame, uint64_t row,
                     const struct device_view *device)
{
	strbuf_reset(frame);
	if (live_spool_encode_number(frame, row) < 0 ||
	    live_spool_encode_number(frame, device != NULL) < 0)
		return -1;
	for (int field = 0; device && field < DEVICE_FIELD_COUNT; field++)
		if (judge_encode_text(frame, device->value[field]) < 0)
			return -1;
	return live_spool_write_frame(file, frame);
}

int judge_head_device(struct judge_head *head, bool *found, struct device_view *device)
{
	uint64_t present;
	if (live_spool_decode_number(&head->cursor, &present) < 0)
		return -1;
	memset(device, 0, sizeof(*device));
	*found = present != 0;
	for (int field = 0; *found && field < DEVICE_FIELD_COUNT; field++)
		if (live_spool_decode_text(&head->cursor, &device->value[field]) < 0)
			return -1;
	return 0;
}
