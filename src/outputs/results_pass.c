/* A row file's pass over the manifest (results_pass.h). */
#include "outputs/results_pass.h"

#include <errno.h>
#include <string.h>

#include "common/file_io.h"

/* Fields that identify a device, in the order a row file lists them after
 * the operation's key field; an operation shows those it has. */
static const enum field_id identity_fields[] = {
    FIELD_ICCID, FIELD_IMEI, FIELD_DEVICE_SKU, FIELD_DEVICE_NAME, FIELD_ID_TYPE,
};

int results_pass_open(struct results_pass *pass, const struct results_source *job, const char *name,
                      struct error *error)
{
	static const struct manifest_options defaults = {0};
	memset(pass, 0, sizeof(*pass));
	strbuf_init(&pass->path, 4096);
	strbuf_init(&pass->problem, 1024);
	const struct op *op = job->op;
	pass->identity[pass->identity_count++] = op->key_field;
	for (size_t i = 0; i < sizeof(identity_fields) / sizeof(identity_fields[0]); i++)
		if (identity_fields[i] != op->key_field && op_field_find(op, identity_fields[i]))
			pass->identity[pass->identity_count++] = identity_fields[i];
	if (strbuf_appendf(&pass->path, "%s/%s", job->directory, name) != STRBUF_OK)
		return error_set(error, "job directory path too long: '%s'", job->directory);
	if (strcmp(job->manifest_path, "-") == 0)
		return error_set(error, "cannot write results from a manifest read from stdin: it "
		                        "cannot be read a second time");
	pass->manifest = manifest_open(
	    job->manifest_path, job->manifest_options ? job->manifest_options : &defaults, error);
	if (!pass->manifest)
		return -1;
	pass->binding = binding_new(op, pass->manifest, job->maps, job->map_count, job->sets,
	                            job->set_count, error);
	if (!pass->binding || atomic_file_open(&pass->file, strbuf_text(&pass->path), error) < 0)
		return -1;
	pass->file_open = true;
	csv_writer_init(&pass->csv, pass->file.stream);
	return 0;
}

void results_pass_identity_header(struct results_pass *pass)
{
	for (size_t i = 0; i < pass->identity_count; i++)
		csv_writer_cell_raw(&pass->csv, field_name(pass->identity[i]));
}

void results_pass_identity(struct results_pass *pass)
{
	for (size_t i = 0; i < pass->identity_count; i++)
		csv_writer_cell(&pass->csv, pass->record.value[pass->identity[i]]);
}

int results_pass_next(struct results_pass *pass, struct error *error)
{
	int got = manifest_next(pass->manifest, &pass->row, error);
	if (got <= 0)
		return got;
	/* a row with a reader-level problem (extra fields, an oversized field,
	 * an array value) still shows the identifying values the reader could
	 * read: the binding fills them even when it fails */
	memset(&pass->record, 0, sizeof(pass->record));
	strbuf_reset(&pass->problem);
	binding_apply(pass->binding, &pass->row, &pass->record, &pass->problem);
	return 1;
}

int results_pass_commit(struct results_pass *pass, struct error *error)
{
	if (ferror(pass->file.stream)) {
		file_storage_note(strbuf_text(&pass->path), errno); /* errno: the failed write's */
		return error_set(error, "cannot write '%s': %s", strbuf_text(&pass->path),
		                 strerror(errno));
	}
	pass->file_open = false;
	return atomic_file_commit(&pass->file, error);
}

struct manifest *results_pass_take_manifest(struct results_pass *pass)
{
	struct manifest *manifest = pass->manifest;
	pass->manifest = NULL;
	return manifest;
}

void results_pass_close(struct results_pass *pass)
{
	if (pass->file_open)
		atomic_file_abort(&pass->file);
	pass->file_open = false;
	binding_free(pass->binding);
	pass->binding = NULL;
	manifest_close(pass->manifest);
	pass->manifest = NULL;
	strbuf_release(&pass->problem);
	strbuf_release(&pass->path);
}
