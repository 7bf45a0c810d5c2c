/* Unit tests for the audit trail: round trip, redaction of every secret form,
 * capped bodies, and verify catching a flipped byte, a deleted record, two
 * swapped records, an edited record and a truncated last member (which the
 * next open repairs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "audit/audit.h"

#define KEY_NAME       "acme-key"
#define API_KEY        "s3cr3t-api-key-value"
#define API_KEY_BASE64 "czNjcjN0LWFwaS1rZXktdmFsdWU="             /* base64(API_KEY) */
#define BASIC_BASE64   "YWNtZS1rZXk6czNjcjN0LWFwaS1rZXktdmFsdWU=" /* base64(KEY_NAME:API_KEY) */

struct place {
	char directory[64];
	char path[128];
};

static void place_make(struct place *place)
{
	snprintf(place->directory, sizeof(place->directory), "/tmp/test_audit.XXXXXX");
	assert_non_null(mkdtemp(place->directory));
	snprintf(place->path, sizeof(place->path), "%s/audit.jsonl.gz", place->directory);
}

static void place_remove(struct place *place)
{
	unlink(place->path);
	assert_int_equal(rmdir(place->directory), 0);
}

static struct exchange exchange_for(uint64_t sequence, const uint64_t *rows, size_t count,
                                    const char *request, const char *response)
{
	struct exchange exchange;
	memset(&exchange, 0, sizeof(exchange));
	exchange.sequence = sequence;
	exchange.started_at_ms = 1764097200000 + (int64_t)sequence * 1000;
	exchange.finished_at_ms = exchange.started_at_ms + 42;
	exchange.method = "PUT";
	exchange.url = "https://api.lattigo.com/v2/device_operations/change_cost_center";
	exchange.request_body = request;
	exchange.request_length = strlen(request);
	exchange.http_status = 200;
	exchange.curl_error = "";
	exchange.response_headers = "Content-Type: application/json\nX-Total-Count: 2\n";
	exchange.response_headers_length = strlen(exchange.response_headers);
	exchange.response_body = response;
	exchange.response_length = strlen(response);
	exchange.attempt = 1;
	exchange.rows = rows;
	exchange.row_count = count;
	return exchange;
}

/* Writes a trail of a start record and count exchanges of two rows each,
 * committing every other exchange. */
static void write_trail(const char *path, unsigned count)
{
	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer);
	for (unsigned index = 0; index < count; index++) {
		uint64_t rows[2] = {2 * index + 1, 2 * index + 2};
		struct exchange exchange =
		    exchange_for(index + 1, rows, 2, "{\"devices\":[\"a\",\"b\"]}",
		                 "{\"change_status\":{\"a\":\"Success\",\"b\":\"Success\"}}");
		assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
		if (index % 2 == 1)
			assert_int_equal(audit_commit(writer, &error), 0);
	}
	assert_int_equal(audit_records_written(writer), count + 1);
	assert_int_equal(audit_close(writer, &error), 0);
}

static char *decompress(const char *path, size_t *length)
{
	gzFile file = gzopen(path, "rb");
	assert_non_null(file);
	size_t capacity = 1 << 16, used = 0;
	char *text = malloc(capacity);
	assert_non_null(text);
	for (;;) {
		if (capacity - used < 4096) {
			capacity *= 2;
			text = realloc(text, capacity);
			assert_non_null(text);
		}
		int count = gzread(file, text + used, (unsigned)(capacity - used - 1));
		if (count <= 0)
			break;
		used += (size_t)count;
	}
	gzclose(file);
	text[used] = '\0';
	*length = used;
	return text;
}

static void compress_to(const char *path, const char *text, size_t length)
{
	gzFile file = gzopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(gzwrite(file, text, (unsigned)length), (int)length);
	gzclose(file);
}

static unsigned char *read_bytes(const char *path, size_t *size)
{
	FILE *stream = fopen(path, "rb");
	assert_non_null(stream);
	fseek(stream, 0, SEEK_END);
	*size = (size_t)ftell(stream);
	fseek(stream, 0, SEEK_SET);
	unsigned char *data = malloc(*size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, *size, stream), *size);
	fclose(stream);
	return data;
}

static void write_bytes(const char *path, const void *data, size_t size)
{
	FILE *stream = fopen(path, "wb");
	assert_non_null(stream);
	assert_int_equal(fwrite(data, 1, size, stream), size);
	fclose(stream);
}

