/* Basic authentication: base64 decoding and a constant-time comparison, so the
 * time of a refusal says nothing about how much of the secret matched. */
#include "sim/basic_auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CREDENTIALS 1024

static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long base64_decode(const char *text, size_t length, char *out, size_t out_size)
{
	while (length > 0 && text[length - 1] == '=')
		length--;
	if (length % 4 == 1)
		return -1;
	size_t used = 0;
	unsigned accumulator = 0;
	int bits = 0;
	for (size_t i = 0; i < length; i++) {
		int value = base64_value((unsigned char)text[i]);
		if (value < 0)
			return -1;
		accumulator = (accumulator << 6) | (unsigned)value;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (used + 1 >= out_size)
				return -1;
			out[used++] = (char)((accumulator >> bits) & 0xFF);
		}
	}
	out[used] = '\0';
	return (long)used;
}

int basic_auth_init(struct basic_auth *auth, const char *key_name, const char *api_key)
{
	size_t name_length = strlen(key_name);
	size_t key_length = strlen(api_key);
	auth->expected_length = name_length + 1 + key_length;
	auth->expected = malloc(auth->expected_length + 1);
	if (!auth->expected)
		return -1;
	memcpy(auth->expected, key_name, name_length);
	auth->expected[name_length] = ':';
	memcpy(auth->expected + name_length + 1, api_key, key_length + 1);
	return 0;
}

void basic_auth_release(struct basic_auth *auth)
{
	if (auth->expected) {
		volatile char *wipe = auth->expected;
		for (size_t i = 0; i < auth->expected_length; i++)
			wipe[i] = 0;
		free(auth->expected);
	}
	auth->expected = NULL;
	auth->expected_length = 0;
}

bool basic_auth_check(const struct basic_auth *auth, const char *header)
{
	if (!header || strncasecmp(header, "Basic ", 6) != 0)
		return false;
	const char *encoded = header + 6;
	while (*encoded == ' ')
		encoded++;
	size_t encoded_length = strlen(encoded);
	while (encoded_length > 0 && encoded[encoded_length - 1] == ' ')
		encoded_length--;
	char decoded[MAX_CREDENTIALS];
	long decoded_length = base64_decode(encoded, encoded_length, decoded, sizeof decoded);
	if (decoded_length < 0)
		return false;
	/* Walk the whole expected value whatever the input, so timing leaks nothing. */
	unsigned char difference = (size_t)decoded_length != auth->expected_length;
	for (size_t i = 0; i < auth->expected_length; i++) {
		unsigned char given = i < (size_t)decoded_length ? (unsigned char)decoded[i] : 0;
		difference |= (unsigned char)(given ^ (unsigned char)auth->expected[i]);
	}
	volatile char *wipe = decoded;
	for (size_t i = 0; i < sizeof decoded; i++)
		wipe[i] = 0;
	return difference == 0;
}
