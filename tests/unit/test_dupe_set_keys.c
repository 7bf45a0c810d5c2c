/* Unit tests for keeping the duplicate set across a resume: the fingerprints
 * a check claimed, inserted into a set with the same seed, make that set
 * answer every later check exactly as the original does (the row it names
 * included), across the 2^20-row epochs of the set's entries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/validate.h"

struct claim {
	uint64_t fingerprints[DUPE_SET_MAX_KEYS];
	size_t count;
	uint64_t row;
};

/* Row r of the test manifest: ICCID and IMEI from r, every 7th row repeating
 * the ICCID of row r - 5 (a duplicate), every 11th the IMEI of row r - 3. */
static void fill(struct record *record, char *iccid, char *imei, uint64_t row)
{
	memset(record, 0, sizeof(*record));
	record->row = row;
	uint64_t iccid_row = row % 7 == 0 && row > 5 ? row - 5 : row;
	uint64_t imei_row = row % 11 == 0 && row > 3 ? row - 3 : row;
	snprintf(iccid, 32, "8901%016llu", (unsigned long long)iccid_row);
	snprintf(imei, 32, "35%013llu", (unsigned long long)imei_row);
	record->value[FIELD_ICCID] = iccid;
	record->value[FIELD_IMEI] = imei;
}

static void a_set_rebuilt_from_its_claims_answers_alike(void **state)
{
	(void)state;
	const struct op *op = op_find("activate");
	assert_non_null(op);
	struct dupe_set *original = dupe_set_new();
	assert_non_null(original);
	struct strbuf message;
	strbuf_init(&message, 1024);
	/* rows far apart cross the set's 2^20-row epochs */
	const uint64_t first_rows = 3000;
	const uint64_t step = 997;
	struct claim *claims = calloc(first_rows, sizeof(*claims));
	assert_non_null(claims);
	size_t claim_count = 0;
	char iccid[32], imei[32];
	struct record record;
	for (uint64_t index = 1; index <= first_rows; index++) {
		uint64_t row = index * step;
		fill(&record, iccid, imei, row);
		int64_t earlier = dupe_set_check(original, op, &record, &message);
		assert_true(earlier >= 0);
		if (earlier != 0)
			continue;
		struct claim *claim = &claims[claim_count++];
		claim->count = dupe_set_last_claimed(original, claim->fingerprints);
		claim->row = row;
		assert_int_equal(claim->count, 2);
	}
	struct dupe_set *rebuilt = dupe_set_new_seeded(dupe_set_seed(original));
	assert_non_null(rebuilt);
	for (size_t index = 0; index < claim_count; index++)
		for (size_t key = 0; key < claims[index].count; key++)
			assert_int_equal(
			    dupe_set_insert_fingerprint(rebuilt, claims[index].fingerprints[key],
			                                claims[index].row),
			    0);
	/* later rows, new ones and repeats of early ones, get the same answers */
	for (uint64_t index = first_rows + 1; index <= first_rows + 2000; index++) {
		uint64_t row = index * step;
		uint64_t repeat = (index % 3 == 0) ? (index % first_rows + 1) * step : row;
		fill(&record, iccid, imei, repeat);
		record.row = row;
		strbuf_reset(&message);
		int64_t expected = dupe_set_check(original, op, &record, &message);
		char expected_message[128];
		snprintf(expected_message, sizeof(expected_message), "%s", strbuf_text(&message));
		strbuf_reset(&message);
		int64_t got = dupe_set_check(rebuilt, op, &record, &message);
		assert_int_equal(got, expected);
		if (expected > 0)
			assert_string_equal(strbuf_text(&message), expected_message);
	}
	/* another seed makes other fingerprints: nothing is found */
	struct dupe_set *other = dupe_set_new_seeded(dupe_set_seed(original) + 1);
	for (size_t index = 0; index < claim_count; index++)
		for (size_t key = 0; key < claims[index].count; key++)
			assert_int_equal(
			    dupe_set_insert_fingerprint(other, claims[index].fingerprints[key],
			                                claims[index].row),
			    0);
	fill(&record, iccid, imei, step);
	record.row = 5;
	assert_int_equal(dupe_set_check(other, op, &record, &message), 0);
	dupe_set_free(other);
	dupe_set_free(rebuilt);
	dupe_set_free(original);
	free(claims);
	strbuf_release(&message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_set_rebuilt_from_its_claims_answers_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
