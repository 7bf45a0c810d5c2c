/* Per-step progress of a job with steps (step_progress.h). */
#include "report/step_progress.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "journal/journal.h"

/* The step a directory entry names ("2-cost-center"): its number and
 * operation, or false ("baseline", anything else). */
static bool step_entry(const char *name, unsigned *number, const char **op)
{
	char *end = NULL;
	unsigned long value = strtoul(name, &end, 10);
	if (end == name || *end != '-' || value == 0 || value > STEP_PROGRESS_MAX || !end[1])
		return false;
	*number = (unsigned)value;
	*op = end + 1;
	return true;
}

/* Reads one checkpoint's replay. Returns 1 read, 0 absent, -1 damaged. */
static int read_replay(const char *directory, struct journal_replay *replay, struct error *error)
{
	char path[4200];
	struct stat status;
	if (snprintf(path, sizeof(path), "%s/%s", directory, JOURNAL_FILE_NAME) >=
	        (int)sizeof(path) ||
	    stat(path, &status) != 0)
		return 0;
	struct journal_read_result result;
	memset(&result, 0, sizeof(result));
	int failed = journal_summarize(directory, &result, replay, error);
	journal_header_release(&result.header);
	return failed ? -1 : 1;
}

static int read_step(const char *directory, struct step_progress *step, struct error *error)
{
	struct journal_replay replay;
	memset(&replay, 0, sizeof(replay));
	int got = read_replay(directory, &replay, error);
	if (got > 0) {
		memcpy(step->by_status, replay.rows_by_status, sizeof(step->by_status));
		step->done = replay.rows_final;
		step->in_doubt = replay.rows_in_doubt;
		step->calls = replay.calls;
	}
	journal_replay_release(&replay);
	if (got <= 0)
		return got;
	char verify[4200];
	if (snprintf(verify, sizeof(verify), "%s/verify", directory) >= (int)sizeof(verify))
		return 1;
	memset(&replay, 0, sizeof(replay));
	got = read_replay(verify, &replay, error);
	if (got > 0) {
		step->verifies = true;
		step->verified = replay.rows_by_status[ROW_OK];
		step->not_verified = replay.rows_final - step->verified;
		uint64_t through = step->by_status[ROW_OK] + step->by_status[ROW_UNCHANGED];
		step->waiting = through > replay.rows_final ? through - replay.rows_final : 0;
	}
	journal_replay_release(&replay);
	return got < 0 ? -1 : 1;
}

static int by_number(const void *left, const void *right)
{
	const struct step_progress *a = left, *b = right;
	return (a->number > b->number) - (a->number < b->number);
}

int step_progress_read(const char *directory, struct step_progress *steps, size_t max,
                       struct error *error)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", directory, STEPS_DIRECTORY) >= (int)sizeof(path))
		return 0;
	DIR *listing = opendir(path);
	if (!listing)
		return 0;
	size_t count = 0;
	int result = 0;
	struct dirent *entry;
	while (result == 0 && count < max && (entry = readdir(listing)) != NULL) {
		unsigned number = 0;
		const char *op = NULL;
		if (!step_entry(entry->d_name, &number, &op))
			continue;
		struct step_progress *step = &steps[count];
		memset(step, 0, sizeof(*step));
		step->number = number;
		snprintf(step->label, sizeof(step->label), "%.*s", STEP_PROGRESS_NAME - 1,
		         entry->d_name);
		snprintf(step->op, sizeof(step->op), "%.*s", STEP_PROGRESS_NAME - 1, op);
		char step_directory[4096];
		if (snprintf(step_directory, sizeof(step_directory), "%s/%s", path,
		             entry->d_name) >= (int)sizeof(step_directory))
			continue;
		int got = read_step(step_directory, step, error);
		if (got < 0)
			result = -1;
		else if (got > 0)
			count++;
	}
	closedir(listing);
	if (result < 0)
		return -1;
	qsort(steps, count, sizeof(*steps), by_number);
	return (int)count;
}
