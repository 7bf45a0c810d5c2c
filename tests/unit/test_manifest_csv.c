/* Unit tests for the CSV reader: RFC 4180 quoting, line ends, BOM, blank
 * lines, ragged rows, delimiter sniffing, size caps and refused files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "manifest/manifest.h"
#include "test_manifest_support.h"

static char *read_all(const char *name, const char *content, char delimiter)
{
	char *path = fixture_write(name, content, strlen(content));
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, delimiter);
	char *rows = dump_rows(manifest);
	manifest_close(manifest);
	free(path);
	return rows;
}

static void quotes_commas_and_embedded_newlines(void **state)
{
	(void)state;
	char *rows = read_all("rfc.csv",
	                      "imei,iccid,note\r\n"
	                      "490154203237518,89014103211118510720,\"hello, world\"\r\n"
	                      "1,2,\"say \"\"hi\"\"\"\r\n"
	                      "3,4,\"two\r\nlines\"\r\n"
	                      "5,6,last\r\n",
	                      0);
	assert_string_equal(rows, "1:2:17:490154203237518|89014103211118510720|hello, world\n"
	                          "2:3:70:1|2|say \"hi\"\n"
	                          "3:4:88:3|4|two\r\nlines\n"
	                          "4:6:106:5|6|last\n");
	free(rows);
}

static void bom_blank_lines_and_trimming(void **state)
{
	(void)state;
	const char *content = "\xEF\xBB\xBFimei;note\n\n   \n a ; \" b \" \r\n\r\nc;d";
	char *path = fixture_write("bom.csv", content, strlen(content));
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	assert_int_equal(manifest_format(manifest), MANIFEST_FORMAT_CSV);
	assert_int_equal(manifest_delimiter(manifest), ';');
	assert_int_equal(manifest_column_count(manifest), 2);
	assert_string_equal(manifest_column_name(manifest, 0), "imei");
	assert_string_equal(manifest_column_name(manifest, 1), "note");
	assert_int_equal(manifest_header_line(manifest), 1);
	char *rows = dump_rows(manifest);
	assert_string_equal(rows, "1:4:18:a| b \n"
	                          "2:6:33:c|d\n");
	free(rows);
	manifest_close(manifest);
	free(path);
}

static void ragged_rows(void **state)
{
	(void)state;
	char *rows = read_all("ragged.csv", "a,b,c\n1,2,3,4\n5\n6,,\"\"\n", 0);
	assert_string_equal(rows, "1:2:6:1|2|3 !row has 4 fields, the header has 3\n"
	                          "2:3:14:5|~|~\n"
	                          "3:4:16:6||\n");
	free(rows);
}

static void header_only_has_no_rows(void **state)
{
	(void)state;
	char *rows = read_all("header.csv", "imei,iccid\r\n\r\n", 0);
	assert_string_equal(rows, "");
	free(rows);
}

static void refused_files(void **state)
{
	(void)state;
	struct {
		const char *name;
		const char *content;
		size_t length;
		const char *expected;
	} cases[] = {
	    {"empty.csv", "", 0, "the file is empty"},
	    {"blank.csv", "\n \r\n\t\n", 5, "only blank lines"},
	    {"dup.csv", "imei,Note,note \n1,2,3\n", 21,
	     "names column 'note' twice (columns 2 and 3)"},
	    {"data.csv", "490154203237518,89014103211118510720\n", 37,
	     "the first line looks like data, not a header"},
	    {"nul.csv", "imei\n\0\0\0\x01\x02garbage", 14, "looks like a binary file"},
	    {"utf16.csv", "\xFF\xFEi\0m\0e\0i\0\n\0", 12, "UTF-16 text"},
	    {"utf16be.csv", "\0i\0m\0e\0i\0\n\0001", 12, "UTF-16 text"},
	    {"book.csv", "PK\x03\x04\x14\0\0\0", 8, "Excel workbook"},
	};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		char *path =
		    fixture_write(cases[index].name, cases[index].content, cases[index].length);
		char *message = open_error(path, MANIFEST_FORMAT_AUTO);
		if (!strstr(message, cases[index].expected))
			fail_msg("%s: got '%s'", cases[index].name, message);
		assert_non_null(strstr(message, path));
		free(message);
		free(path);
	}
	char *message = open_error("/nonexistent/lot-42.csv", MANIFEST_FORMAT_AUTO);
	assert_string_equal(
	    message, "/nonexistent/lot-42.csv: cannot open manifest: no such file or directory");
	free(message);
	message = open_error("/tmp", MANIFEST_FORMAT_AUTO);
	assert_string_equal(message, "/tmp: is a directory, not a manifest file");
	free(message);
}

static void binary_junk_is_refused(void **state)
{
	(void)state;
	unsigned char junk[8192];
	uint32_t seed = 12345;
	for (size_t index = 0; index < sizeof(junk); index++) {
		seed = seed * 1103515245u + 12345u;
		junk[index] = (unsigned char)(seed >> 16);
	}
	char *path = fixture_write("junk.csv", junk, sizeof(junk));
	char *message = open_error(path, MANIFEST_FORMAT_AUTO);
	assert_non_null(strstr(message, "looks like a binary file, not CSV or JSONL"));
	free(message);
	free(path);
}

static void delimiters_are_sniffed(void **state)
{
	(void)state;
	const char delimiters[] = {',', ';', '\t', '|'};
	for (size_t index = 0; index < sizeof(delimiters); index++) {
		char content[128];
		char d = delimiters[index];
		/* a comma inside quotes must not fool the sniffer */
		snprintf(content, sizeof(content), "\"a,b,c\"%cimei%cnote\n1%c2%c3,x\n", d, d, d,
		         d);
		char *path =
		    fixture_write(index % 2 ? "delim.txt" : "delim.csv", content, strlen(content));
		struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_CSV, 0);
		assert_int_equal(manifest_delimiter(manifest), d);
		assert_int_equal(manifest_column_count(manifest), 3);
		char *rows = dump_rows(manifest);
		assert_string_equal(rows, d == ','
		                              ? "1:2:18:1|2|3 !row has 4 fields, the header has 3\n"
		                              : "1:2:18:1|2|3,x\n");
		free(rows);
		manifest_close(manifest);
		free(path);
	}
}

