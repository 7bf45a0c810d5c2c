/* Option parsing for lattigo-sim: every number is range-checked, every
 * mistake named with the option and the value. */
#include "sim/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_options_usage(FILE *stream)
{
	fputs("usage: lattigo-sim [options]\n"
	      "A local simulator of the Lattigo v2 API (see docs/simulator.md).\n\n"
	      "  --port N            TCP port, 0 = ephemeral (default 8080)\n"
	      "  --bind ADDR         address to listen on (default 127.0.0.1)\n"
	      "  --key-name K        accepted key_name (default demo)\n"
	      "  --api-key S         accepted api_key (default demo-secret)\n"
	      "  --latency-ms N      delay every answer by N ms (default 0)\n"
	      "  --jitter-ms N       add 0..N ms of random delay (default 0)\n"
	      "  --rate R            answer 429 above R calls per second (default unlimited)\n"
	      "  --fail-rate P       answer 500 before applying, with probability P (0..1)\n"
	      "  --drop-rate P       apply, then close without answering, with probability P\n"
	      "  --max-chunk N       answer 413 above N entries in one call (default 1000)\n"
	      "  --max-body BYTES    answer 413 above this body size (default 8388608)\n"
	      "  --max-connections N concurrent connections (default 256)\n"
	      "  --devices N         devices in the built-in data set (default 300)\n"
	      "  --activation-delay-ms N  an activated device is pending N ms, then active\n"
	      "  --seed N            seed of the data set and of fault injection (default 1)\n"
	      "  --state FILE        load this JSON snapshot at start, save it on exit\n"
	      "  --ledger FILE       append one JSON line per applied effect\n"
	      "  --no-luhn FIELD     accept iccid (or imei) values without a Luhn check digit\n"
	      "  --tls-cert FILE     serve HTTPS with this PEM certificate\n"
	      "  --tls-key FILE      and this PEM private key\n"
	      "  --verbose           log one line per request to stderr\n"
	      "  --help              show this text\n",
	      stream);
}

/* True when name is one of the options followed by a value. */
static int takes_value(const char *name)
{
	static const char *const names[] = {
	    "--port",       "--bind",      "--key-name", "--api-key",
	    "--latency-ms", "--jitter-ms", "--rate",     "--fail-rate",
	    "--drop-rate",  "--max-chunk", "--max-body", "--max-connections",
	    "--devices",    "--seed",      "--state",    "--ledger",
	    "--tls-cert",   "--tls-key",   "--no-luhn",
	};
	if (strcmp(name, "--activation-delay-ms") == 0)
		return 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static int parse_unsigned(const char *text, unsigned long long maximum, unsigned long long *out)
{
	char *end = NULL;
	if (!text || !*text || *text == '-')
		return -1;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno || *end || value > maximum)
		return -1;
	*out = value;
	return 0;
}

static int parse_fraction(const char *text, double maximum, double *out)
{
	char *end = NULL;
	if (!text || !*text)
		return -1;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || *end || !(value >= 0.0 && value <= maximum))
		return -1;
	*out = value;
	return 0;
}

enum sim_options_result sim_options_parse(struct sim_options *options, int argc, char **argv,
                                          char *message, size_t message_size)
{
	memset(options, 0, sizeof *options);
	options->bind = "127.0.0.1";
	options->port = 8080;
	options->key_name = "demo";
	options->api_key = "demo-secret";
	options->max_chunk = 1000;
	options->max_body = 8u << 20;
	options->max_connections = 256;
	options->device_count = 300;
	options->seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *name = argv[i];
		if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
			return SIM_OPTIONS_HELP;
		if (strcmp(name, "--verbose") == 0) {
			options->verbose = true;
			continue;
		}
		if (!takes_value(name)) {
			snprintf(message, message_size, "unknown option '%s' (see --help)", name);
			return SIM_OPTIONS_ERROR;
		}
		if (i + 1 >= argc) {
			snprintf(message, message_size, "option '%s' needs a value", name);
			return SIM_OPTIONS_ERROR;
		}
		const char *value = argv[++i];
		unsigned long long number = 0;
		int bad = 0;
		if (strcmp(name, "--port") == 0) {
			bad = parse_unsigned(value, 65535, &number);
			options->port = (unsigned)number;
		} else if (strcmp(name, "--bind") == 0) {
			options->bind = value;
		} else if (strcmp(name, "--key-name") == 0) {
			options->key_name = value;
			bad = !*value || strchr(value, ':') != NULL;
		} else if (strcmp(name, "--api-key") == 0) {
			options->api_key = value;
			bad = !*value;
		} else if (strcmp(name, "--latency-ms") == 0) {
			bad = parse_unsigned(value, 600000, &number);
			options->latency_ms = (unsigned)number;
		} else if (strcmp(name, "--jitter-ms") == 0) {
			bad = parse_unsigned(value, 600000, &number);
			options->jitter_ms = (unsigned)number;
		} else if (strcmp(name, "--rate") == 0) {
			bad = parse_fraction(value, 1e9, &options->rate);
		} else if (strcmp(name, "--fail-rate") == 0) {
			bad = parse_fraction(value, 1.0, &options->fail_rate);
		} else if (strcmp(name, "--drop-rate") == 0) {
			bad = parse_fraction(value, 1.0, &options->drop_rate);
		} else if (strcmp(name, "--max-chunk") == 0) {
			bad = parse_unsigned(value, 1000000, &number) || number == 0;
			options->max_chunk = (size_t)number;
		} else if (strcmp(name, "--max-body") == 0) {
			bad = parse_unsigned(value, 1ull << 30, &number) || number < 1024;
			options->max_body = (size_t)number;
		} else if (strcmp(name, "--max-connections") == 0) {
			bad = parse_unsigned(value, 10000, &number) || number == 0;
			options->max_connections = (unsigned)number;
		} else if (strcmp(name, "--devices") == 0) {
			bad = parse_unsigned(value, 10000000, &number);
			options->device_count = (size_t)number;
		} else if (strcmp(name, "--activation-delay-ms") == 0) {
			bad = parse_unsigned(value, 86400000, &number);
			options->activation_delay_ms = (unsigned)number;
		} else if (strcmp(name, "--seed") == 0) {
			bad = parse_unsigned(value, UINT64_MAX, &number);
			options->seed = number;
		} else if (strcmp(name, "--state") == 0) {
			options->state_path = value;
		} else if (strcmp(name, "--ledger") == 0) {
			options->ledger_path = value;
		} else if (strcmp(name, "--tls-cert") == 0) {
			options->tls_cert = value;
		} else if (strcmp(name, "--tls-key") == 0) {
			options->tls_key = value;
		} else if (strcmp(name, "--no-luhn") == 0) {
			if (strcmp(value, "iccid") == 0)
				options->validation.skip_luhn_iccid = true;
			else if (strcmp(value, "imei") == 0)
				options->validation.skip_luhn_imei = true;
			else
				bad = 1;
		} else {
			snprintf(message, message_size, "unknown option '%s' (see --help)", name);
			return SIM_OPTIONS_ERROR;
		}
		if (bad) {
			snprintf(message, message_size, "invalid value '%s' for option '%s'",
			         strcmp(name, "--api-key") == 0 ? "(hidden)" : value, name);
			return SIM_OPTIONS_ERROR;
		}
	}
	if (!options->tls_cert != !options->tls_key) {
		snprintf(message, message_size, "options '--tls-cert' and '--tls-key' go together");
		return SIM_OPTIONS_ERROR;
	}
	return SIM_OPTIONS_OK;
}
