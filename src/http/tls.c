/* Trust: the CA bundle and the reasons a certificate is refused (tls.h). */
#include "http/tls.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* X.509 verification results (OpenSSL's X509_V_ERR_* values, stable ABI),
 * named here so this file needs no OpenSSL header. */
enum {
	X509_UNABLE_TO_GET_ISSUER_CERT = 2,
	X509_CERT_NOT_YET_VALID = 9,
	X509_CERT_HAS_EXPIRED = 10,
	X509_DEPTH_ZERO_SELF_SIGNED_CERT = 18,
	X509_SELF_SIGNED_CERT_IN_CHAIN = 19,
	X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20,
	X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21,
	X509_CERT_UNTRUSTED = 27,
	X509_HOSTNAME_MISMATCH = 62,
};

static const char *from_environment(const char **source)
{
	static const char *const names[] = {"CURL_CA_BUNDLE", "SSL_CERT_FILE"};
	for (size_t index = 0; index < sizeof(names) / sizeof(names[0]); index++) {
		const char *value = getenv(names[index]);
		if (value && *value) {
			*source = names[index];
			return value;
		}
	}
	return NULL;
}

const char *http_ca_bundle(const char *cacert)
{
	const char *source;
	return cacert && *cacert ? cacert : from_environment(&source);
}

int http_ca_bundle_check(const char *cacert, struct error *error)
{
	const char *source = "--cacert";
	const char *bundle = cacert && *cacert ? cacert : from_environment(&source);
	if (!bundle)
		return 0;
	if (access(bundle, R_OK) != 0)
		return error_set(error, "cannot read the CA bundle '%s' (from %s%s): %s", bundle,
		                 source[0] == '-' ? "" : "$", source, strerror(errno));
	return 0;
}

static bool mentions(const char *text, const char *words)
{
	return text && strstr(text, words) != NULL;
}

void http_tls_explain(CURL *easy, CURLcode result, const char *curl_text, char *out, size_t size)
{
	const char *text = curl_text && *curl_text ? curl_text : curl_easy_strerror(result);
	long verify = 0;
	if (easy)
		curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &verify);
	const char *why = NULL;
	if (result == CURLE_PEER_FAILED_VERIFICATION) {
		if (verify == X509_CERT_HAS_EXPIRED || mentions(text, "has expired"))
			why = "the server's certificate has expired";
		else if (verify == X509_CERT_NOT_YET_VALID || mentions(text, "not yet valid"))
			why = "the server's certificate is not valid yet (check this machine's "
			      "clock)";
		else if (verify == X509_HOSTNAME_MISMATCH || mentions(text, "subject name") ||
		         mentions(text, "host name") || mentions(text, "hostname"))
			why =
			    "the server's certificate is for another host name than the endpoint's";
		else if (verify == X509_UNABLE_TO_GET_ISSUER_CERT ||
		         verify == X509_DEPTH_ZERO_SELF_SIGNED_CERT ||
		         verify == X509_SELF_SIGNED_CERT_IN_CHAIN ||
		         verify == X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
		         verify == X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE ||
		         verify == X509_CERT_UNTRUSTED || mentions(text, "issuer") ||
		         mentions(text, "self-signed") || mentions(text, "self signed"))
			why = "the server's certificate is signed by an unknown certificate "
			      "authority "
			      "(trust its CA with --cacert FILE)";
		else
			why = "the server's certificate was refused";
	} else if (result == CURLE_SSL_CACERT_BADFILE) {
		why = "the CA bundle cannot be used";
	}
	if (why)
		snprintf(out, size, "%s (%s)", why, text);
	else
		snprintf(out, size, "%s", text);
}
