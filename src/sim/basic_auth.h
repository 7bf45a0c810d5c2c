/* HTTP Basic authentication against the one accepted key_name:api_key pair.
 * Ownership: the checker copies the credentials and wipes them on release. */
#ifndef LATTIGO_SIM_BASIC_AUTH_H
#define LATTIGO_SIM_BASIC_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct basic_auth {
	char *expected; /* "key_name:api_key" */
	size_t expected_length;
};

/* Stores the accepted pair. Returns 0, or -1 when out of memory. */
int basic_auth_init(struct basic_auth *auth, const char *key_name, const char *api_key);
/* Wipes and frees the stored pair. */
void basic_auth_release(struct basic_auth *auth);
/* True when header (the Authorization value, may be NULL) carries exactly the
 * accepted pair; the comparison takes the same time wherever they differ. */
bool basic_auth_check(const struct basic_auth *auth, const char *header);
/* Decodes standard base64 into out (NUL-terminated); returns the decoded
 * length, or -1 when text is not base64 or out is too small. */
long base64_decode(const char *text, size_t length, char *out, size_t out_size);

#endif
