/* The commands of lattigo-batch; main.c dispatches to them from a table.
 * Each takes the arguments after the command name (argv[0] is the command)
 * and returns an exit_code. */
#ifndef LATTIGO_COMMANDS_H
#define LATTIGO_COMMANDS_H

#include "common/error.h"

/* Exit status of the program (SPEC §2). */
enum exit_code {
	EXIT_ALL_OK = 0,         /* every row succeeded */
	EXIT_SOME_FAILED = 1,    /* finished, but some rows failed or were invalid */
	EXIT_USAGE = 2,          /* usage, configuration or input error; nothing sent */
	EXIT_INTERRUPTED = 3,    /* stopped early; resumable */
	EXIT_RESUME_REFUSED = 4, /* the manifest changed or the job directory is inconsistent */
};

/* Prints error to stderr as "lattigo-batch: file:line: message" (once only
 * after a storage failure: later errors echo it) and returns exit_code. */
int report_error(const struct error *error, int exit_code);

int command_run(int argc, char **argv);      /* cli/cmd_run.c */
int command_resume(int argc, char **argv);   /* cli/cmd_run.c */
int command_validate(int argc, char **argv); /* cli/cmd_validate.c */
int command_plan(int argc, char **argv);     /* cli/cmd_plan.c */
int command_ops(int argc, char **argv);      /* cli/cmd_ops.c */
int command_export(int argc, char **argv);   /* cli/cmd_export.c */
/* `resume DIR` of an export job: the stored command line, then argv's extras. */
int command_export_resume(const char *directory, int argc, char **argv); /* cli/cmd_export.c */
int command_status(int argc, char **argv);                               /* cli/cmd_status.c */
int command_audit(int argc, char **argv);                                /* cli/cmd_audit.c */
int command_report(int argc, char **argv);                               /* cli/cmd_report.c */
int command_template(int argc, char **argv);                             /* cli/cmd_template.c */
int command_verify(int argc, char **argv);                               /* cli/cmd_verify.c */

#endif
