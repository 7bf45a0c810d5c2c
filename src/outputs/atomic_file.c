/* Write-then-rename publication of the job directory's derived files, so a
 * reader (or a crash) never sees half a results.csv. */
#include "outputs/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/file_io.h"
#include "common/strbuf.h"

/* Removes path's temporaries ("path.tmp.<pid>") that a process killed before
 * its rename or abort left behind (kill -9, power loss): once path has been
 * published again they are litter. A temporary whose process still runs
 * (another writer at work, or a PID reused since) is left alone. */
static void remove_stale_temporaries(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t base_length = strlen(base);
	char directory[4096];
	if (!slash)
		snprintf(directory, sizeof(directory), ".");
	else if (snprintf(directory, sizeof(directory), "%.*s", (int)(slash - path + 1), path) >=
	         (int)sizeof(directory))
		return;
	DIR *listing = opendir(directory);
	if (!listing)
		return;
	struct dirent *entry;
	while ((entry = readdir(listing)) != NULL) {
		const char *name = entry->d_name;
		if (strncmp(name, base, base_length) != 0 ||
		    strncmp(name + base_length, ".tmp.", 5) != 0)
			continue;
		const char *digits = name + base_length + 5;
		char *end = NULL;
		errno = 0;
		long pid = strtol(digits, &end, 10);
		if (end == digits || *end != '\0' || errno != 0 || pid <= 0 ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		unlinkat(dirfd(listing), name, 0);
	}
	closedir(listing);
}

static void release(struct atomic_file *file)
{
	free(file->final_path);
	free(file->temporary_path);
	file->final_path = NULL;
	file->temporary_path = NULL;
	file->stream = NULL;
}

int atomic_file_open(struct atomic_file *file, const char *path, struct error *error)
{
	struct strbuf name;
	strbuf_init(&name, 4096);
	int fd = -1;
	file->stream = NULL;
	file->final_path = NULL;
	file->temporary_path = NULL;
	if (strbuf_appendf(&name, "%s.tmp.%ld", path, (long)getpid()) != STRBUF_OK) {
		error_set(error, "output path too long: '%s'", path);
		goto fail;
	}
	file->final_path = strdup(path);
	file->temporary_path = strbuf_detach(&name, NULL);
	if (!file->final_path || !file->temporary_path) {
		error_set(error, "out of memory");
		goto fail;
	}
	fd = open(file->temporary_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		file_storage_note(file->final_path, errno);
		error_set(error, "cannot create '%s': %s", file->temporary_path, strerror(errno));
		goto fail;
	}
	file->stream = fdopen(fd, "w");
	if (!file->stream) {
		error_set(error, "cannot create '%s': %s", file->temporary_path, strerror(errno));
		close(fd);
		unlink(file->temporary_path);
		goto fail;
	}
	return 0;
fail:
	strbuf_release(&name);
	release(file);
	return -1;
}

int atomic_file_commit(struct atomic_file *file, struct error *error)
{
	int result = -1;
	FILE *stream = file->stream;
	file->stream = NULL;
	if (!stream)
		return error_set(error, "output file '%s' is not open",
		                 file->final_path ? file->final_path : "");
	bool failed = fflush(stream) != 0 || ferror(stream) || fsync(fileno(stream)) != 0;
	int saved = errno;
	if (fclose(stream) != 0 && !failed) {
		failed = true;
		saved = errno;
	}
	if (failed) {
		file_storage_note(file->final_path, saved);
		error_set(error, "cannot write '%s': %s", file->temporary_path, strerror(saved));
		unlink(file->temporary_path);
		goto out;
	}
	if (rename(file->temporary_path, file->final_path) != 0) {
		file_storage_note(file->final_path, errno);
		error_set(error, "cannot rename '%s' to '%s': %s", file->temporary_path,
		          file->final_path, strerror(errno));
		unlink(file->temporary_path);
		goto out;
	}
	/* the rename itself must survive a crash */
	file_sync_directory_of(file->final_path);
	remove_stale_temporaries(file->final_path);
	result = 0;
out:
	release(file);
	return result;
}

void atomic_file_abort(struct atomic_file *file)
{
	if (file->stream) {
		fclose(file->stream);
		file->stream = NULL;
	}
	if (file->temporary_path)
		unlink(file->temporary_path);
	release(file);
}

int atomic_file_write_json(const char *path, const json_t *root, size_t flags, struct error *error)
{
	struct atomic_file file;
	if (atomic_file_open(&file, path, error) < 0)
		return -1;
	if (json_dumpf(root, file.stream, flags) != 0 || fputc('\n', file.stream) == EOF) {
		int cause = errno;
		file_storage_note(path, cause);
		error_set(error, "cannot write '%s': %s", path, strerror(cause));
		atomic_file_abort(&file);
		return -1;
	}
	return atomic_file_commit(&file, error);
}