static void verify_expect(const char *path, bool broken, uint64_t records, const char *message)
{
	struct audit_report report;
	struct error error;
	error_clear(&error);
	assert_int_equal(audit_verify(path, &report, &error), 0);
	if (report.broken != broken || (records && report.records != records) ||
	    (message && !strstr(report.message, message)))
		fail_msg("verify: broken=%d records=%llu message='%s' (expected broken=%d "
		         "records=%llu message containing '%s')",
		         report.broken, (unsigned long long)report.records, report.message, broken,
		         (unsigned long long)records, message ? message : "");
}

static void round_trip_verifies_and_resume_continues_the_chain(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 6);
	struct audit_report report;
	struct error error;
	error_clear(&error);
	assert_int_equal(audit_verify(place.path, &report, &error), 0);
	assert_false(report.broken);
	assert_int_equal(report.records, 7);
	assert_int_equal(report.members, 4); /* start, two groups of two, and the last group */
	assert_false(report.truncated_member);
	assert_string_equal(report.last_time, "2025-11-25T19:00:06.000Z");

	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer);
	uint64_t rows[1] = {3};
	struct exchange exchange = exchange_for(7, rows, 1, "{}", "{}");
	exchange.attempt = 2;
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	assert_int_equal(audit_close(writer, &error), 0);
	verify_expect(place.path, false, 9, NULL);

	size_t length;
	char *text = decompress(place.path, &length);
	assert_non_null(strstr(text, "\"kind\":\"resume\",\"at\":"));
	assert_non_null(strstr(text, "\"seq\":8,\"kind\":\"exchange\""));
	assert_non_null(
	    strstr(text, "\"response_headers\":{\"content-type\":\"application/json\""));
	free(text);

	/* another job's trail is not continued */
	error_clear(&error);
	assert_null(audit_open(place.path, "00000000000000bb", "cost-center", &secrets, &error));
	assert_non_null(strstr(error.message, "belongs to another job"));
	place_remove(&place);
}

struct found {
	unsigned count;
	char first[4096];
};

static int collect(void *context, const char *line, size_t length)
{
	struct found *found = context;
	if (found->count++ == 0)
		snprintf(found->first, sizeof(found->first), "%.*s", (int)length, line);
	return 0;
}

static void rows_are_found(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 4);
	struct found found = {0};
	struct error error;
	error_clear(&error);
	assert_int_equal(audit_find_row(place.path, 6, collect, &found, &error), 0);
	assert_int_equal(found.count, 1);
	assert_non_null(strstr(found.first, "\"rows\":[5,6]"));
	memset(&found, 0, sizeof(found));
	assert_int_equal(audit_find_row(place.path, 99, collect, &found, &error), 0);
	assert_int_equal(found.count, 0);
	place_remove(&place);
}

static void secrets_never_reach_the_file(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "activate", &secrets, &error);
	assert_non_null(writer);
	uint64_t rows[1] = {1};
	struct exchange exchange =
	    exchange_for(1, rows, 1, "{\"note\":\"key " API_KEY " and " API_KEY_BASE64 "\"}",
	                 "{\"echo\":\"Basic " BASIC_BASE64 "\",\"raw\":\"" API_KEY "\"}");
	exchange.response_headers = "Authorization: Basic " BASIC_BASE64 "\nWWW-Authenticate: "
	                            "Basic realm=\"" API_KEY "\"\n";
	exchange.response_headers_length = strlen(exchange.response_headers);
	exchange.url = "https://ops:hunter2@api.lattigo.com/v2/devices/" API_KEY "?id_type=iccid";
	exchange.curl_error = "failed for " API_KEY_BASE64;
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	assert_int_equal(audit_close(writer, &error), 0);
	size_t length;
	char *text = decompress(place.path, &length);
	assert_null(strstr(text, API_KEY));
	assert_null(strstr(text, API_KEY_BASE64));
	assert_null(strstr(text, BASIC_BASE64));
	assert_non_null(strstr(text, "\"authorization\":\"[REDACTED]\""));
	assert_non_null(strstr(text, "key [REDACTED] and [REDACTED]"));
	assert_null(strstr(text, "hunter2"));
	assert_non_null(strstr(text, "\"url\":\"https://[REDACTED]@api.lattigo.com/v2/devices/"
	                             "[REDACTED]?id_type=iccid\""));
	free(text);
	verify_expect(place.path, false, 2, NULL);
	place_remove(&place);
}

