/* The durable checkpoint journal OUT/checkpoint: an append-only file of
 * length-prefixed, CRC32-protected records (header, call started, row
 * outcome, job finished) written with group commit, and its replay for
 * resume and status. Format and crash-safety argument: docs/checkpoint.md.
 * Ownership: a struct journal owns its file descriptor and buffers; every
 * pointer handed to a visitor callback is valid only during the call. */
#ifndef LATTIGO_JOURNAL_H
#define LATTIGO_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "manifest/manifest.h"
#include "ops/op.h"

#define JOURNAL_FILE_NAME "checkpoint"
/* The checkpoint while it is created: it takes its name only once its header is
 * durable, so a kill or power cut during creation leaves no half checkpoint. */
#define JOURNAL_CREATING_NAME "checkpoint.creating"
/* The segment before the current one, kept as the fallback of a damaged snapshot. */
#define JOURNAL_PREVIOUS_NAME "checkpoint.prev"
/* A segment being written by a compaction; published by rename, else deleted. */
#define JOURNAL_NEXT_NAME "checkpoint.new"
/* The duplicate keys the rows claimed, kept for resume (docs/checkpoint.md). */
#define JOURNAL_KEYS_NAME "duplicate-keys"
/* Segment size past which a commit compacts (journal_options.segment_bytes). */
#define JOURNAL_DEFAULT_SEGMENT_BYTES (16u * 1024u * 1024u)
#define JOURNAL_FORMAT_VERSION        1u
#define JOURNAL_MAX_ROWS                                                                           \
	(1ull << 31) /* row numbers above this are refused (bitmaps stay bounded) */

/* What identifies the manifest's content: decompressed size and SHA-256. */
struct journal_fingerprint {
	uint64_t size;
	unsigned char sha256[32];
};

/* Reads path (gzip decompressed transparently) and fills fingerprint.
 * About 0.3 s per 100 MB. Returns 0, or -1 with error naming the file. */
int journal_fingerprint_file(const char *path, struct journal_fingerprint *fingerprint,
                             struct error *error);
/* Compares two manifests' decompressed contents: 0 when equal, 1 when they
 * differ (*line = the 1-based line of the first difference, *size_a and
 * *size_b = the decompressed sizes), -1 with error when one cannot be read. */
int journal_first_difference(const char *path_a, const char *path_b, uint64_t *line,
                             uint64_t *size_a, uint64_t *size_b, struct error *error);

/* The first record: which job this journal belongs to. */
struct journal_header {
	uint32_t format_version; /* set by journal_create */
	uint64_t job_id;         /* random, set by journal_create; salts every record */
	int64_t created_at_ms;   /* UTC epoch ms, set by journal_create */
	char operation[64];      /* the --op name */
	char manifest_path[1024];
	struct journal_fingerprint fingerprint;
	char *options_json; /* the result-affecting options as a JSON object text; owned (malloc) */
};

/* Frees options_json; the struct may be reused. */
void journal_header_release(struct journal_header *header);
/* Writes the job id as 16 lower-case hex digits into out (at least 17 bytes). */
void journal_job_id_text(uint64_t job_id, char *out, size_t size);
/* Compares the recorded header with the one the current command line would
 * write. Returns 0 when resuming is allowed, else -1 with error saying what
 * differs (operation, manifest size/content, or which options changed:
 * "result-affecting options changed: chunk was 100, now 50"). */
int journal_header_compare(const struct journal_header *recorded,
                           const struct journal_header *current, struct error *error);
/* Reads only the header of DIRECTORY/checkpoint (read-only; for `resume
 * OUTDIR`, which takes the operation, manifest and options from it). header
 * is overwritten; release it with journal_header_release after a success.
 * Returns 0, or -1 with error (missing file, not a journal, damaged header). */
int journal_read_header(const char *directory, struct journal_header *header, struct error *error);

/* A call that is about to go out, as recorded. */
struct journal_call {
	uint64_t call_id;
	unsigned attempt;
	int64_t started_at_ms;
	size_t row_count;
	const struct manifest_position *rows; /* row, offset, line of each row it carries */
};

