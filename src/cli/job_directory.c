/* Opening a job directory: new job or resume, with every check that keeps a
 * resume from mixing two different jobs. */
#include "cli/job_directory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "common/file_io.h"
#include "journal/duplicate_rows.h"
#include "journal/manifest_seen.h"
#include "outputs/atomic_file.h"
#include "outputs/summary.h"

#define JOB_OPTIONS_FILE "job.json"

void job_directory_init(struct job_directory *directory)
{
	memset(directory, 0, sizeof(*directory));
}

static int join_path(char *out, size_t size, const char *directory, const char *name,
                     struct error *error)
{
	if (snprintf(out, size, "%s/%s", directory, name) >= (int)size)
		return error_set(error, "path too long: '%s/%s'", directory, name);
	return 0;
}

/* True when the directory holds nothing but our own lock file, and what a
 * start cut short by a kill leaves before its checkpoint takes its name (so
 * no job began): the checkpoint being created and the copy of a stdin
 * manifest. */
static bool holds_only_lock(const char *path)
{
	DIR *listing = opendir(path);
	if (!listing)
		return false;
	bool empty = true;
	struct dirent *entry;
	while ((entry = readdir(listing)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0 ||
		    strcmp(entry->d_name, JOB_LOCK_FILE_NAME) == 0 ||
		    strcmp(entry->d_name, JOURNAL_CREATING_NAME) == 0 ||
		    strcmp(entry->d_name, JOB_STDIN_MANIFEST) == 0)
			continue;
		empty = false;
		break;
	}
	closedir(listing);
	return empty;
}

/* Copies stdin into the job directory so the manifest can be read twice
 * (rows, then outputs) and fingerprinted. */
static int keep_stdin_copy(const char *path, struct error *error)
{
	int output = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (output < 0)
		return error_set(error, "cannot create '%s': %s", path, strerror(errno));
	char buffer[1 << 16];
	int result = 0;
	for (;;) {
		ssize_t got = read(STDIN_FILENO, buffer, sizeof(buffer));
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			result = error_set(error, "cannot read the manifest from stdin: %s",
			                   strerror(errno));
			break;
		}
		if (file_write_all(output, buffer, (size_t)got) < 0) {
			file_storage_note(path, errno);
			result = error_set(error, "cannot write '%s': %s", path, strerror(errno));
			break;
		}
	}
	if (fsync(output) < 0 && result == 0) {
		file_storage_note(path, errno);
		result = error_set(error, "cannot sync '%s': %s", path, strerror(errno));
	}
	close(output);
	if (result < 0)
		unlink(path); /* a cut copy would be taken for the manifest next time */
	return result;
}

/* A job started from stdin is resumed by piping its manifest again: the new
 * stdin is read into a scratch copy next to the kept one and must be the same
 * content (compressed or not), or the resume is refused naming where they
 * differ. The scratch copy never outlives the check. Returns 0, or -1 with error. */
static int check_stdin_unchanged(const char *out, const char *kept, struct error *error)
{
	char scratch[4096];
	if (join_path(scratch, sizeof(scratch), out, JOB_STDIN_MANIFEST ".new", error) < 0)
		return -1;
	unlink(scratch); /* left by a crash during an earlier check */
	if (keep_stdin_copy(scratch, error) < 0) {
		unlink(scratch);
		return -1;
	}
	uint64_t line = 0, size_then = 0, size_now = 0;
	int difference =
	    journal_first_difference(kept, scratch, &line, &size_then, &size_now, error);
	unlink(scratch);
	if (difference <= 0)
		return difference;
	return error_set(error,
	                 "the manifest piped to stdin is not the one this job was started with "
	                 "(kept as '%s'): they differ from line %" PRIu64 " on (%" PRIu64
	                 " bytes then, %" PRIu64 " now)",
	                 kept, line, size_then, size_now);
}

/* Writes OUT/job.json: the effective options, so `resume OUT` can rebuild them. */
static int write_job_options(const struct job_options *options, const char *manifest_path,
                             struct error *error)
{
	char path[4096];
	if (join_path(path, sizeof(path), options->out, JOB_OPTIONS_FILE, error) < 0)
		return -1;
	json_t *object = NULL;
	if (job_options_to_json(options, &object) < 0)
		return error_set(error, "out of memory");
	if (strcmp(options->manifest, "-") == 0) {
		char absolute[4096];
		const char *kept = realpath(manifest_path, absolute) ? absolute : manifest_path;
		json_object_set_new(object, "manifest", json_string(kept));
	}
	int result = atomic_file_write_json(path, object, JSON_INDENT(2) | JSON_SORT_KEYS, error);
	json_decref(object);
	return result;
}

