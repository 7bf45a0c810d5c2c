/* Status classification (see status.h). */
#include "http/status.h"

enum http_status_class http_status_classify(long status)
{
	switch (status) {
	case 401:
	case 403:
		return HTTP_CREDENTIALS;
	case 413:
		return HTTP_TOO_LARGE;
	case 429:
		return HTTP_THROTTLED;
	case 502:
	case 504:
		return HTTP_AMBIGUOUS;
	case 408:
		return HTTP_RETRY;
	default:
		return status >= 500 ? HTTP_RETRY : HTTP_FINAL;
	}
}
