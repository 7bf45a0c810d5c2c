/* The devices of a large account on disk during a preflight: a temporary
 * directory per process, partitions by the device_name's hash (merged back
 * in the order read), and the small binary records they are written in. */
#include "live/spool.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "common/hash.h"
#include "common/json_text.h"
#include "common/temporary_file.h"

#define DIRECTORY_PREFIX "lattigo-preflight."
#define NULL_TEXT        UINT32_MAX
#define PARTITION_SEED   0x7370u

struct live_spool {
	char directory[4096];
	size_t partitions;
	FILE **parts; /* NULL once finished */
	uint64_t devices;
	struct strbuf frame;
	bool failed;
};

size_t live_spool_budget(void)
{
	const char *text = getenv("LATTIGO_TEST_SNAPSHOT_DEVICES");
	char *end = NULL;
	unsigned long long value = text ? strtoull(text, &end, 10) : 0;
	if (text && end != text && *end == '\0' && value >= 1 && value <= SIZE_MAX)
		return (size_t)value;
	return LIVE_SPOOL_BUDGET_DEVICES;
}

/* Removes directory and the files in it (the spool makes no deeper ones). */
static void remove_directory(const char *directory)
{
	DIR *listing = opendir(directory);
	if (listing) {
		struct dirent *entry;
		char path[4400];
		while ((entry = readdir(listing)) != NULL) {
			if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name) <
			    (int)sizeof(path))
				unlink(path);
		}
		closedir(listing);
	}
	rmdir(directory);
}

