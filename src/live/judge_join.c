/* The join of a spilled judge by partitions: every valid row written to
 * the partition of the device it names (rows-N; found-N for the rows that
 * named it by another identifier, once their look-ups are answered), then
 * per partition its devices loaded into a snapshot of their own and its
 * rows judged in row order into verdicts-N. Every row naming a device lands
 * with it, so claims and look-ups give what the whole snapshot would, with
 * memory for one partition. */
#include <string.h>

#include "live/judge_internal.h"

/* Writes every valid row to the partition of the device it names
 * (rows-N); a row naming its device by another identifier waits in
 * "pending", its look-up in lookups-N by the identifier's hash. A row
 * meeting two devices only writes its look-ups (it is judged in row order
 * from what they find). Returns 0 or -1 with error. */
static int route_rows(struct live_judge *judge, const struct pipeline_config *config,
                      struct error *error)
{
	const struct op *op = judge->op;
	FILE **rows = judge->meets ? NULL
	                           : judge_partition_files_open(judge->spool, "rows",
	                                                        judge->partitions, "wb", error);
	FILE **lookups =
	    judge->meets || rows
	        ? judge_partition_files_open(judge->spool, "lookups", judge->buckets, "wb", error)
	        : NULL;
	FILE *pending = lookups && !judge->meets
	                    ? judge_partition_file_open(judge->spool, "pending", 0, "wb", error)
	                    : NULL;
	struct pipeline *pipeline =
	    pending || (lookups && judge->meets) ? pipeline_open(config, NULL, error) : NULL;
	int result = pipeline ? 0 : -1;
	struct pipeline_row row;
	while (result == 0 && (result = pipeline_next(pipeline, &row, error)) == 1) {
		result = 0;
		if (!row.valid || !row.record ||
		    (judge->options.wants &&
		     !judge->options.wants(judge->options.context, row.record)))
			continue;
		enum device_field key;
		const char *value;
		int written;
		if (judge->meets) {
			written = judge_put_meetings(judge, lookups, row.record);
		} else if (op_live_device_key(op, row.record, &key, &value) < 0) {
			written = judge_put_record(rows[0], &judge->frame, row.record);
		} else if (key == DEVICE_NAME) {
			size_t partition =
			    live_spool_partition_of(judge->spool, value, strlen(value));
			written = judge_put_record(rows[partition], &judge->frame, row.record);
		} else {
			written =
			    judge_put_lookup(judge, lookups, row.record->row, key, value) < 0 ||
			            judge_put_record(pending, &judge->frame, row.record) < 0
			        ? -1
			        : 0;
		}
		if (written < 0)
			result =
			    error_set(error, "cannot write the preflight's rows to a temporary "
			                     "directory");
	}
	pipeline_close(pipeline);
	if (pending && fclose(pending) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's rows");
	result = judge_partition_files_close(lookups, judge->buckets, result, error);
	return judge_partition_files_close(rows, judge->partitions, result, error);
}

/* The rows that named their device by another identifier, in row order,
 * each to the partition of the device its look-up found (resolved-N,
 * merged by row), or to partition 0 when none holds it (no partition
 * does). Returns 0 or -1 with error. */
static int route_pending(struct live_judge *judge, struct error *error)
{
	struct judge_head *resolved =
	    judge_heads_open(judge->spool, "resolved", judge->buckets, error);
	struct judge_head pending = {.file = NULL};
	if (resolved)
		pending.file = judge_partition_file_open(judge->spool, "pending", 0, "rb", error);
	FILE **rows = pending.file ? judge_partition_files_open(judge->spool, "found",
	                                                        judge->partitions, "wb", error)
	                           : NULL;
	int result = rows ? 0 : -1;
	while (result == 0 && judge_head_next(&pending) == 0 && pending.ready) {
		bool damaged = false;
		struct judge_head *found =
		    judge_head_of_row(resolved, judge->buckets, pending.row, &damaged);
		uint64_t holder;
		struct device_view device = {{0}};
		struct record record;
		if (!found || judge_head_found(found, &holder) < 0 ||
		    (holder && judge_decode_fields(&found->cursor, &device) < 0) ||
		    judge_head_record(&pending, &record) < 0) {
			result = error_set(error, "the preflight's look-ups are damaged");
			break;
		}
		found->ready = false;
		const char *name = device.value[DEVICE_NAME];
		size_t partition =
		    name ? live_spool_partition_of(judge->spool, name, strlen(name)) : 0;
		if (judge_put_record(rows[partition], &judge->frame, &record) < 0)
			result = error_set(error, "cannot write the preflight's rows");
	}
	if (result == 0 && !pending.ended)
		result = error_set(error, "the preflight's rows are damaged");
	if (pending.file)
		fclose(pending.file);
	live_spool_frame_release(&pending.frame);
	judge_heads_close(resolved, judge->buckets);
	return judge_partition_files_close(rows, judge->partitions, result, error);
}

/* One partition: its devices in a snapshot of their own, its rows — those
 * routed by name and those found by another identifier, merged by row —
 * judged in row order into its verdicts file. Returns 0 or -1 with error. */
static int judge_partition(struct live_judge *judge, size_t index, struct error *error)
{
	struct live_snapshot *part = live_snapshot_new_like(judge->snapshot);
	struct live_claims *claims = part ? live_claims_new(part) : NULL;
	FILE *devices = judge_partition_file_open(judge->spool, "part", index, "rb", error);
	struct judge_head rows[2];
	memset(rows, 0, sizeof(rows));
	rows[0].file =
	    devices ? judge_partition_file_open(judge->spool, "rows", index, "rb", error) : NULL;
	rows[1].ended = true;
	if (rows[0].file && judge->lookups)
		rows[1] = (struct judge_head){
		    .file = judge_partition_file_open(judge->spool, "found", index, "rb", error)};
	FILE *verdicts =
	    rows[0].file && (rows[1].file || !judge->lookups)
	        ? judge_partition_file_open(judge->spool, "verdicts", index, "wb", error)
	        : NULL;
	int result = verdicts ? 0 : -1;
	if (!claims)
		result = error_set(error, "out of memory");
	struct live_spool_frame frame = {NULL, 0, 0};
	struct device_view device;
	uint64_t ordinal;
	int read = 0;
	while (result == 0 &&
	       (read = live_spool_read_device(devices, &frame, &device, &ordinal)) == 1)
		if (live_snapshot_add_view(part, &device) < 0)
			result =
			    error_set(error, "out of memory loading a partition of the account");
	if (result == 0 && read < 0)
		result = error_set(error, "a partition of the account's devices is damaged");
	live_spool_frame_release(&frame);
	for (int side = 0; result == 0 && side < 2; side++)
		if (!rows[side].ended && judge_head_next(&rows[side]) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
	while (result == 0 && (rows[0].ready || rows[1].ready)) {
		struct judge_head *next =
		    !rows[1].ready || (rows[0].ready && rows[0].row < rows[1].row) ? &rows[0]
		                                                                   : &rows[1];
		struct record record;
		struct live_judgement judgement;
		struct device_view found;
		if (judge_head_record(next, &record) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
		else if (judge->options.devices) {
			bool named = judge_find_device(judge->op, part, &record, &found);
			if (judge_put_device(verdicts, &judge->frame, record.row,
			                     named ? &found : NULL) < 0)
				result = error_set(error, "cannot write the preflight's verdicts");
		} else if (judge_direct(judge->op, part, claims, &record, &judgement) < 0)
			result = error_set(error, "out of memory");
		else if (judge_put_judgement(verdicts, &judge->frame, record.row, &judgement) < 0)
			result = error_set(error, "cannot write the preflight's verdicts");
		if (result == 0 && judge_head_next(next) < 0)
			result =
			    error_set(error, "the preflight's rows of a partition are damaged");
	}
	if (verdicts && fclose(verdicts) != 0 && result == 0)
		result = error_set(error, "cannot write the preflight's verdicts");
	for (int side = 0; side < 2; side++) {
		if (rows[side].file)
			fclose(rows[side].file);
		live_spool_frame_release(&rows[side].frame);
	}
	if (devices)
		fclose(devices);
	live_claims_free(claims);
	live_snapshot_free(part);
	return result;
}

int judge_by_partitions(struct live_judge *judge, const struct pipeline_config *config,
                        struct error *error)
{
	int result = route_rows(judge, config, error);
	if (result == 0 && judge->lookups) {
		result = judge_resolve_lookups(judge, error);
		if (result == 0 && !judge->meets)
			result = route_pending(judge, error);
	}
	if (judge->meets) {
		if (result == 0 && judge->lookups &&
		    !(judge->met =
		          judge_heads_open(judge->spool, "resolved", judge->buckets, error)))
			result = -1;
		return result;
	}
	for (size_t index = 0; result == 0 && index < judge->partitions; index++)
		result = judge_partition(judge, index, error);
	if (result == 0 &&
	    !(judge->heads = judge_heads_open(judge->spool, "verdicts", judge->partitions, error)))
		result = -1;
	return result;
}
