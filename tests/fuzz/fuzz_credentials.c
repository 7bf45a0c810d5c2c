/* libFuzzer target for credentials files (`key_name:api_key`, mode 0600):
 * any bytes are loaded or refused cleanly; never a crash, a leak, or the
 * secret in a message. */
#include <stdlib.h>
#include <string.h>

#include "cli/credentials.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096];
	if (fuzz_write_file("credentials", data, size, 0600, path) < 0)
		return 0;
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	if (credentials_load_file(&credentials, path, &error) == 0) {
		if (credentials.api_key[0] && strstr(error.message, credentials.api_key))
			abort();
	} else if (size > 0 && error.message[0] == '\0') {
		abort(); /* a refusal always says why */
	}
	credentials_release(&credentials);
	return 0;
}
