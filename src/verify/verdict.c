/* Verdicts of `verify` from the operations' live comparators (verdict.h). */
#include "verify/verdict.h"

#include <string.h>

#define VERIFY_TEXT_LIMIT 1024
/* The device state an activation (a row that creates its device) must reach. */
#define VERIFY_CREATED_STATE "active"

const char *verify_verdict_name(enum verify_verdict verdict)
{
	static const char *const names[VERIFY_VERDICT_COUNT] = {"verified", "pending", "mismatch",
	                                                        "missing"};
	return verdict < VERIFY_VERDICT_COUNT ? names[verdict] : "?";
}

bool verify_op_readable(const struct op *op)
{
	return op->live.compare && !(op->live.flags & OP_LIVE_NO_DEVICE);
}

void verify_judgement_init(struct verify_judgement *judgement)
{
	judgement->verdict = VERIFY_MISSING;
	strbuf_init(&judgement->expected, VERIFY_TEXT_LIMIT);
	strbuf_init(&judgement->observed, VERIFY_TEXT_LIMIT);
	strbuf_init(&judgement->device_name, VERIFY_TEXT_LIMIT);
}

void verify_judgement_release(struct verify_judgement *judgement)
{
	strbuf_release(&judgement->expected);
	strbuf_release(&judgement->observed);
	strbuf_release(&judgement->device_name);
}

/* What verify.csv shows as expected: for a row that creates its device,
 * the state it must reach ("active"; the comparator's own target is the
 * rate plan, which is what `plan` prices); otherwise the comparator's
 * target, asked of a device that holds nothing when none was found. */
static void append_expected(const struct op *op, const struct record *record,
                            const struct live_comparison *found, struct strbuf *out)
{
	if (op->live.flags & OP_LIVE_CREATES) {
		strbuf_append_string(out, VERIFY_CREATED_STATE);
		return;
	}
	struct live_comparison comparison = {LIVE_UNREADABLE, "", ""};
	if (found) {
		comparison = *found;
	} else {
		static const struct device_view nothing = {{NULL}};
		struct strbuf ignored;
		strbuf_init(&ignored, VERIFY_TEXT_LIMIT);
		op_live_compare(op, record, &nothing, &comparison, &ignored);
		strbuf_release(&ignored);
	}
	strbuf_append_string(out, comparison.target ? comparison.target : "");
}

void verify_judge(const struct op *op, const struct record *record,
                  const struct device_view *device, bool wait_over,
                  struct verify_judgement *judgement)
{
	strbuf_reset(&judgement->expected);
	strbuf_reset(&judgement->observed);
	strbuf_reset(&judgement->device_name);
	if (!device) {
		append_expected(op, record, NULL, &judgement->expected);
		/* "HTTP 200 … accepted and will be worked on": a device the job
		 * created may show up only later, so absence is pending while the
		 * wait lasts (docs/api-notes.md). */
		bool created_later = (op->live.flags & OP_LIVE_CREATES) && !wait_over;
		judgement->verdict = created_later ? VERIFY_PENDING : VERIFY_MISSING;
		strbuf_append_string(&judgement->observed,
		                     created_later ? "not readable yet" : "no such device");
		return;
	}
	const char *name = device->value[DEVICE_NAME];
	strbuf_append_string(&judgement->device_name, name ? name : "");
	struct live_comparison comparison = {LIVE_UNREADABLE, "", ""};
	struct strbuf message;
	strbuf_init(&message, VERIFY_TEXT_LIMIT);
	op_live_compare(op, record, device, &comparison, &message);
	append_expected(op, record, &comparison, &judgement->expected);
	strbuf_append_string(&judgement->observed, comparison.current ? comparison.current : "");
	switch (comparison.match) {
	case LIVE_IN_PLACE:
		judgement->verdict = VERIFY_VERIFIED;
		break;
	case LIVE_PENDING:
		judgement->verdict = VERIFY_PENDING;
		break;
	case LIVE_INCOMPATIBLE:
		judgement->verdict = VERIFY_MISMATCH;
		if (message.length) {
			strbuf_append_string(&judgement->observed,
			                     judgement->observed.length ? " (" : "(");
			strbuf_append(&judgement->observed, strbuf_text(&message), message.length);
			strbuf_append_char(&judgement->observed, ')');
		}
		break;
	case LIVE_DIFFERS:
	case LIVE_UNREADABLE:
	default:
		/* unreadable cannot happen for a readable op; never call it verified */
		judgement->verdict = VERIFY_MISMATCH;
		break;
	}
	strbuf_release(&message);
}
