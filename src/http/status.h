/* How an HTTP exchange with the API ended, in the terms every caller decides
 * on: the transfer's outcome (answered, never sent, may have arrived, unsafe)
 * and the class of the status. Shared by the write engine and the read side.
 * Pure: no libcurl here (see http/transfer.h for the handles). */
#ifndef LATTIGO_HTTP_STATUS_H
#define LATTIGO_HTTP_STATUS_H

/* How the transfer ended. */
enum http_transport {
	TRANSPORT_ANSWERED,         /* an HTTP answer came (the status is set) */
	TRANSPORT_NOT_SENT,         /* failed before anything of the request reached the server */
	TRANSPORT_MAY_HAVE_ARRIVED, /* failed after (part of) the request was handed over */
	TRANSPORT_UNSAFE,           /* TLS verification or the protocol refused: never retried */
};

/* What a status says about retrying it. */
enum http_status_class {
	HTTP_FINAL, /* 1xx-2xx, 3xx (not followed), 4xx other than below: decided by the body */
	HTTP_CREDENTIALS, /* 401, 403: the credentials or the account are refused */
	HTTP_TOO_LARGE,   /* 413: the request was too big */
	HTTP_THROTTLED,   /* 429: nothing done, come back later (Retry-After) */
	HTTP_RETRY,       /* 408, 500, 503 and other 5xx: the service failed; it may have acted */
	HTTP_AMBIGUOUS,   /* 502, 504: a gateway gave up waiting; the service may still act */
};

/* Classifies an HTTP status. */
enum http_status_class http_status_classify(long status);

#endif
