/* The export job directory: creation, resume checks, checkpoints and the end. */
#include "export/export_job.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "outputs/atomic_file.h"

#define PARTIAL         ".partial"
#define ERRORS_NAME     "errors.csv"
#define SUMMARY_NAME    "summary.json"
#define CHECKPOINT_HEAD "lattigo-export-checkpoint 1\n"

/* One checkpoint record: what is durable in the files. */
struct checkpoint {
	uint64_t units, records, errors, records_bytes, errors_bytes, calls;
	bool complete;
};

void export_job_init(struct export_job *job)
{
	memset(job, 0, sizeof(*job));
	job->checkpoint_fd = -1;
}

static int path_in(const struct export_job *job, const char *name, char *out, size_t size)
{
	int length = snprintf(out, size, "%s/%s", job->directory, name);
	return length > 0 && (size_t)length < size ? 0 : -1;
}

bool export_job_present(const char *directory)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", directory, EXPORT_JOB_FILE);
	return access(path, F_OK) == 0;
}

/* True when the directory is missing or holds nothing. */
static int directory_is_empty(const char *directory, bool *empty)
{
	DIR *handle = opendir(directory);
	if (!handle) {
		*empty = true;
		return errno == ENOENT ? 0 : -1;
	}
	*empty = true;
	struct dirent *entry;
	/* a lock file alone is what a process killed before it wrote anything
	 * leaves: nobody holds it (jobdir/lock.h), so it is no job */
	while ((entry = readdir(handle)))
		if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0 &&
		    strcmp(entry->d_name, JOB_LOCK_FILE_NAME) != 0)
			*empty = false;
	closedir(handle);
	return 0;
}

/* A 64-bit hash of the manifest's bytes: a resume refuses a changed manifest. */
static int hash_file(const char *path, char *out, size_t size, struct error *error)
{
	FILE *file = fopen(path, "rb");
	if (!file)
		return error_set(error, "cannot read manifest '%s': %s", path, strerror(errno));
	uint64_t hash = 0x6c617474u;
	uint64_t length = 0;
	char buffer[65536];
	size_t got;
	while ((got = fread(buffer, 1, sizeof(buffer), file)) > 0) {
		hash = hash64(buffer, got, hash);
		length += got;
	}
	bool failed = ferror(file);
	fclose(file);
	if (failed)
		return error_set(error, "cannot read manifest '%s'", path);
	snprintf(out, size, "%016" PRIx64 ":%" PRIu64, hash, length);
	return 0;
}

static char *checkpoint_line(const struct checkpoint *point)
{
	char body[256];
	snprintf(body, sizeof(body),
	         "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %d",
	         point->units, point->records, point->errors, point->records_bytes,
	         point->errors_bytes, point->calls, point->complete ? 1 : 0);
	char *line = malloc(320);
	if (line)
		snprintf(line, 320, "%s %016" PRIx64 "\n", body, hash64(body, strlen(body), 7));
	return line;
}

/* Reads the last complete, intact record of the checkpoint file. */
static int read_checkpoint(const char *path, struct checkpoint *point, bool *found)
{
	*found = false;
	FILE *file = fopen(path, "r");
	if (!file)
		return errno == ENOENT ? 0 : -1;
	char line[512];
	while (fgets(line, sizeof(line), file)) {
		size_t length = strlen(line);
		if (length == 0 || line[length - 1] != '\n')
			break; /* a torn last write */
		line[--length] = '\0';
		char *space = strrchr(line, ' ');
		if (!space)
			continue;
		*space = '\0';
		char *stop = NULL;
		uint64_t check = strtoull(space + 1, &stop, 16);
		if (*stop || check != hash64(line, strlen(line), 7))
			continue; /* the header line, or damage */
		struct checkpoint read;
		int complete = 0;
		if (sscanf(line,
		           "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
		           " %d",
		           &read.units, &read.records, &read.errors, &read.records_bytes,
		           &read.errors_bytes, &read.calls, &complete) != 7)
			continue;
		read.complete = complete != 0;
		*point = read;
		*found = true;
	}
	fclose(file);
	return 0;
}

static int sync_stream(FILE *stream)
{
	return stream && (fflush(stream) != 0 || fdatasync(fileno(stream)) != 0) ? -1 : 0;
}

static int append_checkpoint(struct export_job *job, const struct checkpoint *point,
                             struct error *error)
{
	char *line = checkpoint_line(point);
	if (!line)
		return error_set(error, "out of memory");
	int result = file_write_all(job->checkpoint_fd, line, strlen(line));
	free(line);
	if (result < 0 || fdatasync(job->checkpoint_fd) != 0)
		return error_set(error, "cannot write the checkpoint in '%s': %s", job->directory,
		                 strerror(errno));
	return 0;
}

