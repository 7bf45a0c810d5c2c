/* libmicrohttpd glue: body collection with a cap, then the fixed order of
 * checks every call goes through (auth, route, rate, size, latency, injected
 * failure, parameters), the handler, and the optional dropped answer. */
#include "sim/server.h"

#include "common/clock.h"
#include "common/strbuf.h"
#include "sim/form.h"
#include "sim/routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_TLS_FILE             (1u << 20)
#define SIM_CONNECTION_TIMEOUT_S 60u           /* an idle connection is closed after this */
#define SIM_CONNECTION_MEMORY    (64u * 1024u) /* per-connection buffer of libmicrohttpd */

/* What one request accumulates before it is processed. */
struct pending_request {
	struct strbuf body;
	int too_big;
	int answered;      /* answered before its body (Expect: 100-continue) */
	uint64_t received; /* body bytes seen, kept or not */
	int64_t started_ms;
	struct timespec arrived; /* CLOCK_MONOTONIC, as its headers were read */
};

/* Bytes of an over-sized body read (and discarded) before giving up on it. */
static uint64_t drain_limit(size_t max_body)
{
	uint64_t four_times = (uint64_t)max_body * 4;
	return four_times > (64u << 20) ? four_times : (64u << 20);
}

static double next_unit(struct sim_context *context)
{
	pthread_mutex_lock(&context->random_lock);
	double value = random_unit(&context->random);
	pthread_mutex_unlock(&context->random_lock);
	return value;
}

static void sleep_ms(unsigned milliseconds)
{
	struct timespec delay = {.tv_sec = milliseconds / 1000,
	                         .tv_nsec = (long)(milliseconds % 1000) * 1000000L};
	while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
		;
}

/* Sleeps until milliseconds after since (CLOCK_MONOTONIC); at once when that
 * is past. To the microsecond: whole milliseconds of the time already spent,
 * rounded, made an answer up to a millisecond early or late. */
static void sleep_until_after(const struct timespec *since, unsigned milliseconds)
{
	struct timespec due = *since;
	due.tv_sec += milliseconds / 1000;
	due.tv_nsec += (long)(milliseconds % 1000) * 1000000L;
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

/* Sends call's answer (JSON body and headers). */
static enum MHD_Result send_answer(struct MHD_Connection *connection, struct sim_call *call)
{
	char *text = call->text;
	/* a page of a listing is half a megabyte: its length is known, not counted */
	size_t length = call->text_length;
	call->text = NULL;
	if (!text) {
		text = call->body ? json_dumps(call->body, STORE_JSON_FLAGS) : NULL;
		if (!text) {
			call->status = call->body ? 500 : call->status;
			text = strdup(call->body ? "{\"error\":\"out of memory\"}" : "{}");
			if (!text)
				return MHD_NO;
		}
		length = strlen(text);
	}
	struct MHD_Response *response =
	    MHD_create_response_from_buffer(length, text, MHD_RESPMEM_MUST_FREE);
	if (!response) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json; charset=utf-8");
	for (size_t i = 0; i < call->header_count; i++) {
		/* MHD refuses empty values; a lone space is what an empty header looks
		 * like on the wire (surrounding whitespace is not part of a value), so
		 * X-Next-Page on the last page is present and empty, as the real API
		 * (kaminari-style headers) sends it. */
		const char *value = call->headers[i].value[0] ? call->headers[i].value : " ";
		MHD_add_response_header(response, call->headers[i].name, value);
	}
	enum MHD_Result result = MHD_queue_response(connection, call->status, response);
	MHD_destroy_response(response);
	return result;
}

/* True when type names a JSON media type (application/json, …+json). */
static int is_json_type(const char *type)
{
	for (const char *p = type; *p; p++)
		if (strncasecmp(p, "json", 4) == 0)
			return 1;
	return 0;
}

struct query_state {
	json_t *params;
	int failed;
	char message[256];
};

static enum MHD_Result add_query_argument(void *closure, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
	struct query_state *state = closure;
	(void)kind;
	if (!state->failed &&
	    form_add_pair(state->params, key, value, state->message, sizeof state->message) != 0)
		state->failed = 1;
	return MHD_YES;
}

/* Merges the query string and the body (JSON or form) into call->params.
 * Answers 400 and returns -1 when either is malformed. */
static int read_parameters(struct MHD_Connection *connection, struct sim_call *call,
                           const struct strbuf *body)
{
	struct query_state state = {.params = call->params};
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, add_query_argument, &state);
	if (state.failed) {
		call_error(call, 400, "malformed query string: %s", state.message);
		return -1;
	}
	if (body->length == 0)
		return 0;
	const char *type =
	    MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *text = strbuf_text(body);
	size_t skip = strspn(text, " \t\r\n");
	int is_json = type ? is_json_type(type) : text[skip] == '{' || text[skip] == '[';
	if (type && strncasecmp(type, "multipart/", 10) == 0) {
		call_error(call, 400,
		           "unsupported content type '%.60s': send JSON or a urlencoded form",
		           type);
		return -1;
	}
	if (is_json) {
		json_error_t error;
		json_t *parsed = json_loadb(text, body->length, 0, &error);
		if (!json_is_object(parsed)) {
			if (parsed)
				call_error(call, 400, "request body must be a JSON object");
			else
				call_error(call, 400,
				           "malformed JSON body: %s (line %d, column %d)",
				           error.text, error.line, error.column);
			json_decref(parsed);
			return -1;
		}
		json_object_update(call->params, parsed);
		json_decref(parsed);
		return 0;
	}
	if (form_parse(call->params, text, body->length, state.message, sizeof state.message) !=
	    0) {
		call_error(call, 400, "%s", state.message);
		return -1;
	}
	return 0;
}

