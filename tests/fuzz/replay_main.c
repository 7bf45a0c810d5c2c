/* A main for the fuzz targets when libFuzzer is not there (gcc builds): runs
 * the target once on every file of the directories given, so each seed and
 * every input that once failed (tests/fuzz/corpus/<target>/) is replayed by
 * the ordinary test suite under ASan and UBSan. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"

static int run_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	if (!file) {
		fprintf(stderr, "cannot open '%s'\n", path);
		return -1;
	}
	size_t capacity = 1 << 16, size = 0;
	unsigned char *data = malloc(capacity);
	size_t got;
	while (data && (got = fread(data + size, 1, capacity - size, file)) > 0) {
		size += got;
		if (size == capacity) {
			unsigned char *bigger = realloc(data, capacity *= 2);
			if (!bigger) {
				free(data);
				data = NULL;
			}
			data = bigger;
		}
	}
	fclose(file);
	if (!data)
		return -1;
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned inputs = 0;
	for (int index = 1; index < argc; index++) {
		DIR *directory = opendir(argv[index]);
		if (!directory) {
			fprintf(stderr, "cannot open directory '%s'\n", argv[index]);
			return 1;
		}
		struct dirent *entry;
		while ((entry = readdir(directory)) != NULL) {
			if (entry->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[index], entry->d_name);
			if (run_file(path) < 0) {
				closedir(directory);
				return 1;
			}
			inputs++;
		}
		closedir(directory);
	}
	printf("replayed %u inputs\n", inputs);
	return inputs > 0 ? 0 : 1;
}