/* The header of the job options describe; the manifest's fingerprint is
 * taken from OUT/manifest-seen when it vouches for the file (seen_directory
 * NULL: never), and seen says what to record there once it is accepted. */
static int fill_header(struct journal_header *header, const struct job_options *options,
                       const struct op *op, const char *manifest_path, const char *seen_directory,
                       struct journal_manifest_seen *seen, struct error *error)
{
	memset(header, 0, sizeof(*header));
	snprintf(header->operation, sizeof(header->operation), "%s", op->name);
	char absolute[4096];
	const char *recorded = realpath(manifest_path, absolute) ? absolute : manifest_path;
	size_t length = strlen(recorded);
	if (length >= sizeof(header->manifest_path))
		return error_set(error, "manifest path too long: '%s'", manifest_path);
	memcpy(header->manifest_path, recorded, length + 1);
	if (journal_fingerprint_manifest(seen_directory, manifest_path, &header->fingerprint, seen,
	                                 error) < 0)
		return -1;
	header->options_json = job_options_result_affecting_text(options);
	if (!header->options_json)
		return error_set(error, "out of memory");
	return 0;
}

/* The checkpoint's segment size: LATTIGO_CHECKPOINT_SEGMENT_BYTES (tests
 * make it small to compact often), else the journal's default. */
static uint64_t segment_bytes_wanted(void)
{
	const char *text = getenv("LATTIGO_CHECKPOINT_SEGMENT_BYTES");
	char *end = NULL;
	unsigned long long value = text ? strtoull(text, &end, 10) : 0;
	return end && *end == '\0' && value >= 512 ? (uint64_t)value : 0;
}

static int commit_audit_first(void *context, struct error *error)
{
	struct job_directory *directory = context;
	return directory->audit ? audit_commit(directory->audit, error) : 0;
}

/* journal options.before_snapshot: the rows a compaction holds final are
 * read from the outcome store from then on, so it must be durable first. */
static int sync_store_first(void *context, struct error *error)
{
	struct job_directory *directory = context;
	return directory->store ? outcome_store_sync(directory->store, error) : 0;
}

struct restore_context {
	struct job_directory *directory;
	const char *out;
};

/* journal visitor: rebuilds the outcome store from the recorded outcomes
 * (a journal that was never compacted holds them all: the store starts empty). */
static int restore_outcome(void *context, const struct manifest_position *position,
                           const struct row_outcome *outcome, struct error *error)
{
	struct restore_context *restore = context;
	struct job_directory *directory = restore->directory;
	if (!directory->store)
		directory->store = outcome_store_open(restore->out, OUTCOME_STORE_TRUNCATE, error);
	if (!directory->store)
		return -1;
	return outcome_store_put(directory->store, position->row, outcome, error);
}

static bool settled_in_snapshot(void *context, uint64_t row)
{
	return journal_replay_row_state(context, row) == JOURNAL_ROW_FINAL;
}

/* journal visitor: a compacted segment; the store keeps the outcomes of the
 * rows its snapshot holds final, and forgets any written after it. */
static int restore_snapshot(void *context, const struct journal_snapshot *snapshot,
                            struct error *error)
{
	struct restore_context *restore = context;
	struct job_directory *directory = restore->directory;
	outcome_store_close(directory->store);
	uint64_t counts[ROW_STATUS_COUNT];
	for (size_t status = 0; status < ROW_STATUS_COUNT; status++)
		counts[status] = snapshot->state->rows_by_status[status];
	directory->store = outcome_store_open_settled(restore->out, counts, snapshot->highest_final,
	                                              snapshot->final_prefix, settled_in_snapshot,
	                                              (void *)snapshot->state, error);
	return directory->store ? 0 : -1;
}

