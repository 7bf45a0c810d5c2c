/* --yes or a typed confirmation for operations that cost money or cannot be
 * recalled; one rule for every OP_NEEDS_YES operation. */
#include "cli/confirm.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

bool confirm_needed(const struct op *op, const struct job_options *options)
{
	if (!(op->flags & OP_NEEDS_YES) || options->yes || options->dry_run)
		return false;
	/* the bundled simulator is a rehearsal: nothing costs anything there */
	return !(options->endpoint && strcmp(options->endpoint, "sim") == 0);
}

bool confirm_can_ask(const struct job_options *options)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO) &&
	       !(options->manifest && strcmp(options->manifest, "-") == 0);
}

int confirm_refuse(const struct op *op, struct error *error)
{
	return error_set(error,
	                 "operation '%s' costs money or cannot be recalled: add --yes to run it "
	                 "(or run it on a terminal to confirm; --dry-run or 'lattigo-batch "
	                 "plan' show what it would do); nothing was sent",
	                 op->name);
}

const char *confirm_format_question(const struct op *op, const struct confirm_cost *cost, char *out,
                                    size_t size)
{
	char price[160];
	if (cost->known)
		snprintf(price, sizeof(price),
		         " at an estimated cost of %.2f (activation fees from the account's rate "
		         "plans)",
		         cost->amount);
	else if (cost->priced_rows > 0)
		snprintf(price, sizeof(price),
		         " at an estimated cost of at least %.2f (%" PRIu64
		         " rows priced from the account's rate plans, the others unknown)",
		         cost->amount, cost->priced_rows);
	else
		snprintf(price, sizeof(price), " (cost not known from the API)");
	snprintf(out, size,
	         "lattigo-batch: %s %" PRIu64 " row%s%s? Type 'yes' to send %s: ", op->name,
	         cost->rows, cost->rows == 1 ? "" : "s", price, cost->rows == 1 ? "it" : "them");
	return out;
}

int confirm_ask(FILE *in, FILE *out, const struct op *op, const struct confirm_cost *cost,
                struct error *error)
{
	char question[512];
	fputs(confirm_format_question(op, cost, question, sizeof(question)), out);
	fflush(out);
	char answer[64];
	if (!fgets(answer, sizeof(answer), in))
		return error_set(error, "no confirmation: nothing was sent");
	answer[strcspn(answer, "\r\n")] = '\0';
	if (strcmp(answer, "yes") != 0)
		return error_set(error, "not confirmed ('%s' is not 'yes'): nothing was sent",
		                 answer);
	return 0;
}
