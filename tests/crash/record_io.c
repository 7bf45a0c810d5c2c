/* LD_PRELOAD shim for the crash-consistency test (tests/crash/power_loss.sh):
 * records, in order, every change lattigo-batch makes to the files of one
 * job directory (writes with their offsets and bytes, truncations, fsyncs,
 * renames and hard links with the file's content, unlinks) and every request it
 * sends on a socket, into the log named by CRASH_LOG. crash_replay.py then
 * rebuilds what a power cut at any point could have left on disk.
 * Only files under CRASH_DIR are followed. Writes through stdio are not seen
 * (glibc calls its internal write); the files lattigo-batch writes that way
 * are published by rename, whose content is captured then.
 * Log record: u8 kind, u32 path length, path, u64 offset, u64 length, bytes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum kind {
	KIND_CREATE = 'C',   /* the file now exists (empty) */
	KIND_WRITE = 'W',    /* bytes at offset */
	KIND_TRUNCATE = 'T', /* length in offset */
	KIND_SYNC = 'S',     /* fsync / fdatasync of the file */
	KIND_RENAME = 'R',   /* path is the new name; bytes are the whole content */
	KIND_LINK = 'L',     /* path is a new name of a synced file; bytes are its content */
	KIND_UNLINK = 'U',
	KIND_SEND = 'N', /* bytes sent on a socket; offset is the descriptor */
};

#define MAX_FDS 4096
static char *followed[MAX_FDS]; /* path of each followed descriptor */
static ino_t followed_inode[MAX_FDS];
static int log_fd = -1;
static char directory[4096];
static size_t directory_length;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_unlink)(const char *);
static int (*real_link)(const char *, const char *);
static ssize_t (*real_send)(int, const void *, size_t, int);

static void setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	real_write = dlsym(RTLD_NEXT, "write");
	real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	real_open = dlsym(RTLD_NEXT, "open");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_close = dlsym(RTLD_NEXT, "close");
	real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	real_rename = dlsym(RTLD_NEXT, "rename");
	real_unlink = dlsym(RTLD_NEXT, "unlink");
	real_link = dlsym(RTLD_NEXT, "link");
	real_send = dlsym(RTLD_NEXT, "send");
	const char *log_path = getenv("CRASH_LOG");
	const char *dir = getenv("CRASH_DIR");
	if (!log_path || !dir)
		return;
	/* realpath may not exist yet: the directory is given absolute */
	snprintf(directory, sizeof(directory), "%s/", dir);
	directory_length = strlen(directory);
	log_fd = real_open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static void put_all(const void *data, size_t length)
{
	const char *cursor = data;
	while (length > 0) {
		ssize_t count = real_write(log_fd, cursor, length);
		if (count <= 0) {
			if (count < 0 && errno == EINTR)
				continue;
			abort(); /* a log with a hole would make the test lie */
		}
		cursor += count;
		length -= (size_t)count;
	}
}

static void record(enum kind kind, const char *path, uint64_t offset, const void *data,
                   uint64_t length)
{
	if (log_fd < 0)
		return;
	int saved = errno;
	pthread_mutex_lock(&lock);
	unsigned char type = (unsigned char)kind;
	uint32_t path_length = (uint32_t)strlen(path);
	put_all(&type, 1);
	put_all(&path_length, 4);
	put_all(path, path_length);
	put_all(&offset, 8);
	put_all(&length, 8);
	if (length)
		put_all(data, (size_t)length);
	pthread_mutex_unlock(&lock);
	errno = saved;
}

static int is_followed_path(const char *path)
{
	return log_fd >= 0 && path && directory_length &&
	       strncmp(path, directory, directory_length) == 0;
}

/* The followed path of fd, checked against the inode it had when opened: a
 * stdio stream closes its descriptor without calling our close, and the
 * number may since name a socket, a pipe or another file. */
static const char *followed_fd(int fd)
{
	if (fd < 0 || fd >= MAX_FDS || !followed[fd])
		return NULL;
	struct stat info;
	if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_ino != followed_inode[fd])
		return NULL;
	return followed[fd];
}

static void opened(int fd, const char *path, int flags, int existed)
{
	if (fd < 0 || fd >= MAX_FDS)
		return;
	free(followed[fd]);
	followed[fd] = NULL;
	struct stat info;
	if (!is_followed_path(path) || fstat(fd, &info) != 0)
		return;
	followed[fd] = strdup(path);
	followed_inode[fd] = info.st_ino;
	if (!existed && (flags & O_CREAT))
		record(KIND_CREATE, path, 0, NULL, 0);
	else if (flags & O_TRUNC)
		record(KIND_TRUNCATE, path, 0, NULL, 0);
}

static int exists(const char *path)
{
	struct stat info;
	return stat(path, &info) == 0;
}