static void long_bodies_keep_length_and_hash(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "activate", NULL, &error);
	assert_non_null(writer);
	size_t size = 100000;
	char *body = malloc(size + 1);
	assert_non_null(body);
	memset(body, 'x', size);
	body[size] = '\0';
	uint64_t rows[1] = {1};
	struct exchange exchange = exchange_for(1, rows, 1, "{}", body);
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	/* binary bytes that are not UTF-8 are kept as base64 */
	static const char binary[] = {'o', 'k', (char)0xff, (char)0xfe, 0};
	exchange = exchange_for(2, rows, 1, "{}", binary);
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	assert_int_equal(audit_close(writer, &error), 0);
	size_t length;
	char *text = decompress(place.path, &length);
	assert_non_null(strstr(text, "\"response_length\":100000,\"response_sha256\":\""));
	assert_non_null(strstr(text, "\"response_body_base64\":\"b2v//g==\""));
	assert_true(length < 70000 + 2000);
	free(text);
	free(body);
	verify_expect(place.path, false, 3, NULL);
	place_remove(&place);
}

static void a_flipped_byte_is_caught(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	/* member 1 is the start record; the flips go into the deflate data and
	 * trailers of the member after it. A flip that leaves every record intact
	 * (a padding bit after the last deflate block) need not be reported; any
	 * other must be. */
	write_trail(place.path, 2);
	size_t original_length;
	char *original = decompress(place.path, &original_length);
	size_t size;
	unsigned char *data = read_bytes(place.path, &size);
	size_t second_member = 0;
	for (size_t offset = 10; offset + 3 < size; offset++)
		if (data[offset] == 0x1f && data[offset + 1] == 0x8b && data[offset + 2] == 8) {
			second_member = offset;
			break;
		}
	assert_true(second_member > 0);
	unsigned checked = 0, harmless = 0;
	for (size_t offset = second_member + 10; offset < size; offset++) {
		data[offset] ^= 0x04;
		write_bytes(place.path, data, size);
		data[offset] ^= 0x04;
		struct audit_report report;
		struct error error;
		error_clear(&error);
		assert_int_equal(audit_verify(place.path, &report, &error), 0);
		checked++;
		if (report.broken)
			continue;
		size_t length;
		char *text = decompress(place.path, &length);
		bool same = length == original_length && memcmp(text, original, length) == 0;
		free(text);
		if (!same)
			fail_msg("a flipped byte at offset %zu changed a record unnoticed", offset);
		harmless++;
	}
	/* How many flips land in bits deflate ignores depends on the compressed
	 * bytes, which vary with the records' timestamps: only a few may. */
	assert_true(harmless * 10 <= checked);
	free(original);
	assert_true(checked > 50);
	free(data);
	place_remove(&place);
}

/* Rewrites the trail's text with one edit, as a single clean gzip member. */
static void edit_lines(const char *path, void (*edit)(char **lines, size_t *count))
{
	size_t length;
	char *text = decompress(path, &length);
	char *lines[64];
	size_t count = 0;
	for (char *line = text; *line && count < 64;) {
		char *newline = strchr(line, '\n');
		assert_non_null(newline);
		*newline = '\0';
		lines[count++] = line;
		line = newline + 1;
	}
	edit(lines, &count);
	char *joined = malloc(length + 64);
	assert_non_null(joined);
	size_t used = 0;
	for (size_t index = 0; index < count; index++) {
		size_t line_length = strlen(lines[index]);
		memcpy(joined + used, lines[index], line_length);
		used += line_length;
		joined[used++] = '\n';
	}
	compress_to(path, joined, used);
	free(joined);
	free(text);
}

static void delete_third(char **lines, size_t *count)
{
	memmove(&lines[2], &lines[3], (*count - 3) * sizeof(lines[0]));
	(*count)--;
}

static void swap_third_and_fourth(char **lines, size_t *count)
{
	(void)count;
	char *third = lines[2];
	lines[2] = lines[3];
	lines[3] = third;
}

static void edit_second(char **lines, size_t *count)
{
	(void)count;
	char *status = strstr(lines[1], "\"status\":200");
	assert_non_null(status);
	status[10] = '4'; /* 200 → 400 */
}

