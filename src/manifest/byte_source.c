/* Plain or gzip-compressed manifest bytes. Gzip is recognised by its magic
 * bytes, not its name, and every way a gzip file can be damaged is reported
 * as a file-level error rather than a short read. */
#include "byte_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GZIP_MAGIC_0 0x1f
#define GZIP_MAGIC_1 0x8b

static const char *lower_strerror(int code, char *buffer, size_t size)
{
	snprintf(buffer, size, "%s", strerror(code));
	if (buffer[0] >= 'A' && buffer[0] <= 'Z')
		buffer[0] = (char)(buffer[0] - 'A' + 'a');
	return buffer;
}

/* Standard input for one reading of the manifest ("-"). A file on stdin
 * (stdin_copy_to_file makes a piped one a file) gets a reader of its own,
 * from where the first reading began: a command may pass over its manifest
 * more than once, and a steps job reads it once per step at the same time.
 * Without /proc, stdin itself is read again from that place (one pass after
 * another). A pipe is left alone: it can be read once, and a command that
 * needs more copies it first. */
/* where the first reading of a file on stdin began; -1 before one */
static off_t first_offset = -1;

static int open_stdin(struct byte_source *source, const char *path, struct error *error)
{
	source->file = stdin;
	source->is_stdin = true;
	struct stat status;
	if (fstat(fileno(stdin), &status) != 0 || !S_ISREG(status.st_mode))
		return 0;
	bool first = first_offset < 0;
	if (first) {
		off_t at = ftello(stdin);
		first_offset = at > 0 ? at : 0;
	}
	FILE *own = fopen("/proc/self/fd/0", "rbe"); /* e: not inherited */
	if (own && fseeko(own, first_offset, SEEK_SET) == 0) {
		source->file = own;
		return 0;
	}
	if (own)
		fclose(own);
	if (!first && fseeko(stdin, first_offset, SEEK_SET) != 0) {
		char reason[128];
		return error_set_at(error, path, 0, "cannot read the manifest again: %s",
		                    lower_strerror(errno, reason, sizeof(reason)));
	}
	return 0;
}

static int fill_input(struct byte_source *source, struct error *error)
{
	if (source->input_end)
		return 0;
	size_t got = fread(source->input, 1, BYTE_SOURCE_BLOCK, source->file);
	if (got == 0) {
		if (ferror(source->file)) {
			char reason[128];
			return error_set_at(error, source->path, 0, "cannot read manifest: %s",
			                    lower_strerror(errno, reason, sizeof(reason)));
		}
		source->input_end = true;
	}
	source->input_length = got;
	source->input_position = 0;
	source->file_bytes_read += got;
	return 0;
}

static int start_inflate(struct byte_source *source, struct error *error)
{
	memset(&source->zlib, 0, sizeof(source->zlib));
	/* 16 + MAX_WBITS: gzip wrapper only, so the CRC and length trailer are checked. */
	if (inflateInit2(&source->zlib, 16 + MAX_WBITS) != Z_OK)
		return error_set_at(error, source->path, 0, "cannot start gzip decompression");
	source->zlib_ready = true;
	return 0;
}

int byte_source_rewind_stdin(struct error *error)
{
	/* fseeko drops what stdio buffered and moves the descriptor too */
	if (first_offset >= 0 && fseeko(stdin, first_offset, SEEK_SET) != 0) {
		char reason[128];
		return error_set(error, "cannot read the manifest on stdin again: %s",
		                 lower_strerror(errno, reason, sizeof(reason)));
	}
	return 0;
}

int byte_source_open(struct byte_source *source, const char *path, struct error *error)
{
	memset(source, 0, sizeof(*source));
	source->path = path;
	char reason[128];
	if (strcmp(path, "-") == 0) {
		if (open_stdin(source, path, error) < 0)
			return -1;
	} else {
		source->file = fopen(path, "rb");
		if (!source->file)
			return error_set_at(error, path, 0, "cannot open manifest: %s",
			                    lower_strerror(errno, reason, sizeof(reason)));
	}
	struct stat status;
	if (fstat(fileno(source->file), &status) == 0 && S_ISDIR(status.st_mode)) {
		error_set_at(error, path, 0, "is a directory, not a manifest file");
		goto fail;
	}
	source->input = malloc(BYTE_SOURCE_BLOCK);
	if (!source->input) {
		error_set_at(error, path, 0, "out of memory");
		goto fail;
	}
	if (fill_input(source, error) < 0)
		goto fail;
	if (source->input_length >= 2 && source->input[0] == GZIP_MAGIC_0 &&
	    source->input[1] == GZIP_MAGIC_1) {
		source->gzip = true;
		if (start_inflate(source, error) < 0)
			goto fail;
	}
	return 0;
fail:
	byte_source_release(source);
	return -1;
}

static long read_plain(struct byte_source *source, char *buffer, size_t capacity,
                       struct error *error)
{
	/* The first block was read ahead to look for the gzip magic. */
	if (source->input_position < source->input_length) {
		size_t count = source->input_length - source->input_position;
		if (count > capacity)
			count = capacity;
		memcpy(buffer, source->input + source->input_position, count);
		source->input_position += count;
		return (long)count;
	}
	if (source->input_end)
		return 0;
	size_t got = fread(buffer, 1, capacity, source->file);
	if (got == 0 && ferror(source->file)) {
		char reason[128];
		return error_set_at(error, source->path, 0, "cannot read manifest: %s",
		                    lower_strerror(errno, reason, sizeof(reason)));
	}
	if (got == 0)
		source->input_end = true;
	return (long)got;
}

/* Gives zlib the next compressed bytes: the block read ahead at open time
 * first, then fresh blocks. Leaves avail_in 0 at the end of the file. */