struct journal_replay;

/* The settled state a compacted segment starts from (its snapshot record):
 * every row final or in doubt before the segment, and the counts. The rows'
 * outcomes themselves are in the outcome store, synced before the snapshot. */
struct journal_snapshot {
	uint64_t generation;                /* 1 for the first compaction, then 2, ... */
	const struct journal_replay *state; /* journal_replay_row_state works on it */
	uint64_t final_prefix;              /* rows 1..final_prefix are all final */
	uint64_t highest_final;             /* no row above it is final */
};

/* Receives the records of a journal in order during a read. Every callback
 * may be NULL; returning -1 stops the read (the callback fills error). */
struct journal_visitor {
	void *context;
	int (*call_started)(void *context, const struct journal_call *call, struct error *error);
	/* A row's final outcome (also `invalid` rows). position.row is the row. */
	int (*row_outcome)(void *context, const struct manifest_position *position,
	                   const struct row_outcome *outcome, struct error *error);
	/* The manifest holds this many data rows (recorded once they are counted). */
	int (*row_total)(void *context, uint64_t rows, struct error *error);
	int (*job_finished)(void *context, int64_t finished_at_ms, struct error *error);
	/* A compacted segment: the state before it. Comes first, before every
	 * other record; the outcomes of the rows it holds final are not visited
	 * (they are in the outcome store). */
	int (*snapshot)(void *context, const struct journal_snapshot *snapshot,
	                struct error *error);
};

/* What reading the whole journal established. */
struct journal_read_result {
	struct journal_header header;
	uint64_t records;     /* valid records, header included */
	uint64_t valid_bytes; /* end of the last valid record */
	uint64_t file_bytes;
	bool tail_torn;         /* bytes after valid_bytes were incomplete or failed their CRC */
	bool compacted;         /* a segment written by a compaction (starts with a snapshot) */
	uint64_t generation;    /* 0, or the compaction that started this segment */
	bool used_fallback;     /* the snapshot was damaged: the previous segment was read */
	uint64_t damage_offset; /* a refused read: where the damage is, else 0 */
	bool snapshot_damaged;  /* that damage is the first record after the header */
	int64_t last_record_ms; /* time of the latest record that carries one, else created_at_ms */
};

/* Reads DIRECTORY/checkpoint read-only (never truncates: safe while a job
 * runs), feeding every valid record to visitor. A torn or corrupt tail (no
 * valid record after it) sets tail_torn; damage followed by valid records,
 * a record of another job or an unknown format is refused: -1 with error
 * naming the byte offset. result is overwritten; result->header is then
 * owned by the caller (journal_header_release), also after a failure. */
int journal_read(const char *directory, const struct journal_visitor *visitor,
                 struct journal_read_result *result, struct error *error);

/* What a snapshot vouches for in OUT/duplicate-keys: its first length
 * bytes (count keys, CRC32 crc) hold every key claimed by the rows up to
 * claimed_through, so a resume loads them and reads the manifest from seek
 * instead of from its first row. */
struct journal_keys_mark {
	bool known; /* false: the snapshot has no keys (older job, or none were kept) */
	uint64_t length, count, claimed_through;
	uint32_t crc;
	bool seek_known; /* the snapshot's own seek point; every row before it is final */
	struct manifest_position seek;
};

/* Per-row state learned by replay, for resume. */
enum journal_row_state {
	JOURNAL_ROW_NEW = 0,  /* never recorded: send it */
	JOURNAL_ROW_IN_DOUBT, /* a call carrying it was recorded, no outcome: re-send if the
	                         operation is idempotent, else reconcile or mark unknown */
	JOURNAL_ROW_FINAL,    /* has an outcome: never send again */
};

/* Replay summary: bitmaps of started and final rows (1 bit per row each
 * after the compacted segment's final prefix: 250 KB for a million rows),
 * counts, and where reading the manifest may start again. */