/* Runs every check in order and the handler; fills call's answer. Returns 1
 * when the answer must be dropped (the effect applied, no response sent). */
static int process_call(struct MHD_Connection *connection, const char *url, const char *method,
                        struct pending_request *pending, struct sim_call *call)
{
	struct sim_context *context = call->context;
	const struct sim_options *options = context->options;
	char allow[64];
	const char *authorization =
	    MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!basic_auth_check(&context->auth, authorization)) {
		call_header(call, "WWW-Authenticate", "Basic realm=\"Lattigo API\"");
		call_error(call, 401,
		           "authentication failed: credentials are missing or incorrect");
		return 0;
	}
	switch (route_match(method, url, &call->route, call->device_id, sizeof call->device_id,
	                    allow, sizeof allow)) {
	case ROUTE_NO_PATH:
		call_error(call, 404, "no such endpoint: %s %.200s", method, url);
		return 0;
	case ROUTE_WRONG_METHOD:
		call_header(call, "Allow", allow);
		call_error(call, 405, "method %s not allowed on %.200s (allowed: %s)", method, url,
		           allow);
		return 0;
	case ROUTE_FOUND:
		break;
	}
	call->op = context->route_ops[call->route - sim_routes];
	unsigned retry_after = rate_limit_take(&context->rate_limit, clock_monotonic_ms());
	if (retry_after) {
		char seconds[16];
		snprintf(seconds, sizeof seconds, "%u", retry_after);
		call_header(call, "Retry-After", seconds);
		call_error(call, 429, "too many requests: at most %g calls per second",
		           options->rate);
		return 0;
	}
	if (pending->too_big) {
		call_error(call, 413, "request body larger than %zu bytes", options->max_body);
		return 0;
	}
	if (options->fail_rate > 0 && next_unit(context) < options->fail_rate) {
		call_error(call, 500, "injected failure (--fail-rate): nothing was applied");
		return 0;
	}
	if (read_parameters(connection, call, &pending->body) != 0)
		return 0;
	call->route->handle(call);
	if (!call->status)
		call_error(call, 500, "internal error: the handler gave no answer");
	return options->drop_rate > 0 && next_unit(context) < options->drop_rate;
}

/* process_call after the call's latency, which is the network's: every
 * answer waits, refusals included. A read changes nothing, so it is answered
 * from the state as it arrived and sent the latency after its headers were
 * read — the time spent writing it, and waiting for a core to write it on,
 * is part of its latency: the configured latency is then the latency a client sees, not
 * latency plus the simulator's own CPU (which a real service spends on
 * machines of its own). A write waits first: its effect lands when the
 * network has carried it, after a client that gave up has given up. */
