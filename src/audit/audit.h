/* The tamper-evident audit trail OUT/audit.jsonl.gz: one JSON object per HTTP
 * exchange, each holding the SHA-256 of the previous record's bytes, written
 * as gzip members that end at every commit (docs/audit.md). Also reading,
 * verifying and searching such a file.
 * Ownership: a struct audit_writer owns its file and buffers; it keeps the
 * secrets it was given only in memory, to redact them, and wipes them on close. */
#ifndef LATTIGO_AUDIT_H
#define LATTIGO_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "http/exchange.h"

#define AUDIT_FILE_NAME "audit.jsonl.gz"
#define AUDIT_BODY_CAP  (64u * 1024u) /* bodies above this keep their length and SHA-256 */
#define AUDIT_MAX_RECORD                                                                           \
	(2u * 1024u * 1024u) /* longer lines are refused when writing, damage when reading */

/* What the trail must never contain; the caller's strings are copied. */
struct audit_secrets {
	const char *key_name; /* with api_key forms the Basic credentials; may be NULL */
	const char *api_key;  /* redacted, as is base64(api_key) and base64(key_name:api_key) */
};

struct audit_writer;

/* The job's exchanges so far, all runs: the one definition of "calls" that
 * run, status and summary.json print. Every record carries them as its
 * "counts" (this record included), so the latest record alone tells them. */
struct audit_counts {
	uint64_t calls;     /* exchange records: every HTTP exchange, retries and read-backs */
	uint64_t retries;   /* exchange records of a second or later attempt of a call */
	uint64_t throttled; /* exchange records answered 429 */
};

/* Opens PATH for appending records of job JOB_ID (text, e.g. the journal's
 * job id in hex). A new file starts the chain from a genesis value derived
 * from the job id; an existing file continues it from its last valid record:
 * a truncated final member (crash) is cut off and its complete records are
 * rewritten as a proper member, with a warning on stderr. The first record
 * written by each open is a "start" or "resume" record naming the job and
 * operation. Returns the writer (audit_close frees it) or NULL with error. */
struct audit_writer *audit_open(const char *path, const char *job_id, const char *operation,
                                const struct audit_secrets *secrets, struct error *error);
/* Appends one exchange: serialised, redacted, chained, compressed and
 * written through (a crash loses at most the exchange being written, and the
 * member stays readable up to it). Durable only at the next audit_commit.
 * Returns 0 or -1. */
int audit_record_exchange(struct audit_writer *writer, const struct exchange *exchange,
                          struct error *error);
/* Ends the current gzip member and fdatasyncs the file; call it at every
 * journal commit (before the journal's own sync). Returns 0 or -1. */
int audit_commit(struct audit_writer *writer, struct error *error);
/* Records written by this writer (for the summary and the benchmark). */
uint64_t audit_records_written(const struct audit_writer *writer);
/* The job's counts so far (all runs, as the trail holds them) into counts. */
void audit_job_counts(const struct audit_writer *writer, struct audit_counts *counts);
/* Reads the job's counts from the trail at PATH without changing it (safe
 * while a job writes it): from its latest record, or by counting exchange
 * records when that record predates the counts. A missing file counts zero.
 * Returns 0, or -1 with error when the file cannot be read. */
int audit_read_counts(const char *path, struct audit_counts *counts, struct error *error);
/* Commits, closes and frees (NULL allowed). Returns 0, or -1 with error. */
int audit_close(struct audit_writer *writer, struct error *error);

/* What audit_verify found. */
struct audit_report {
	uint64_t records, members;
	char first_time[32],
	    last_time[32]; /* started_at of the first and last exchange, "" if none */
	bool broken;       /* the chain or the file is damaged (see message) */
	uint64_t
	    break_record; /* 1-based index of the first bad record (0 when not about a record) */
	uint64_t break_offset; /* compressed byte offset of the member where it was found */
	bool truncated_member; /* the last member ends early (the writer stopped mid-member) */
	char message[512]; /* the first break, e.g. "record 7 (seq 6): prev does not match record 6"
	                    */
};

/* Reads every member of PATH and checks the chain. Returns 0 when the file
 * could be read (report->broken tells the result), -1 with error when it
 * cannot be opened or is not gzip at all. */
int audit_verify(const char *path, struct audit_report *report, struct error *error);

/* Calls visit with every complete record line (without its newline) whose
 * "rows" array holds row; stops early when visit returns non-zero. Returns 0,
 * or -1 with error when the file cannot be read. */
int audit_find_row(const char *path, uint64_t row,
                   int (*visit)(void *context, const char *line, size_t length), void *context,
                   struct error *error);

#endif
