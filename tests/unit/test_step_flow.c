/* Unit tests of the per-row state machine of steps jobs (cli/step_flow.c):
 * a row enters the next step only after ok or unchanged and, with a
 * verification, once verified; reads back off within the wait; a failure or
 * a wait run out stops the row at its step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cli/step_flow.h"

static struct row_outcome outcome(enum row_status status, const char *message)
{
	struct row_outcome result;
	memset(&result, 0, sizeof(result));
	result.status = status;
	strncpy(result.message, message, sizeof(result.message) - 1);
	return result;
}

static void steps_follow_each_other_without_verification(void **state)
{
	(void)state;
	struct flow_step steps[3] = {{0, 0}, {0, 0}, {0, 0}};
	struct flow_row row;
	struct flow_action action;
	flow_start(&row, 3, &action);
	assert_int_equal(action.next, FLOW_SEND);
	assert_int_equal(row.step, 0);
	struct row_outcome ok = outcome(ROW_OK, "");
	flow_step_finished(&row, steps, &ok, 10, &action);
	assert_int_equal(action.next, FLOW_SEND);
	assert_int_equal(row.step, 1);
	struct row_outcome unchanged = outcome(ROW_UNCHANGED, "");
	flow_step_finished(&row, steps, &unchanged, 20, &action);
	assert_int_equal(row.step, 2);
	flow_step_finished(&row, steps, &ok, 30, &action);
	assert_int_equal(action.next, FLOW_DONE);
}

static void a_failed_step_stops_the_row_there(void **state)
{
	(void)state;
	struct flow_step steps[2] = {{0, 0}, {0, 0}};
	struct flow_row row;
	struct flow_action action;
	flow_start(&row, 2, &action);
	struct row_outcome refused = outcome(ROW_ERROR, "iccid: has already been taken");
	flow_step_finished(&row, steps, &refused, 10, &action);
	assert_int_equal(action.next, FLOW_FAILED);
	assert_int_equal(action.status, ROW_ERROR);
	assert_int_equal(row.step, 0);
	assert_string_equal(action.message, "iccid: has already been taken");
	struct row_outcome unknown = outcome(ROW_UNKNOWN, "no answer");
	flow_start(&row, 2, &action);
	flow_step_finished(&row, steps, &unknown, 10, &action);
	assert_int_equal(action.next, FLOW_FAILED);
	assert_int_equal(action.status, ROW_UNKNOWN);
}

static void a_verified_step_waits_for_the_read(void **state)
{
	(void)state;
	struct flow_step steps[2] = {{60000, 0}, {0, 0}};
	struct flow_row row;
	struct flow_action action;
	flow_start(&row, 2, &action);
	struct row_outcome ok = outcome(ROW_OK, "");
	flow_step_finished(&row, steps, &ok, 1000, &action);
	assert_int_equal(action.next, FLOW_READ);
	assert_int_equal(action.at_ms, 1000 + FLOW_FIRST_READ_MS);
	assert_int_equal(row.step, 0);
	struct row_outcome pending = outcome(ROW_UNKNOWN, "not verified yet: pending");
	flow_read_finished(&row, steps, &pending, 2000, &action);
	assert_int_equal(action.next, FLOW_READ);
	assert_int_equal(action.at_ms, 2000 + FLOW_READ_AGAIN_MS);
	flow_read_finished(&row, steps, &pending, 3000, &action);
	assert_int_equal(action.at_ms, 3000 + 2 * FLOW_READ_AGAIN_MS); /* backing off */
	struct row_outcome verified = outcome(ROW_OK, "verified");
	flow_read_finished(&row, steps, &verified, 5000, &action);
	assert_int_equal(action.next, FLOW_SEND);
	assert_int_equal(row.step, 1);
	/* the next row's first read comes when this one's verification did */
	assert_int_equal(steps[0].learnt_ms, 4000);
	flow_start(&row, 2, &action);
	flow_step_finished(&row, steps, &ok, 10000, &action);
	assert_true(action.at_ms >= 14000 && action.at_ms <= 14500);
}

static void the_wait_is_bounded(void **state)
{
	(void)state;
	struct flow_step steps[1] = {{5000, 0}};
	struct flow_row row;
	struct flow_action action;
	flow_start(&row, 1, &action);
	struct row_outcome ok = outcome(ROW_OK, "");
	flow_step_finished(&row, steps, &ok, 0, &action);
	struct row_outcome pending = outcome(ROW_UNKNOWN, "not verified yet: not readable yet");
	int64_t now = action.at_ms;
	for (int reads = 0; reads < 10 && action.next == FLOW_READ; reads++) {
		assert_true(action.at_ms <= 5000); /* never past the deadline */
		now = action.at_ms;
		flow_read_finished(&row, steps, &pending, now, &action);
	}
	assert_int_equal(action.next, FLOW_FAILED);
	assert_int_equal(action.status, ROW_ERROR);
	assert_non_null(strstr(action.message, "pending-timeout"));
	/* a mismatch ends the wait at once */
	flow_start(&row, 1, &action);
	flow_step_finished(&row, steps, &ok, 0, &action);
	struct row_outcome mismatch = outcome(ROW_ERROR, "iccid belongs to another device");
	flow_read_finished(&row, steps, &mismatch, 1000, &action);
	assert_int_equal(action.next, FLOW_FAILED);
}

static void rounds_of_reads_back_off_only_while_nothing_shows(void **state)
{
	(void)state;
	/* a quick round that settled rows: the next soon */
	assert_int_equal(flow_round_gap(0, 40, 120), FLOW_ROUND_GAP_MS);
	assert_int_equal(flow_round_gap(8000, 40, 1), FLOW_ROUND_GAP_MS);
	/* a slow one: the account is read at most half the time */
	assert_int_equal(flow_round_gap(0, 600, 5), 600);
	/* nothing settled: the pause grows by half, up to the longest */
	assert_int_equal(flow_round_gap(0, 40, 0), FLOW_ROUND_GAP_MS);
	assert_int_equal(flow_round_gap(FLOW_ROUND_GAP_MS, 40, 0), FLOW_ROUND_GAP_MS * 3 / 2);
	assert_int_equal(flow_round_gap(1000, 40, 0), 1500);
	assert_int_equal(flow_round_gap(25000, 40, 0), FLOW_READ_MAX_MS);
	assert_int_equal(flow_round_gap(FLOW_READ_MAX_MS, 40, 0), FLOW_READ_MAX_MS);
	assert_int_equal(flow_round_gap(300, 900, 0), 900);
	assert_int_equal(flow_round_gap(800, 900, 0), 1200);
}

static void partial_rows_end_before_their_invalid_step(void **state)
{
	(void)state;
	struct flow_step steps[3] = {{0, 0}, {0, 0}, {0, 0}};
	struct flow_row row;
	struct flow_action action;
	flow_start(&row, 0, &action);
	assert_int_equal(action.next, FLOW_DONE);
	flow_start(&row, 1, &action);
	struct row_outcome ok = outcome(ROW_OK, "");
	flow_step_finished(&row, steps, &ok, 0, &action);
	assert_int_equal(action.next, FLOW_DONE);
	assert_int_equal(row.step, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(steps_follow_each_other_without_verification),
	    cmocka_unit_test(a_failed_step_stops_the_row_there),
	    cmocka_unit_test(a_verified_step_waits_for_the_read),
	    cmocka_unit_test(the_wait_is_bounded),
	    cmocka_unit_test(rounds_of_reads_back_off_only_while_nothing_shows),
	    cmocka_unit_test(partial_rows_end_before_their_invalid_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
