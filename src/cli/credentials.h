/* API credentials (SPEC §2): from LATTIGO_KEY_NAME + LATTIGO_API_KEY or a
 * `key_name:api_key` file readable by its owner only. (The audit trail's
 * redactor, audit/redact.c, keeps the secret out of what is recorded.)
 * Ownership: a credentials struct owns its strings and wipes them on release. */
#ifndef LATTIGO_CREDENTIALS_H
#define LATTIGO_CREDENTIALS_H

#include <stddef.h>

#include "common/error.h"

#define CREDENTIALS_MAX_LENGTH 1024u /* longer key names, keys or files are refused */

struct credentials {
	char *key_name;    /* Basic auth user name */
	char *api_key;     /* the secret */
	char *basic_token; /* base64 of "key_name:api_key", as sent in Authorization: Basic */
};

/* Zeroes the struct. */
void credentials_init(struct credentials *credentials);
/* Loads from path when path is non-NULL (refused when missing, malformed, or
 * group/world-readable), else from the environment. Returns 0, or -1 with a
 * message that never contains the secret. */
int credentials_load(struct credentials *credentials, const char *path, struct error *error);
/* Loads from the file at path only (see credentials_load). Returns 0 or -1. */
int credentials_load_file(struct credentials *credentials, const char *path, struct error *error);
/* Loads from LATTIGO_KEY_NAME and LATTIGO_API_KEY only. Returns 0 or -1. */
int credentials_load_environment(struct credentials *credentials, struct error *error);
/* Takes copies of key_name and api_key (e.g. the demo credentials of `--endpoint sim`). Returns 0
 * or -1. */
int credentials_set(struct credentials *credentials, const char *key_name, const char *api_key,
                    struct error *error);
/* Wipes (explicit_bzero) and frees the strings; the struct may be reused after init. */
void credentials_release(struct credentials *credentials);

#endif
