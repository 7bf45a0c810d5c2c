/* The rows' last judgements on disk, in layers (judgements.h). */
#include "verify/judgements.h"

#include <errno.h>
#include <string.h>

#include "verify/unnamed_file.h"

/* No judgement comes near this: three texts of at most a few KB each. */
#define JUDGEMENT_FRAME_MAX (1u << 20)

void verify_judgements_init(struct verify_judgements *judgements)
{
	memset(judgements, 0, sizeof(*judgements));
	strbuf_init(&judgements->scratch, JUDGEMENT_FRAME_MAX);
}

static void layer_release(struct verify_layer *layer)
{
	if (layer->file)
		fclose(layer->file);
	live_spool_frame_release(&layer->frame);
	memset(layer, 0, sizeof(*layer));
}

void verify_judgements_release(struct verify_judgements *judgements)
{
	for (size_t index = 0; index < judgements->count; index++)
		layer_release(&judgements->layers[index]);
	if (judgements->written)
		fclose(judgements->written);
	strbuf_release(&judgements->scratch);
	memset(judgements, 0, sizeof(*judgements));
}

/* Back to a layer's first judgement. Returns 0 or -1 (errno). */
static int layer_rewind(struct verify_layer *layer)
{
	layer->ready = false;
	layer->row = 0;
	return fseek(layer->file, 0, SEEK_SET);
}

/* Reads a layer's next judgement up to its texts. Returns 1, 0 at its
 * end, -1 when damaged. A layer at its end is marked with row UINT64_MAX,
 * so that later look-ups pass it by without reading. */
static int layer_next(struct verify_layer *layer)
{
	if (layer->row == UINT64_MAX)
		return 0;
	int read = live_spool_read_frame(layer->file, &layer->frame, &layer->cursor);
	if (read == 0)
		layer->row = UINT64_MAX;
	if (read <= 0)
		return read;
	if (live_spool_decode_number(&layer->cursor, &layer->row) < 0 || layer->row == UINT64_MAX)
		return -1;
	layer->ready = true;
	return 1;
}

int verify_judgements_begin(struct verify_judgements *judgements, bool write, struct error *error)
{
	for (size_t index = 0; index < judgements->count; index++)
		if (layer_rewind(&judgements->layers[index]) != 0)
			return error_set(error, "cannot read verify's judgements back: %s",
			                 strerror(errno));
	if (judgements->written) {
		fclose(judgements->written);
		judgements->written = NULL;
	}
	judgements->written_rows = 0;
	if (write && !(judgements->written = verify_unnamed_file()))
		return error_set(error,
		                 "cannot create a temporary file for verify's judgements: %s",
		                 strerror(errno));
	return 0;
}

/* Moves layer on to row: 1 when it holds row (its texts then next in its
 * cursor), 0 when not, -1 when damaged. */
static int layer_seek(struct verify_layer *layer, uint64_t row)
{
	for (;;) {
		if (!layer->ready) {
			int read = layer_next(layer);
			if (read <= 0)
				return read;
		}
		if (layer->row > row)
			return 0;
		/* a row passed over (no longer one of the job's rows) is dropped */
		layer->ready = false;
		if (layer->row == row)
			return 1;
	}
}

int verify_judgements_last(struct verify_judgements *judgements, uint64_t row,
                           struct verify_texts *texts, struct error *error)
{
	memset(texts, 0, sizeof(*texts));
	int kept = 0;
	/* every layer moves on past row; the newest holding it wins */
	for (size_t index = 0; index < judgements->count; index++) {
		struct verify_layer *layer = &judgements->layers[index];
		int held = layer_seek(layer, row);
		if (held < 0)
			return error_set(error, "verify's judgements on disk are damaged");
		if (!held)
			continue;
		if (live_spool_decode_text(&layer->cursor, &texts->device_name) < 0 ||
		    live_spool_decode_text(&layer->cursor, &texts->expected) < 0 ||
		    live_spool_decode_text(&layer->cursor, &texts->observed) < 0)
			return error_set(error, "verify's judgements on disk are damaged");
		kept = 1;
	}
	return kept;
}