void live_spool_remove_abandoned(void)
{
	const char *root = temporary_file_root();
	DIR *listing = opendir(root);
	if (!listing)
		return;
	struct dirent *entry;
	size_t prefix = strlen(DIRECTORY_PREFIX);
	while ((entry = readdir(listing)) != NULL) {
		if (strncmp(entry->d_name, DIRECTORY_PREFIX, prefix) != 0)
			continue;
		char *end = NULL;
		long pid = strtol(entry->d_name + prefix, &end, 10);
		if (pid <= 0 || !end || *end != '.' || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[4400];
		if (snprintf(path, sizeof(path), "%s/%s", root, entry->d_name) < (int)sizeof(path))
			remove_directory(path);
	}
	closedir(listing);
}

int live_spool_path(const struct live_spool *spool, const char *name, char *out, size_t size)
{
	int written = snprintf(out, size, "%s/%s", spool->directory, name);
	return written < 0 || (size_t)written >= size ? -1 : 0;
}

struct live_spool *live_spool_open(size_t partitions, struct error *error)
{
	if (partitions < 2)
		partitions = 2;
	if (partitions > LIVE_SPOOL_MAX_PARTITIONS)
		partitions = LIVE_SPOOL_MAX_PARTITIONS;
	const char *root = temporary_file_root();
	live_spool_remove_abandoned();
	struct live_spool *spool = calloc(1, sizeof(*spool));
	if (!spool) {
		error_set(error, "out of memory");
		return NULL;
	}
	strbuf_init(&spool->frame, 1u << 24);
	spool->partitions = partitions;
	if (snprintf(spool->directory, sizeof(spool->directory), "%s/%s%ld.XXXXXX", root,
	             DIRECTORY_PREFIX, (long)getpid()) >= (int)sizeof(spool->directory) ||
	    !mkdtemp(spool->directory)) {
		error_set(error,
		          "cannot make a temporary directory under %s for the account's "
		          "devices: %s",
		          root, strerror(errno));
		strbuf_release(&spool->frame);
		free(spool);
		return NULL;
	}
	spool->parts = calloc(partitions, sizeof(*spool->parts));
	char path[4200];
	bool opened = spool->parts != NULL;
	for (size_t index = 0; opened && index < partitions; index++) {
		char name[32];
		snprintf(name, sizeof(name), "part-%zu", index);
		opened = live_spool_path(spool, name, path, sizeof(path)) == 0 &&
		         (spool->parts[index] = fopen(path, "w+b")) != NULL;
	}
	if (!opened) {
		error_set(error, "cannot write the account's devices under %s: %s",
		          spool->directory, strerror(errno));
		live_spool_free(spool);
		return NULL;
	}
	return spool;
}

void live_spool_free(struct live_spool *spool)
{
	if (!spool)
		return;
	if (spool->parts)
		for (size_t index = 0; index < spool->partitions; index++)
			if (spool->parts[index])
				fclose(spool->parts[index]);
	free(spool->parts);
	remove_directory(spool->directory);
	strbuf_release(&spool->frame);
	free(spool);
}

int live_spool_encode_number(struct strbuf *frame, uint64_t number)
{
	return strbuf_append(frame, &number, sizeof(number)) == STRBUF_OK ? 0 : -1;
}

int live_spool_encode_text(struct strbuf *frame, const char *text, size_t length)
{
	uint32_t size = text ? (uint32_t)length : NULL_TEXT;
	if (text && length >= NULL_TEXT)
		return -1;
	if (strbuf_append(frame, &size, sizeof(size)) != STRBUF_OK)
		return -1;
	return !text || strbuf_append(frame, text, length + 1) == STRBUF_OK ? 0 : -1;
}

int live_spool_write_frame(FILE *file, const struct strbuf *frame)
{
	uint64_t length = frame->length;
	return fwrite(&length, sizeof(length), 1, file) == 1 &&
	               fwrite(frame->data, 1, frame->length, file) == frame->length
	           ? 0
	           : -1;
}

void live_spool_frame_release(struct live_spool_frame *frame)
{
	free(frame->data);
	*frame = (struct live_spool_frame){NULL, 0, 0};
}

/* No frame the spool writes comes near this: a larger length is damage. */
#define FRAME_MAX (1u << 26)

int live_spool_read_frame(FILE *file, struct live_spool_frame *frame,
                          struct live_spool_cursor *cursor)
{
	uint64_t length;
	if (fread(&length, sizeof(length), 1, file) != 1)
		return feof(file) && !ferror(file) ? 0 : -1;
	if (length > FRAME_MAX)
		return -1;
	if (length > frame->capacity) {
		size_t capacity = frame->capacity ? frame->capacity : 1024;
		while (capacity < length)
			capacity *= 2;
		char *grown = realloc(frame->data, capacity);
		if (!grown)
			return -1;
		frame->data = grown;
		frame->capacity = capacity;
	}
	if (length && fread(frame->data, 1, (size_t)length, file) != length)
		return -1;
	frame->length = (size_t)length;
	*cursor = (struct live_spool_cursor){frame->data, frame->length, 0};
	return 1;
}

int live_spool_decode_number(struct live_spool_cursor *cursor, uint64_t *number)
{
	if (cursor->length - cursor->at < sizeof(*number))
		return -1;
	memcpy(number, cursor->data + cursor->at, sizeof(*number));
	cursor->at += sizeof(*number);
	return 0;
}

int live_spool_decode_text(struct live_spool_cursor *cursor, const char **text)
{
	uint32_t size;
	if (cursor->length - cursor->at < sizeof(size))
		return -1;
	memcpy(&size, cursor->data + cursor->at, sizeof(size));
	cursor->at += sizeof(size);
	if (size == NULL_TEXT) {
		*text = NULL;
		return 0;
	}
	if (cursor->length - cursor->at < (size_t)size + 1 || cursor->data[cursor->at + size] != 0)
		return -1;
	*text = cursor->data + cursor->at;
	cursor->at += (size_t)size + 1;
	return 0;
}

size_t live_spool_bucket(const char *text, size_t length, size_t count)
{
	return (size_t)(hash64(text, length, PARTITION_SEED) % count);
}

size_t live_spool_partition_of(const struct live_spool *spool, const char *name, size_t length)
{
	return live_spool_bucket(name, length, spool->partitions);
}

int live_spool_device_line(struct strbuf *line, const char *const *values)
{
	strbuf_reset(line);
	int result = strbuf_append_string(line, "{\"device\":{");
	bool first = true;
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++) {
		if (!values[field])
			continue;
		result |= strbuf_append_string(line, first ? "\"" : ",\"");
		result |= strbuf_append_string(line, device_field_name((enum device_field)field));
		result |= strbuf_append_string(line, "\":");
		result |= json_text_string(line, values[field]);
		first = false;
	}
	result |= strbuf_append_string(line, "}}\n");
	return result == STRBUF_OK ? 0 : -1;
}

