/* The API a command talks to (run, resume, plan, verify): the bundled
 * simulator for --endpoint sim, else the URL checked against the endpoint
 * policy and the CA bundle, with credentials from --credentials or the
 * environment, proven by one cheap read before anything else happens.
 * Ownership: an api_session owns its credentials and simulator process;
 * api_root points into it or into the options. */
#ifndef LATTIGO_CLI_API_SESSION_H
#define LATTIGO_CLI_API_SESSION_H

#include <stdbool.h>

#include "cli/credentials.h"
#include "cli/options.h"
#include "cli/sim_launcher.h"
#include "common/error.h"
#include "engine/engine.h"
#include "export/export.h"

struct api_session {
	struct credentials credentials;
	struct sim_process sim;
	const char *api_root;
	bool plain_http;
};

/* Prepares a closed session. */
void api_session_init(struct api_session *session);
/* Starts the bundled simulator for "sim", else checks the endpoint against
 * the policy and the CA bundle and loads the credentials; sends nothing.
 * Returns 0, or EXIT_USAGE with error. */
int api_session_start(struct api_session *session, const struct job_options *options, bool quiet,
                      struct error *error);
/* Proves the session's credentials with one cheap read. Returns 0, or an
 * exit_code with error: 2 refused, 3 no answer. */
int api_session_check(const struct api_session *session, const struct job_options *options,
                      struct error *error);
/* api_session_start, then api_session_check.
 * Returns 0, or an exit_code with error: 2 (refused credentials, a forbidden
 * endpoint, an unreadable credentials file or CA bundle), 3 (no answer). */
int api_session_open(struct api_session *session, const struct job_options *options, bool quiet,
                     struct error *error);
/* Fills transport for the read side (export_run) from the session and options' timeouts. */
void api_session_transport(const struct api_session *session, const struct job_options *options,
                           struct read_transport *transport);
/* Clears config and fills what every job's engine takes from the session and
 * options: endpoint, credentials (borrowed), concurrency, rate, retries,
 * timeouts, TLS, the 5xx rule and the stop flag; the caller adds the
 * operation or its lanes. */
void api_session_engine_config(const struct api_session *session, const struct job_options *options,
                               struct engine_config *config);
/* Fills transport for the read side from an API root and credentials
 * (borrowed) and options' CA bundle and timeouts; shared by sessions and by
 * run --verify, which reads with the job's own endpoint and credentials. */
void api_transport_fill(struct read_transport *transport, const char *api_root,
                        const char *key_name, const char *api_key, bool plain_http,
                        const struct job_options *options);
/* Stops the simulator (if one was started) and frees the credentials. */
void api_session_close(struct api_session *session);

#endif
