/* The manifest fingerprint: decompressed size and SHA-256 of the content, so
 * a resume notices any edit, also one that keeps the size. */
#include "journal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int journal_fingerprint_file(const char *path, struct journal_fingerprint *fingerprint,
                             struct error *error)
{
	int result = -1;
	unsigned char *buffer = NULL;
	EVP_MD_CTX *digest = NULL;
	/* gzread passes plain files through unchanged, so one path serves both */
	gzFile file = gzopen(path, "rb");
	if (!file) {
		error_set(error, "cannot open manifest '%s': %s", path,
		          errno ? strerror(errno) : "out of memory");
		goto out;
	}
	const unsigned buffer_size = 1u << 20;
	buffer = malloc(buffer_size);
	digest = EVP_MD_CTX_new();
	if (!buffer || !digest || EVP_DigestInit_ex(digest, EVP_sha256(), NULL) != 1) {
		error_set(error, "cannot fingerprint manifest '%s': out of memory", path);
		goto out;
	}
	gzbuffer(file, 256u * 1024u);
	memset(fingerprint, 0, sizeof(*fingerprint));
	for (;;) {
		int count = gzread(file, buffer, buffer_size);
		if (count < 0) {
			int code = 0;
			const char *text = gzerror(file, &code);
			error_set(error, "cannot read manifest '%s': %s", path,
			          code == Z_ERRNO ? strerror(errno) : text);
			goto out;
		}
		if (count == 0)
			break;
		fingerprint->size += (uint64_t)count;
		if (EVP_DigestUpdate(digest, buffer, (size_t)count) != 1) {
			error_set(error, "cannot fingerprint manifest '%s'", path);
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(digest, fingerprint->sha256, NULL) != 1) {
		error_set(error, "cannot fingerprint manifest '%s'", path);
		goto out;
	}
	result = 0;
out:
	if (file)
		gzclose(file);
	EVP_MD_CTX_free(digest);
	free(buffer);
	return result;
}

/* Reads up to size bytes; returns the count, or -1 with error filled. */
static int read_some(gzFile file, const char *path, unsigned char *buffer, unsigned size,
                     struct error *error)
{
	int count = gzread(file, buffer, size);
	if (count < 0) {
		int code = 0;
		const char *text = gzerror(file, &code);
		error_set(error, "cannot read manifest '%s': %s", path,
		          code == Z_ERRNO ? strerror(errno) : text);
	}
	return count;
}

/* Adds the rest of file's decompressed size to *size. Returns 0 or -1. */
static int count_rest(gzFile file, const char *path, unsigned char *buffer, unsigned size,
                      uint64_t *total, struct error *error)
{
	int count;
	while ((count = read_some(file, path, buffer, size, error)) > 0)
		*total += (uint64_t)count;
	return count < 0 ? -1 : 0;
}

int journal_first_difference(const char *path_a, const char *path_b, uint64_t *line,
                             uint64_t *size_a, uint64_t *size_b, struct error *error)
{
	enum { BLOCK = 1 << 16 };
	int result = -1;
	unsigned char *a = malloc(BLOCK), *b = malloc(BLOCK);
	gzFile file_a = gzopen(path_a, "rb");
	gzFile file_b = gzopen(path_b, "rb");
	*line = 1;
	*size_a = *size_b = 0;
	if (!a || !b || !file_a || !file_b) {
		error_set(error, "cannot compare manifests '%s' and '%s': %s", path_a, path_b,
		          errno ? strerror(errno) : "out of memory");
		goto out;
	}
	/* byte-wise in step: both are read in blocks of the same size, and gzread
	 * fills a block completely except at the end of the data */
	for (;;) {
		int got_a = read_some(file_a, path_a, a, BLOCK, error);
		if (got_a < 0)
			goto out;
		int got_b = read_some(file_b, path_b, b, BLOCK, error);
		if (got_b < 0)
			goto out;
		int common = got_a < got_b ? got_a : got_b;
		int index = 0;
		while (index < common && a[index] == b[index]) {
			if (a[index] == '\n')
				(*line)++;
			index++;
		}
		*size_a += (uint64_t)got_a;
		*size_b += (uint64_t)got_b;
		if (index < common || got_a != got_b) {
			if (count_rest(file_a, path_a, a, BLOCK, size_a, error) < 0 ||
			    count_rest(file_b, path_b, b, BLOCK, size_b, error) < 0)
				goto out;
			result = 1;
			goto out;
		}
		if (got_a == 0) {
			result = 0;
			goto out;
		}
	}
out:
	if (file_a)
		gzclose(file_a);
	if (file_b)
		gzclose(file_b);
	free(a);
	free(b);
	return result;
}
