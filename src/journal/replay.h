/* Building the resume state while reading a journal (internal). */
#ifndef LATTIGO_JOURNAL_REPLAY_H
#define LATTIGO_JOURNAL_REPLAY_H

#include "journal.h"

/* Reads path, counting into replay (overwritten) and forwarding every record
 * to inner (may be NULL). With find_resume_position, reads a second time to
 * learn where the manifest may be sought. Returns as journal_read_path. */
int replay_path(const char *path, const struct journal_visitor *inner,
                struct journal_read_result *result, struct journal_replay *replay,
                bool find_resume_position, struct error *error);

#endif
