/* Unit tests for credentials: environment, owner-only files and refusals. */
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

#include "cli/credentials.h"

struct fixture {
	char directory[64];
	char path[128];
};

static int make_directory(void **state)
{
	struct fixture *fixture = calloc(1, sizeof(*fixture));
	assert_non_null(fixture);
	snprintf(fixture->directory, sizeof(fixture->directory), "/tmp/test-credentials-XXXXXX");
	assert_non_null(mkdtemp(fixture->directory));
	snprintf(fixture->path, sizeof(fixture->path), "%s/key", fixture->directory);
	unsetenv("LATTIGO_KEY_NAME");
	unsetenv("LATTIGO_API_KEY");
	*state = fixture;
	return 0;
}

static int remove_directory(void **state)
{
	struct fixture *fixture = *state;
	unlink(fixture->path);
	rmdir(fixture->directory);
	free(fixture);
	return 0;
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	FILE *file = fopen(path, "w");
	assert_non_null(file);
	fputs(content, file);
	fclose(file);
	assert_int_equal(chmod(path, mode), 0);
}

static void environment_supplies_both_values(void **state)
{
	(void)state;
	setenv("LATTIGO_KEY_NAME", "acme", 1);
	setenv("LATTIGO_API_KEY", "s3cr3t", 1);
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_load(&credentials, NULL, &error), 0);
	assert_string_equal(credentials.key_name, "acme");
	assert_string_equal(credentials.api_key, "s3cr3t");
	/* base64("acme:s3cr3t") */
	assert_string_equal(credentials.basic_token, "YWNtZTpzM2NyM3Q=");
	credentials_release(&credentials);
	assert_null(credentials.api_key);
}

static void missing_environment_says_what_to_set(void **state)
{
	(void)state;
	setenv("LATTIGO_KEY_NAME", "acme", 1);
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_load(&credentials, NULL, &error), -1);
	assert_string_equal(error.message, "no credentials: set LATTIGO_KEY_NAME and "
	                                   "LATTIGO_API_KEY, or pass --credentials FILE");
	assert_null(credentials.api_key);
}

static void owner_only_file_is_read_and_line_end_trimmed(void **state)
{
	struct fixture *fixture = *state;
	write_file(fixture->path, "acme:k:with:colons\r\n", 0600);
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_load(&credentials, fixture->path, &error), 0);
	assert_string_equal(credentials.key_name, "acme");
	assert_string_equal(credentials.api_key, "k:with:colons");
	credentials_release(&credentials);
}

static void file_readable_by_others_is_refused_as_ssh_does(void **state)
{
	struct fixture *fixture = *state;
	write_file(fixture->path, "acme:s3cr3t\n", 0644);
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_load(&credentials, fixture->path, &error), -1);
	char expected[512];
	snprintf(expected, sizeof(expected),
	         "credentials file '%s' is readable by others (mode 0644); run chmod 600 %s",
	         fixture->path, fixture->path);
	assert_string_equal(error.message, expected);
	assert_null(strstr(error.message, "s3cr3t"));

	error_clear(&error);
	assert_int_equal(chmod(fixture->path, 0640), 0);
	assert_int_equal(credentials_load(&credentials, fixture->path, &error), -1);
	assert_non_null(strstr(error.message, "is readable by others (mode 0640)"));

	/* Writable by the group is refused too: someone else could swap the key. */
	error_clear(&error);
	assert_int_equal(chmod(fixture->path, 0620), 0);
	assert_int_equal(credentials_load(&credentials, fixture->path, &error), -1);
	assert_non_null(strstr(error.message, "is accessible by others (mode 0620)"));
}

static void malformed_files_are_refused_with_the_reason(void **state)
{
	struct fixture *fixture = *state;
	static const struct {
		const char *content;
		const char *reason;
	} cases[] = {
	    {"acme-s3cr3t\n", "must hold key_name:api_key (key name missing)"},
	    {":s3cr3t\n", "must hold key_name:api_key (key name missing)"},
	    {"acme:\n", "must hold key_name:api_key (api key missing)"},
	    {"", "must hold key_name:api_key (key name missing)"},
	    {"acme:s3cr3t\nsecond:line\n", "must hold one line key_name:api_key"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(fixture->path, cases[i].content, 0600);
		struct credentials credentials;
		credentials_init(&credentials);
		struct error error;
		error_clear(&error);
		assert_int_equal(credentials_load(&credentials, fixture->path, &error), -1);
		if (!strstr(error.message, cases[i].reason))
			fail_msg("case %zu: '%s'", i, error.message);
		assert_null(strstr(error.message, "s3cr3t"));
		assert_null(credentials.api_key);
	}
}

static void missing_file_is_named(void **state)
{
	struct fixture *fixture = *state;
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_load(&credentials, fixture->path, &error), -1);
	char expected[512];
	snprintf(expected, sizeof(expected),
	         "cannot open credentials file '%s': No such file or directory", fixture->path);
	assert_string_equal(error.message, expected);
}

static void key_names_with_colons_or_control_bytes_are_refused(void **state)
{
	(void)state;
	struct credentials credentials;
	credentials_init(&credentials);
	struct error error;
	error_clear(&error);
	assert_int_equal(credentials_set(&credentials, "a:b", "k", &error), -1);
	assert_string_equal(error.message, "key name contains a colon or a control character");
	error_clear(&error);
	assert_int_equal(credentials_set(&credentials, "ab", "k\001", &error), -1);
	assert_string_equal(error.message, "api key contains a control character");
	assert_null(credentials.key_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(environment_supplies_both_values, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(missing_environment_says_what_to_set, make_directory,
	                                    remove_directory),
	    cmocka_unit_test_setup_teardown(owner_only_file_is_read_and_line_end_trimmed,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(file_readable_by_others_is_refused_as_ssh_does,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(malformed_files_are_refused_with_the_reason,
	                                    make_directory, remove_directory),
	    cmocka_unit_test_setup_teardown(missing_file_is_named, make_directory,
	                                    remove_directory),
	    cmocka_unit_test(key_names_with_colons_or_control_bytes_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