struct journal_replay {
	/* Seek the manifest here; every row before it is final. The row that
	 * starts there may itself be final: check each row read with
	 * journal_replay_row_state. {0,1,1} means from the first data row. */
	struct manifest_position resume_from;
	bool resume_from_known; /* false: read the manifest from its start */
	uint64_t rows_final, rows_in_doubt;
	uint64_t rows_by_status[ROW_STATUS_COUNT]; /* indexed by enum row_status */
	uint64_t row_total;                        /* 0 when never recorded */
	uint64_t calls, retries; /* call_started records, those with attempt > 1 */
	uint64_t highest_call_id;
	bool job_finished;
	uint64_t generation;           /* of the segment read (0: never compacted) */
	struct journal_keys_mark keys; /* from the snapshot the state starts from */
	/* private (journal/row_bits.h): rows 1..final_floor are final; bit i of
	 * the bitmaps is row final_floor + 1 + i */
	uint64_t final_floor;
	unsigned char *final_bits, *started_bits;
	size_t bit_bytes;
};

/* Reads DIRECTORY/checkpoint read-only (safe while a job runs, for status)
 * and fills replay except resume_from. result and replay are overwritten;
 * release both after the call, also after a failure. Returns as journal_read. */
int journal_summarize(const char *directory, struct journal_read_result *result,
                      struct journal_replay *replay, struct error *error);
/* Returns the state of one manifest row after replay. */
enum journal_row_state journal_replay_row_state(const struct journal_replay *replay, uint64_t row);
/* Rows first..first+63 final, as the bits of a word (bit i: row first + i),
 * for a caller that skips settled rows 64 at a time. */
uint64_t journal_replay_final_word(const struct journal_replay *replay, uint64_t first);
/* The rows started but not final (in doubt). */
uint64_t journal_replay_count_in_doubt(const struct journal_replay *replay);
/* The highest row R such that rows 1..R are all final after replay (0 when row 1 is not). */
uint64_t journal_replay_final_prefix(const struct journal_replay *replay);
/* Frees the bitmaps; the struct may be reused. */
void journal_replay_release(struct journal_replay *replay);

/* Group commit tuning and the hook that makes the audit trail durable first. */
struct journal_options {
	unsigned group_records;    /* commit once this many records are unsynced; 0 = 1024 */
	int64_t group_interval_ms; /* or once the oldest unsynced record is this old; 0 = 100 */
	/* Called at every commit before the journal's fdatasync (e.g. a wrapper of
	 * audit_commit), so nothing the journal calls final lacks its audit
	 * records. Returns 0 or -1 with error. May be NULL. */
	int (*before_commit)(void *context, struct error *error);
	void *commit_context;
	/* Compaction: once the current segment holds this many bytes, a commit
	 * writes a snapshot of the settled state at the head of a fresh segment
	 * (docs/checkpoint.md); 0 = JOURNAL_DEFAULT_SEGMENT_BYTES. before_snapshot
	 * (may be NULL) makes the outcome store durable first: the rows the
	 * snapshot holds final are read from it from then on. */
	uint64_t segment_bytes;
	int (*before_snapshot)(void *context, struct error *error);
};

struct journal;

/* Counters for the benchmark and summary. */
struct journal_counters {
	uint64_t records, bytes, commits, fsyncs, compactions;
};

/* Creates DIRECTORY/checkpoint, which must not exist, and writes the header
 * durably (fsync of file and directory). Sets header->format_version,
 * job_id and created_at_ms. Returns the journal (journal_close frees it) or
 * NULL with error. */
struct journal *journal_create(const char *directory, struct journal_header *header,
                               const struct journal_options *options, struct error *error);

/* Opens DIRECTORY/checkpoint to continue a job: reads every record (feeding
 * visitor, so the outcome store can be rebuilt), fills replay, truncates a
 * torn tail (with a warning on stderr) and positions for appending. The
 * caller compares header (filled, owned by the caller) with the current one
 * before sending anything. Returns NULL with error on middle damage, another
 * job's record or an unknown format (the CLI exits 4). */
struct journal *journal_resume(const char *directory, const struct journal_options *options,
                               const struct journal_visitor *visitor, struct journal_header *header,
                               struct journal_replay *replay, struct error *error);

