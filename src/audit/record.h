/* Serialising audit records and hashing them into a chain (internal). */
#ifndef LATTIGO_AUDIT_RECORD_H
#define LATTIGO_AUDIT_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "common/strbuf.h"
#include "redact.h"

#define AUDIT_HASH_HEX 65 /* 64 hex digits and a NUL */

/* Writes the lower-case hex SHA-256 of data into out (AUDIT_HASH_HEX bytes). */
void audit_sha256_hex(const void *data, size_t length, char *out);
/* The chain's first prev value for a job: SHA-256 of "lattigo-batch audit genesis " + job id. */
void audit_genesis(const char *job_id, char *out);

/* Appends the JSON line (no newline) of one exchange, redacted, to out. Returns 0 or -1. */
int audit_format_exchange(const struct exchange *exchange, uint64_t sequence, const char *prev,
                          const struct redactor *redactor, struct strbuf *out);
/* Appends the JSON line of a "start" or "resume" record. Returns 0 or -1. */
int audit_format_marker(const char *kind, uint64_t sequence, const char *prev, const char *job_id,
                        const char *operation, int64_t at_ms, struct strbuf *out);

#endif
