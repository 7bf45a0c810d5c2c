/* The journal's on-disk framing, shared by its writer and reader (internal):
 * length, type, job tag, payload, CRC32 — all integers little-endian. */
#ifndef LATTIGO_JOURNAL_FRAME_H
#define LATTIGO_JOURNAL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

#define JOURNAL_MAGIC "LTGCKPT\n" /* the file's first 8 bytes */
/* ... of a compacted segment, whose first record after the header must be
 * its snapshot: a damaged one is never taken for a torn tail */
#define JOURNAL_SEGMENT_MAGIC "LTGCKPS\n"
#define JOURNAL_MAGIC_LENGTH  8u
#define FRAME_HEAD_LENGTH     9u  /* payload length (4), type (1), job tag (4) */
#define FRAME_OVERHEAD        13u /* head + CRC32 (4) */
#define FRAME_MAX_PAYLOAD     (8u * 1024u * 1024u)
#define FRAME_MAX_MESSAGE     511u

enum frame_type {
	FRAME_HEADER = 1,
	FRAME_CALL_STARTED = 2,
	FRAME_ROW_OUTCOME = 3,
	FRAME_ROW_TOTAL = 4,
	FRAME_JOB_FINISHED = 5,
	FRAME_SNAPSHOT = 6, /* a compacted segment's settled state, right after its header */
	FRAME_TYPE_LAST = FRAME_SNAPSHOT,
};

/* The tag every frame of a job carries: the low 32 bits of its job id. */
uint32_t frame_job_tag(uint64_t job_id);

/* Little-endian field writers appending to a payload; they return a strbuf_result. */
int frame_put_u8(struct strbuf *payload, uint8_t value);
int frame_put_u16(struct strbuf *payload, uint16_t value);
int frame_put_u32(struct strbuf *payload, uint32_t value);
int frame_put_u64(struct strbuf *payload, uint64_t value);

/* Appends a complete frame (head, payload, CRC) to out. Returns 0 or -1. */
int frame_encode(struct strbuf *out, enum frame_type type, uint32_t job_tag, const void *payload,
                 size_t length);

/* Reads fields from a payload; a read past the end sets the cursor's
 * overrun flag and yields 0, so one check at the end validates the lot. */
struct frame_cursor {
	const unsigned char *data;
	size_t length, position;
	int overrun;
};

void frame_cursor_init(struct frame_cursor *cursor, const void *data, size_t length);
uint8_t frame_get_u8(struct frame_cursor *cursor);
uint16_t frame_get_u16(struct frame_cursor *cursor);
uint32_t frame_get_u32(struct frame_cursor *cursor);
uint64_t frame_get_u64(struct frame_cursor *cursor);
/* Returns a pointer to the next length bytes (borrowed), or NULL on overrun. */
const unsigned char *frame_get_bytes(struct frame_cursor *cursor, size_t length);

/* Decodes the head of a frame from FRAME_HEAD_LENGTH bytes. */
void frame_decode_head(const unsigned char *head, uint32_t *length, uint8_t *type, uint32_t *tag);
/* True when the complete frame at bytes (FRAME_OVERHEAD + length bytes) has a good CRC. */
int frame_crc_ok(const unsigned char *frame, uint32_t length);

#endif