/* Records that a call carrying these records is about to be sent, and hands
 * every gathered record to the kernel. durable: commit (and fdatasync)
 * before returning — required for non-idempotent operations; otherwise it
 * joins the current group. Returns 0 or -1. */
int journal_call_started(struct journal *journal, uint64_t call_id, unsigned attempt,
                         const struct record *const *records, size_t count, bool durable,
                         struct error *error);
/* Records a row's final outcome (any status but pending, also invalid). It
 * reaches the file with the next call start, commit or periodic tick (or
 * 64 KiB of records) and is durable with the next commit, which this call
 * makes when the group is due. position is the row's manifest position.
 * Returns 0 or -1. */
int journal_row_outcome(struct journal *journal, const struct manifest_position *position,
                        const struct row_outcome *outcome, struct error *error);
/* As journal_row_outcome, taking row/offset/line from the record. */
int journal_row_finished(struct journal *journal, const struct record *record,
                         const struct row_outcome *outcome, struct error *error);
/* Records how many data rows the manifest holds (for status). Returns 0 or -1. */
int journal_row_total(struct journal *journal, uint64_t rows, struct error *error);
/* Commits if the group is due; otherwise hands the gathered records to the
 * kernel (so a kill -9 cannot lose them). Call it from a periodic callback,
 * e.g. the engine's progress (every ~200 ms). Returns 0 or -1. */
int journal_commit_if_due(struct journal *journal, struct error *error);
/* Commits now: before_commit hook, then fdatasync of what was written. */
int journal_commit(struct journal *journal, struct error *error);
/* Records the end of the job and commits. Returns 0 or -1. */
int journal_job_finished(struct journal *journal, struct error *error);
/* The header this journal was created or resumed with (owned by the journal). */
const struct journal_header *journal_get_header(const struct journal *journal);
/* Receives the keys of OUT/duplicate-keys (journal_keys_load). */
struct journal_keys_visitor {
	void *context;
	/* First, with the seed the fingerprints were made with. Returns 0 or -1. */
	int (*begin)(void *context, uint64_t seed, struct error *error);
	/* Then each key: its fingerprint and the row (as messages show it) that
	 * claimed it. Returns 0 or -1. */
	int (*key)(void *context, uint64_t fingerprint, uint64_t row, struct error *error);
};

/* Loads the keys mark vouches for from DIRECTORY/duplicate-keys of job
 * job_id, made with fingerprint scheme: 1 = every key was handed to visitor
 * and checked (the CRC matched); 0 = not usable (no mark, the file missing,
 * short, damaged, of another job or scheme: the keys handed over, if any,
 * must be thrown away; reason says why); -1 = the visitor failed (error). */
int journal_keys_load(const char *directory, uint64_t job_id, uint32_t scheme,
                      const struct journal_keys_mark *mark,
                      const struct journal_keys_visitor *visitor, char *reason, size_t reason_size,
                      struct error *error);
/* Starts recording the keys rows claim in DIRECTORY/duplicate-keys: after
 * mark (the one journal_keys_load accepted, whose keys the caller's set now
 * holds: the file is cut to it), or, with mark NULL, anew for seed. Every
 * later compaction syncs the file and records its mark in the snapshot; a
 * compaction while no keys are recorded records none. Returns 0 or -1. */
int journal_keys_start(struct journal *journal, uint64_t seed, uint32_t scheme,
                       const struct journal_keys_mark *mark, struct error *error);
/* Records that manifest row claimed the keys with these fingerprints (as
 * messages show it: shown_row). Rows must come in manifest order. Returns 0
 * or -1 (the file could not be written). */
int journal_keys_claim(struct journal *journal, uint64_t manifest_row, uint64_t shown_row,
                       const uint64_t *fingerprints, size_t count, struct error *error);
/* Copies the counters. */
void journal_get_counters(const struct journal *journal, struct journal_counters *counters);
/* Commits what is pending, closes and frees the journal (NULL allowed).
 * Returns 0, or -1 with error when the final commit failed. */
int journal_close(struct journal *journal, struct error *error);

#endif