static int process_call_delayed(struct MHD_Connection *connection, const char *url,
                                const char *method, struct pending_request *pending,
                                struct sim_call *call)
{
	const struct sim_options *options = call->context->options;
	unsigned delay = options->latency_ms;
	if (options->jitter_ms)
		delay += (unsigned)(next_unit(call->context) * (options->jitter_ms + 1));
	if (!delay)
		return process_call(connection, url, method, pending, call);
	if (strcmp(method, "GET") != 0) {
		sleep_ms(delay);
		return process_call(connection, url, method, pending, call);
	}
	int drop = process_call(connection, url, method, pending, call);
	sleep_until_after(&pending->arrived, delay);
	return drop;
}

/* Processes a complete request and queues its answer (or drops it). */
static enum MHD_Result answer_request(struct sim_context *context,
                                      struct MHD_Connection *connection, const char *url,
                                      const char *method, struct pending_request *pending)
{
	struct sim_call call;
	pending->answered = 1;
	memset(&call, 0, sizeof call);
	call.context = context;
	call.request_number = atomic_fetch_add(&context->request_counter, 1) + 1;
	call.params = json_object();
	if (!call.params)
		return MHD_NO;
	int drop = process_call_delayed(connection, url, method, pending, &call);
	if (context->options->verbose)
		fprintf(stderr, "lattigo-sim: #%llu %s /%.200s -> %u%s (%lld ms)\n",
		        (unsigned long long)call.request_number, method,
		        url[0] == '/' ? url + 1 : url, call.status, drop ? " dropped" : "",
		        (long long)(clock_monotonic_ms() - pending->started_ms));
	enum MHD_Result result = drop ? MHD_NO : send_answer(connection, &call);
	json_decref(call.body);
	free(call.text);
	json_decref(call.params);
	return result;
}

