/* The ceiling for manifest parsing: a bare libcsv loop that only counts the
 * fields and rows of a CSV file, with nothing else done per field. bench/
 * validate.sh compares `lattigo-batch validate` with it.
 * Usage: bare_csv FILE   (prints "rows N fields M") */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct counts {
	unsigned long long fields;
	unsigned long long rows;
};

static void count_field(void *data, size_t length, void *context)
{
	(void)data;
	(void)length;
	((struct counts *)context)->fields++;
}

static void count_row(int terminator, void *context)
{
	(void)terminator;
	((struct counts *)context)->rows++;
}

int main(int argc, char **argv)
{
	static char block[1 << 16];
	struct counts counts = {0, 0};
	struct csv_parser parser;
	FILE *file = NULL;
	int status = 1;
	size_t got;

	if (argc != 2) {
		fprintf(stderr, "usage: bare_csv FILE\n");
		return 2;
	}
	if (csv_init(&parser, 0) != 0) {
		fprintf(stderr, "bare_csv: cannot initialise libcsv\n");
		return 1;
	}
	file = fopen(argv[1], "rb");
	if (file == NULL) {
		fprintf(stderr, "bare_csv: cannot open '%s': %s\n", argv[1], strerror(errno));
		goto out;
	}
	while ((got = fread(block, 1, sizeof block, file)) > 0) {
		if (csv_parse(&parser, block, got, count_field, count_row, &counts) != got) {
			fprintf(stderr, "bare_csv: '%s': %s\n", argv[1],
			        csv_strerror(csv_error(&parser)));
			goto out;
		}
	}
	csv_fini(&parser, count_field, count_row, &counts);
	printf("rows %llu fields %llu\n", counts.rows, counts.fields);
	status = 0;
out:
	if (file != NULL)
		fclose(file);
	csv_free(&parser);
	return status;
}