static void given_delimiter_wins(void **state)
{
	(void)state;
	char *rows = read_all("given.csv", "a;b,c\n1;2,3\n", ';');
	assert_string_equal(rows, "1:2:6:1|2,3\n");
	free(rows);
}

static void cr_only_line_ends(void **state)
{
	(void)state;
	const char *content = "imei,note\r1,\"x\ry\"\r2,z\r";
	char *path = fixture_write("mac.csv", content, strlen(content));
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	char *rows = dump_rows(manifest);
	assert_string_equal(rows, "1:2:10:1|x\ry\n"
	                          "2:4:18:2|z\n");
	const char *const *notes = NULL;
	assert_int_equal(manifest_notes(manifest, &notes), 1);
	assert_non_null(strstr(notes[0], "carriage return (CR) alone"));
	free(rows);
	manifest_close(manifest);
	free(path);
}

static void stray_cr_in_an_lf_file(void **state)
{
	(void)state;
	char *rows = read_all("stray.csv", "imei,note\n1,ab\rcd\n2,\"in\rquotes\"\n3,ok\n", 0);
	assert_string_equal(rows,
	                    "1:2:10:1|ab cd !stray carriage return (CR) on line 2 outside quotes; "
	                    "re-save the file with LF or CRLF line ends\n"
	                    "2:3:18:2|in\rquotes\n"
	                    "3:4:32:3|ok\n");
	free(rows);
}

static void unclosed_quote_at_end(void **state)
{
	(void)state;
	char *rows = read_all("unclosed.csv", "a,b\n1,\"never closed\n2,3\n", 0);
	assert_string_equal(rows, "1:2:4:1|never closed\n2,3\n !field 2: a quote opens but is "
	                          "never closed\n");
	free(rows);
}

