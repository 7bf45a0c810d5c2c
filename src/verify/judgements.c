/* The rows' last judgements on disk (judgements.h). */
#include "verify/judgements.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* No judgement comes near this: three texts of at most a few KB each. */
#define JUDGEMENT_FRAME_MAX (1u << 20)

/* A new file without a name under $TMPDIR (else /tmp), where the
 * preflight's spools go too: nothing is left behind, even by a process
 * killed with -9. NULL with errno when it cannot be made. */
static FILE *unnamed_file(void)
{
	const char *root = getenv("TMPDIR");
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/lattigo-verify.XXXXXX",
	             root && *root ? root : "/tmp") >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	int descriptor = mkstemp(path);
	if (descriptor < 0)
		return NULL;
	unlink(path);
	FILE *file = fdopen(descriptor, "w+b");
	if (!file)
		close(descriptor);
	return file;
}

void verify_judgements_init(struct verify_judgements *judgements)
{
	memset(judgements, 0, sizeof(*judgements));
	strbuf_init(&judgements->scratch, JUDGEMENT_FRAME_MAX);
}

void verify_judgements_release(struct verify_judgements *judgements)
{
	if (judgements->kept)
		fclose(judgements->kept);
	if (judgements->written)
		fclose(judgements->written);
	live_spool_frame_release(&judgements->frame);
	strbuf_release(&judgements->scratch);
	memset(judgements, 0, sizeof(*judgements));
}

int verify_judgements_begin(struct verify_judgements *judgements, bool rewrite, struct error *error)
{
	judgements->ready = false;
	if (judgements->kept && fseek(judgements->kept, 0, SEEK_SET) != 0)
		return error_set(error, "cannot read verify's judgements back: %s",
		                 strerror(errno));
	if (judgements->written) {
		fclose(judgements->written);
		judgements->written = NULL;
	}
	if (rewrite && !(judgements->written = unnamed_file()))
		return error_set(error,
		                 "cannot create a temporary file for verify's judgements: %s",
		                 strerror(errno));
	return 0;
}

int verify_judgements_last(struct verify_judgements *judgements, uint64_t row,
                           struct verify_texts *texts, struct error *error)
{
	memset(texts, 0, sizeof(*texts));
	while (judgements->kept) {
		if (!judgements->ready) {
			int read = live_spool_read_frame(judgements->kept, &judgements->frame,
			                                 &judgements->cursor);
			if (read == 0)
				return 0;
			if (read < 0 ||
			    live_spool_decode_number(&judgements->cursor, &judgements->row) < 0)
				break;
			judgements->ready = true;
		}
		if (judgements->row > row)
			return 0;
		/* a row passed over (no longer one of the job's rows) is dropped */
		judgements->ready = false;
		if (judgements->row < row)
			continue;
		if (live_spool_decode_text(&judgements->cursor, &texts->device_name) < 0 ||
		    live_spool_decode_text(&judgements->cursor, &texts->expected) < 0 ||
		    live_spool_decode_text(&judgements->cursor, &texts->observed) < 0)
			break;
		return 1;
	}
	if (!judgements->kept)
		return 0;
	return error_set(error, "verify's judgements on disk are damaged");
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
	return 0;
}

int verify_judgements_end(struct verify_judgements *judgements, struct error *error)
{
	judgements->ready = false;
	FILE *written = judgements->written;
	if (!written)
		return 0;
	judgements->written = NULL;
	if (fflush(written) != 0 || ferror(written) || fseek(written, 0, SEEK_SET) != 0) {
		fclose(written);
		return error_set(error, "cannot write verify's judgements: %s", strerror(errno));
	}
	if (judgements->kept)
		fclose(judgements->kept);
	judgements->kept = written;
	return 0;
}
