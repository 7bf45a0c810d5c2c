/* Serialising audit records and hashing them into a chain (internal). */
#ifndef LATTIGO_AUDIT_RECORD_H
#define LATTIGO_AUDIT_RECORD_H

#include <stdbool.h>
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

/* Appends the JSON line (no newline) of one exchange, redacted, to out;
 * counts are the job's, this exchange included. Returns 0 or -1. */
int audit_format_exchange(const struct exchange *exchange, uint64_t sequence, const char *prev,
                          const struct audit_counts *counts, const struct redactor *redactor,
                          struct strbuf *out);
/* Appends the JSON line of a "start" or "resume" record (counts: the job's so
 * far). Returns 0 or -1. */
int audit_format_marker(const char *kind, uint64_t sequence, const char *prev, const char *job_id,
                        const char *operation, int64_t at_ms, const struct audit_counts *counts,
                        struct strbuf *out);
/* Adds one exchange with this attempt and HTTP status to counts. */
void audit_counts_add(struct audit_counts *counts, unsigned attempt, long http_status);
/* Reads a record's "counts" into counts: true when the record has them. */
bool audit_counts_of_record(const char *line, size_t length, struct audit_counts *counts);
/* Counts one record line as audit_counts_add would (exchange records only). */
void audit_counts_add_record(struct audit_counts *counts, const char *line, size_t length);

#endif
