/* lattigo-batch's entry point: finds the command named by the first argument
 * in a table and hands it the rest; every command lives in its own file. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/help.h"
#include "common/suggest.h"
#include "common/version.h"

struct command_entry {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* Sorted by name; `help` is handled here, since it concerns the table
 * itself. Kept one command a line, away from clang-format's packing. */
/* clang-format off */
static const struct command_entry commands[] = {
	{"audit", command_audit},
	{"export", command_export},
	{"ops", command_ops},
	{"plan", command_plan},
	{"report", command_report},
	{"resume", command_resume},
	{"run", command_run},
	{"status", command_status},
	{"template", command_template},
	{"validate", command_validate},
	{"verify", command_verify},
};
/* clang-format on */
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const struct command_entry *find_command(const char *name)
{
	for (size_t index = 0; index < COMMAND_COUNT; index++)
		if (strcmp(commands[index].name, name) == 0)
			return &commands[index];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[COMMAND_COUNT + 1];
	for (size_t index = 0; index < COMMAND_COUNT; index++)
		names[index] = commands[index].name;
	names[COMMAND_COUNT] = "help";
	const char *closest = closest_name(name, names, COMMAND_COUNT + 1);
	if (closest)
		fprintf(stderr,
		        "lattigo-batch: unknown command '%s' (did you mean '%s'?); see "
		        "'lattigo-batch --help'\n",
		        name, closest);
	else
		fprintf(stderr, "lattigo-batch: unknown command '%s'; see 'lattigo-batch --help'\n",
		        name);
	return EXIT_USAGE;
}

/* `help [COMMAND]`: the program's help, or the command's own --help. */
static int help(int argc, char **argv)
{
	if (argc < 2) {
		help_program(stdout);
		return EXIT_ALL_OK;
	}
	const struct command_entry *command = find_command(argv[1]);
	if (!command)
		return unknown_command(argv[1]);
	char help_flag[] = "--help";
	char *command_argv[] = {argv[1], help_flag, NULL};
	return command->run(2, command_argv);
}

int main(int argc, char **argv)
{
	/* A file size limit (ulimit -f) must stop a job like a full disk does,
	 * cleanly and resumably: with SIGXFSZ ignored the write fails with EFBIG
	 * instead of the signal killing the process mid-record. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		help_program(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		help_program(stdout);
		return EXIT_ALL_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("lattigo-batch %s\n", LATTIGO_BATCH_VERSION);
		return EXIT_ALL_OK;
	}
	if (strcmp(name, "help") == 0)
		return help(argc - 1, argv + 1);
	if (name[0] == '-') {
		fprintf(stderr,
		        "lattigo-batch: '%s' before a command; usage: lattigo-batch <command> "
		        "[arguments] (see 'lattigo-batch --help')\n",
		        name);
		return EXIT_USAGE;
	}
	const struct command_entry *command = find_command(name);
	if (!command)
		return unknown_command(name);
	return command->run(argc - 1, argv + 1);
}
