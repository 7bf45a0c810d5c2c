/* Reading an audit file as a sequence of gzip members and record lines,
 * noting where a member is truncated or damaged (internal). */
#ifndef LATTIGO_AUDIT_MEMBERS_H
#define LATTIGO_AUDIT_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "common/error.h"

struct member_visitor {
	void *context;
	/* A complete record line (without its newline) from the member starting
	 * at member_offset. Returns 0 to go on, 1 to stop reading (success), or -1
	 * to stop with error filled. */
	int (*line)(void *context, const char *line, size_t length, uint64_t member_offset,
	            struct error *error);
	/* The member starting at member_offset ended cleanly at end_offset. May be NULL. */
	void (*member_end)(void *context, uint64_t member_offset, uint64_t end_offset);
};

struct member_result {
	uint64_t members;      /* complete members */
	uint64_t complete_end; /* byte offset just after the last complete member */
	uint64_t file_bytes;
	bool truncated;         /* the file ends inside a member */
	bool damaged;           /* a member holds invalid data (or an over-long line) */
	bool damage_followed;   /* ... and a complete member starts somewhere after it */
	uint64_t damage_offset; /* where the truncated or damaged member starts */
	uint64_t partial_bytes; /* bytes of an incomplete last line, dropped */
	bool stopped;           /* the visitor stopped the read early: nothing else is set */
	char problem[256];
};

/* Reads path, feeding visitor. Returns 0 when the file was read to its end
 * or to its first damage (see result), -1 with error when it cannot be
 * opened or a visitor stopped. */
int audit_read_members(const char *path, const struct member_visitor *visitor,
                       struct member_result *result, struct error *error);

/* As audit_read_members, starting at byte offset start (a member boundary). */
int audit_read_members_from(const char *path, uint64_t start, const struct member_visitor *visitor,
                            struct member_result *result, struct error *error);

/* Finds the start of the last complete member within the last window bytes
 * of path, so a writer can continue a long trail without inflating all of
 * it. Returns 0 with *offset set, or -1 when there is none in the window. */
int audit_find_last_member(const char *path, uint64_t window, uint64_t *offset);

/* Counts every exchange record of path into counts (overwritten), reading
 * all of it: for trails whose records predate their "counts". Returns 0, or
 * -1 with error when it cannot be read. */
int audit_count_exchanges(const char *path, struct audit_counts *counts, struct error *error);

#endif
