/* The options of lattigo-sim: one row each, parsed by the shared
 * table-driven parser, so every number is range-checked and every mistake
 * is named with the option and the value. */
#include "sim/options.h"

#include <stdint.h>
#include <string.h>

#define SIM_MAX_DELAY_MS    600000  /* --latency-ms / --jitter-ms: ten minutes */
#define SIM_MAX_RATE        1e9     /* calls per second */
#define SIM_MAX_CHUNK       1000000 /* entries in one call */
#define SIM_MIN_BODY        1024    /* bytes; smaller would refuse any real call */
#define SIM_MAX_BODY        (1u << 30)
#define SIM_MAX_CONNECTIONS 10000
#define SIM_MAX_DEVICES     10000000

#define FIELD(member)                                                                              \
	.offset = offsetof(struct sim_options, member),                                            \
	.size = sizeof(((struct sim_options *)0)->member)

static const struct parse_option_word no_luhn_words[] = {
    {"iccid", offsetof(struct sim_options, validation.skip_luhn_iccid)},
    {"imei", offsetof(struct sim_options, validation.skip_luhn_imei)},
};

static const struct parse_option sim_option_rows[] = {
    {.name = "port",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(port),
     .value_name = "N",
     .maximum = 65535,
     .default_value = "8080",
     .help = "TCP port, 0 = ephemeral"},
    {.name = "bind",
     .type = PARSE_OPTION_STRING,
     FIELD(bind),
     .value_name = "ADDR",
     .empty_text = "empty address",
     .default_value = "127.0.0.1",
     .help = "address to listen on"},
    {.name = "key-name",
     .type = PARSE_OPTION_STRING,
     FIELD(key_name),
     .value_name = "K",
     .empty_text = "empty key name",
     .default_value = "demo",
     .help = "accepted key_name"},
    {.name = "api-key",
     .type = PARSE_OPTION_STRING,
     FIELD(api_key),
     .value_name = "S",
     .flags = PARSE_OPTION_SECRET,
     .empty_text = "empty key",
     .default_value = "demo-secret",
     .help = "accepted api_key"},
    {.name = "latency-ms",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(latency_ms),
     .value_name = "N",
     .maximum = SIM_MAX_DELAY_MS,
     .default_value = "0",
     .help = "delay every answer by N ms"},
    {.name = "jitter-ms",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(jitter_ms),
     .value_name = "N",
     .maximum = SIM_MAX_DELAY_MS,
     .default_value = "0",
     .help = "add 0..N ms of random delay"},
    {.name = "rate",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(rate),
     .value_name = "R",
     .real_maximum = SIM_MAX_RATE,
     .default_text = "unlimited",
     .help = "answer 429 above R calls per second"},
    {.name = "fail-rate",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(fail_rate),
     .value_name = "P",
     .real_maximum = 1,
     .help = "answer 500 before applying, with probability P (0..1)"},
    {.name = "drop-rate",
     .type = PARSE_OPTION_DOUBLE,
     FIELD(drop_rate),
     .value_name = "P",
     .real_maximum = 1,
     .help = "apply, then close without answering, with probability P"},
    {.name = "max-chunk",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(max_chunk),
     .value_name = "N",
     .minimum = 1,
     .maximum = SIM_MAX_CHUNK,
     .default_value = "1000",
     .help = "answer 413 above N entries in one call"},
    {.name = "max-body",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(max_body),
     .value_name = "BYTES",
     .minimum = SIM_MIN_BODY,
     .maximum = SIM_MAX_BODY,
     .default_value = "8388608",
     .help = "answer 413 above this body size"},
    {.name = "max-connections",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(max_connections),
     .value_name = "N",
     .minimum = 1,
     .maximum = SIM_MAX_CONNECTIONS,
     .default_value = "256",
     .help = "concurrent connections"},
    {.name = "devices",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(device_count),
     .value_name = "N",
     .maximum = SIM_MAX_DEVICES,
     .default_value = "300",
     .help = "devices in the built-in data set"},
    {.name = "activation-delay-ms",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(activation_delay_ms),
     .value_name = "N",
     .maximum = 86400000, /* a day */
     .default_value = "0",
     .help = "an activated device is pending N ms, then active"},
    {.name = "seed",
     .type = PARSE_OPTION_UNSIGNED,
     FIELD(seed),
     .value_name = "N",
     .maximum = UINT64_MAX,
     .default_value = "1",
     .help = "seed of the data set and of fault injection"},
    {.name = "state",
     .type = PARSE_OPTION_STRING,
     FIELD(state_path),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .help = "load this JSON snapshot at start, save it on exit"},
    {.name = "ledger",
     .type = PARSE_OPTION_STRING,
     FIELD(ledger_path),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .help = "append one JSON line per applied effect"},
    {.name = "no-luhn",
     .type = PARSE_OPTION_WORD_FLAGS,
     FIELD(validation),
     .value_name = "FIELD",
     .words = no_luhn_words,
     .word_count = sizeof(no_luhn_words) / sizeof(no_luhn_words[0]),
     .rejection = "'{}' has no Luhn check (iccid or imei)",
     .help = "accept iccid (or imei) values without a Luhn check digit"},
    {.name = "tls-cert",
     .type = PARSE_OPTION_STRING,
     FIELD(tls_cert),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .help = "serve HTTPS with this PEM certificate"},
    {.name = "tls-key",
     .type = PARSE_OPTION_STRING,
     FIELD(tls_key),
     .value_name = "FILE",
     .empty_text = "empty file name",
     .help = "and this PEM private key"},
    {.name = "verbose",
     .type = PARSE_OPTION_FLAG,
     FIELD(verbose),
     .help = "log one line per request to stderr"},
    {.name = "help", .type = PARSE_OPTION_HELP, .help = "show this text"},
};

