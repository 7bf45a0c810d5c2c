/* Unit tests of stdin made a file (cli/stdin_copy.c): a manifest piped to
 * validate gets a size, so its duplicate set is reserved for all of it, and
 * one piped to plan can be read more than once (manifest/byte_source.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/stdin_copy.h"
#include "common/strbuf.h"
#include "manifest/manifest.h"

enum { ROWS = 40000 };

/* Puts a pipe on stdin with a child writing text into it (more than a pipe
 * holds); returns the child. */
static pid_t pipe_into_stdin(const struct strbuf *text)
{
	int ends[2];
	assert_int_equal(pipe(ends), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(ends[0]);
		size_t written = 0;
		while (written < text->length) {
			ssize_t count =
			    write(ends[1], text->data + written, text->length - written);
			if (count <= 0)
				_exit(1);
			written += (size_t)count;
		}
		_exit(0);
	}
	close(ends[1]);
	assert_true(dup2(ends[0], STDIN_FILENO) >= 0);
	close(ends[0]);
	return child;
}

static void build_manifest(struct strbuf *text)
{
	strbuf_init(text, 1u << 26);
	strbuf_append_string(text, "iccid,note\n");
	for (size_t row = 0; row < ROWS; row++)
		strbuf_appendf(text, "89012600000%09zu,a note of some length\n", row);
}

/* The manifest on stdin ("-"), opened; the caller closes it. */
static struct manifest *open_stdin_manifest(void)
{
	struct manifest_options options = {.format = MANIFEST_FORMAT_AUTO};
	struct error error;
	error_clear(&error);
	struct manifest *manifest = manifest_open("-", &options, &error);
	assert_non_null(manifest);
	return manifest;
}

static uint64_t estimate_of_stdin(void)
{
	struct manifest *manifest = open_stdin_manifest();
	uint64_t estimate = manifest_estimated_rows(manifest);
	manifest_close(manifest);
	return estimate;
}

/* Builds the test manifest into text, pipes it to stdin from a child and
 * makes stdin a file of it (stdin_copy_to_file). */
static void piped_manifest_made_a_file(struct strbuf *text)
{
	build_manifest(text);
	pid_t child = pipe_into_stdin(text);
	struct error error;
	error_clear(&error);
	assert_int_equal(stdin_copy_to_file(&error), 0);
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void a_piped_manifest_becomes_a_file_with_the_same_bytes(void **state)
{
	(void)state;
	struct strbuf text;
	piped_manifest_made_a_file(&text);
	struct stat file;
	assert_int_equal(fstat(STDIN_FILENO, &file), 0);
	assert_true(S_ISREG(file.st_mode));
	assert_int_equal((size_t)file.st_size, text.length);
	/* a pipe gave no estimate (0): the table grew and lost fingerprint bits */
	uint64_t estimate = estimate_of_stdin();
	assert_true(estimate >= ROWS);
	assert_true(estimate <= ROWS * 12 / 10);
	/* and the bytes read back are the ones piped */
	assert_int_equal(lseek(STDIN_FILENO, 0, SEEK_SET), 0);
	char *back = malloc(text.length);
	assert_non_null(back);
	size_t got = 0;
	while (got < text.length) {
		ssize_t count = read(STDIN_FILENO, back + got, text.length - got);
		assert_true(count > 0);
		got += (size_t)count;
	}
	assert_memory_equal(back, text.data, text.length);
	free(back);
	strbuf_release(&text);
}

static void a_file_on_stdin_is_left_as_it_is(void **state)
{
	(void)state;
	char path[] = "/tmp/lattigo-test-stdin.XXXXXX";
	int descriptor = mkstemp(path);
	assert_true(descriptor >= 0);
	assert_int_equal(write(descriptor, "iccid\n1\n", 8), 8);
	assert_int_equal(lseek(descriptor, 0, SEEK_SET), 0);
	assert_true(dup2(descriptor, STDIN_FILENO) >= 0);
	struct stat before, after;
	assert_int_equal(fstat(STDIN_FILENO, &before), 0);
	struct error error;
	error_clear(&error);
	assert_int_equal(stdin_copy_to_file(&error), 0);
	assert_int_equal(fstat(STDIN_FILENO, &after), 0);
	assert_true(before.st_ino == after.st_ino && before.st_dev == after.st_dev);
	close(descriptor);
	unlink(path);
}

/* The rows of the manifest on stdin, read from "-" to its end. */
static size_t rows_of_stdin(void)
{
	struct manifest *manifest = open_stdin_manifest();
	struct error error;
	error_clear(&error);
	struct manifest_row row;
	size_t rows = 0;
	int next;
	while ((next = manifest_next(manifest, &row, &error)) == 1)
		rows++;
	assert_int_equal(next, 0);
	manifest_close(manifest);
	return rows;
}

/* plan passes over its manifest more than once: "-" opened again reads a
 * file on stdin again, from where it began (before, the second pass found
 * it at its end and read no row). */
static void a_manifest_on_stdin_is_read_again_from_its_start(void **state)
{
	(void)state;
	struct strbuf text;
	piped_manifest_made_a_file(&text);
	assert_int_equal(rows_of_stdin(), ROWS);
	assert_int_equal(rows_of_stdin(), ROWS);
	assert_int_equal(rows_of_stdin(), ROWS);
	strbuf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_piped_manifest_becomes_a_file_with_the_same_bytes),
	    cmocka_unit_test(a_file_on_stdin_is_left_as_it_is),
	    cmocka_unit_test(a_manifest_on_stdin_is_read_again_from_its_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