static int resume_job(struct job_directory *directory, const struct job_options *options,
                      const struct op *op, const struct journal_options *journal_options,
                      struct error *error)
{
	struct restore_context restore = {directory, options->out};
	struct journal_visitor visitor = {
	    .context = &restore, .row_outcome = restore_outcome, .snapshot = restore_snapshot};
	struct journal_header recorded;
	memset(&recorded, 0, sizeof(recorded));
	directory->journal = journal_resume(options->out, journal_options, &visitor, &recorded,
	                                    &directory->replay, error);
	if (!directory->journal) {
		journal_header_release(&recorded);
		return EXIT_RESUME_REFUSED;
	}
	if (!directory->store)
		directory->store = outcome_store_open(options->out, OUTCOME_STORE_TRUNCATE, error);
	if (!directory->store) {
		journal_header_release(&recorded);
		return EXIT_RESUME_REFUSED;
	}
	directory->resuming = true;
	int result = 0;
	if (strcmp(options->manifest, "-") == 0) {
		if (access(directory->manifest_path, R_OK) < 0)
			result = error_set(error,
			                   "it was started with manifest '%s', not with one from "
			                   "stdin (its copy '%s' is absent)",
			                   recorded.manifest_path, directory->manifest_path);
		else
			result =
			    check_stdin_unchanged(options->out, directory->manifest_path, error);
	}
	struct journal_header current;
	memset(&current, 0, sizeof(current));
	struct journal_manifest_seen seen;
	if (result == 0)
		result = fill_header(&current, options, op, directory->manifest_path, options->out,
		                     &seen, error);
	if (result == 0 && journal_header_compare(&recorded, &current, error) < 0)
		result = -1;
	if (result == 0)
		journal_manifest_seen_store(options->out, &seen);
	journal_header_release(&current);
	journal_header_release(&recorded);
	if (result < 0) {
		char text[sizeof(error->message)];
		snprintf(text, sizeof(text), "%s", error->message);
		error_clear(error);
		error_set(error,
		          "refusing to resume the job in '%s': %s (start a new job with another "
		          "--out; nothing is ever overwritten)",
		          options->out, text);
		return EXIT_RESUME_REFUSED;
	}
	return EXIT_ALL_OK;
}

static int start_job(struct job_directory *directory, const struct job_options *options,
                     const struct op *op, const struct journal_options *journal_options,
                     struct error *error)
{
	if (!holds_only_lock(options->out)) {
		error_set(error,
		          "job directory '%s' holds files but no checkpoint: refusing to "
		          "overwrite them (choose an empty --out)",
		          options->out);
		return EXIT_RESUME_REFUSED;
	}
	/* a stdin copy with no checkpoint is a start killed before it began:
	 * possibly cut, never the manifest of this start */
	char cut_copy[4096];
	if (join_path(cut_copy, sizeof(cut_copy), options->out, JOB_STDIN_MANIFEST, error) < 0)
		return EXIT_USAGE;
	if (unlink(cut_copy) < 0 && errno != ENOENT) {
		error_set(error, "cannot remove '%s': %s", cut_copy, strerror(errno));
		return EXIT_USAGE;
	}
	if (strcmp(options->manifest, "-") == 0 &&
	    keep_stdin_copy(directory->manifest_path, error) < 0)
		return EXIT_USAGE;
	struct journal_header header;
	struct journal_manifest_seen seen;
	if (fill_header(&header, options, op, directory->manifest_path, NULL, &seen, error) < 0) {
		journal_header_release(&header);
		return EXIT_USAGE;
	}
	directory->journal = journal_create(options->out, &header, journal_options, error);
	journal_header_release(&header);
	if (!directory->journal)
		return EXIT_USAGE;
	journal_manifest_seen_store(options->out, &seen);
	directory->store = outcome_store_open(options->out, OUTCOME_STORE_TRUNCATE, error);
	return directory->store ? EXIT_ALL_OK : EXIT_USAGE;
}

bool job_directory_holds_job(const char *out)
{
	char checkpoint[4096];
	if (snprintf(checkpoint, sizeof(checkpoint), "%s/%s", out, JOURNAL_FILE_NAME) >=
	    (int)sizeof(checkpoint))
		return false;
	return access(checkpoint, F_OK) == 0;
}

/* True when OUT/summary.json is the final one of a complete job: the outputs
 * before it were written (a job whose last run met a full disk after its
 * checkpoint ended still needs them). */
static bool outputs_written(const char *out)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", out, SUMMARY_FILE) >= (int)sizeof(path))
		return false;
	json_t *root = json_load_file(path, 0, NULL);
	bool written = json_is_true(json_object_get(root, "complete")) &&
	               json_is_false(json_object_get(root, "running"));
	json_decref(root);
	return written;
}

int job_directory_finished_status(const struct job_directory *directory, const char *out,
                                  const char *op_name)
{
	if (!directory->resuming || !directory->replay.job_finished || !outputs_written(out))
		return -1;
	struct job_summary summary = {.op = op_name};
	job_summary_count(&summary, directory->store, directory->replay.row_total);
	return job_summary_exit_status(&summary);
}

char *job_directory_stored_endpoint(const char *out)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", out, JOB_OPTIONS_FILE) >= (int)sizeof(path))
		return NULL;
	json_t *root = json_load_file(path, 0, NULL);
	const char *text = json_string_value(json_object_get(root, "endpoint"));
	char *copy = text ? strdup(text) : NULL;
	json_decref(root);
	return copy;
}

/* A re-run or resume sends where the job was sending, unless told otherwise:
 * a job half sent to one service and half to another is not one job. */
