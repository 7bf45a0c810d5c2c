/* Lexical path normalisation for printing. */
#include "common/path_display.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The components kept so far, as offsets into a copy of the path. */
struct components {
	const char **parts;
	size_t *lengths;
	size_t count;
};

static bool is_dot_dot(const char *part, size_t length)
{
	return length == 2 && part[0] == '.' && part[1] == '.';
}

static void keep(struct components *kept, bool absolute, const char *part, size_t length)
{
	if (length == 0 || (length == 1 && part[0] == '.'))
		return;
	if (is_dot_dot(part, length)) {
		if (kept->count &&
		    !is_dot_dot(kept->parts[kept->count - 1], kept->lengths[kept->count - 1])) {
			kept->count--; /* NAME/.. */
			return;
		}
		if (absolute)
			return; /* /.. is / */
	}
	kept->parts[kept->count] = part;
	kept->lengths[kept->count] = length;
	kept->count++;
}

const char *path_display(const char *path, char *out, size_t size)
{
	if (size == 0)
		return out;
	size_t length = path ? strlen(path) : 0;
	/* at most one component per two bytes, plus one */
	size_t most = length / 2 + 1;
	struct components kept = {malloc(most * sizeof(char *)), malloc(most * sizeof(size_t)), 0};
	if (!kept.parts || !kept.lengths) {
		snprintf(out, size, "%s", path ? path : "");
		free(kept.parts);
		free(kept.lengths);
		return out;
	}
	bool absolute = length > 0 && path[0] == '/';
	for (size_t start = 0; start < length;) {
		size_t end = start;
		while (end < length && path[end] != '/')
			end++;
		keep(&kept, absolute, path + start, end - start);
		start = end + 1;
	}
	size_t used = 0;
	out[0] = '\0';
	if (absolute && used + 1 < size)
		out[used++] = '/';
	for (size_t index = 0; index < kept.count; index++) {
		int wrote = snprintf(out + used, size - used, "%s%.*s", index ? "/" : "",
		                     (int)kept.lengths[index], kept.parts[index]);
		if (wrote < 0 || (size_t)wrote >= size - used) {
			used = size - 1;
			break;
		}
		used += (size_t)wrote;
	}
	if (used == 0 && size > 1)
		out[used++] = '.';
	out[used] = '\0';
	free(kept.parts);
	free(kept.lengths);
	return out;
}

const char *path_display_join(const char *directory, const char *name, char *out, size_t size)
{
	size_t length = strlen(directory) + (name ? strlen(name) : 0) + 2;
	char *joined = malloc(length);
	if (!joined) {
		snprintf(out, size, "%s/%s", directory, name ? name : "");
		return out;
	}
	snprintf(joined, length, "%s/%s", directory, name ? name : "");
	path_display(joined, out, size);
	free(joined);
	return out;
}
