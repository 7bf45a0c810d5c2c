/* Loading the API credentials, keeping the secret out of sight (wiped on
 * release) and masking it in any text that might carry it. */
#include "cli/credentials.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void credentials_init(struct credentials *credentials)
{
	credentials->key_name = NULL;
	credentials->api_key = NULL;
	credentials->basic_token = NULL;
}

static void wipe_string(char **text)
{
	if (*text) {
		explicit_bzero(*text, strlen(*text));
		free(*text);
		*text = NULL;
	}
}

void credentials_release(struct credentials *credentials)
{
	wipe_string(&credentials->key_name);
	wipe_string(&credentials->api_key);
	wipe_string(&credentials->basic_token);
}

/* Standard base64 with padding, as HTTP Basic auth uses. Returns a malloc'd string. */
static char *base64_encode(const unsigned char *data, size_t length)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((length + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < length; i += 3) {
		uint32_t chunk = (uint32_t)data[i] << 16;
		if (i + 1 < length)
			chunk |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < length)
			chunk |= data[i + 2];
		out[o++] = alphabet[(chunk >> 18) & 63];
		out[o++] = alphabet[(chunk >> 12) & 63];
		out[o++] = i + 1 < length ? alphabet[(chunk >> 6) & 63] : '=';
		out[o++] = i + 2 < length ? alphabet[chunk & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* A key name goes into "name:key": a colon or a control byte would change its meaning. */
static bool acceptable(const char *text, bool allow_colon)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		if (*c < 0x20 || *c == 0x7f || (!allow_colon && *c == ':'))
			return false;
	return true;
}

int credentials_set(struct credentials *credentials, const char *key_name, const char *api_key,
                    struct error *error)
{
	int result = -1;
	char *joined = NULL;
	size_t name_length = strlen(key_name), key_length = strlen(api_key);
	credentials_release(credentials);
	if (name_length == 0 || key_length == 0) {
		error_set(error, "credentials need both a key name and an api key");
		goto out;
	}
	if (name_length > CREDENTIALS_MAX_LENGTH || key_length > CREDENTIALS_MAX_LENGTH) {
		error_set(error, "credentials are too long (over %u bytes)",
		          CREDENTIALS_MAX_LENGTH);
		goto out;
	}
	if (!acceptable(key_name, false)) {
		error_set(error, "key name contains a colon or a control character");
		goto out;
	}
	if (!acceptable(api_key, true)) {
		error_set(error, "api key contains a control character");
		goto out;
	}
	joined = malloc(name_length + key_length + 2);
	credentials->key_name = strdup(key_name);
	credentials->api_key = strdup(api_key);
	if (!joined || !credentials->key_name || !credentials->api_key) {
		error_set(error, "out of memory");
		goto out;
	}
	memcpy(joined, key_name, name_length);
	joined[name_length] = ':';
	memcpy(joined + name_length + 1, api_key, key_length + 1);
	credentials->basic_token =
	    base64_encode((const unsigned char *)joined, name_length + key_length + 1);
	if (!credentials->basic_token) {
		error_set(error, "out of memory");
		goto out;
	}
	result = 0;
out:
	wipe_string(&joined);
	if (result < 0)
		credentials_release(credentials);
	return result;
}

int credentials_load_environment(struct credentials *credentials, struct error *error)
{
	const char *key_name = getenv("LATTIGO_KEY_NAME");
	const char *api_key = getenv("LATTIGO_API_KEY");
	if (!key_name || !*key_name || !api_key || !*api_key)
		return error_set(error, "no credentials: set LATTIGO_KEY_NAME and LATTIGO_API_KEY, "
		                        "or pass --credentials FILE");
	struct error detail;
	error_clear(&detail);
	if (credentials_set(credentials, key_name, api_key, &detail) < 0)
		return error_set(error,
		                 "credentials from LATTIGO_KEY_NAME/LATTIGO_API_KEY refused: %s",
		                 detail.message);
	return 0;
}

/* Reads at most CREDENTIALS_MAX_LENGTH * 2 + 2 bytes: a longer file is refused. */
static int read_small_file(int fd, const char *path, char *buffer, size_t size, struct error *error)
{
	size_t length = 0;
	for (;;) {
		ssize_t n = read(fd, buffer + length, size - 1 - length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return error_set(error, "cannot read credentials file '%s': %s", path,
			                 strerror(errno));
		if (n == 0)
			break;
		length += (size_t)n;
		if (length == size - 1)
			return error_set(error, "credentials file '%s' is too long", path);
	}
	buffer[length] = '\0';
	if (memchr(buffer, '\0', length))
		return error_set(error, "credentials file '%s' is not text", path);
	return 0;
}

int credentials_load_file(struct credentials *credentials, const char *path, struct error *error)
{
	char buffer[CREDENTIALS_MAX_LENGTH * 2 + 4];
	int result = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		error_set(error, "cannot open credentials file '%s': %s", path, strerror(errno));
		goto out;
	}
	struct stat status;
	if (fstat(fd, &status) < 0) {
		error_set(error, "cannot inspect credentials file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(status.st_mode)) {
		error_set(error, "credentials file '%s' is not a regular file", path);
		goto out;
	}
	/* As ssh does with private keys: a secret others can read is no secret. */
	if (status.st_mode & (S_IRWXG | S_IRWXO)) {
		error_set(error,
		          "credentials file '%s' is %s by others (mode %04o); run chmod 600 %s",
		          path, status.st_mode & (S_IRGRP | S_IROTH) ? "readable" : "accessible",
		          (unsigned)(status.st_mode & 07777), path);
		goto out;
	}
	if (read_small_file(fd, path, buffer, sizeof(buffer), error) < 0)
		goto out;
	size_t length = strlen(buffer);
	while (length > 0 && (buffer[length - 1] == '\n' || buffer[length - 1] == '\r'))
		buffer[--length] = '\0';
	if (strpbrk(buffer, "\r\n")) {
		error_set(error, "credentials file '%s' must hold one line key_name:api_key", path);
		goto out;
	}
	char *colon = strchr(buffer, ':');
	if (!colon || colon == buffer || colon[1] == '\0') {
		error_set(error, "credentials file '%s' must hold key_name:api_key (%s missing)",
		          path, !colon || colon == buffer ? "key name" : "api key");
		goto out;
	}
	*colon = '\0';
	struct error detail;
	error_clear(&detail);
	if (credentials_set(credentials, buffer, colon + 1, &detail) < 0) {
		error_set(error, "credentials file '%s' refused: %s", path, detail.message);
		goto out;
	}
	result = 0;
out:
	explicit_bzero(buffer, sizeof(buffer));
	if (fd >= 0)
		close(fd);
	return result;
}

int credentials_load(struct credentials *credentials, const char *path, struct error *error)
{
	if (path)
		return credentials_load_file(credentials, path, error);
	return credentials_load_environment(credentials, error);
}