static int check_stored_endpoint(const struct job_options *options, struct error *error)
{
	char *stored = job_directory_stored_endpoint(options->out);
	int result = 0;
	if (stored && strcmp(stored, options->endpoint) != 0 && !options->force_endpoint)
		result = error_set(error,
		                   "refusing to continue the job in '%s' at endpoint '%s': it was "
		                   "sending to '%s' (drop --endpoint to use the job's, or add "
		                   "--force-endpoint to switch)",
		                   options->out, options->endpoint, stored);
	free(stored);
	return result;
}

int job_directory_open(struct job_directory *directory, const struct job_options *options,
                       const struct op *op, const struct audit_secrets *secrets,
                       struct error *error)
{
	if (file_make_directories(options->out, error) < 0)
		return EXIT_USAGE;
	if (job_lock_acquire(&directory->lock, options->out, error) < 0)
		return EXIT_RESUME_REFUSED;

	bool is_stdin = strcmp(options->manifest, "-") == 0;
	if (is_stdin) {
		if (join_path(directory->manifest_path, sizeof(directory->manifest_path),
		              options->out, JOB_STDIN_MANIFEST, error) < 0)
			return EXIT_USAGE;
	} else {
		snprintf(directory->manifest_path, sizeof(directory->manifest_path), "%s",
		         options->manifest);
	}

	char checkpoint[4096];
	if (join_path(checkpoint, sizeof(checkpoint), options->out, JOURNAL_FILE_NAME, error) < 0)
		return EXIT_USAGE;
	struct stat checkpoint_status;
	bool has_job = stat(checkpoint, &checkpoint_status) == 0;
	if (has_job)
		directory->last_written_ms = (int64_t)checkpoint_status.st_mtim.tv_sec * 1000 +
		                             checkpoint_status.st_mtim.tv_nsec / 1000000;
	if (has_job && options->force_new) {
		error_set(error,
		          "--force-new never resumes, and '%s' already holds a job: start the "
		          "new job with another --out (nothing is ever overwritten)",
		          options->out);
		return EXIT_USAGE;
	}
	struct journal_options journal_options = {
	    .before_commit = commit_audit_first,
	    .commit_context = directory,
	    .segment_bytes = segment_bytes_wanted(),
	    .before_snapshot = sync_store_first,
	};
	int exit_code = has_job ? resume_job(directory, options, op, &journal_options, error)
	                        : start_job(directory, options, op, &journal_options, error);
	if (exit_code != EXIT_ALL_OK)
		return exit_code;
	/* after the job's own checks, so a changed manifest is named first */
	if (has_job && check_stored_endpoint(options, error) < 0)
		return EXIT_RESUME_REFUSED;

	if (write_job_options(options, directory->manifest_path, error) < 0)
		return EXIT_USAGE;
	char audit_path[4096];
	if (join_path(audit_path, sizeof(audit_path), options->out, AUDIT_FILE_NAME, error) < 0)
		return EXIT_USAGE;
	char job_id[17];
	journal_job_id_text(journal_get_header(directory->journal)->job_id, job_id, sizeof(job_id));
	directory->audit = audit_open(audit_path, job_id, op->name, secrets, error);
	return directory->audit ? EXIT_ALL_OK : EXIT_RESUME_REFUSED;
}

void job_directory_discard(struct job_directory *directory, const char *out)
{
	if (directory->resuming)
		return;
	struct error ignored;
	error_clear(&ignored);
	job_directory_close(directory, &ignored);
	/* A new job starts only in an empty directory: all of these are ours. */
	static const char *const created[] = {JOURNAL_FILE_NAME,
	                                      JOURNAL_PREVIOUS_NAME,
	                                      JOURNAL_NEXT_NAME,
	                                      JOURNAL_KEYS_NAME,
	                                      AUDIT_FILE_NAME,
	                                      JOB_OPTIONS_FILE,
	                                      OUTCOME_INDEX_FILE,
	                                      OUTCOME_MESSAGE_FILE,
	                                      JOB_STDIN_MANIFEST,
	                                      DUPLICATE_ROWS_NAME,
	                                      DUPLICATE_ROWS_NAME ".creating"};
	char path[4096];
	for (size_t index = 0; index < sizeof(created) / sizeof(created[0]); index++)
		if (join_path(path, sizeof(path), out, created[index], &ignored) == 0)
			unlink(path);
	rmdir(out);
}

int job_directory_close(struct job_directory *directory, struct error *error)
{
	int result = 0;
	/* The journal's final commit runs the audit commit first (before_commit). */
	if (directory->journal && journal_close(directory->journal, error) < 0)
		result = -1;
	directory->journal = NULL;
	if (directory->audit && audit_close(directory->audit, error) < 0)
		result = -1;
	directory->audit = NULL;
	outcome_store_close(directory->store);
	directory->store = NULL;
	journal_replay_release(&directory->replay);
	job_lock_release(&directory->lock);
	return result;
}
