/* Encoding of the journal header inside its frame (internal). */
#ifndef LATTIGO_JOURNAL_HEADER_H
#define LATTIGO_JOURNAL_HEADER_H

#include <jansson.h>

#include "common/strbuf.h"
#include "journal.h"

/* Appends the header as compact JSON (the header frame's payload). Returns 0 or -1. */
int header_encode(const struct journal_header *header, struct strbuf *out);
/* Parses a header payload into header (released first). Returns 0 or -1 with error. */
int header_decode(const void *payload, size_t length, struct journal_header *header,
                  struct error *error);

#endif
