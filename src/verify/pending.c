/* The rows still pending between rounds, on disk (pending.h). */
#include "verify/pending.h"

#include <errno.h>
#include <string.h>

#include "verify/unnamed_file.h"

/* No row comes near this: its fields are short texts. */
#define PENDING_FRAME_MAX (1u << 20)

void verify_pending_init(struct verify_pending *pending)
{
	memset(pending, 0, sizeof(*pending));
	strbuf_init(&pending->scratch, PENDING_FRAME_MAX);
}

void verify_pending_release(struct verify_pending *pending)
{
	if (pending->kept)
		fclose(pending->kept);
	if (pending->written)
		fclose(pending->written);
	live_spool_frame_release(&pending->frame);
	strbuf_release(&pending->scratch);
	memset(pending, 0, sizeof(*pending));
}

bool verify_pending_known(const struct verify_pending *pending)
{
	return pending->kept != NULL;
}

int verify_pending_begin(struct verify_pending *pending, struct error *error)
{
	if (pending->written)
		fclose(pending->written);
	pending->written_rows = 0;
	if (!(pending->written = verify_unnamed_file()))
		return error_set(error,
		                 "cannot create a temporary file for verify's pending rows: %s",
		                 strerror(errno));
	return 0;
}

static int encode(struct strbuf *frame, const char *text)
{
	return live_spool_encode_text(frame, text, text ? strlen(text) : 0);
}

int verify_pending_put(struct verify_pending *pending, const struct record *record,
                       const char *device_name, struct error *error)
{
	struct strbuf *frame = &pending->scratch;
	strbuf_reset(frame);
	int failed = live_spool_encode_number(frame, record->row) < 0 ||
	             live_spool_encode_number(frame, record->line) < 0 ||
	             live_spool_encode_number(frame, record->offset) < 0 ||
	             live_spool_encode_number(frame, record->source_row) < 0 ||
	             live_spool_encode_number(frame, record->source_line) < 0 ||
	             live_spool_encode_number(frame, record->lane) < 0 ||
	             encode(frame, device_name) < 0;
	for (size_t field = 0; !failed && field < FIELD_COUNT; field++)
		failed = encode(frame, record->value[field]) < 0;
	if (failed)
		return error_set(error, "out of memory");
	if (live_spool_write_frame(pending->written, frame) < 0)
		return error_set(error, "cannot write verify's pending rows: %s", strerror(errno));
	pending->written_rows++;
	return 0;
}

int verify_pending_end(struct verify_pending *pending, struct error *error)
{
	FILE *written = pending->written;
	if (!written)
		return 0;
	pending->written = NULL;
	if (fflush(written) != 0 || ferror(written)) {
		fclose(written);
		return error_set(error, "cannot write verify's pending rows: %s", strerror(errno));
	}
	if (pending->kept)
		fclose(pending->kept);
	pending->kept = written;
	pending->kept_rows = pending->written_rows;
	return 0;
}

/* Decodes a row's frame into *record and *device_name (borrowing the
 * frame). Returns 0, or -1 when the frame is damaged. */
static int decode(struct live_spool_cursor *cursor, struct record *record, const char **device_name)
{
	uint64_t lane;
	memset(record, 0, sizeof(*record));
	if (live_spool_decode_number(cursor, &record->row) < 0 ||
	    live_spool_decode_number(cursor, &record->line) < 0 ||
	    live_spool_decode_number(cursor, &record->offset) < 0 ||
	    live_spool_decode_number(cursor, &record->source_row) < 0 ||
	    live_spool_decode_number(cursor, &record->source_line) < 0 ||
	    live_spool_decode_number(cursor, &lane) < 0 || lane > UINT32_MAX ||
	    live_spool_decode_text(cursor, device_name) < 0)
		return -1;
	record->lane = (unsigned)lane;
	for (size_t field = 0; field < FIELD_COUNT; field++)
		if (live_spool_decode_text(cursor, &record->value[field]) < 0)
			return -1;
	return 0;
}

int verify_pending_each(struct verify_pending *pending, verify_pending_fn *each, void *context,
                        struct error *error)
{
	if (!pending->kept)
		return 0;
	if (fseek(pending->kept, 0, SEEK_SET) != 0)
		return error_set(error, "cannot read verify's pending rows back: %s",
		                 strerror(errno));
	struct live_spool_cursor cursor;
	int read;
	while ((read = live_spool_read_frame(pending->kept, &pending->frame, &cursor)) == 1) {
		struct record record;
		const char *device_name;
		if (decode(&cursor, &record, &device_name) < 0)
			break;
		if (each(context, &record, device_name, error) < 0)
			return -1;
	}
	if (read == 0)
		return 0;
	return error_set(error, "verify's pending rows on disk are damaged");
}