static void a_deleted_record_is_caught(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 5);
	edit_lines(place.path, delete_third);
	verify_expect(place.path, true, 5, "record 3 has seq 3, expected 2");
	place_remove(&place);
}

static void swapped_records_are_caught(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 5);
	edit_lines(place.path, swap_third_and_fourth);
	verify_expect(place.path, true, 6, "record 3 has seq 3, expected 2");
	place_remove(&place);
}

static void an_edited_record_breaks_the_chain(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 5);
	edit_lines(place.path, edit_second);
	verify_expect(place.path, true, 6,
	              "record 3 (seq 2): prev does not match the SHA-256 of the record before it");
	place_remove(&place);
}

static void a_truncated_last_member_is_reported_and_repaired(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "activate", &secrets, &error);
	assert_non_null(writer);
	uint64_t rows[1] = {1};
	struct exchange exchange = exchange_for(1, rows, 1, "{}", "{\"processed\":1}");
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	assert_int_equal(audit_commit(writer, &error), 0);
	struct stat info;
	assert_int_equal(stat(place.path, &info), 0);
	size_t committed = (size_t)info.st_size;
	for (uint64_t index = 2; index <= 4; index++) {
		exchange = exchange_for(index, rows, 1, "{}", "{\"processed\":1}");
		assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	}
	/* what a kill -9 now would leave: records written through, member unfinished */
	size_t size;
	unsigned char *data = read_bytes(place.path, &size);
	assert_true(size > committed);
	assert_int_equal(audit_close(writer, &error), 0);

	write_bytes(place.path, data, size);
	verify_expect(place.path, true, 5, "ends early");
	/* cut anywhere in the unfinished member: records before the cut survive */
	for (size_t cut = committed; cut < size; cut++) {
		write_bytes(place.path, data, cut);
		struct audit_report report;
		assert_int_equal(audit_verify(place.path, &report, &error), 0);
		assert_true(report.records >= 2 && report.records <= 5);
		assert_int_equal(report.truncated_member, cut > committed);
		assert_int_equal(report.broken, cut > committed);
	}
	/* reopening repairs: the complete records are kept, the chain goes on */
	write_bytes(place.path, data, size);
	writer = audit_open(place.path, "00000000000000aa", "activate", &secrets, &error);
	assert_non_null(writer);
	assert_int_equal(audit_close(writer, &error), 0);
	verify_expect(place.path, false, 6, NULL);
	free(data);

	/* not gzip at all */
	write_bytes(place.path, "plain text\n", 11);
	struct audit_report report;
	error_clear(&error);
	assert_int_equal(audit_verify(place.path, &report, &error), -1);
	assert_non_null(strstr(error.message, "is not a gzip audit trail"));
	place_remove(&place);
}

/* Appends a gzip member holding text, left unfinished (sync-flushed, no
 * trailer), as a writer stopped mid-member leaves it. */
