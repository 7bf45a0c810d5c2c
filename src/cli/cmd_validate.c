/* `lattigo-batch validate`: judge every row, print a summary and, with
 * --out, write errors.csv (the invalid rows with the manifest's own columns
 * plus `error`) through the outputs module's errors writer. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "common/file_io.h"
#include "common/path_display.h"
#include "cli/help.h"
#include "cli/options.h"
#include "cli/steps_check.h"
#include "pipeline/pipeline.h"
#include "common/strbuf.h"
#include "cli/stdin_copy.h"
#include "manifest/binding.h"
#include "outputs/errors_writer.h"
#include "outputs/xlsx_copy.h"

#define SPOOL_NULL UINT32_MAX /* length marking an absent value */

/* Invalid rows wait in a temporary spool until the manifest is read to the
 * end: a JSONL manifest's columns are the keys seen in the whole file, so the
 * header of errors.csv is known only then. Each spooled row is a value
 * count, then length-prefixed values, then the message. */
static int spool_text(FILE *spool, const char *text)
{
	uint32_t length = text ? (uint32_t)strlen(text) : SPOOL_NULL;
	if (fwrite(&length, sizeof(length), 1, spool) != 1)
		return -1;
	if (text && length && fwrite(text, 1, length, spool) != length)
		return -1;
	return 0;
}

static int spool_row(FILE *spool, const struct pipeline_row *row)
{
	uint32_t count = (uint32_t)row->row->value_count;
	uint64_t position[2] = {row->row->number, row->row->line};
	if (fwrite(position, sizeof(position), 1, spool) != 1 ||
	    fwrite(&count, sizeof(count), 1, spool) != 1)
		return -1;
	for (uint32_t index = 0; index < count; index++)
		if (spool_text(spool, row->row->values ? row->row->values[index] : NULL) < 0)
			return -1;
	return spool_text(spool, row->message);
}

/* Reads one spooled text into the arena buffer; *offset receives where it
 * starts (SIZE_MAX for an absent value). Returns 0, or -1 on a short read. */
static int unspool_text(FILE *spool, struct strbuf *arena, size_t *offset)
{
	uint32_t length = 0;
	if (fread(&length, sizeof(length), 1, spool) != 1)
		return -1;
	if (length == SPOOL_NULL) {
		*offset = SIZE_MAX;
		return 0;
	}
	*offset = arena->length;
	char chunk[4096];
	while (length > 0) {
		size_t part = length < sizeof(chunk) ? length : sizeof(chunk);
		if (fread(chunk, 1, part, spool) != part || strbuf_append(arena, chunk, part) != 0)
			return -1;
		length -= (uint32_t)part;
	}
	return strbuf_append_char(arena, '\0') == 0 ? 0 : -1;
}

/* Writes directory/errors.csv from the spool, with every column the manifest has. */
/* Per column of manifest: whether --set overrides it, and the value sent
 * instead (calloc'd arrays in *overridden and *sent, and *binding, which the
 * values point into: all freed by the caller). */
static int find_overrides(const struct pipeline_config *config, const struct op *op,
                          struct manifest *manifest, bool **overridden, const char ***sent,
                          struct binding **binding)
{
	size_t count = manifest_column_count(manifest);
	*overridden = calloc(count + 1, sizeof(**overridden));
	*sent = calloc(count + 1, sizeof(**sent));
	if (!*overridden || !*sent)
		return -1;
	if (config->set_count == 0)
		return 0;
	struct error ignored;
	error_clear(&ignored);
	*binding = binding_new(op, manifest, config->maps, config->map_count, config->sets,
	                       config->set_count, &ignored);
	for (size_t column = 0; *binding && column < count; column++)
		(*overridden)[column] = binding_column_override(*binding, column, &(*sent)[column]);
	return 0;
}