/* A field over MANIFEST_MAX_FIELD rejects its row; the rows around it are read normally. */
static void oversized_fields(void **state)
{
	(void)state;
	size_t big = MANIFEST_MAX_FIELD + 5000;
	struct strbuf content;
	strbuf_init(&content, 1u << 22);
	strbuf_append_string(&content, "a,b,c\n1,2,3\n4,");
	for (size_t index = 0; index < big; index++)
		strbuf_append_char(&content, 'x');
	strbuf_append_string(&content, ",6\n7,\"");
	for (size_t index = 0; index < big * 3; index++)
		strbuf_append_char(&content, index % 100 == 99 ? '\n' : 'y');
	strbuf_append_string(&content, "\",9\n10,11,12,");
	/* past the header's columns: the row has too many fields, and the next
	 * row is not blamed for this field's length */
	for (size_t index = 0; index < big; index++)
		strbuf_append_char(&content, 'z');
	strbuf_append_string(&content, "\n13,14,15\n");
	char *path = fixture_write("big.csv", content.data, content.length);
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	char *rows = dump_rows(manifest);
	char expected[512];
	snprintf(expected, sizeof(expected),
	         "1:2:6:1|2|3\n"
	         "2:3:12:4|~|6 !field 2 longer than 65536 bytes\n"
	         "3:4:%zu:7|~|9 !field 2 longer than 65536 bytes (is a quote opened and never "
	         "closed?)\n"
	         "4:%zu:%zu:10|11|12 !row has 4 fields, the header has 3\n"
	         "5:%zu:%zu:13|14|15\n",
	         12 + 2 + big + 3, 5 + (big * 3) / 100, content.length - 19 - big,
	         6 + (big * 3) / 100, content.length - 9);
	assert_string_equal(rows, expected);
	free(rows);
	manifest_close(manifest);
	free(path);
	strbuf_release(&content);
}

/* Many small fields: the row's stored text is capped, not the line. */
static void oversized_rows(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 23);
	size_t columns = 1000;
	for (size_t index = 0; index < columns; index++)
		strbuf_appendf(&content, "%sc%zu", index ? "," : "", index);
	strbuf_append_char(&content, '\n');
	size_t row_start = content.length;
	for (size_t index = 0; index < columns; index++) {
		strbuf_append_string(&content, index ? "," : "");
		for (size_t fill = 0; fill < 2000; fill++)
			strbuf_append_char(&content, 'v');
	}
	strbuf_append_string(&content, "\n");
	for (size_t index = 0; index < columns; index++)
		strbuf_append_string(&content, index ? ",z" : "z");
	strbuf_append_string(&content, "\n");
	char *path = fixture_write("wide.csv", content.data, content.length);
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	assert_int_equal(manifest_next(manifest, &row, &error), 1);
	assert_int_equal(row.offset, row_start);
	assert_non_null(row.problem);
	assert_string_equal(row.problem, "row longer than 1048576 bytes");
	assert_int_equal(manifest_next(manifest, &row, &error), 1);
	assert_null(row.problem);
	assert_int_equal(row.number, 2);
	assert_string_equal(row.values[999], "z");
	assert_int_equal(manifest_next(manifest, &row, &error), 0);
	manifest_close(manifest);
	free(path);
	strbuf_release(&content);
}

/* A huge header line is refused quickly without being held. */
static void oversized_header(void **state)
{
	(void)state;
	size_t size = 3u * 1024u * 1024u;
	char *content = malloc(size);
	assert_non_null(content);
	memset(content, 'h', size);
	char *path = fixture_write("header-line.csv", content, size);
	char *message = open_error(path, MANIFEST_FORMAT_AUTO);
	assert_non_null(strstr(message, ":1: header: field 1 longer than 65536 bytes"));
	free(message);
	free(path);
	free(content);
}

/* Builds rows of varied length, quoting every fifth with a newline inside,
 * and one row whose CRLF straddles offset boundary (its CR the last byte before it). */
static void build_rows(struct strbuf *content, size_t rows, size_t boundary)
{
	strbuf_append_string(content, "id,text\r\n");
	for (size_t index = 1; index <= rows; index++) {
		strbuf_appendf(content, "%zu,", index);
		size_t fill = index % 97;
		size_t room = boundary - 1 - content->length;
		if (content->length < boundary && room < 200)
			fill = room; /* this row's CR lands just before the boundary */
		bool quoted = index % 5 == 0 && fill > 2 && fill != room;
		if (quoted)
			strbuf_append_char(content, '"');
		for (size_t count = 0; count < (quoted ? fill - 2 : fill); count++)
			strbuf_append_char(content, quoted && count == fill / 2 ? '\n' : 't');
		if (quoted)
			strbuf_append_char(content, '"');
		strbuf_append_string(content, "\r\n");
	}
}