static void append_unfinished_member(const char *path, const char *text, size_t length)
{
	z_stream stream;
	memset(&stream, 0, sizeof(stream));
	assert_int_equal(deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	unsigned char out[1 << 16];
	stream.next_in = (unsigned char *)text;
	stream.avail_in = (uInt)length;
	stream.next_out = out;
	stream.avail_out = sizeof(out);
	assert_int_equal(deflate(&stream, Z_SYNC_FLUSH), Z_OK);
	FILE *file = fopen(path, "ab");
	assert_non_null(file);
	assert_int_equal(fwrite(out, 1, sizeof(out) - stream.avail_out, file),
	                 sizeof(out) - stream.avail_out);
	fclose(file);
	deflateEnd(&stream);
}

/* A power cut can lose or tear a write in the middle of the unfinished last
 * member: what still inflates may be lines that are no records, or records
 * that do not chain on. Reopening keeps only the records that chain on from
 * the last complete member, so the trail verifies after the resume (once
 * "record 13 is not an audit record" after such a cut). */
static void garbage_in_an_unfinished_member_is_not_kept(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 4); /* start + 4 exchanges, all committed at close */
	size_t length;
	char *text = decompress(place.path, &length);
	/* the last committed record again: a record, but not the next one */
	const char *last = text + length - 1;
	while (last > text && last[-1] != '\n')
		last--;
	struct {
		char data[8192];
		size_t length;
	} member = {.length = 0};
	member.length = (size_t)snprintf(member.data, sizeof(member.data),
	                                 "{\"seq\":5,\"not\":\"a record\"}\n%s", last);
	append_unfinished_member(place.path, member.data, member.length);
	verify_expect(place.path, true, 0, "record 6 is not an audit record");
	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer);
	assert_int_equal(audit_close(writer, &error), 0);
	/* start + 4 exchanges + the resume marker, chained */
	verify_expect(place.path, false, 6, NULL);

	/* a valid next record, then a record that does not chain on: the first is kept */
	unlink(place.path);
	write_trail(place.path, 2);
	free(text);
	text = decompress(place.path, &length);
	size_t committed_length = length;
	struct stat info;
	assert_int_equal(stat(place.path, &info), 0);
	size_t committed = (size_t)info.st_size;
	writer = audit_open(place.path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer); /* its resume marker is committed by the open */
	uint64_t rows[1] = {9};
	struct exchange exchange = exchange_for(9, rows, 1, "{}", "{}");
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	assert_int_equal(audit_close(writer, &error), 0);
	free(text);
	text = decompress(place.path, &length);
	/* the trail as it was before this writer, then its two records and a
	 * copy of one of them in a member left unfinished */
	size_t size;
	unsigned char *data = read_bytes(place.path, &size);
	write_bytes(place.path, data, committed);
	const char *added = text + committed_length;
	const char *second = strchr(added, '\n') + 1;
	member.length = (size_t)snprintf(member.data, sizeof(member.data), "%s%.*s", added,
	                                 (int)(second - added), added);
	append_unfinished_member(place.path, member.data, member.length);
	writer = audit_open(place.path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer);
	assert_int_equal(audit_close(writer, &error), 0);
	/* start + 2 + resume + exchange 9 + the new resume marker */
	verify_expect(place.path, false, 6, NULL);
	free(data);
	free(text);
	place_remove(&place);
}

/* Random damage to the compressed file: verify reports it or reads a valid
 * prefix, show and reopening never crash. */
static void random_damage_never_crashes(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	write_trail(place.path, 12);
	size_t size;
	unsigned char *data = read_bytes(place.path, &size);
	unsigned char *mutated = malloc(size + 32);
	assert_non_null(mutated);
	uint64_t seed = 11;
	for (unsigned round = 0; round < 150; round++) {
		memcpy(mutated, data, size);
		size_t length = size;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t where = (size_t)(seed >> 33) % size;
		if (round % 3 == 0)
			length = where;
		else if (round % 3 == 1)
			mutated[where] ^= (unsigned char)(1u << (round % 8));
		else
			memset(mutated + where, 0, size - where < 8 ? size - where : 8);
		write_bytes(place.path, mutated, length);
		struct audit_report report;
		struct error error;
		error_clear(&error);
		/* a cut at a member boundary leaves a shorter, valid trail (docs/audit.md) */
		if (audit_verify(place.path, &report, &error) == 0 && !report.broken)
			assert_true(report.records <= 13);
		struct found found = {0};
		audit_find_row(place.path, 3, collect, &found, &error);
		struct audit_writer *writer =
		    audit_open(place.path, "00000000000000aa", "cost-center", NULL, &error);
		if (writer)
			assert_int_equal(audit_close(writer, &error), 0);
	}
	free(mutated);
	free(data);
	place_remove(&place);
}

/* Hex text from a fixed-seed generator: compresses to about half, so a
 * trail of a few hundred exchanges outgrows the writer's tail window. */
static void fill_hex(char *text, size_t length, uint64_t *seed)
{
	for (size_t index = 0; index < length; index++) {
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		text[index] = "0123456789abcdef"[(*seed >> 33) & 15];
	}
	text[length] = '\0';
}