int export_job_commit(void *context, const struct export_totals *totals, struct error *error)
{
	struct export_job *job = context;
	if (sync_stream(job->records) < 0 || sync_stream(job->errors) < 0)
		return error_set(error,
		                 "cannot write the export in '%s' (disk full or I/O error): %s",
		                 job->directory, strerror(errno));
	off_t records_bytes = ftello(job->records);
	off_t errors_bytes = job->errors ? ftello(job->errors) : 0;
	if (records_bytes < 0 || errors_bytes < 0)
		return error_set(error, "cannot tell the size of the export files");
	struct checkpoint point = {totals->units,           totals->records,        totals->errors,
	                           (uint64_t)records_bytes, (uint64_t)errors_bytes, totals->calls,
	                           totals->complete};
	return append_checkpoint(job, &point, error);
}

/* Opens name (under .partial) for a new job, or cut to length for a resume. */
static FILE *open_output(struct export_job *job, const char *name, bool resume, uint64_t length,
                         struct error *error)
{
	char path[4300];
	char partial[64];
	snprintf(partial, sizeof(partial), "%s%s", name, PARTIAL);
	if (path_in(job, partial, path, sizeof(path)) < 0) {
		error_set(error, "job directory path too long");
		return NULL;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0644);
	if (fd < 0 || (resume && ftruncate(fd, (off_t)length) != 0) || lseek(fd, 0, SEEK_END) < 0) {
		error_set(error, "cannot open '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	FILE *stream = fdopen(fd, "r+");
	if (!stream) {
		close(fd);
		error_set(error, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	fseeko(stream, 0, SEEK_END);
	return stream;
}

/* Names what differs between the stored and the given settings. */
static void describe_difference(json_t *stored, json_t *given, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	const char *key;
	json_t *value;
	json_t *keys = json_object();
	json_object_foreach(stored, key, value) json_object_set_new(keys, key, json_true());
	json_object_foreach(given, key, value) json_object_set_new(keys, key, json_true());
	json_object_foreach(keys, key, value)
	{
		json_t *before = json_object_get(stored, key);
		json_t *after = json_object_get(given, key);
		if (before && after && json_equal(before, after))
			continue;
		char *was = before ? json_dumps(before, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *now = after ? json_dumps(after, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		int wrote =
		    snprintf(out + used, size - used, "%s%s (was %s, now %s)", used ? "; " : "",
		             key, was ? was : "unset", now ? now : "unset");
		free(was);
		free(now);
		if (wrote < 0 || (size_t)wrote >= size - used)
			break;
		used += (size_t)wrote;
	}
	json_decref(keys);
}

static int write_job_file(struct export_job *job, const struct export_job_identity *identity,
                          const char *manifest_hash, struct error *error)
{
	char path[4300];
	if (path_in(job, EXPORT_JOB_FILE, path, sizeof(path)) < 0)
		return error_set(error, "job directory path too long");
	json_t *root = json_pack("{s:s, s:O, s:O, s:s?, s:s?}", "kind", identity->endpoint->kind,
	                         "settings", identity->settings, "argv", identity->argv, "manifest",
	                         identity->manifest_path, "manifest_hash", manifest_hash);
	if (!root)
		return error_set(error, "out of memory");
	int result =
	    atomic_file_write_json(path, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER, error);
	json_decref(root);
	return result;
}

static json_t *load_job_file(const char *directory, struct error *error)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/%s", directory, EXPORT_JOB_FILE);
	json_error_t parse_error;
	json_t *root = json_load_file(path, 0, &parse_error);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		error_set(error, "'%s' is damaged: %s", path, parse_error.text);
		return NULL;
	}
	return root;
}

/* Resuming: the stored job must be this one. Returns 0 or an exit_code. */
static int check_same_job(struct export_job *job, const struct export_job_identity *identity,
                          const char *manifest_hash, struct error *error)
{
	json_t *stored = load_job_file(job->directory, error);
	if (!stored)
		return 4;
	int result = 0;
	const char *kind = json_string_value(json_object_get(stored, "kind"));
	const char *hash = json_string_value(json_object_get(stored, "manifest_hash"));
	char difference[700];
	if (!kind || strcmp(kind, identity->endpoint->kind) != 0) {
		result = 4;
		error_set(error, "'%s' holds an export of '%s', not '%s'; use another --out",
		          job->directory, kind ? kind : "?", identity->endpoint->kind);
	} else if ((hash || manifest_hash) &&
	           (!hash || !manifest_hash || strcmp(hash, manifest_hash) != 0)) {
		result = 4;
		error_set(error,
		          "resume refused: the manifest changed since the export in '%s' started "
		          "(use another --out for the new manifest)",
		          job->directory);
	} else if (!json_equal(json_object_get(stored, "settings"), identity->settings)) {
		describe_difference(json_object_get(stored, "settings"), identity->settings,
		                    difference, sizeof(difference));
		result = 4;
		error_set(error,
		          "resume refused: the export in '%s' was started with other options: %s "
		          "(run it with the same options, or use another --out)",
		          job->directory, difference);
	}
	json_decref(stored);
	return result;
}

static int publish(struct export_job *job, const char *name, struct error *error)
{
	char from[4300], to[4300], partial[64];
	snprintf(partial, sizeof(partial), "%s%s", name, PARTIAL);
	if (path_in(job, partial, from, sizeof(from)) < 0 || path_in(job, name, to, sizeof(to)) < 0)
		return error_set(error, "job directory path too long");
	if (access(from, F_OK) != 0)
		return 0; /* published before a crash */
	if (rename(from, to) != 0 || file_sync_directory_of(to) != 0)
		return error_set(error, "cannot publish '%s': %s", to, strerror(errno));
	return 0;
}

int export_job_open(struct export_job *job, const char *directory,
                    const struct export_job_identity *identity, const struct audit_secrets *secrets,
                    struct export_totals *totals, struct error *error)
{
	snprintf(job->directory, sizeof(job->directory), "%s", directory);
	snprintf(job->records_name, sizeof(job->records_name), "records.%s",
	         identity->jsonl ? "jsonl" : "csv");
	job->per_device = identity->endpoint->per_device;
	job->started_wall_ms = clock_wall_ms();
	memset(totals, 0, sizeof(*totals));
	char manifest_hash[64] = "";
	if (identity->manifest_path &&
	    hash_file(identity->manifest_path, manifest_hash, sizeof(manifest_hash), error) < 0)
		return 2;
	bool present = export_job_present(directory);
	bool empty = true;
	if (!present) {
		if (directory_is_empty(directory, &empty) < 0)
			return error_set(error, "cannot read '%s': %s", directory, strerror(errno)),
			       2;
		if (!empty) {
			error_set(error,
			          "'%s' is not empty and holds no export job; use an empty or new "
			          "--out directory",
			          directory);
			return 4;
		}
		if (file_make_directories(directory, error) < 0)
			return 2;
	}
	if (job_lock_acquire(&job->lock, directory, error) < 0)
		return 4;
	char path[4300];
	path_in(job, EXPORT_CHECKPOINT_FILE, path, sizeof(path));
	struct checkpoint point = {0};
	bool found = false;
	if (present) {
		int same =
		    check_same_job(job, identity, manifest_hash[0] ? manifest_hash : NULL, error);
		if (same)
			return same;
		if (read_checkpoint(path, &point, &found) < 0)
			return error_set(error, "cannot read '%s': %s", path, strerror(errno)), 4;
		job->resuming = found;
	} else if (write_job_file(job, identity, manifest_hash[0] ? manifest_hash : NULL, error) <
	           0) {
		return 3;
	}
	job->checkpoint_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (job->checkpoint_fd < 0)
		return error_set(error, "cannot open '%s': %s", path, strerror(errno)), 3;
	if (!found &&
	    file_write_all(job->checkpoint_fd, CHECKPOINT_HEAD, strlen(CHECKPOINT_HEAD)) < 0)
		return error_set(error, "cannot write '%s': %s", path, strerror(errno)), 3;
	if (found && point.complete) {
		job->already_complete = true;
		totals->units = point.units;
		totals->records = point.records;
		totals->errors = point.errors;
		totals->calls = point.calls;
		totals->complete = true;
		if (publish(job, job->records_name, error) < 0 ||
		    (job->per_device && publish(job, ERRORS_NAME, error) < 0))
			return 3;
		return 0;
	}
	job->records = open_output(job, job->records_name, found, point.records_bytes, error);
	if (!job->records)
		return 3;
	if (job->per_device) {
		job->errors = open_output(job, ERRORS_NAME, found, point.errors_bytes, error);
		if (!job->errors)
			return 3;
	}
	totals->units = point.units;
	totals->records = point.records;
	totals->errors = point.errors;
	totals->calls = point.calls;
	job->units_at_start = point.units;
	job->records_at_start = point.records;
	char audit_path[4300];
	path_in(job, AUDIT_FILE_NAME, audit_path, sizeof(audit_path));
	char operation[64];
	snprintf(operation, sizeof(operation), "export %s", identity->endpoint->kind);
	job->audit = audit_open(audit_path, manifest_hash[0] ? manifest_hash : "account", operation,
	                        secrets, error);
	if (!job->audit)
		return 3;
	return 0;
}

static int write_summary(struct export_job *job, const struct export_totals *totals,
                         const char *kind, int exit_status, int64_t wall_ms, struct error *error)
{
	char path[4300];
	char started[40], finished[40];
	path_in(job, SUMMARY_NAME, path, sizeof(path));
	clock_format_iso8601(job->started_wall_ms, started, sizeof(started));
	clock_format_iso8601(clock_wall_ms(), finished, sizeof(finished));
	uint64_t records_this_run =
	    totals->records > job->records_at_start ? totals->records - job->records_at_start : 0;
	double rate = wall_ms > 0 ? (double)records_this_run * 1000.0 / (double)wall_ms : 0.0;
	json_t *root = json_pack(
	    "{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:f, s:i}", "kind",
	    kind, "records_file", job->records_name, "complete", totals->complete, "units",
	    (json_int_t)totals->units, "records", (json_int_t)totals->records, "errors",
	    (json_int_t)totals->errors, "records_this_run", (json_int_t)records_this_run, "calls",
	    (json_int_t)totals->calls, "retries", (json_int_t)totals->retries, "throttled",
	    (json_int_t)totals->throttled, "started_at", started, "finished_at", finished,
	    "wall_ms", (json_int_t)wall_ms, "records_per_second", rate, "exit_status", exit_status);
	if (!root)
		return error_set(error, "out of memory");
	int result = atomic_file_write_json(
	    path, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12), error);
	json_decref(root);
	return result;
}

int export_job_finish(struct export_job *job, const struct export_totals *totals, const char *kind,
                      int exit_status, int64_t wall_ms, struct error *error)
{
	if (totals->complete && !job->already_complete) {
		if (export_job_commit(job, totals, error) < 0)
			return -1;
		if (publish(job, job->records_name, error) < 0 ||
		    (job->per_device && publish(job, ERRORS_NAME, error) < 0))
			return -1;
	}
	return write_summary(job, totals, kind, exit_status, wall_ms, error);
}

void export_job_close(struct export_job *job)
{
	struct error ignored;
	error_clear(&ignored);
	if (job->records)
		fclose(job->records);
	if (job->errors)
		fclose(job->errors);
	if (job->checkpoint_fd >= 0)
		close(job->checkpoint_fd);
	if (job->audit)
		audit_close(job->audit, &ignored);
	job_lock_release(&job->lock);
	job->records = job->errors = NULL;
	job->checkpoint_fd = -1;
	job->audit = NULL;
}

json_t *export_job_argv(const char *directory, struct error *error)
{
	json_t *root = load_job_file(directory, error);
	if (!root)
		return NULL;
	json_t *argv = json_incref(json_object_get(root, "argv"));
	json_decref(root);
	if (!json_is_array(argv)) {
		json_decref(argv);
		error_set(error, "'%s/%s' names no command line", directory, EXPORT_JOB_FILE);
		return NULL;
	}
	return argv;
}

int export_job_status(const char *directory)
{
	struct error error;
	error_clear(&error);
	json_t *root = load_job_file(directory, &error);
	if (!root) {
		fprintf(stderr, "lattigo-batch: status: %s\n", error.message);
		return 4;
	}
	char path[4300];
	snprintf(path, sizeof(path), "%s/%s", directory, EXPORT_CHECKPOINT_FILE);
	struct checkpoint point = {0};
	bool found = false;
	read_checkpoint(path, &point, &found);
	const char *manifest = json_string_value(json_object_get(root, "manifest"));
	printf("%-13sexport %s\n", "job:", json_string_value(json_object_get(root, "kind")));
	printf("%-13s%s\n", "manifest:", manifest ? manifest : "(the whole account)");
	printf("%-13s%s\n", "state:",
	       point.complete ? "complete"
	       : found        ? "interrupted or running"
	                      : "not started");
	printf("%-13s%" PRIu64 " %s written\n", "progress:", point.units,
	       manifest ? "manifest rows" : "pages");
	printf("%-13s%" PRIu64 "\n", "records:", point.records);
	printf("%-13s%" PRIu64 "\n", "errors:", point.errors);
	printf("%-13s%" PRIu64 "\n", "calls:", point.calls);
	pid_t holder = 0;
	if (job_lock_is_held(directory, &holder))
		printf("%-13srunning (process %ld)\n", "process:", (long)holder);
	else
		printf("%-13snone\n", "process:");
	json_decref(root);
	return 0;
}