/* Rows cross the 256 KiB block boundary, one of them between the CR and LF
 * of its line end: rows, lines and offsets must all stay exact. */
static void rows_across_block_boundaries(void **state)
{
	(void)state;
	struct strbuf content;
	strbuf_init(&content, 1u << 23);
	size_t rows = 20000;
	build_rows(&content, rows, 256u * 1024u);
	assert_memory_equal(content.data + 256u * 1024u - 1, "\r\n", 2);
	char *plain = fixture_write("blocks.csv", content.data, content.length);
	char *gzip = fixture_write_gzip("blocks.csv.gz", content.data, content.length);
	const char *paths[] = {plain, gzip};
	for (size_t file = 0; file < 2; file++) {
		struct manifest *manifest = open_manifest(paths[file], MANIFEST_FORMAT_AUTO, 0);
		struct manifest_row row;
		struct error error;
		error_clear(&error);
		size_t count = 0;
		uint64_t line = 2;
		while (manifest_next(manifest, &row, &error) == 1) {
			count++;
			assert_null(row.problem);
			assert_int_equal(row.number, count);
			assert_int_equal(row.line, line);
			char number[32];
			snprintf(number, sizeof(number), "%zu", count);
			assert_string_equal(row.values[0], number);
			assert_memory_equal(content.data + row.offset, number, strlen(number));
			line += strchr(row.values[1], '\n') ? 2 : 1;
		}
		assert_false(error.set);
		assert_int_equal(count, rows);
		manifest_close(manifest);
	}
	free(plain);
	free(gzip);
	strbuf_release(&content);
}

/* CR-only line ends with a CR as the last byte of the first block, and a
 * quoted CR: the row after the boundary starts exactly after that CR. */
static void cr_only_rows_across_block_boundaries(void **state)
{
	(void)state;
	size_t boundary = 256u * 1024u;
	struct strbuf content;
	strbuf_init(&content, 1u << 22);
	strbuf_append_string(&content, "id,text\r");
	size_t index = 0;
	size_t boundary_row = 0;
	while (content.length < boundary + 5000) {
		index++;
		strbuf_appendf(&content, "%zu,", index);
		size_t room = boundary - 1 - content.length;
		bool at_boundary = content.length < boundary && room < 150;
		size_t fill = at_boundary ? room : 40 + index % 50;
		if (at_boundary)
			boundary_row = index;
		for (size_t count = 0; count < fill; count++)
			strbuf_append_char(&content, 'c');
		strbuf_append_string(&content,
		                     index % 9 == 0 && !at_boundary ? ",\"q\rq\"\r" : "\r");
	}
	assert_int_equal(content.data[boundary - 1], '\r');
	char *path = fixture_write("mac-blocks.csv", content.data, content.length);
	struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
	struct manifest_row row;
	struct error error;
	error_clear(&error);
	size_t count = 0;
	uint64_t line = 2;
	while (manifest_next(manifest, &row, &error) == 1) {
		count++;
		char number[32];
		snprintf(number, sizeof(number), "%zu", count);
		assert_string_equal(row.values[0], number);
		assert_int_equal(row.line, line);
		assert_memory_equal(content.data + row.offset, number, strlen(number));
		if (count % 9 == 0 && count != boundary_row) {
			assert_non_null(row.problem); /* a third field: the header has two */
			line += 2;
		} else {
			assert_null(row.problem);
			line += 1;
		}
	}
	assert_false(error.set);
	assert_int_equal(count, index);
	manifest_close(manifest);
	free(path);
	strbuf_release(&content);
}

/* A small deterministic generator for the differential tests. */
static uint64_t next_random(uint64_t *seed)
{
	*seed = *seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *seed >> 33;
}

/* Appends one random line: fields built from pieces that plain lines hold
 * and pieces that only libcsv may read (quotes, CRs, blanks around a field,
 * an overlong field, a blank line, NULs when nul: a NUL in the first block
 * refuses the whole file), then a line end. */
