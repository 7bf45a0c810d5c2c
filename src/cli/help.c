/* Help texts of the program and of run / resume / validate / ops (built from
 * the option table so they never drift from the parser). */
#include "help.h"

#include <string.h>

#include "cli/options.h"
#include "common/parse_options.h"

#define HELP_TEXT_WIDTH 78

void help_program(FILE *stream)
{
	fputs(
	    "usage: lattigo-batch <command> [arguments]\n"
	    "\n"
	    "Pushes provisioning jobs (CSV/JSONL manifests of devices) through the Lattigo\n"
	    "M2M API: validates every row, sends the valid ones in chunks, records every\n"
	    "row's outcome and resumes interrupted jobs.\n"
	    "\n"
	    "commands:\n"
	    "  run      (JOBFILE | --op OP --manifest FILE) [options]  start a job, or resume it\n"
	    "                                                        if --out holds one\n"
	    "  resume   OUTDIR                 continue an interrupted job\n"
	    "  status   OUTDIR [--json]        progress of a job, without touching it\n"
	    "  report   OUTDIR [--output FILE] write the job's report.html (also while it runs)\n"
	    "  validate (JOBFILE | --op OP --manifest FILE) [--out DIR]\n"
	    "                                  check every row, send nothing\n"
	    "  plan     (JOBFILE | --op OP --manifest FILE) [--out DIR]\n"
	    "                                  validation + the account's live state: what\n"
	    "                                  would change (no write)\n"
	    "  verify   OUTDIR [--wait DURATION]\n"
	    "                                  read back what a job changed: verified,\n"
	    "                                  pending, mismatch or missing (verify.csv)\n"
	    "  export   WHAT [options]         read-side jobs (devices, reports, rate-plans, "
	    "users)\n"
	    "  audit    verify FILE | show FILE --row N\n"
	    "                                  check an audit trail, or show a row's exchanges\n"
	    "  ops                             list operations and their columns\n"
	    "  template OP [--format csv|xlsx] [--output FILE]\n"
	    "                                  a blank manifest for OP (.xlsx: Text IDs,\n"
	    "                                  drop-down lists, instructions)\n"
	    "  help [COMMAND]                  this text, or the help of one command\n"
	    "\n"
	    "options of the program: --help, --version\n"
	    "\n"
	    "exit status: 0 every row succeeded (or valid); 1 finished but some rows failed or\n"
	    "were invalid; 2 usage, configuration or input error (nothing sent); 3 interrupted\n"
	    "or stopped early (resumable); 4 resume refused.\n"
	    "\n"
	    "examples:\n"
	    "  lattigo-batch ops\n"
	    "  lattigo-batch validate --op activate --manifest lot-42.csv --out checked/\n"
	    "  lattigo-batch run jobs/demo-activate.json --dry-run\n"
	    "  lattigo-batch run --op cost-center --manifest centers.csv --chunk 200\n"
	    "  lattigo-batch resume out/lot-42-activate\n"
	    "\n"
	    "'lattigo-batch <command> --help' shows a command's options.\n",
	    stream);
}

/* Prints the options of the table that belong to scope, with their defaults. */
static void print_options(FILE *stream, unsigned scope)
{
	parse_options_print_help(&job_option_table, scope, stream);
}

/* Prints the job-file keys of the table as an indented, wrapped list. */
static void print_job_file_keys(FILE *stream)
{
	size_t column = 0;
	for (size_t index = 0; index < job_option_table.count; index++) {
		const char *key = job_option_table.rows[index].json_key;
		if (!key)
			continue;
		if (column && column + strlen(key) + 2 > HELP_TEXT_WIDTH) {
			fputs(",\n", stream);
			column = 0;
		}
		int written = fprintf(stream, "%s%s", column ? ", " : "  ", key);
		column += written > 0 ? (size_t)written : 0;
	}
	fputs("\n", stream);
}

