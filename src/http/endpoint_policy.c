/* Transport policy for endpoints, decided before anything is sent. */
#include "endpoint_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

bool endpoint_host_is_loopback(const char *host)
{
	if (!host || !*host)
		return false;
	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return true;
	char bare[64];
	size_t length = strlen(host);
	if (host[0] == '[' && length > 2 && host[length - 1] == ']') {
		host++;
		length -= 2;
	}
	if (length >= sizeof(bare))
		return false;
	memcpy(bare, host, length);
	bare[length] = '\0';
	unsigned char address[16];
	if (inet_pton(AF_INET, bare, address) == 1)
		return address[0] == 127;
	if (inet_pton(AF_INET6, bare, address) == 1) {
		static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
		                                            0, 0, 0, 0, 0, 0, 0, 1};
		static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
		                                                0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(address, loopback6, 16))
			return true;
		return !memcmp(address, mapped_prefix, 12) && address[12] == 127;
	}
	return false;
}

int endpoint_policy_check(const char *endpoint, bool allow_insecure_http, bool *plain_http,
                          struct error *error)
{
	int result = -1;
	char *scheme = NULL;
	char *host = NULL;
	char *user = NULL;
	CURLU *url = curl_url();
	if (!url) {
		error_set(error, "out of memory");
		goto out;
	}
	if (!endpoint || !*endpoint) {
		error_set(error, "no endpoint given (use --endpoint URL)");
		goto out;
	}
	if (curl_url_set(url, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(url, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		/* The text may hold credentials someone pasted: do not echo it. */
		error_set(error,
		          "endpoint is not a valid URL (expected e.g. https://api.lattigo.com)");
		goto out;
	}
	if (curl_url_get(url, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		error_set(error, "endpoint URL must not contain credentials (use --credentials or "
		                 "LATTIGO_KEY_NAME / LATTIGO_API_KEY)");
		goto out;
	}
	if (!strcasecmp(scheme, "https")) {
		*plain_http = false;
	} else if (!strcasecmp(scheme, "http")) {
		if (!allow_insecure_http && !endpoint_host_is_loopback(host)) {
			error_set(error,
			          "refusing plain http to '%s' (use https, or --insecure-http)",
			          host);
			goto out;
		}
		*plain_http = true;
	} else {
		error_set(error, "endpoint scheme '%s' is not supported (use https)", scheme);
		goto out;
	}
	result = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(url);
	return result;
}

int endpoint_join(const char *endpoint, const char *path, struct strbuf *url)
{
	size_t length = strlen(endpoint);
	while (length && endpoint[length - 1] == '/')
		length--;
	while (*path == '/')
		path++;
	strbuf_reset(url);
	if (strbuf_append(url, endpoint, length) || strbuf_append_char(url, '/') ||
	    strbuf_append_string(url, path))
		return -1;
	return 0;
}