const struct parse_options_table sim_option_table = {
    .rows = sim_option_rows,
    .count = sizeof(sim_option_rows) / sizeof(sim_option_rows[0]),
    .program = "lattigo-sim",
};

void sim_options_usage(FILE *stream)
{
	fputs("usage: lattigo-sim [options]\n"
	      "A local simulator of the Lattigo v2 API (see docs/simulator.md).\n\n",
	      stream);
	parse_options_print_help(&sim_option_table, ~0u, stream);
}

void sim_options_release(struct sim_options *options)
{
	parse_options_release(&sim_option_table, options);
}

/* The checks that concern more than one option, or more than a row says. */
static int check_combination(const struct sim_options *options, struct error *error)
{
	if (strchr(options->key_name, ':'))
		return error_set(error,
		                 "--key-name: '%s' contains ':' (basic auth cannot carry it)",
		                 options->key_name);
	if (!options->tls_cert != !options->tls_key)
		return error_set(error, "options '--tls-cert' and '--tls-key' go together");
	return 0;
}

enum sim_options_result sim_options_parse(struct sim_options *options, int argc, char **argv,
                                          char *message, size_t message_size)
{
	struct parsed_command_line line;
	struct error error;
	enum sim_options_result result = SIM_OPTIONS_ERROR;
	error_clear(&error);
	memset(options, 0, sizeof(*options));
	memset(&line, 0, sizeof(line));
	if (parse_options_defaults(&sim_option_table, options, &error) < 0 ||
	    parse_options_argv(&sim_option_table, ~0u, NULL, argc, argv, &line, &error) < 0)
		goto out;
	if (line.help) {
		result = SIM_OPTIONS_HELP;
		goto out;
	}
	if (line.positional_count) {
		error_set(&error, "unexpected argument '%s'; see 'lattigo-sim --help'",
		          line.positional[0]);
		goto out;
	}
	if (parse_options_apply_line(&line, options, &error) < 0 ||
	    check_combination(options, &error) < 0)
		goto out;
	result = SIM_OPTIONS_OK;
out:
	if (result == SIM_OPTIONS_ERROR)
		snprintf(message, message_size, "%s", error.message);
	parsed_command_line_release(&line);
	return result;
}