static void help_run(FILE *stream)
{
	fputs("usage: lattigo-batch run (JOBFILE | --op OP --manifest FILE) [options]\n"
	      "\n"
	      "Validates every row, then sends the valid rows in chunks (--chunk rows per call,\n"
	      "--concurrency calls in flight) and records each row's outcome in the job\n"
	      "directory (--out): results.csv, errors.csv, summary.json, audit.jsonl.gz and a\n"
	      "checkpoint. Running it again with the same --out resumes the job. Credentials\n"
	      "come from LATTIGO_KEY_NAME and LATTIGO_API_KEY, or --credentials FILE.\n"
	      "A job file is a JSON object with these keys:\n",
	      stream);
	print_job_file_keys(stream);
	fputs("paths in it are relative to the job file; options on the command line win over\n"
	      "it.\n"
	      "\n",
	      stream);
	print_options(stream, SCOPE_RUN);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch run jobs/demo-activate.json --endpoint sim\n"
	      "  lattigo-batch run --op activate --manifest lot-42.csv --set rate_plan_name=\"ACME "
	      "5MB\" --dry-run\n"
	      "  lattigo-batch run --op simstate --manifest stop.csv --set state=suspend --rate 5\n"
	      "  lattigo-batch run --op locate --manifest trackers.csv --yes\n"
	      "\n"
	      "exit status: 0 every row ok; 1 some rows failed or invalid; 2 usage or input "
	      "error;\n"
	      "3 interrupted (resumable); 4 resume refused.\n",
	      stream);
}

static void help_resume(FILE *stream)
{
	fputs("usage: lattigo-batch resume OUTDIR [options]\n"
	      "\n"
	      "Continues the job recorded in OUTDIR (its job.json and checkpoint): rows that\n"
	      "already have a final outcome are not sent again. The operation, manifest and\n"
	      "row options come from the job; credentials must be given again (environment or\n"
	      "--credentials). It sends to the job's stored endpoint (job.json), not to\n"
	      "$LATTIGO_ENDPOINT; an --endpoint that differs is refused (exit 4) unless\n"
	      "--force-endpoint. Refused (exit 4) when the manifest changed.\n"
	      "\n",
	      stream);
	print_options(stream, SCOPE_RESUME);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch resume out/lot-42-activate\n"
	      "  lattigo-batch resume out/lot-42-activate --concurrency 2 --rate 10\n",
	      stream);
}

static void help_validate(FILE *stream)
{
	fputs("usage: lattigo-batch validate (JOBFILE | --op OP --manifest FILE) [--out DIR]\n"
	      "\n"
	      "Reads every row and checks it against the operation's rules; sends nothing and\n"
	      "needs no credentials. Prints the number of rows, valid and invalid rows, invalid\n"
	      "rows per rule and the first 20 invalid rows. With --out DIR writes DIR/errors.csv:\n"
	      "the invalid rows with the manifest's own columns plus 'error', ready to fix and\n"
	      "validate again. (A job file's out is ignored here: it is where run writes.)\n"
	      "\n",
	      stream);
	print_options(stream, SCOPE_VALIDATE);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch validate --op activate --manifest lot-42.csv\n"
	      "  lattigo-batch validate jobs/demo-activate.json --out checked/\n"
	      "  lattigo-batch validate --op cost-center --manifest centers.csv --delimiter ';' "
	      "--map cost_center=Kostenstelle\n"
	      "\n"
	      "exit status: 0 all rows valid; 1 some rows invalid; 2 the manifest or job file\n"
	      "cannot be read, or a usage error.\n",
	      stream);
}

