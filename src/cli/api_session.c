/* Opening the API: the endpoint policy, CA bundle, credentials and one
 * check read, the same steps and refusals for run, resume and the read-only
 * commands. */
#include "cli/api_session.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/credentials_check.h"
#include "cli/signals.h"
#include "engine/engine.h"
#include "http/endpoint_policy.h"
#include "http/tls.h"

void api_session_init(struct api_session *session)
{
	memset(session, 0, sizeof(*session));
	credentials_init(&session->credentials);
	sim_process_init(&session->sim);
}

static long or_default(long seconds, long default_ms)
{
	return seconds > 0 ? seconds * 1000L : default_ms;
}

int api_session_start(struct api_session *session, const struct job_options *options, bool quiet,
                      struct error *error)
{
	if (strcmp(options->endpoint, "sim") == 0) {
		struct sim_options sim_options = {0};
		if (sim_start(&session->sim, &sim_options, error) < 0)
			return EXIT_USAGE;
		stop_signals_kill_on_exit(session->sim.pid);
		session->api_root = session->sim.endpoint;
		if (!quiet)
			fprintf(stderr, "lattigo-batch: started the bundled simulator at %s\n",
			        session->api_root);
		if (credentials_set(&session->credentials, session->sim.credentials.key_name,
		                    session->sim.credentials.api_key, error) < 0)
			return EXIT_USAGE;
	} else {
		session->api_root = options->endpoint;
		if (endpoint_policy_check(session->api_root, options->insecure_http,
		                          &session->plain_http, error) < 0 ||
		    http_ca_bundle_check(options->cacert, error) < 0 ||
		    credentials_load(&session->credentials, options->credentials, error) < 0)
			return EXIT_USAGE;
	}
	return endpoint_policy_check(session->api_root, options->insecure_http,
	                             &session->plain_http, error) < 0
	           ? EXIT_USAGE
	           : EXIT_ALL_OK;
}

int api_session_check(const struct api_session *session, const struct job_options *options,
                      struct error *error)
{
	struct http_settings settings = {
	    .endpoint = session->api_root,
	    .key_name = session->credentials.key_name ? session->credentials.key_name : "",
	    .api_key = session->credentials.api_key ? session->credentials.api_key : "",
	    .plain_http = session->plain_http,
	    .ca_bundle = http_ca_bundle(options->cacert),
	    .connect_timeout_ms =
	        or_default(options->connect_timeout, OPTIONS_DEFAULT_CONNECT_TIMEOUT_S * 1000L),
	    .total_timeout_ms = or_default(options->timeout, OPTIONS_DEFAULT_TIMEOUT_S * 1000L),
	    .stall_timeout_s = options->stall_timeout > 0 ? options->stall_timeout
	                                                  : OPTIONS_DEFAULT_STALL_TIMEOUT_S,
	};
	return credentials_check(&settings, error);
}

int api_session_open(struct api_session *session, const struct job_options *options, bool quiet,
                     struct error *error)
{
	int exit_code = api_session_start(session, options, quiet, error);
	return exit_code != EXIT_ALL_OK ? exit_code : api_session_check(session, options, error);
}

void api_transport_fill(struct read_transport *transport, const char *api_root,
                        const char *key_name, const char *api_key, bool plain_http,
                        const struct job_options *options)
{
	memset(transport, 0, sizeof(*transport));
	transport->api_root = api_root;
	transport->key_name = key_name ? key_name : "";
	transport->api_key = api_key ? api_key : "";
	transport->plain_http = plain_http;
	transport->ca_bundle = http_ca_bundle(options->cacert);
	transport->connect_timeout_ms =
	    or_default(options->connect_timeout, OPTIONS_DEFAULT_CONNECT_TIMEOUT_S * 1000L);
	transport->total_timeout_ms =
	    or_default(options->timeout, OPTIONS_DEFAULT_TIMEOUT_S * 1000L);
	transport->stall_timeout_s =
	    options->stall_timeout > 0 ? options->stall_timeout : OPTIONS_DEFAULT_STALL_TIMEOUT_S;
}

void api_session_transport(const struct api_session *session, const struct job_options *options,
                           struct read_transport *transport)
{
	api_transport_fill(transport, session->api_root, session->credentials.key_name,
	                   session->credentials.api_key, session->plain_http, options);
}

void api_session_engine_config(const struct api_session *session, const struct job_options *options,
                               struct engine_config *config)
{
	memset(config, 0, sizeof(*config));
	config->endpoint = session->api_root;
	config->key_name = session->credentials.key_name;
	config->api_key = session->credentials.api_key;
	config->concurrency = options->concurrency;
	config->rate = options->rate;
	config->max_retries = options->max_retries;
	config->connect_timeout_ms = options->connect_timeout * 1000;
	config->total_timeout_ms = options->timeout * 1000;
	config->stall_timeout_s = options->stall_timeout;
	config->allow_insecure_http = options->insecure_http;
	config->cacert = options->cacert;
	config->resend_on_5xx = options->resend_on_5xx;
	config->stop_requested = stop_signals_flag();
}

void api_session_close(struct api_session *session)
{
	sim_stop(&session->sim);
	credentials_release(&session->credentials);
}