static int encode(struct strbuf *frame, const char *text)
{
	return live_spool_encode_text(frame, text, text ? strlen(text) : 0);
}

int verify_judgements_put(struct verify_judgements *judgements, uint64_t row,
                          const struct verify_texts *texts, struct error *error)
{
	struct strbuf *frame = &judgements->scratch;
	strbuf_reset(frame);
	if (live_spool_encode_number(frame, row) < 0 || encode(frame, texts->device_name) < 0 ||
	    encode(frame, texts->expected) < 0 || encode(frame, texts->observed) < 0)
		return error_set(error, "out of memory");
	if (live_spool_write_frame(judgements->written, frame) < 0)
		return error_set(error, "cannot write verify's judgements: %s", strerror(errno));
	judgements->written_rows++;
	return 0;
}

/* Copies layer's current frame, whole, to file. Returns 0 or -1. */
static int copy_frame(struct verify_judgements *judgements, const struct verify_layer *layer,
                      FILE *file)
{
	strbuf_reset(&judgements->scratch);
	return strbuf_append(&judgements->scratch, layer->frame.data, layer->frame.length) < 0 ||
	               live_spool_write_frame(file, &judgements->scratch) < 0
	           ? -1
	           : 0;
}

/* Merges the two newest layers into one (the newer winning a row both
 * hold). Returns 0, or -1 with error (the layers then as they were). */
static int merge_newest(struct verify_judgements *judgements, struct error *error)
{
	struct verify_layer *older = &judgements->layers[judgements->count - 2];
	struct verify_layer *newer = older + 1;
	FILE *merged = verify_unnamed_file();
	if (!merged)
		return error_set(error,
		                 "cannot create a temporary file for verify's judgements: %s",
		                 strerror(errno));
	uint64_t rows = 0;
	int failed = layer_rewind(older) != 0 || layer_rewind(newer) != 0;
	int left = failed ? -1 : layer_next(older);
	int right = failed ? -1 : layer_next(newer);
	while (left == 1 || right == 1) {
		bool take_newer = right == 1 && (left != 1 || newer->row <= older->row);
		if (take_newer && left == 1 && older->row == newer->row)
			left = layer_next(older); /* overridden */
		struct verify_layer *from = take_newer ? newer : older;
		if (left < 0 || copy_frame(judgements, from, merged) < 0) {
			failed = 1;
			break;
		}
		rows++;
		if (take_newer)
			right = layer_next(newer);
		else
			left = layer_next(older);
	}
	if (failed || left < 0 || right < 0 || fflush(merged) != 0 || ferror(merged)) {
		fclose(merged);
		return error_set(error, "cannot merge verify's judgements: %s",
		                 errno ? strerror(errno) : "damaged");
	}
	layer_release(newer);
	fclose(older->file);
	older->file = merged;
	older->rows = rows;
	judgements->count--;
	return layer_rewind(older) == 0
	           ? 0
	           : error_set(error, "cannot read verify's judgements back: %s", strerror(errno));
}

int verify_judgements_end(struct verify_judgements *judgements, struct error *error)
{
	FILE *written = judgements->written;
	if (!written)
		return 0;
	judgements->written = NULL;
	if (fflush(written) != 0 || ferror(written)) {
		fclose(written);
		return error_set(error, "cannot write verify's judgements: %s", strerror(errno));
	}
	if (!judgements->written_rows) {
		fclose(written);
		return 0;
	}
	struct verify_layer *layer = &judgements->layers[judgements->count++];
	memset(layer, 0, sizeof(*layer));
	layer->file = written;
	layer->rows = judgements->written_rows;
	while (judgements->count >= 2) {
		const struct verify_layer *newest = &judgements->layers[judgements->count - 1];
		if (newest->rows * 2 < newest[-1].rows &&
		    judgements->count < VERIFY_JUDGEMENT_LAYERS)
			break;
		if (merge_newest(judgements, error) < 0)
			return -1;
	}
	return 0;
}