static void random_line(struct strbuf *content, uint64_t *seed, char delimiter, bool cr_only,
                        bool nul)
{
	static const char *const pieces[] = {"a",        "b7",       "89014103211118510720",
	                                     "\xc3\xa9", "x y",      " ",
	                                     "\t",       "\"",       "\"q,\"",
	                                     "\"\"",     "\"a\nb\"", "\r",
	                                     ",",        ";",        "|",
	                                     "'=1",      "-"};
	size_t fields = next_random(seed) % 7;
	for (size_t field = 0; field < fields; field++) {
		if (field)
			strbuf_append_char(content, delimiter);
		if (next_random(seed) % 4 == 0) {
			/* a quoted field, as spreadsheets write one: quotes doubled inside,
			 * now and then a line end or CR inside or a blank after it */
			strbuf_append_char(content, '"');
			size_t count = next_random(seed) % 5;
			for (size_t piece = 0; piece < count; piece++) {
				uint64_t pick = next_random(seed) % 60;
				strbuf_append_string(content, pick < 40   ? pieces[pick % 5]
				                              : pick < 50 ? "\"\""
				                              : pick < 56
				                                  ? (const char[]){delimiter, 0}
				                              : pick < 58 ? " "
				                              : pick < 59 ? "\n"
				                                          : "\r");
			}
			strbuf_append_string(content, next_random(seed) % 30 ? "\"" : "\" ");
			continue;
		}
		size_t count = next_random(seed) % 4;
		for (size_t piece = 0; piece < count; piece++) {
			uint64_t pick = next_random(seed) % 400;
			if (pick < 340)
				strbuf_append_string(content, pieces[pick % 5]);
			else if (pick < 398)
				strbuf_append_string(content, pieces[5 + pick % 12]);
			else if (pick == 398)
				strbuf_append(content, nul ? "\0" : "n", 1);
			else
				for (size_t fill = 0; fill < 70000; fill++)
					strbuf_append_char(content, 'L');
		}
	}
	uint64_t end = next_random(seed) % 10;
	strbuf_append_string(content, cr_only ? "\r" : end == 0 ? "\r\n" : "\n");
}

/* Reads path with the fast path on and off: the dumps (values, lines,
 * offsets, problems, errors) must be the same, from the start and after a
 * seek to the third row. */
static void compare_paths(const char *path, char delimiter)
{
	char *dumps[2][2];
	for (int slow = 0; slow < 2; slow++) {
		struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_CSV, delimiter);
		if (slow)
			manifest_no_fast_paths(manifest);
		struct manifest_row row;
		struct error error;
		error_clear(&error);
		struct manifest_position third = {0, 0, 0};
		for (int count = 0; count < 3 && manifest_next(manifest, &row, &error) == 1;
		     count++)
			third = (struct manifest_position){row.offset, row.number, row.line};
		manifest_close(manifest);
		manifest = open_manifest(path, MANIFEST_FORMAT_CSV, delimiter);
		if (slow)
			manifest_no_fast_paths(manifest);
		dumps[slow][0] = dump_rows_until_error(manifest);
		if (third.row) {
			error_clear(&error);
			assert_int_equal(manifest_seek(manifest, &third, &error), 0);
		}
		dumps[slow][1] = third.row ? dump_rows_until_error(manifest) : strdup("");
		manifest_close(manifest);
	}
	for (int part = 0; part < 2; part++) {
		const char *fast = dumps[0][part];
		const char *slow = dumps[1][part];
		size_t same = 0;
		while (fast[same] && fast[same] == slow[same])
			same++;
		if (fast[same] != slow[same]) {
			size_t line_start = same;
			while (line_start > 0 && fast[line_start - 1] != '\n')
				line_start--;
			fail_msg("%s: fast path and libcsv differ (%s)\nfast: %.300s\nslow: %.300s",
			         path, part ? "after the seek" : "from the start",
			         fast + line_start, slow + line_start);
		}
	}
	for (int slow = 0; slow < 2; slow++) {
		free(dumps[slow][0]);
		free(dumps[slow][1]);
	}
}

/* The fast path for plain lines against libcsv alone, on random files of
 * every delimiter and line end: byte-identical rows, problems and errors. */