int live_spool_add(struct live_spool *spool, const char *const *values, const size_t *lengths)
{
	if (spool->failed || !spool->parts)
		return -1;
	const char *name = values[DEVICE_NAME] ? values[DEVICE_NAME] : "";
	size_t name_length = values[DEVICE_NAME] ? lengths[DEVICE_NAME] : 0;
	FILE *part = spool->parts[live_spool_partition_of(spool, name, name_length)];
	strbuf_reset(&spool->frame);
	/* its position in the listing: the order look-ups must respect */
	int result = live_spool_encode_number(&spool->frame, spool->devices);
	for (int field = 0; result == 0 && field < DEVICE_FIELD_COUNT; field++)
		result = live_spool_encode_text(&spool->frame, values[field],
		                                values[field] ? lengths[field] : 0);
	if (result == 0)
		result = live_spool_write_frame(part, &spool->frame);
	if (result < 0) {
		spool->failed = true;
		return -1;
	}
	spool->devices++;
	return 0;
}

int live_spool_finish(struct live_spool *spool)
{
	if (spool->failed)
		return -1;
	if (!spool->parts)
		return 0;
	int result = 0;
	for (size_t index = 0; index < spool->partitions; index++)
		if (fclose(spool->parts[index]) != 0)
			result = -1;
	free(spool->parts);
	spool->parts = NULL;
	if (result < 0)
		spool->failed = true;
	return result;
}

size_t live_spool_partitions(const struct live_spool *spool)
{
	return spool->partitions;
}

uint64_t live_spool_devices(const struct live_spool *spool)
{
	return spool->devices;
}

int live_spool_each_in_order(const struct live_spool *spool, live_spool_device_fn *each,
                             void *context)
{
	/* every partition is in the listing's order: a merge by position */
	struct part {
		FILE *file;
		struct live_spool_frame frame;
		struct device_view device;
		uint64_t ordinal;
		int read;
	} *parts = calloc(spool->partitions, sizeof(*parts));
	if (!parts || spool->parts)
		return free(parts), -1;
	int result = 0;
	char path[4200];
	for (size_t index = 0; result == 0 && index < spool->partitions; index++) {
		char name[32];
		snprintf(name, sizeof(name), "part-%zu", index);
		parts[index].file = live_spool_path(spool, name, path, sizeof(path)) == 0
		                        ? fopen(path, "rb")
		                        : NULL;
		if (!parts[index].file)
			result = -1;
		else
			parts[index].read =
			    live_spool_read_device(parts[index].file, &parts[index].frame,
			                           &parts[index].device, &parts[index].ordinal);
	}
	while (result == 0) {
		struct part *first = NULL;
		for (size_t index = 0; index < spool->partitions; index++) {
			if (parts[index].read < 0)
				result = -1;
			else if (parts[index].read == 1 &&
			         (!first || parts[index].ordinal < first->ordinal))
				first = &parts[index];
		}
		if (result < 0 || !first)
			break;
		if (each(context, &first->device) < 0)
			result = -1;
		else
			first->read = live_spool_read_device(first->file, &first->frame,
			                                     &first->device, &first->ordinal);
	}
	for (size_t index = 0; index < spool->partitions; index++) {
		if (parts[index].file)
			fclose(parts[index].file);
		live_spool_frame_release(&parts[index].frame);
	}
	free(parts);
	return result;
}

int live_spool_read_device(FILE *file, struct live_spool_frame *frame, struct device_view *device,
                           uint64_t *ordinal)
{
	struct live_spool_cursor cursor;
	int read = live_spool_read_frame(file, frame, &cursor);
	if (read == 1 && live_spool_decode_number(&cursor, ordinal) < 0)
		read = -1;
	for (int field = 0; read == 1 && field < DEVICE_FIELD_COUNT; field++)
		if (live_spool_decode_text(&cursor, &device->value[field]) < 0)
			read = -1;
	return read;
}
