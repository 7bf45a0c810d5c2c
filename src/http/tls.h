/* Whom the client trusts, and why a server was not trusted: the CA bundle
 * (--cacert, else $CURL_CA_BUNDLE, else $SSL_CERT_FILE, else the system's
 * store; verification itself is never turned off) and a message for a
 * refused certificate that says which of the usual causes it was.
 * Ownership: plain strings; nothing to free. */
#ifndef LATTIGO_HTTP_TLS_H
#define LATTIGO_HTTP_TLS_H

#include <curl/curl.h>
#include <stddef.h>

#include "common/error.h"

/* The CA bundle to verify servers with: cacert (--cacert) when given, else
 * $CURL_CA_BUNDLE, else $SSL_CERT_FILE (as the curl tool and OpenSSL read
 * them), else NULL for the system's trust store. Borrowed. */
const char *http_ca_bundle(const char *cacert);
/* Checks before anything is sent that the bundle http_ca_bundle(cacert)
 * names can be read. Returns 0, or -1 with error naming it and where it came from. */
int http_ca_bundle_check(const char *cacert, struct error *error);
/* Writes why a TLS connection was refused into out: "the server's
 * certificate has expired", "... is for another host name", "... is signed
 * by an unknown certificate authority (trust its CA with --cacert FILE)" or
 * "... is not valid yet", followed by curl's own words; for other results
 * only curl's words. easy may be NULL. */
void http_tls_explain(CURL *easy, CURLcode result, const char *curl_text, char *out, size_t size);

#endif
