/* Unit tests for the simulator's pagination arithmetic and headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "sim/pagination.h"

static void defaults_give_the_first_page_of_one_hundred(void **state)
{
	(void)state;
	struct pagination page;
	char message[128], next[32], previous[32];
	assert_int_equal(pagination_compute(NULL, NULL, NULL, 300, &page, message, sizeof message),
	                 0);
	assert_int_equal(page.page, 1);
	assert_int_equal(page.per_page, 100);
	assert_int_equal(page.offset, 0);
	assert_int_equal(page.first, 0);
	assert_int_equal(page.count, 100);
	assert_int_equal(page.total_pages, 3);
	pagination_next_page(&page, next, sizeof next);
	pagination_prev_page(&page, previous, sizeof previous);
	assert_string_equal(next, "2");
	assert_string_equal(previous, "");
}

static void last_page_is_short_and_has_no_next_page(void **state)
{
	(void)state;
	struct pagination page;
	char message[128], next[32], previous[32];
	assert_int_equal(pagination_compute("3", "120", NULL, 300, &page, message, sizeof message),
	                 0);
	assert_int_equal(page.first, 240);
	assert_int_equal(page.count, 60);
	pagination_next_page(&page, next, sizeof next);
	pagination_prev_page(&page, previous, sizeof previous);
	assert_string_equal(next, "");
	assert_string_equal(previous, "2");
}

static void offset_pads_before_the_first_page(void **state)
{
	(void)state;
	struct pagination page;
	char message[128];
	assert_int_equal(pagination_compute("2", "50", "10", 300, &page, message, sizeof message),
	                 0);
	assert_int_equal(page.first, 60);
	assert_int_equal(page.count, 50);
	assert_int_equal(page.total_pages, 6);
	assert_int_equal(page.offset, 10);
}

static void pages_past_the_end_are_empty(void **state)
{
	(void)state;
	struct pagination page;
	char message[128];
	assert_int_equal(pagination_compute("9", "10", NULL, 42, &page, message, sizeof message),
	                 0);
	assert_int_equal(page.count, 0);
	assert_int_equal(page.total_pages, 5);
	assert_int_equal(pagination_compute(NULL, NULL, NULL, 0, &page, message, sizeof message),
	                 0);
	assert_int_equal(page.count, 0);
	assert_int_equal(page.total_pages, 0);
}

static void per_page_is_capped(void **state)
{
	(void)state;
	struct pagination page;
	char message[128];
	assert_int_equal(
	    pagination_compute(NULL, "999999", NULL, 5, &page, message, sizeof message), 0);
	assert_int_equal(page.per_page, PAGINATION_MAX_PER_PAGE);
}

static void malformed_parameters_are_named(void **state)
{
	(void)state;
	struct pagination page;
	char message[128];
	const char *bad_pages[] = {"0", "-1", "abc", "", "1.5", "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad_pages / sizeof bad_pages[0]; i++) {
		assert_int_equal(pagination_compute(bad_pages[i], NULL, NULL, 10, &page, message,
		                                    sizeof message),
		                 -1);
		assert_string_equal(message, "page: must be a positive integer");
	}
	assert_int_equal(pagination_compute(NULL, "0", NULL, 10, &page, message, sizeof message),
	                 -1);
	assert_string_equal(message, "per_page: must be a positive integer");
	assert_int_equal(pagination_compute(NULL, NULL, "-2", 10, &page, message, sizeof message),
	                 -1);
	assert_string_equal(message, "offset: must be a non-negative integer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_give_the_first_page_of_one_hundred),
	    cmocka_unit_test(last_page_is_short_and_has_no_next_page),
	    cmocka_unit_test(offset_pads_before_the_first_page),
	    cmocka_unit_test(pages_past_the_end_are_empty),
	    cmocka_unit_test(per_page_is_capped),
	    cmocka_unit_test(malformed_parameters_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