static int feed_zlib(struct byte_source *source, struct error *error)
{
	if (source->input_position >= source->input_length && fill_input(source, error) < 0)
		return -1;
	source->zlib.next_in = source->input + source->input_position;
	source->zlib.avail_in = (uInt)(source->input_length - source->input_position);
	source->input_position = source->input_length;
	return 0;
}

/* After one gzip member ends: another member may follow (concatenated gzip
 * files are valid), or zero padding as some tools write; anything else is damage. */
static int next_member(struct byte_source *source, struct error *error)
{
	for (;;) {
		if (source->zlib.avail_in == 0 && feed_zlib(source, error) < 0)
			return -1;
		if (source->zlib.avail_in == 0) {
			source->stream_end = true;
			return 0;
		}
		if (source->zlib.next_in[0] != 0)
			break;
		source->zlib.next_in++;
		source->zlib.avail_in--;
	}
	if (source->zlib.next_in[0] != GZIP_MAGIC_0)
		return error_set_at(
		    error, source->path, 0,
		    "corrupt gzip file: unexpected data after the compressed stream");
	if (inflateReset(&source->zlib) != Z_OK)
		return error_set_at(error, source->path, 0, "corrupt gzip file");
	return 0;
}

static long read_gzip(struct byte_source *source, char *buffer, size_t capacity,
                      struct error *error)
{
	source->zlib.next_out = (Bytef *)buffer;
	source->zlib.avail_out = (uInt)capacity;
	while (source->zlib.avail_out == capacity && !source->stream_end) {
		if (source->zlib.avail_in == 0 && feed_zlib(source, error) < 0)
			return -1;
		if (source->zlib.avail_in == 0 && source->input_end)
			return error_set_at(error, source->path, 0,
			                    "truncated gzip file: it ends before the compressed "
			                    "stream does (was the copy interrupted?)");
		int status = inflate(&source->zlib, Z_NO_FLUSH);
		if (status == Z_STREAM_END) {
			if (next_member(source, error) < 0)
				return -1;
		} else if (status == Z_DATA_ERROR || status == Z_NEED_DICT) {
			return error_set_at(error, source->path, 0, "corrupt gzip file: %s",
			                    source->zlib.msg ? source->zlib.msg : "bad data");
		} else if (status == Z_MEM_ERROR) {
			return error_set_at(error, source->path, 0,
			                    "out of memory while decompressing");
		} else if (status == Z_BUF_ERROR && source->zlib.avail_in != 0) {
			return error_set_at(error, source->path, 0, "corrupt gzip file");
		}
	}
	return (long)(capacity - source->zlib.avail_out);
}

uint64_t byte_source_file_position(const struct byte_source *source)
{
	if (!source->gzip)
		return source->offset;
	/* read, less what waits in the input block and what zlib has not used */
	uint64_t waiting = source->input_length - source->input_position;
	if (source->zlib_ready)
		waiting += source->zlib.avail_in;
	return source->file_bytes_read - waiting;
}

long byte_source_read(struct byte_source *source, char *buffer, size_t capacity,
                      struct error *error)
{
	long count = source->gzip ? read_gzip(source, buffer, capacity, error)
	                          : read_plain(source, buffer, capacity, error);
	if (count > 0)
		source->offset += (uint64_t)count;
	return count;
}

static int seek_plain(struct byte_source *source, uint64_t offset, struct error *error)
{
	struct stat status;
	if (fstat(fileno(source->file), &status) != 0 || !S_ISREG(status.st_mode))
		return error_set_at(error, source->path, 0,
		                    "cannot continue in the middle: not a regular file");
	if (offset > (uint64_t)status.st_size)
		return error_set_at(error, source->path, 0,
		                    "cannot continue at byte %llu: the file has only %lld bytes",
		                    (unsigned long long)offset, (long long)status.st_size);
	if (fseeko(source->file, (off_t)offset, SEEK_SET) != 0)
		return error_set_at(error, source->path, 0, "cannot seek in the manifest");
	source->input_length = source->input_position = 0;
	source->input_end = false;
	source->offset = offset;
	return 0;
}

int byte_source_seek(struct byte_source *source, uint64_t offset, char *scratch,
                     size_t scratch_size, struct error *error)
{
	if (source->is_stdin)
		return error_set_at(error, source->path, 0,
		                    "cannot continue in the middle of standard input");
	if (!source->gzip)
		return seek_plain(source, offset, error);
	if (fseeko(source->file, 0, SEEK_SET) != 0)
		return error_set_at(error, source->path, 0, "cannot seek in the manifest");
	source->input_length = source->input_position = 0;
	source->input_end = false;
	source->stream_end = false;
	source->offset = 0;
	source->file_bytes_read = 0;
	if (inflateReset(&source->zlib) != Z_OK)
		return error_set_at(error, source->path, 0, "cannot restart gzip decompression");
	source->zlib.next_in = NULL;
	source->zlib.avail_in = 0;
	while (source->offset < offset) {
		uint64_t wanted = offset - source->offset;
		size_t size = wanted < scratch_size ? (size_t)wanted : scratch_size;
		long count = byte_source_read(source, scratch, size, error);
		if (count < 0)
			return -1;
		if (count == 0)
			return error_set_at(error, source->path, 0,
			                    "cannot continue at byte %llu: the decompressed "
			                    "manifest is shorter",
			                    (unsigned long long)offset);
	}
	return 0;
}

void byte_source_release(struct byte_source *source)
{
	if (source->zlib_ready)
		inflateEnd(&source->zlib);
	if (source->file && source->file != stdin)
		fclose(source->file);
	free(source->input);
	memset(source, 0, sizeof(*source));
}