static void plain_line_fast_path_matches_libcsv(void **state)
{
	(void)state;
	static const char delimiters[] = {',', ';', '\t', '|'};
	char *path = fixture_write("differential.csv", "", 0);
	struct strbuf content;
	strbuf_init(&content, 1u << 24);
	uint64_t seed = 14;
	for (int round = 0; round < 1500; round++) {
		char delimiter = delimiters[round % 4];
		bool cr_only = round % 7 == 3;
		strbuf_reset(&content);
		strbuf_appendf(&content, "imei%ciccid%cnote%s", delimiter, delimiter,
		               cr_only          ? "\r"
		               : round % 5 == 0 ? "\r\n"
		                                : "\n");
		size_t lines = 1 + next_random(&seed) % 30;
		for (size_t line = 0; line < lines; line++)
			random_line(&content, &seed, delimiter, cr_only, false);
		if (round % 3 == 0) /* no line end after the last line */
			content.length -= content.data[content.length - 2] == '\r' &&
			                          content.data[content.length - 1] == '\n'
			                      ? 2
			                      : 1;
		FILE *file = fopen(path, "wb");
		assert_non_null(file);
		assert_int_equal(fwrite(content.data, 1, content.length, file), content.length);
		assert_int_equal(fclose(file), 0);
		compare_paths(path, delimiter);
	}
	/* plain and quoted lines across several 256 KiB blocks */
	strbuf_reset(&content);
	strbuf_append_string(&content, "imei,iccid,note\n");
	while (content.length < 900u * 1024u)
		random_line(&content, &seed, ',', false, content.length > 300u * 1024u);
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	assert_int_equal(fwrite(content.data, 1, content.length, file), content.length);
	assert_int_equal(fclose(file), 0);
	compare_paths(path, ',');
	strbuf_release(&content);
	free(path);
}

static int teardown(void **state)
{
	(void)state;
	fixture_cleanup();
	return 0;
}

/* The key table is sized from manifest_estimated_rows: a first block of
 * short lines before long ones (rows without notes, then with) must not
 * size it for many times the rows, nor long lines before short ones for
 * far too few (the table then grows, a fingerprint bit lost each time). */
static void uneven_lines_are_estimated_from_the_whole_file(void **state)
{
	(void)state;
	char note[200];
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	/* rows before and after the change of length; the first block judged
	 * alone made 16 times the rows of the first case and a sixteenth of the second */
	static const struct {
		size_t first_rows, rest_rows;
		bool long_first;
	} cases[] = {{30000, 50000, false}, {1500, 80000, true}};
	for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
		struct strbuf content;
		strbuf_init(&content, 1u << 26);
		strbuf_append_string(&content, "iccid,note\n");
		for (size_t row = 0; row < cases[index].first_rows + cases[index].rest_rows;
		     row++) {
			bool first = row < cases[index].first_rows;
			bool long_row = first == cases[index].long_first;
			strbuf_appendf(&content, "%zu,%s\n", row, long_row ? note : "");
		}
		char *path = fixture_write("uneven.csv", content.data, content.length);
		struct manifest *manifest = open_manifest(path, MANIFEST_FORMAT_AUTO, 0);
		uint64_t estimate = manifest_estimated_rows(manifest);
		uint64_t rows = cases[index].first_rows + cases[index].rest_rows;
		assert_true(estimate >= rows);
		assert_true(estimate <= rows * 13 / 10);
		manifest_close(manifest);
		free(path);
		strbuf_release(&content);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quotes_commas_and_embedded_newlines),
	    cmocka_unit_test(bom_blank_lines_and_trimming),
	    cmocka_unit_test(ragged_rows),
	    cmocka_unit_test(header_only_has_no_rows),
	    cmocka_unit_test(refused_files),
	    cmocka_unit_test(binary_junk_is_refused),
	    cmocka_unit_test(delimiters_are_sniffed),
	    cmocka_unit_test(given_delimiter_wins),
	    cmocka_unit_test(cr_only_line_ends),
	    cmocka_unit_test(stray_cr_in_an_lf_file),
	    cmocka_unit_test(unclosed_quote_at_end),
	    cmocka_unit_test(oversized_fields),
	    cmocka_unit_test(oversized_rows),
	    cmocka_unit_test(oversized_header),
	    cmocka_unit_test(rows_across_block_boundaries),
	    cmocka_unit_test(cr_only_rows_across_block_boundaries),
	    cmocka_unit_test(plain_line_fast_path_matches_libcsv),
	    cmocka_unit_test(uneven_lines_are_estimated_from_the_whole_file),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
