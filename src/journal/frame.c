/* The journal's record framing: little-endian fields and a zlib CRC32 over
 * head and payload, so any torn or flipped byte of a frame is detected. */
#include "frame.h"

#include <zlib.h>

uint32_t frame_job_tag(uint64_t job_id)
{
	return (uint32_t)(job_id & 0xffffffffu);
}

static int put_bytes_le(struct strbuf *payload, uint64_t value, unsigned count)
{
	unsigned char bytes[8];
	for (unsigned index = 0; index < count; index++)
		bytes[index] = (unsigned char)(value >> (8 * index));
	return strbuf_append(payload, bytes, count);
}

int frame_put_u8(struct strbuf *payload, uint8_t value)
{
	return put_bytes_le(payload, value, 1);
}

int frame_put_u16(struct strbuf *payload, uint16_t value)
{
	return put_bytes_le(payload, value, 2);
}

int frame_put_u32(struct strbuf *payload, uint32_t value)
{
	return put_bytes_le(payload, value, 4);
}

int frame_put_u64(struct strbuf *payload, uint64_t value)
{
	return put_bytes_le(payload, value, 8);
}

static uint32_t frame_crc(const unsigned char *frame, uint32_t length)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, frame, (uInt)(FRAME_HEAD_LENGTH + length));
	return (uint32_t)crc;
}

int frame_encode(struct strbuf *out, enum frame_type type, uint32_t job_tag, const void *payload,
                 size_t length)
{
	if (length > FRAME_MAX_PAYLOAD)
		return -1;
	size_t start = out->length;
	if (put_bytes_le(out, length, 4) || put_bytes_le(out, (uint64_t)type, 1) ||
	    put_bytes_le(out, job_tag, 4) || strbuf_append(out, payload, length))
		return -1;
	uint32_t crc = frame_crc((const unsigned char *)out->data + start, (uint32_t)length);
	return put_bytes_le(out, crc, 4) ? -1 : 0;
}

void frame_cursor_init(struct frame_cursor *cursor, const void *data, size_t length)
{
	cursor->data = data;
	cursor->length = length;
	cursor->position = 0;
	cursor->overrun = 0;
}

static uint64_t get_bytes_le(struct frame_cursor *cursor, unsigned count)
{
	if (cursor->overrun || cursor->length - cursor->position < count) {
		cursor->overrun = 1;
		return 0;
	}
	uint64_t value = 0;
	for (unsigned index = 0; index < count; index++)
		value |= (uint64_t)cursor->data[cursor->position + index] << (8 * index);
	cursor->position += count;
	return value;
}

uint8_t frame_get_u8(struct frame_cursor *cursor)
{
	return (uint8_t)get_bytes_le(cursor, 1);
}

uint16_t frame_get_u16(struct frame_cursor *cursor)
{
	return (uint16_t)get_bytes_le(cursor, 2);
}

uint32_t frame_get_u32(struct frame_cursor *cursor)
{
	return (uint32_t)get_bytes_le(cursor, 4);
}

uint64_t frame_get_u64(struct frame_cursor *cursor)
{
	return get_bytes_le(cursor, 8);
}

const unsigned char *frame_get_bytes(struct frame_cursor *cursor, size_t length)
{
	if (cursor->overrun || cursor->length - cursor->position < length) {
		cursor->overrun = 1;
		return NULL;
	}
	const unsigned char *bytes = cursor->data + cursor->position;
	cursor->position += length;
	return bytes;
}

void frame_decode_head(const unsigned char *head, uint32_t *length, uint8_t *type, uint32_t *tag)
{
	struct frame_cursor cursor;
	frame_cursor_init(&cursor, head, FRAME_HEAD_LENGTH);
	*length = frame_get_u32(&cursor);
	*type = frame_get_u8(&cursor);
	*tag = frame_get_u32(&cursor);
}

int frame_crc_ok(const unsigned char *frame, uint32_t length)
{
	struct frame_cursor cursor;
	frame_cursor_init(&cursor, frame + FRAME_HEAD_LENGTH + length, 4);
	return frame_get_u32(&cursor) == frame_crc(frame, length);
}
