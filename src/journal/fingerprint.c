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