static enum MHD_Result on_request(void *closure, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request_state)
{
	struct sim_context *context = closure;
	struct pending_request *pending = *request_state;
	(void)version;
	if (!pending) {
		pending = calloc(1, sizeof *pending);
		if (!pending)
			return MHD_NO;
		strbuf_init(&pending->body, context->options->max_body);
		pending->started_ms = clock_monotonic_ms();
		clock_gettime(CLOCK_MONOTONIC, &pending->arrived);
		*request_state = pending;
		const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
		                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (length && strtoull(length, NULL, 10) > context->options->max_body) {
			pending->too_big = 1;
			const char *expect = MHD_lookup_connection_value(
			    connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
			/* The client waits for 100 Continue: answer now, never read the body. */
			if (expect && strcasecmp(expect, "100-continue") == 0)
				return answer_request(context, connection, url, method, pending);
		}
		return MHD_YES;
	}
	if (pending->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		pending->received += *upload_data_size;
		/* A refused body is drained so the 413 can be read, but not forever. */
		if (pending->too_big && pending->received > drain_limit(context->options->max_body))
			return MHD_NO;
		if (!pending->too_big &&
		    strbuf_append(&pending->body, upload_data, *upload_data_size) != STRBUF_OK) {
			pending->too_big = 1;
			strbuf_release(&pending->body);
			strbuf_init(&pending->body, context->options->max_body);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	return answer_request(context, connection, url, method, pending);
}

static void on_completed(void *closure, struct MHD_Connection *connection, void **request_state,
                         enum MHD_RequestTerminationCode code)
{
	struct pending_request *pending = *request_state;
	(void)closure;
	(void)connection;
	(void)code;
	if (pending) {
		strbuf_release(&pending->body);
		free(pending);
	}
	*request_state = NULL;
}

static void on_mhd_error(void *closure, const char *format, va_list arguments)
{
	const struct sim_context *context = closure;
	if (!context->options->verbose)
		return;
	fputs("lattigo-sim: libmicrohttpd: ", stderr);
	vfprintf(stderr, format, arguments);
}

/* Reads a whole PEM file (capped) into a new string (caller frees), or NULL. */
static char *read_small_file(const char *path, char *message, size_t message_size)
{
	struct strbuf text;
	char chunk[4096];
	size_t got;
	FILE *file = fopen(path, "rb");
	if (!file) {
		snprintf(message, message_size, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	strbuf_init(&text, MAX_TLS_FILE);
	while ((got = fread(chunk, 1, sizeof chunk, file)) > 0)
		if (strbuf_append(&text, chunk, got) != STRBUF_OK) {
			snprintf(message, message_size, "cannot read '%s': larger than %u bytes",
			         path, MAX_TLS_FILE);
			strbuf_release(&text);
			fclose(file);
			return NULL;
		}
	fclose(file);
	char *result = strbuf_detach(&text, NULL);
	if (!result)
		snprintf(message, message_size, "cannot read '%s': empty or out of memory", path);
	return result;
}

/* Where to listen: --bind (a numeric IPv4 or IPv6 address) and --port, in
 * storage; sets *address and adds MHD_USE_IPv6 to *flags for IPv6. */
static int bind_address(const struct sim_options *options, struct sockaddr_storage *storage,
                        struct sockaddr **address, unsigned *flags, char *message,
                        size_t message_size)
{
	struct sockaddr_in *address4 = (struct sockaddr_in *)storage;
	struct sockaddr_in6 *address6 = (struct sockaddr_in6 *)storage;
	memset(storage, 0, sizeof(*storage));
	*address = (struct sockaddr *)storage;
	if (inet_pton(AF_INET, options->bind, &address4->sin_addr) == 1) {
		address4->sin_family = AF_INET;
		address4->sin_port = htons((uint16_t)options->port);
		return 0;
	}
	if (inet_pton(AF_INET6, options->bind, &address6->sin6_addr) == 1) {
		address6->sin6_family = AF_INET6;
		address6->sin6_port = htons((uint16_t)options->port);
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	snprintf(message, message_size,
	         "invalid --bind address '%s': give a numeric IPv4 or IPv6 address", options->bind);
	return -1;
}

/* Reads --tls-cert and --tls-key into server and adds MHD_USE_TLS to *flags. */
static int load_tls(struct sim_server *server, const struct sim_options *options, unsigned *flags,
                    char *message, size_t message_size)
{
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(message, message_size,
		         "TLS requested but the installed libmicrohttpd was built without TLS "
		         "support");
		return -1;
	}
	server->tls_cert = read_small_file(options->tls_cert, message, message_size);
	server->tls_key =
	    server->tls_cert ? read_small_file(options->tls_key, message, message_size) : NULL;
	if (!server->tls_key)
		return -1;
	*flags |= MHD_USE_TLS;
	return 0;
}

int sim_server_start(struct sim_server *server, struct sim_context *context, char *message,
                     size_t message_size)
{
	const struct sim_options *options = context->options;
	struct sockaddr_storage storage;
	struct sockaddr *address = NULL;
	unsigned flags =
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	memset(server, 0, sizeof *server);
	server->context = context;
	if (bind_address(options, &storage, &address, &flags, message, message_size) < 0)
		return -1;
	if (options->tls_cert && load_tls(server, options, &flags, message, message_size) < 0) {
		sim_server_stop(server);
		return -1;
	}
	struct MHD_OptionItem tls_options[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, server->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, server->tls_key},
	    {MHD_OPTION_END, 0, NULL},
	};
	server->daemon = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, context, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error,
	    context, MHD_OPTION_SOCK_ADDR, address, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    context, MHD_OPTION_CONNECTION_LIMIT, options->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, SIM_CONNECTION_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SIM_CONNECTION_MEMORY, MHD_OPTION_ARRAY,
	    options->tls_cert ? tls_options : tls_options + 2, MHD_OPTION_END);
	if (!server->daemon) {
		snprintf(message, message_size, "cannot listen on %s:%u: %s", options->bind,
		         options->port, errno ? strerror(errno) : "libmicrohttpd refused to start");
		sim_server_stop(server);
		return -1;
	}
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : options->port;
	return 0;
}

void sim_server_stop(struct sim_server *server)
{
	if (server->daemon)
		MHD_stop_daemon(server->daemon);
	server->daemon = NULL;
	free(server->tls_cert);
	free(server->tls_key);
	server->tls_cert = server->tls_key = NULL;
}
