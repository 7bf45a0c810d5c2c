/* Reading the journal file frame by frame (internal): classifies the end of
 * the valid records as clean, a torn tail, or damage in the middle. */
#ifndef LATTIGO_JOURNAL_READER_H
#define LATTIGO_JOURNAL_READER_H

#include "journal.h"

/* Builds DIRECTORY/checkpoint into out. Returns 0, or -1 when it does not fit. */
int journal_path(const char *directory, char *out, size_t size);

/* Reads the whole journal at path as journal_read does (visitor may be NULL). */
int journal_read_path(const char *path, const struct journal_visitor *visitor,
                      struct journal_read_result *result, struct error *error);

#endif