static void help_verify(FILE *stream)
{
	fputs(
	    "usage: lattigo-batch verify OUTDIR [--wait DURATION] [options]\n"
	    "\n"
	    "Reads back, for every row the job in OUTDIR reported ok or unknown, the device\n"
	    "it names (GETs only, as plan reads the account) and judges it: verified (the device\n"
	    "holds what the row asked for; an activation: a device with that ICCID and IMEI\n"
	    "is active), pending (an accepted activation not active or not readable yet),\n"
	    "mismatch (another value, the ICCID on another IMEI, a refused state) or missing\n"
	    "(no such device). Writes OUTDIR/verify.csv (row, identifier, device_name,\n"
	    "expected, observed, verdict: after activations the device_name column names\n"
	    "each new device) and a verification section in summary.json; its reads go to\n"
	    "OUTDIR/verify-audit.jsonl.gz. --wait re-reads only the pending rows, 2 s, then\n"
	    "doubling to 60 s apart, until none is pending or DURATION has passed; Ctrl-C\n"
	    "stops and writes what is known. The job's endpoint (job.json) is read unless\n"
	    "--endpoint says otherwise; a running job is left alone. Operations with no\n"
	    "readable state (usage-limit, remove-usage-limit, sms, locate, upload) cannot be\n"
	    "verified (exit 2). `run --verify[=DURATION]` does the same at the end of a job.\n"
	    "\n",
	    stream);
	print_options(stream, SCOPE_VERIFY);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch verify out/lot-42-activate\n"
	      "  lattigo-batch verify out/lot-42-activate --wait 30m\n"
	      "  lattigo-batch run jobs/demo-activate.json --verify=10m --yes\n"
	      "\n"
	      "exit status: 0 every row verified; 1 some row pending, mismatch or missing;\n"
	      "2 OUTDIR holds no job, the operation cannot be verified, the job is running, or\n"
	      "the credentials were refused; 3 interrupted (verify.csv holds what was known).\n",
	      stream);
}

static void help_plan(FILE *stream)
{
	fputs("usage: lattigo-batch plan (JOBFILE | --op OP --manifest FILE) [--out DIR]\n"
	      "\n"
	      "Validates every row, then reads the account's live state (the rate plans and\n"
	      "users when the operation names them, and the devices the rows name: the whole\n"
	      "account or one read per device, whichever takes fewer calls) and says what each\n"
	      "row would do, sending no write: change (current -> target), unchanged (already\n"
	      "in place), missing (no such device), conflict (e.g. the ICCID belongs to another\n"
	      "device or IMEI) or invalid (including a rate plan or username the account does\n"
	      "not have, with a 'did you mean'). Prints the counts, the first rows of each kind\n"
	      "and, for activations, the cost from the rate plans' fees. Rows may name devices\n"
	      "by ICCID or IMEI (an id_type column or --set id_type=iccid) for every device\n"
	      "operation. With --out DIR writes DIR/plan.csv (row, identifier, device_name,\n"
	      "kind, current, target, message) and the snapshot read (DIR/snapshot). The\n"
	      "manifest is read more than once: a piped one (--manifest -) is copied to a\n"
	      "temporary file first. (A job file's out is ignored.)\n"
	      "\n",
	      stream);
	print_options(stream, SCOPE_PLAN);
	fputs("\n"
	      "examples:\n"
	      "  lattigo-batch plan --op cost-center --manifest centers.csv --out planned/\n"
	      "  lattigo-batch plan jobs/demo-activate.json --endpoint sim\n"
	      "  lattigo-batch plan --op cost-center --manifest by-iccid.csv --set id_type=iccid\n"
	      "\n"
	      "exit status: 0 every row is change or unchanged; 1 some rows are missing,\n"
	      "conflict or invalid; 2 the manifest, job file or credentials cannot be used;\n"
	      "3 the account could not be read (interrupted, or the API kept failing).\n",
	      stream);
}

static void help_ops(FILE *stream)
{
	fputs("usage: lattigo-batch ops\n"
	      "\n"
	      "Lists every operation: its API verb and endpoint, its fields (* = required),\n"
	      "how rows are batched into calls, and its flags (per-row, non-idempotent,\n"
	      "needs --yes). Field names are the manifest column names (case-insensitive);\n"
	      "use --map FIELD=COLUMN for other names.\n",
	      stream);
}

int help_command(FILE *stream, const char *command)
{
	static const struct {
		const char *name;
		void (*print)(FILE *stream);
	} helps[] = {
	    {"ops", help_ops}, {"plan", help_plan},         {"resume", help_resume},
	    {"run", help_run}, {"validate", help_validate}, {"verify", help_verify},
	};
	for (size_t index = 0; index < sizeof(helps) / sizeof(helps[0]); index++) {
		if (strcmp(helps[index].name, command) == 0) {
			helps[index].print(stream);
			return 0;
		}
	}
	return -1;
}