static void a_long_trail_is_continued_from_its_tail(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	struct error error;
	error_clear(&error);
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "note", NULL, &error);
	assert_non_null(writer);
	size_t size = 60000;
	char *request = malloc(size + 1), *response = malloc(size + 1);
	assert_non_null(request);
	assert_non_null(response);
	uint64_t seed = 42;
	size_t committed = 0;
	for (uint64_t index = 1; index <= 160; index++) {
		fill_hex(request, size, &seed);
		fill_hex(response, size, &seed);
		uint64_t rows[1] = {index};
		struct exchange exchange = exchange_for(index, rows, 1, request, response);
		assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
		if (index % 50 == 0 && index <= 150) {
			assert_int_equal(audit_commit(writer, &error), 0);
			struct stat info;
			assert_int_equal(stat(place.path, &info), 0);
			committed = (size_t)info.st_size;
		}
	}
	/* a kill now: exchanges 151..160 are in an unfinished member */
	size_t length;
	unsigned char *data = read_bytes(place.path, &length);
	assert_true(committed > 8u * 1024u * 1024u);
	assert_true(length > committed);
	assert_int_equal(audit_close(writer, &error), 0);
	write_bytes(place.path, data, length - 5);
	verify_expect(place.path, true, 0, "ends early");

	writer = audit_open(place.path, "00000000000000aa", "note", NULL, &error);
	assert_non_null(writer);
	assert_int_equal(audit_close(writer, &error), 0);
	/* start, 159 or 160 exchanges (the last one may have been cut), resume */
	struct audit_report report;
	assert_int_equal(audit_verify(place.path, &report, &error), 0);
	assert_false(report.broken);
	assert_true(report.records == 161 || report.records == 162);
	/* the start record far behind the tail still names the job */
	error_clear(&error);
	assert_null(audit_open(place.path, "00000000000000bb", "note", NULL, &error));
	assert_non_null(strstr(error.message, "belongs to another job"));
	free(data);
	free(request);
	free(response);
	place_remove(&place);
}

/* Every record carries the job's counts; a reopened trail continues them and
 * audit_read_counts reads them from the latest record. */
static void records_carry_the_job_counts(void **state)
{
	(void)state;
	struct place place;
	place_make(&place);
	struct audit_counts counts;
	struct error error;
	error_clear(&error);
	assert_int_equal(audit_read_counts(place.path, &counts, &error), 0); /* no file yet */
	assert_int_equal(counts.calls, 0);
	write_trail(place.path, 3);
	assert_int_equal(audit_read_counts(place.path, &counts, &error), 0);
	assert_int_equal(counts.calls, 3);
	assert_int_equal(counts.retries, 0);
	struct audit_secrets secrets = {.key_name = KEY_NAME, .api_key = API_KEY};
	struct audit_writer *writer =
	    audit_open(place.path, "00000000000000aa", "cost-center", &secrets, &error);
	assert_non_null(writer);
	audit_job_counts(writer, &counts);
	assert_int_equal(counts.calls, 3);
	uint64_t rows[1] = {7};
	struct exchange exchange = exchange_for(4, rows, 1, "{}", "{}");
	exchange.attempt = 2;
	exchange.http_status = 429;
	assert_int_equal(audit_record_exchange(writer, &exchange, &error), 0);
	audit_job_counts(writer, &counts);
	assert_int_equal(counts.calls, 4);
	assert_int_equal(counts.retries, 1);
	assert_int_equal(counts.throttled, 1);
	assert_int_equal(audit_close(writer, &error), 0);
	size_t length = 0;
	char *text = decompress(place.path, &length);
	assert_non_null(strstr(text, "\"counts\":{\"calls\":4,\"retries\":1,\"throttled\":1}"));
	free(text);
	assert_int_equal(audit_read_counts(place.path, &counts, &error), 0);
	assert_int_equal(counts.calls, 4);
	assert_int_equal(counts.retries, 1);
	assert_int_equal(counts.throttled, 1);
	place_remove(&place);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(records_carry_the_job_counts),
	    cmocka_unit_test(round_trip_verifies_and_resume_continues_the_chain),
	    cmocka_unit_test(rows_are_found),
	    cmocka_unit_test(secrets_never_reach_the_file),
	    cmocka_unit_test(long_bodies_keep_length_and_hash),
	    cmocka_unit_test(a_flipped_byte_is_caught),
	    cmocka_unit_test(a_deleted_record_is_caught),
	    cmocka_unit_test(swapped_records_are_caught),
	    cmocka_unit_test(an_edited_record_breaks_the_chain),
	    cmocka_unit_test(a_truncated_last_member_is_reported_and_repaired),
	    cmocka_unit_test(garbage_in_an_unfinished_member_is_not_kept),
	    cmocka_unit_test(a_long_trail_is_continued_from_its_tail),
	    cmocka_unit_test(random_damage_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