static int write_errors_file(const char *directory, struct manifest *manifest, FILE *spool,
                             uint64_t rows, const struct pipeline_config *config,
                             const struct op *op, struct error *error)
{
	int result = -1;
	struct errors_writer *writer = NULL;
	bool *overridden = NULL;
	const char **sent = NULL;
	struct binding *binding = NULL;
	size_t column_count = manifest_column_count(manifest);
	const char **columns = calloc(column_count ? column_count : 1, sizeof(*columns));
	const char **values = NULL;
	size_t *offsets = NULL;
	size_t capacity = 0;
	struct strbuf arena;
	strbuf_init(&arena, SIZE_MAX / 2);
	if (!columns) {
		error_set(error, "out of memory");
		goto out;
	}
	for (size_t index = 0; index < column_count; index++)
		columns[index] = manifest_column_name(manifest, index);
	/* errors.csv shows the value --set sends, not the manifest's */
	if (find_overrides(config, op, manifest, &overridden, &sent, &binding) < 0) {
		error_set(error, "out of memory");
		goto out;
	}
	if (file_make_directories(directory, error) < 0)
		goto out;
	struct errors_format format = {.delimiter = manifest_delimiter(manifest),
	                               .line_end = manifest_line_end(manifest),
	                               .bom = manifest_has_bom(manifest)};
	writer = errors_writer_open(directory, columns, column_count, &format, error);
	if (!writer)
		goto out;
	rewind(spool);
	for (uint64_t row = 0; row < rows; row++) {
		uint32_t count = 0;
		uint64_t position[2] = {0, 0}; /* row, line */
		if (fread(position, sizeof(position), 1, spool) != 1 ||
		    fread(&count, sizeof(count), 1, spool) != 1) {
			error_set(error, "cannot read back the invalid rows (temporary file)");
			goto out;
		}
		if (count + 1 > capacity) {
			capacity = count + 1;
			free(values);
			free(offsets);
			values = calloc(capacity, sizeof(*values));
			offsets = calloc(capacity, sizeof(*offsets));
			if (!values || !offsets) {
				error_set(error, "out of memory");
				goto out;
			}
		}
		strbuf_reset(&arena);
		for (uint32_t index = 0; index <= count; index++) {
			if (unspool_text(spool, &arena, &offsets[index]) < 0) {
				error_set(error,
				          "cannot read back the invalid rows (temporary file)");
				goto out;
			}
		}
		/* the arena may have moved while growing: point into it only now */
		for (uint32_t index = 0; index <= count; index++)
			values[index] =
			    offsets[index] == SIZE_MAX ? NULL : arena.data + offsets[index];
		for (uint32_t index = 0; index < count && index < column_count; index++)
			if (overridden[index])
				values[index] = sent[index];
		if (errors_writer_row(writer, values, count, position[0], position[1],
		                      values[count] ? values[count] : "", error) < 0)
			goto out;
	}
	result = errors_writer_commit(writer, error);
	writer = NULL;
out:
	errors_writer_abort(writer);
	strbuf_release(&arena);
	free(overridden);
	free(sent);
	binding_free(binding);
	free(columns);
	free(values);
	free(offsets);
	return result;
}

/* A job directory's errors.csv belongs to its job: validate writing there
 * would replace the rows that failed at the API with this check's. */
static int refuse_job_directory(const char *directory, struct error *error)
{
	char path[4096];
	struct stat status;
	if (snprintf(path, sizeof(path), "%s/job.json", directory) >= (int)sizeof(path))
		return error_set(error, "directory name too long: '%s'", directory);
	if (stat(path, &status) == 0)
		return error_set(error,
		                 "'%s' holds a job (job.json); validate would overwrite its "
		                 "errors.csv: choose another --out",
		                 directory);
	return 0;
}

int command_validate(int argc, char **argv)
{
	struct job_options options;
	struct pipeline *pipeline = NULL;
	FILE *spool = NULL;
	struct error error;
	int exit_code = EXIT_USAGE;
	error_clear(&error);
	job_options_init(&options);
	int loaded = job_options_load(&options, SCOPE_VALIDATE, argc, argv, &error);
	if (loaded == 1) {
		help_command(stdout, "validate");
		exit_code = EXIT_ALL_OK;
		goto out;
	}
	if (loaded < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	/* steps read the manifest once each, and one pass sizes its duplicate
	 * set from the manifest's size: a piped one is made a file first */
	if (options.manifest && strcmp(options.manifest, "-") == 0 &&
	    stdin_copy_to_file(&error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (options.step_count) {
		exit_code = options.out && refuse_job_directory(options.out, &error) < 0
		                ? report_error(&error, EXIT_USAGE)
		                : steps_validate(&options);
		goto out;
	}
	struct pipeline_config config;
	job_options_pipeline_config(&options, &config);
	pipeline = pipeline_open(&config, stderr, &error);
	if (!pipeline) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (options.out && refuse_job_directory(options.out, &error) < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	if (options.out) {
		spool = tmpfile();
		if (!spool) {
			error_set(&error, "cannot create a temporary file: %s", strerror(errno));
			exit_code = report_error(&error, EXIT_USAGE);
			goto out;
		}
	}
	struct pipeline_row row;
	int next = 0;
	while ((next = pipeline_next(pipeline, &row, &error)) == 1) {
		if (row.valid || !spool)
			continue;
		if (spool_row(spool, &row) < 0) {
			error_set(&error, "cannot write a temporary file: %s", strerror(errno));
			next = -1;
			break;
		}
	}
	if (next < 0) {
		exit_code = report_error(&error, EXIT_USAGE);
		goto out;
	}
	pipeline_print_summary(pipeline, stdout);
	const struct pipeline_counts *counts = pipeline_counts(pipeline);
	if (spool) {
		if (write_errors_file(options.out, pipeline_manifest(pipeline), spool,
		                      counts->invalid, &config, pipeline_op(pipeline),
		                      &error) < 0) {
			exit_code = report_error(&error, EXIT_USAGE);
			goto out;
		}
		char shown[4096];
		printf("errors:    %s (%" PRIu64 " row%s)\n",
		       path_display_join(options.out, ERRORS_FILE, shown, sizeof(shown)),
		       counts->invalid, counts->invalid == 1 ? "" : "s");
		if (job_options_want_xlsx(&options)) {
			if (xlsx_copy_job_outputs(options.out, stderr, &error) < 0) {
				exit_code = report_error(&error, EXIT_USAGE);
				goto out;
			}
			printf("errors:    %s\n", path_display_join(options.out, ERRORS_XLSX_FILE,
			                                            shown, sizeof(shown)));
		}
	}
	exit_code = counts->invalid ? EXIT_SOME_FAILED : EXIT_ALL_OK;
out:
	if (spool)
		fclose(spool);
	pipeline_close(pipeline);
	job_options_release(&options);
	return exit_code;
}