int open(const char *path, int flags, ...)
{
	setup();
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list arguments;
		va_start(arguments, flags);
		mode = (mode_t)va_arg(arguments, int);
		va_end(arguments);
	}
	int existed = is_followed_path(path) && exists(path);
	int fd = real_open(path, flags, mode);
	opened(fd, path, flags, existed);
	return fd;
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int at, const char *path, int flags, ...)
{
	setup();
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list arguments;
		va_start(arguments, flags);
		mode = (mode_t)va_arg(arguments, int);
		va_end(arguments);
	}
	int existed = at == AT_FDCWD && is_followed_path(path) && exists(path);
	int fd = real_openat(at, path, flags, mode);
	if (at == AT_FDCWD)
		opened(fd, path, flags, existed);
	return fd;
}

int close(int fd)
{
	setup();
	if (fd >= 0 && fd < MAX_FDS && followed[fd]) {
		free(followed[fd]);
		followed[fd] = NULL;
	}
	return real_close(fd);
}

ssize_t write(int fd, const void *data, size_t length)
{
	setup();
	const char *path = followed_fd(fd);
	if (!path)
		return real_write(fd, data, length);
	/* with O_APPEND the bytes land at the end; otherwise at the position */
	off_t offset;
	struct stat info;
	if ((fcntl(fd, F_GETFL) & O_APPEND) && fstat(fd, &info) == 0)
		offset = info.st_size;
	else
		offset = lseek(fd, 0, SEEK_CUR);
	ssize_t count = real_write(fd, data, length);
	if (count > 0)
		record(KIND_WRITE, path, (uint64_t)offset, data, (uint64_t)count);
	return count;
}

ssize_t pwrite(int fd, const void *data, size_t length, off_t offset)
{
	setup();
	ssize_t count = real_pwrite(fd, data, length, offset);
	const char *path = followed_fd(fd);
	if (path && count > 0)
		record(KIND_WRITE, path, (uint64_t)offset, data, (uint64_t)count);
	return count;
}

ssize_t pwrite64(int fd, const void *data, size_t length, off_t offset)
    __attribute__((alias("pwrite")));

int ftruncate(int fd, off_t length)
{
	setup();
	int status = real_ftruncate(fd, length);
	const char *path = followed_fd(fd);
	if (path && status == 0)
		record(KIND_TRUNCATE, path, (uint64_t)length, NULL, 0);
	return status;
}

int ftruncate64(int fd, off_t length) __attribute__((alias("ftruncate")));

static int synced(int fd, int status)
{
	const char *path = followed_fd(fd);
	if (path && status == 0)
		record(KIND_SYNC, path, 0, NULL, 0);
	return status;
}

int fsync(int fd)
{
	setup();
	return synced(fd, real_fsync(fd));
}

int fdatasync(int fd)
{
	setup();
	return synced(fd, real_fdatasync(fd));
}

/* The whole content of path (malloc, *length bytes; NULL when unreadable). */
static char *content_of(const char *path, size_t *length)
{
	char *content = NULL;
	*length = 0;
	int fd = real_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd >= 0) {
		struct stat info;
		if (fstat(fd, &info) == 0 && (content = malloc((size_t)info.st_size + 1))) {
			ssize_t got;
			while (*length < (size_t)info.st_size &&
			       (got = read(fd, content + *length, (size_t)info.st_size - *length)) >
			           0)
				*length += (size_t)got;
		}
		real_close(fd);
	}
	return content;
}

int rename(const char *from, const char *to)
{
	setup();
	if (!is_followed_path(to))
		return real_rename(from, to);
	/* the content the new name will show: callers fsync before renaming */
	size_t length = 0;
	char *content = content_of(from, &length);
	int status = real_rename(from, to);
	if (status == 0)
		record(KIND_RENAME, to, 0, content, length);
	free(content);
	return status;
}

/* A second name for a file already synced (the checkpoint's previous
 * segment): in the rebuilt world it holds the content it had then. */
int link(const char *from, const char *to)
{
	setup();
	if (!is_followed_path(to))
		return real_link(from, to);
	size_t length = 0;
	char *content = content_of(from, &length);
	int status = real_link(from, to);
	if (status == 0)
		record(KIND_LINK, to, 0, content, length);
	free(content);
	return status;
}

int unlink(const char *path)
{
	setup();
	int status = real_unlink(path);
	if (status == 0 && is_followed_path(path))
		record(KIND_UNLINK, path, 0, NULL, 0);
	return status;
}

ssize_t send(int fd, const void *data, size_t length, int flags)
{
	setup();
	ssize_t count = real_send(fd, data, length, flags);
	if (count > 0)
		record(KIND_SEND, "", (uint64_t)fd, data, (uint64_t)count);
	return count;
}
